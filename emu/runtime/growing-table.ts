// A table of fixed-size entries by id (programs, map descriptors), on pages
// programs cannot reach, that doubles when full: a cluster of 10,000 pods
// loads about 40,000 programs and 30,000 maps, a one-pod scenario a dozen.
// `header` is 8 bytes of static data: the table's address and its capacity.

import { allocate, PageKind, release } from "./heap";

const FIRST_CAPACITY: u32 = 1024;

@inline export function tableAddress(header: usize): usize {
  return <usize>load<u32>(header, 0);
}

/** Makes room for entry `count` (the next id); false when memory is exhausted. */
export function tableRoomFor(header: usize, count: u32, entryBytes: usize): bool {
  const capacity = load<u32>(header, 4);
  if (count < capacity) return true;
  const larger = capacity == 0 ? FIRST_CAPACITY : capacity * 2;
  const moved = allocate(<usize>larger * entryBytes, PageKind.Meta);
  if (moved == 0) return false;
  const old = tableAddress(header);
  if (old != 0) {
    memory.copy(moved, old, <usize>capacity * entryBytes);
    release(old, <usize>capacity * entryBytes, PageKind.Meta);
  }
  store<u32>(header, <u32>moved, 0);
  store<u32>(header, larger, 4);
  return true;
}
