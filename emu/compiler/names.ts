// The names compiled modules and the runtime share: what a compiled module
// imports from emu/runtime/compiled.ts (module "rt") and from its VM (module
// "vm"), and the functions it defines for itself.

/** Internal names of the imports, each `rt.<name>` or `vm.<name>` outside. */
export const Imported = {
  memory: "memory",
  remaining: "compiledRemaining",
  result: "compiledResult",
  arg1: "compiledArg1",
  arg2: "compiledArg2",
  tailTarget: "compiledTailTarget",
  checked: "compiledChecked",
  budgetFault: "compiledBudgetFault",
  enterCall: "compiledEnterCall",
  leaveCall: "compiledLeaveCall",
  helper: "compiledHelper",
  tailCall: "compiledTailCall",
  /** The running program's table of load-time addresses (emu/shared/address-table.ts). */
  addresses: "compiledAddresses",
  /** What the inline memory checks read (emu/runtime/regions.ts). */
  packetLo: "fastPacketLo",
  packetHi: "fastPacketHi",
  contextLo: "fastContextLo",
  contextBytes: "fastContextBytes",
  contextTable: "fastContextTable",
  pageKinds: "pageKindTable",
  /** The VM's table of compiled programs by program id, for the trampoline. */
  programs: "programs",
} as const;

/** Functions every compiled module defines for the instructions wasm has no single operator for. */
export const Internal = {
  udiv64: "udiv64",
  umod64: "umod64",
  sdiv64: "sdiv64",
  smod64: "smod64",
  udiv32: "udiv32",
  umod32: "umod32",
  sdiv32: "sdiv32",
  smod32: "smod32",
  bswap16: "bswap16",
  bswap32: "bswap32",
  bswap64: "bswap64",
} as const;

/** The module's check of a `size`-byte access outside the stack: its wasm address, or a fault. */
export const accessCheck = (size: number, write: boolean): string => `access${size}${write ? "w" : "r"}`;

/** The exports of a compiled module. */
export const Exported = {
  /** The program itself: takes r1 and r2 from the runtime, leaves r0 there. */
  main: "main",
  /** The program followed by the tail calls it makes. */
  run: "run",
} as const;
