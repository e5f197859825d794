// Programs the host has loaded: their code, type and address table
// (emu/shared/address-table.ts), by id, so that a tail call can move to
// another program (of any loaded object) by the id in a PROG_ARRAY slot.
// Copies of one object share their code and differ in their tables.

import { allocate, PageKind } from "./heap";
import { tableAddress, tableRoomFor } from "./growing-table";

export { ProgramType } from "../shared/kernel-types";

const MAX_PROGRAMS: i32 = 1 << 20;
const ENTRY_BYTES: usize = 16;
// Each: code address, slot count, type, address table.
const table = memory.data(8, 4);
let programCount: i32 = 0;

/**
 * Copies nothing: the host writes the code (at allocateCode()'s address) and
 * the table of load-time addresses first. Returns the id, or -1 when full.
 */
export function registerProgram(code: usize, slots: i32, type: u32, addresses: usize): i32 {
  if (programCount == MAX_PROGRAMS || !tableRoomFor(table, <u32>programCount, ENTRY_BYTES)) return -1;
  const at = tableAddress(table) + <usize>programCount * ENTRY_BYTES;
  store<u32>(at, <u32>code, 0);
  store<u32>(at, <u32>slots, 4);
  store<u32>(at, type, 8);
  store<u32>(at, <u32>addresses, 12);
  return programCount++;
}

/** Room for a program's instruction words, on a page programs cannot reach. */
export function allocateCode(bytes: usize): usize {
  return allocate(bytes, PageKind.Meta);
}

@inline export function programCode(id: i32): usize {
  return <usize>load<u32>(tableAddress(table) + <usize>id * ENTRY_BYTES, 0);
}
@inline export function programType(id: i32): u32 {
  return load<u32>(tableAddress(table) + <usize>id * ENTRY_BYTES, 8);
}
/** Where the program's load-time addresses are, one u64 per relocated lddw. */
@inline export function programAddresses(id: i32): usize {
  return <usize>load<u32>(tableAddress(table) + <usize>id * ENTRY_BYTES, 12);
}
export function isProgram(id: i32): bool {
  return id >= 0 && id < programCount;
}
