// The symbolic names of errno values, as Node knows them on this platform.

import { constants } from "node:os";

const errnoNames = new Map<number, string>(Object.entries(constants.errno).map(([name, number]) => [number, name]));

/** "EEXIST" for 17; "E<number>" for a value Node has no name for. */
export function errnoName(errno: number): string {
  return errnoNames.get(errno) ?? `E${errno}`;
}
