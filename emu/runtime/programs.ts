// Programs the host has loaded: their code and type, by id, so that a tail
// call can move to another program (of any loaded object) by the id in a
// PROG_ARRAY slot.

import { allocate, PageKind } from "./heap";

export { ProgramType } from "../shared/kernel-types";

const MAX_PROGRAMS: i32 = 16384;
// Each: code address, slot count, type.
const table = memory.data(MAX_PROGRAMS * 12, 4);
let programCount: i32 = 0;

/** Copies nothing: the host writes the code at codeFor()'s address first. Returns the id, or -1 when full. */
export function registerProgram(code: usize, slots: i32, type: u32): i32 {
  if (programCount == MAX_PROGRAMS) return -1;
  const at = table + <usize>programCount * 12;
  store<u32>(at, <u32>code, 0);
  store<u32>(at, <u32>slots, 4);
  store<u32>(at, type, 8);
  return programCount++;
}

/** Room for a program's instruction words, on a page programs cannot reach. */
export function allocateCode(bytes: usize): usize {
  return allocate(bytes, PageKind.Meta);
}

@inline export function programCode(id: i32): usize {
  return <usize>load<u32>(table + <usize>id * 12, 0);
}
@inline export function programType(id: i32): u32 {
  return load<u32>(table + <usize>id * 12, 8);
}
export function isProgram(id: i32): bool {
  return id >= 0 && id < programCount;
}
