// The program return codes the runtime's helpers give back (bpf_redirect's),
// in the subset asc and tsc both compile. The runtime cannot import
// src/abi/generated.ts (its `as const` objects are not AssemblyScript), so
// test/emu/shared/actions.test.ts checks these against TcAction and XdpAction.

export const TC_ACT_SHOT = 2;
export const TC_ACT_REDIRECT = 7;
export const XDP_ABORTED = 0;
export const XDP_REDIRECT = 4;
