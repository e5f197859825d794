// The compiler's one error: a program it failed to turn into a valid wasm
// module (a bug of the compiler's, since it only sees validated programs),
// with binaryen's first complaint and never its dump on stdout.

export class CompileError extends Error {
  constructor(
    /** The program, by name where it has one. */
    readonly program: string,
    readonly detail: string,
  ) {
    super(`${program ? `program ${program}` : "a program"}: the compiler failed: ${detail}`);
    this.name = "CompileError";
  }
}
