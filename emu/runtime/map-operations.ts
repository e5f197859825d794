// Map operations a run made through the helpers (lookups, updates, deletes,
// by map), counted for `ebbflow bench` when the host asks for it. The host
// clears the list before a run and reads it after; without counting, each
// map helper pays one branch.

const MAX_COUNTED_MAPS: i32 = 64;
// Each entry: map id, lookups, updates, deletes (u32 each).
const ENTRY_BYTES: usize = 16;
const entries = memory.data(MAX_COUNTED_MAPS * <i32>ENTRY_BYTES, 8);
/** The descriptor's map id (emu/runtime/maps/descriptor.ts). */
const DESCRIPTOR_ID: usize = 28;

export const enum MapOperation {
  Lookup = 1,
  Update = 2,
  Delete = 3,
}

let counting: bool = false;
/** Maps the run has operated on so far: entries [0, countedMaps). */
export let countedMaps: i32 = 0;
/** Operations on maps past the first MAX_COUNTED_MAPS, which have no entry. */
export let uncountedOperations: u32 = 0;

export function countMapOperations(on: bool): void {
  counting = on;
}

export function clearMapOperations(): void {
  countedMaps = 0;
  uncountedOperations = 0;
}

/** The address of the entries (id, lookups, updates, deletes: u32 each). */
export function mapOperationEntries(): usize {
  return entries;
}

/** Counts an operation on the map whose descriptor is `d`. */
export function countMapOperation(d: usize, operation: MapOperation): void {
  if (!counting) return;
  const id = load<u32>(d, DESCRIPTOR_ID);
  for (let i: i32 = 0; i < countedMaps; i++) {
    const at = entries + <usize>i * ENTRY_BYTES;
    if (load<u32>(at) == id) {
      store<u32>(at + (<usize>operation << 2), load<u32>(at + (<usize>operation << 2)) + 1);
      return;
    }
  }
  if (countedMaps == MAX_COUNTED_MAPS) {
    uncountedOperations++;
    return;
  }
  const at = entries + <usize>countedMaps * ENTRY_BYTES;
  store<u32>(at, id);
  store<u32>(at, operation == MapOperation.Lookup ? 1 : 0, 4);
  store<u32>(at, operation == MapOperation.Update ? 1 : 0, 8);
  store<u32>(at, operation == MapOperation.Delete ? 1 : 0, 12);
  countedMaps++;
}
