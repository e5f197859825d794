// Typed errors of a program run: each names the instruction at fault and its
// disassembly, so that a user can find the line in their program.

export type VmFaultKind = "memory" | "budget" | "call-depth" | "opcode" | "helper";

export class VmError extends Error {
  constructor(
    readonly kind: VmFaultKind,
    /** The instruction slot at fault. */
    readonly index: number,
    /** Its disassembly. */
    readonly instruction: string,
    readonly detail: string,
  ) {
    super(`instruction ${index} (${instruction}): ${detail}`);
    this.name = "VmError";
  }
}
