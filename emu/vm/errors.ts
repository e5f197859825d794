// Typed errors of a program run: each names the instruction at fault and its
// disassembly, and the C source line where the object has line info, so
// that a user can find the place in their program.

export type VmFaultKind = "memory" | "budget" | "call-depth" | "opcode" | "helper" | "helper-argument" | "unknown-helper" | "tail-call";

export class VmError extends Error {
  constructor(
    readonly kind: VmFaultKind,
    /** The program at fault (a tail call may have moved there). */
    readonly program: string,
    /** The instruction slot at fault. */
    readonly index: number,
    /** Its disassembly. */
    readonly instruction: string,
    readonly detail: string,
    /** "file.c:line: source" where the object has line info. */
    readonly source?: string,
  ) {
    super(`${program ? `${program}: ` : ""}instruction ${index} (${instruction})${source ? ` at ${source}` : ""}: ${detail}`);
    this.name = "VmError";
  }
}
