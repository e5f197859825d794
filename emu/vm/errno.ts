// Names of the kernel's error numbers, for messages about map operations.

const NAMES: Record<number, string> = {
  1: "EPERM",
  2: "ENOENT",
  7: "E2BIG",
  11: "EAGAIN",
  12: "ENOMEM",
  14: "EFAULT",
  16: "EBUSY",
  17: "EEXIST",
  22: "EINVAL",
  28: "ENOSPC",
  95: "EOPNOTSUPP",
};

export function errnoName(errno: number): string {
  return NAMES[errno] ?? `errno ${errno}`;
}

/** A map operation the kernel would refuse, with its errno (positive). */
export class MapError extends Error {
  readonly code: string;
  constructor(
    readonly errno: number,
    readonly map: string,
    operation: string,
  ) {
    super(`map ${map}: ${operation} failed: ${errnoName(errno)}`);
    this.name = "MapError";
    this.code = errnoName(errno);
  }
}
