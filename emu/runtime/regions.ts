// The memory a program may touch. A BPF pointer is an address in this wasm
// memory; every access is checked before it happens against, in order:
//   1. the reachable stack frames;
//   2. the regions the host declared for this run: the packet (or the
//      conformance suite's input memory), and the context, whose bytes carry
//      a mask of what may be read and written, as the kernel restricts
//      __sk_buff, xdp_md and bpf_sock_addr field by field;
//   3. map values, by the kind of their heap page (heap.ts).
// Compiled code (emu/compiler) makes the common checks inline from the
// globals below: the packet, the context through a table of the accesses its
// mask allows, and the page kinds. Anything else comes here.

import { raiseMemory } from "./fault";
import { allocate, PageKind, pageKind, pageKinds } from "./heap";

const MAX_REGIONS: i32 = 8;
// Each region: lo, hi (exclusive), access mask address (0: whole region), writable.
const REGION_BYTES: usize = 32;
const regions = memory.data(MAX_REGIONS * <i32>REGION_BYTES, 8);
let regionCount: i32 = 0;

/** The run's packet (its first writable region without a mask): [fastPacketLo, fastPacketHi); empty when lo > hi. */
export let fastPacketLo: u64 = U64.MAX_VALUE;
export let fastPacketHi: u64 = 8;
/** The run's context (its first region with a mask): fastContextBytes bytes from fastContextLo. */
export let fastContextLo: u64 = U64.MAX_VALUE;
export let fastContextBytes: u64 = 0;
/**
 * One byte per context byte: bit log2(size) set when a read of that size may
 * start there, bit 4 + log2(size) when a write may (maskAllows decides both).
 */
export let fastContextTable: u32 = 0;
/** The heap's page kinds (heap.ts), one byte per 64 KiB page. */
export const pageKindTable: u32 = <u32>pageKinds;

const ACCESS_SIZES: i32 = 4;
const CONTEXT_TABLES: i32 = 8;
// Tables built so far, by mask: mask address, table address.
const contextTables = memory.data(CONTEXT_TABLES * 8, 4);
let contextTableCount: i32 = 0;

/**
 * Mask bits of a context byte (emu/vm/context builds the masks): readable,
 * writable, only accessed as a whole field (pointers), the first byte of a
 * field; the high four bits of a field's first byte hold log2 of its size.
 */
const CONTEXT_READ: u8 = 1;
const CONTEXT_WRITE: u8 = 2;
const CONTEXT_WHOLE: u8 = 4;
const CONTEXT_FIELD_START: u8 = 8;

/** The reachable part of the stack: [stackLow, stackHigh). */
let stackLow: u64 = 0;
let stackHigh: u64 = 0;

export function clearRegions(): void {
  regionCount = 0;
  fastPacketLo = U64.MAX_VALUE;
  fastPacketHi = 8;
  fastContextLo = U64.MAX_VALUE;
  fastContextBytes = 0;
}

/**
 * Declares [lo, lo + length) reachable for this run. With a mask (one byte per byte of
 * the region, CONTEXT_READ | CONTEXT_WRITE), each accessed byte must allow
 * the access. Returns false when the table is full.
 */
export function addRegion(lo: u32, length: u32, writable: bool, mask: usize): bool {
  if (regionCount == MAX_REGIONS) return false;
  const at = regions + <usize>regionCount * REGION_BYTES;
  store<u64>(at, <u64>lo, 0);
  store<u64>(at, <u64>lo + <u64>length, 8);
  store<u64>(at, <u64>mask, 16);
  store<u64>(at, writable ? 1 : 0, 24);
  regionCount++;
  if (mask == 0 && writable && fastPacketLo > fastPacketHi) {
    fastPacketLo = <u64>lo;
    fastPacketHi = <u64>lo + <u64>length;
  } else if (mask != 0 && fastContextBytes == 0) {
    const table = contextTable(mask, length, writable);
    if (table != 0) {
      fastContextLo = <u64>lo;
      fastContextBytes = <u64>length;
      fastContextTable = <u32>table;
    }
  }
  return true;
}

