// The memory a program may touch: its stack frames, and the regions the host
// declares (the input memory now; the context, the packet and map values
// later). A BPF pointer is an address in this wasm memory; every access is
// checked against these bounds before it happens.

import { raiseMemory } from "./fault";

const MAX_REGIONS: i32 = 16;
// Each region: lo (u64), hi (u64, exclusive), writable (u64).
const REGION_BYTES: usize = 24;
const regions = memory.data(<i32>(MAX_REGIONS * <i32>REGION_BYTES), 8);
let regionCount: i32 = 0;

/** The reachable part of the stack: [stackLow, stackHigh). */
export let stackLow: u64 = 0;
export let stackHigh: u64 = 0;

export function clearRegions(): void {
  regionCount = 0;
}

/** Returns false when the table is full. */
export function addRegion(lo: u64, hi: u64, writable: bool): bool {
  if (regionCount == MAX_REGIONS) return false;
  const at = regions + <usize>regionCount * REGION_BYTES;
  store<u64>(at, lo, 0);
  store<u64>(at, hi, 8);
  store<u64>(at, writable ? 1 : 0, 16);
  regionCount++;
  return true;
}

export function setStack(low: u64, high: u64): void {
  stackLow = low;
  stackHigh = high;
}

/** The wasm address of a checked access of `size` bytes at BPF address `addr`. */
@inline
export function checked(addr: u64, size: u64, write: bool, pc: i32): usize {
  if (addr >= stackLow && addr <= stackHigh - size) return <usize>addr;
  return checkedSlow(addr, size, write, pc);
}

function checkedSlow(addr: u64, size: u64, write: bool, pc: i32): usize {
  for (let i: i32 = 0; i < regionCount; i++) {
    const at = regions + <usize>i * REGION_BYTES;
    const lo = load<u64>(at, 0);
    const hi = load<u64>(at, 8);
    if (addr >= lo && hi >= size && addr <= hi - size) {
      if (write && load<u64>(at, 16) == 0) break;
      return <usize>addr;
    }
  }
  raiseMemory(addr, <i32>size, write, pc);
  return 0;
}
