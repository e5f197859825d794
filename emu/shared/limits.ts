// The VM's limits, shared by the AssemblyScript runtime (emu/runtime) and the
// TypeScript side (emu/vm, emu/compiler): written in the subset both compile,
// so that each limit exists once.

/** Bytes of stack each BPF function frame gets (the kernel's MAX_BPF_STACK, as in ubpf). */
export const STACK_FRAME_BYTES = 512;
/** Nested bpf-to-bpf call frames, the kernel's MAX_CALL_FRAMES. */
export const MAX_CALL_FRAMES = 8;
/** Helper ids below this may be registered by the host. */
export const MAX_HELPER_ID = 1024;