/** The access table of a context mask (see fastContextTable), built on first use; 0 when none can be. */
function contextTable(mask: usize, length: u32, writable: bool): usize {
  for (let i: i32 = 0; i < contextTableCount; i++) {
    const at = contextTables + <usize>i * 8;
    if (<usize>load<u32>(at) == mask) return <usize>load<u32>(at, 4);
  }
  if (contextTableCount == CONTEXT_TABLES) return 0;
  const table = allocate(<usize>length, PageKind.Meta);
  if (table == 0) return 0;
  for (let offset: u32 = 0; offset < length; offset++) {
    let bits: u8 = 0;
    for (let k: i32 = 0; k < ACCESS_SIZES; k++) {
      const size = <u32>1 << <u32>k;
      if (offset + size > length) break;
      if (maskAllows(mask, <u64>offset, <u64>size, false)) bits |= (<u8>1) << <u8>k;
      if (writable && maskAllows(mask, <u64>offset, <u64>size, true)) bits |= (<u8>1) << <u8>(4 + k);
    }
    store<u8>(table + <usize>offset, bits);
  }
  const at = contextTables + <usize>contextTableCount * 8;
  store<u32>(at, <u32>mask);
  store<u32>(at, <u32>table, 4);
  contextTableCount++;
  return table;
}

/** The region that was [lo, hi) becomes [newLo, newHi): the packet after a helper moved it. */
export function moveRegion(lo: u64, hi: u64, newLo: u64, newHi: u64): void {
  for (let i: i32 = 0; i < regionCount; i++) {
    const at = regions + <usize>i * REGION_BYTES;
    if (load<u64>(at, 0) == lo && load<u64>(at, 8) == hi) {
      store<u64>(at, newLo, 0);
      store<u64>(at, newHi, 8);
      break;
    }
  }
  // Compiled code checks packet accesses against these.
  if (fastPacketLo == lo && fastPacketHi == hi) {
    fastPacketLo = newLo;
    fastPacketHi = newHi;
  }
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

/** Whether [addr, addr + size) lies in memory the program may access; used by helpers for their pointer arguments. */
export function accessible(addr: u64, size: u64, write: bool): bool {
  if (size == 0) return true;
  if (addr >= stackLow && stackHigh >= size && addr <= stackHigh - size) return true;
  for (let i: i32 = 0; i < regionCount; i++) {
    const at = regions + <usize>i * REGION_BYTES;
    const lo = load<u64>(at, 0);
    const hi = load<u64>(at, 8);
    if (addr >= lo && hi - lo >= size && addr <= hi - size) return allowedInRegion(at, addr - lo, size, write);
  }
  const kind = pageKind(addr);
  if (kind == PageKind.Meta || pageKind(addr + size - 1) != kind) return false;
  return !write || kind == PageKind.Data;
}

function allowedInRegion(at: usize, offset: u64, size: u64, write: bool): bool {
  if (write && load<u64>(at, 24) == 0) return false;
  const mask = <usize>load<u64>(at, 16);
  return mask == 0 || maskAllows(mask, offset, size, write);
}

function maskAllows(mask: usize, offset: u64, size: u64, write: bool): bool {
  // The kernel's rules for context fields: aligned accesses; narrow reads
  // within a field; writes, and any access to a pointer field, whole.
  if (offset % size != 0) return false;
  const need: u8 = write ? CONTEXT_WRITE : CONTEXT_READ;
  for (let i: u64 = 0; i < size; i++) {
    if ((load<u8>(mask + <usize>(offset + i)) & need) == 0) return false;
  }
  const first = load<u8>(mask + <usize>offset);
  if (write || (first & CONTEXT_WHOLE) != 0) {
    return (first & CONTEXT_FIELD_START) != 0 && size == (<u64>1 << <u64>(first >> 4));
  }
  return true;
}

function checkedSlow(addr: u64, size: u64, write: bool, pc: i32): usize {
  if (!accessible(addr, size, write)) raiseMemory(addr, <i32>size, write, pc);
  return <usize>addr;
}
