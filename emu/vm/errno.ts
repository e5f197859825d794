// A map operation the kernel would refuse, named by its errno.

import { errnoName } from "../../src/util/errno.ts";

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
