// The kernel backend's errors. A KernelError is the kernel (or libbpf)
// refusing an operation, with its errno; a KernelUsageError is a caller's
// mistake caught before the kernel is asked; KernelBackendUnavailableError
// says why this machine cannot run the kernel backend at all.

import { errnoName } from "../src/util/errno.ts";

export { errnoName };

export class KernelBackendUnavailableError extends Error {
  override readonly name = "KernelBackendUnavailableError";
  constructor(readonly reason: string) {
    super(`the kernel backend is unavailable: ${reason}`);
  }
}

export class KernelError extends Error {
  override readonly name: string = "KernelError";
  /** The errno name, e.g. "EEXIST", "ENOENT", "E2BIG". */
  readonly code: string;

  constructor(
    /** What was attempted, e.g. "update", "load", "open". */
    readonly operation: string,
    /** What it was attempted on: an object's path, "object/map", a pin path. */
    readonly target: string,
    /** The kernel's errno (positive). */
    readonly errno: number,
    /** What libbpf printed while it failed (often the real cause), possibly empty. */
    readonly libbpfMessages: string,
    description: string,
  ) {
    super(`${operation} ${target}: ${errnoName(errno)} (${description})${libbpfMessages ? `\n${libbpfMessages.trimEnd()}` : ""}`);
    this.code = errnoName(errno);
  }
}

/** The verifier refused a program; `verifierLog` is the kernel's log of the attempt. */
export class VerifierError extends KernelError {
  override readonly name = "VerifierError";
  constructor(
    target: string,
    errno: number,
    libbpfMessages: string,
    description: string,
    readonly program: string,
    readonly verifierLog: string,
  ) {
    super("load", `${target}/${program}`, errno, libbpfMessages, description);
    this.message += `\nverifier log of ${program}:\n${verifierLog.trimEnd()}`;
  }
}

export class KernelUsageError extends Error {
  override readonly name = "KernelUsageError";
  constructor(
    /** The object, map or program concerned, e.g. "counters.o/packets_by_source". */
    readonly subject: string,
    /** The argument or setting at fault, e.g. "key", "maxEntries", "state". */
    readonly field: string,
    problem: string,
  ) {
    super(`${subject}: ${field}: ${problem}`);
  }
}
