// HASH, PERCPU_HASH, LRU_HASH and LRU_PERCPU_HASH: an open-addressed index
// (linear probing) whose slots hold each entry's hash, key and value address,
// so that a lookup reads one slot, not a bucket and a chain of elements: with
// large maps every extra read is a cache and TLB miss. Values are allocated
// per entry (so memory follows use) and never move: the index grows by moving
// slots only. The LRU kinds also give each entry an element on a recency list
// whose tail is evicted when the map is full. Index and elements live on
// metadata pages; values on data pages, where the program reads and writes
// them through the pointer lookup returns.
//
// Maps that programs only read (BPF_F_RDONLY_PROG) change only from the host,
// between runs, when no program holds a pointer into them: their values live
// in the index slot itself, right after the tag and key, on read-only pages,
// and move with their slots. A service or backend takes half a cache line; a
// Maglev table, a quarter of a page. A lookup returns the value's address as
// computed from the slot's, not as loaded from it, so that the CPU can fetch
// the value while it still compares the key.
//
// Keys of two bytes (service IDs) are hashed by a bijection: once the index
// has a slot for every possible key it stops growing, and every key sits in
// its home slot. (So does an index of one-byte keys at 256 slots; a full one
// holds every key, so probes still end.) From then on a bit per slot mirrors
// whether it is occupied: a program's lookup tests the bit, 8 KiB that stay in
// cache, and goes straight to the value, rather than first reading the slot's
// tag (with 65,535 Maglev tables, a cache miss of its own).

import { allocate, PageKind, release } from "../heap";
import { cpuCount, currentCpu } from "../cpu";
import { E2BIG, EEXIST, EINVAL, ENOENT, ENOMEM } from "../errno";
import {
  BPF_EXIST, BPF_F_RDONLY_PROG, BPF_NOEXIST, count, isPercpu, keySize, mapFlags, mapType, MapType, maxEntries, setCount,
  setSlotA, setSlotB, setSlotC, setSlotD, setWideA, setWideB, slotA, slotB, slotC, slotD, stride, wideA, wideB,
} from "./descriptor";

// LRU element: lruPrev, lruNext, then the key (to find the slot of the entry evicted).
const PREV = 0;
const LRU_NEXT = 4;
const KEY: usize = 8;
// Index slot: a tag (the key's hash with TAG_OCCUPIED set; 0 in an empty
// slot), the LRU element (LRU kinds), then, with values apart, the value's
// address and the key; with values in the index, the key and the value.
const SLOT_TAG = 0;
const SLOT_ELEMENT = 4;
const SLOT_VALUE = 8;
const KEY_APART: usize = 16;
const TAG_OCCUPIED: u32 = 0x80000000;
const INITIAL_SLOTS: usize = 16;
const CACHE_LINE: usize = 64;

@inline function index(d: usize): usize { return slotA(d); }
@inline function slotCount(d: usize): usize { return slotB(d); }
@inline function lruHead(d: usize): usize { return slotC(d); }
@inline function lruTail(d: usize): usize { return slotD(d); }
/** The occupancy bits of a full index of two-byte keys (not LRU), or 0. */
@inline function homeBits(d: usize): usize { return isLru(d) ? 0 : slotC(d); }
/** A slot's bytes, fixed at creation: every probe steps by it. */
@inline function slotBytes(d: usize): usize { return <usize>wideA(d); }
/** Where in a slot the key lies, and (values in the index) the value: fixed at creation. */
@inline function keyOffset(d: usize): usize { return <usize>(<u32>wideB(d)); }
@inline function valueOffset(d: usize): usize { return <usize>(wideB(d) >> 32); }

function isLru(d: usize): bool {
  const type = mapType(d);
  return type == MapType.LruHash || type == MapType.LruPercpuHash;
}
@inline function keyBytes(d: usize): usize {
  return (<usize>keySize(d) + 7) & ~7;
}
function elementBytes(d: usize): usize {
  return KEY + keyBytes(d);
}
/** Bytes of an element's value block: one stride, or one per CPU. */
export function valueBlockBytes(d: usize): usize {
  return <usize>stride(d) * (isPercpu(mapType(d)) ? <usize>cpuCount : 1);
}
/** Whether values live in the index: maps read-only to programs. */
function valuesInIndex(d: usize): bool {
  return (mapFlags(d) & BPF_F_RDONLY_PROG) != 0;
}
/** Where the key lies in a slot: after the tag and the LRU element, and the value's address when apart. */
function keyOffsetOf(d: usize): usize {
  if (!valuesInIndex(d)) return KEY_APART;
  return isLru(d) ? SLOT_ELEMENT + 4 : SLOT_ELEMENT;
}
/** Where the value lies in a slot when it lives there: after the key, 8-byte aligned. */
function valueOffsetOf(d: usize, keyAt: usize): usize {
  return (keyAt + <usize>keySize(d) + 7) & ~7;
}
/**
 * A slot's bytes: up to a cache line, a power of two, so that no slot
 * straddles two lines; past it, whole lines.
 */
function slotBytesOf(d: usize): usize {
  const bytes = valuesInIndex(d) ? valueOffset(d) + valueBlockBytes(d) : keyOffset(d) + keyBytes(d);
  return bytes <= CACHE_LINE ? <usize>1 << (32 - clz<u32>(<u32>bytes - 1)) : (bytes + CACHE_LINE - 1) & ~(CACHE_LINE - 1);
}
/** Slots for every possible key of one or two bytes: the index never needs more. */
function keySpace(d: usize): usize {
  return keySize(d) <= 2 ? <usize>1 << (8 * keySize(d)) : <usize>0xffffffff;
}
/** An occupied slot's value block: in the slot, or at the address it holds. */
@inline function valueOf(d: usize, slot: usize): usize {
  return valuesInIndex(d) ? slot + valueOffset(d) : <usize>load<u32>(slot, SLOT_VALUE);
}
/** The index's pages: readable by programs when it holds their values. */
function indexKind(d: usize): PageKind {
  return valuesInIndex(d) ? PageKind.ReadOnly : PageKind.Meta;
}
export function hashCreate(d: usize): bool {
  const keyAt = keyOffsetOf(d);
  setWideB(d, <u64>keyAt | (<u64>valueOffsetOf(d, keyAt) << 32));
  setWideA(d, slotBytesOf(d));
  const table = allocate(INITIAL_SLOTS * slotBytes(d), indexKind(d));
  setSlotA(d, table);
  setSlotB(d, INITIAL_SLOTS);
  return table != 0;
}

function hashBytes(key: usize, size: usize): u32 {
  if (size <= 2) return mix16(size == 2 ? <u32>load<u16>(key) : <u32>load<u8>(key));
  let h: u32 = 0x811c9dc5;
  let i: usize = 0;
  for (; i + 4 <= size; i += 4) {
    h = (h ^ load<u32>(key + i)) * 0x01000193;
    h ^= h >> 15;
  }
  for (; i < size; i++) h = (h ^ <u32>load<u8>(key + i)) * 0x01000193;
  return h ^ (h >> 16);
}

/** A bijection of 16-bit values (xor-shifts and odd multipliers) that spreads neighbouring keys. */
function mix16(x: u32): u32 {
  x ^= x >> 8;
  x = (x * 0x6a09) & 0xffff;
  x ^= x >> 7;
  x = (x * 0x9e37) & 0xffff;
  return x ^ (x >> 8);
}

/**
 * Whether n bytes at a and b are equal, eight at a time whatever their
 * alignment (wasm loads need none; memory.compare goes byte by byte unless
 * both addresses share it, and a key on the BPF stack and one in a slot may not).
 */
function keysEqual(a: usize, b: usize, n: usize): bool {
  let i: usize = 0;
  for (; i + 8 <= n; i += 8) if (load<u64>(a + i) != load<u64>(b + i)) return false;
  if (i + 4 <= n) {
    if (load<u32>(a + i) != load<u32>(b + i)) return false;
    i += 4;
  }
  for (; i < n; i++) if (load<u8>(a + i) != load<u8>(b + i)) return false;
  return true;
}

@inline function slotAt(d: usize, i: usize): usize {
  return index(d) + i * slotBytes(d);
}

/** The slot holding the key, or the empty slot where it would go. */
function probe(d: usize, key: usize, h: u32): usize {
  const size = <usize>keySize(d);
  const mask = slotCount(d) - 1;
  const bytes = slotBytes(d);
  const table = index(d);
  const keyAt = keyOffset(d);
  const tag = h | TAG_OCCUPIED;
  let i = <usize>h & mask;
  while (true) {
    const slot = table + i * bytes;
    const found = load<u32>(slot, SLOT_TAG);
    if (found == 0) return slot;
    if (found == tag && keysEqual(slot + keyAt, key, size)) return slot;
    i = (i + 1) & mask;
  }
}

@inline function occupied(slot: usize): bool {
  return load<u32>(slot, SLOT_TAG) != 0;
}
@inline function slotNumber(d: usize, slot: usize): usize {
  return (slot - index(d)) / slotBytes(d);
}
/** The byte of the home bits that holds slot i's bit, and the bit. */
@inline function homeByte(bits: usize, i: usize): usize { return bits + (i >> 3); }
@inline function homeBit(i: usize): u8 { return <u8>(1 << <u8>(i & 7)); }
/** Mirrors a slot's occupancy in the home bits, when the index keeps them. */
function markHome(d: usize, slot: usize, isOccupied: bool): void {
  const bits = homeBits(d);
  if (bits == 0) return;
  const i = slotNumber(d, slot);
  const at = homeByte(bits, i);
  store<u8>(at, isOccupied ? load<u8>(at) | homeBit(i) : load<u8>(at) & ~homeBit(i));
}
/** Keeps home bits once an index of two-byte keys has every key's slot (best effort: without them, lookups probe). */
function startHomeBits(d: usize): void {
  if (keySize(d) != 2 || isLru(d) || slotCount(d) != keySpace(d)) return;
  const bits = allocate(slotCount(d) >> 3, PageKind.Meta);
  setSlotC(d, bits);
  for (let i: usize = 0; bits != 0 && i < slotCount(d); i++) if (occupied(slotAt(d, i))) markHome(d, slotAt(d, i), true);
}
/** The home of an occupied slot's key in an index of mask + 1 slots. */
@inline function homeOf(slot: usize, mask: usize): usize {
  return <usize>load<u32>(slot, SLOT_TAG) & mask;
}

function lruUnlink(d: usize, e: usize): void {
  const prev = <usize>load<u32>(e, PREV);
  const next = <usize>load<u32>(e, LRU_NEXT);
  if (prev != 0) store<u32>(prev, <u32>next, LRU_NEXT); else setSlotC(d, next);
  if (next != 0) store<u32>(next, <u32>prev, PREV); else setSlotD(d, prev);
}
function lruPushHead(d: usize, e: usize): void {
  const head = lruHead(d);
  store<u32>(e, 0, PREV);
  store<u32>(e, <u32>head, LRU_NEXT);
  if (head != 0) store<u32>(head, <u32>e, PREV); else setSlotD(d, e);
  setSlotC(d, e);
}

/** The element's value block, for the host (all CPUs' values of a per-CPU map). */
export function hashLookupElement(d: usize, key: usize): usize {
  const slot = probe(d, key, hashBytes(key, keySize(d)));
  return occupied(slot) ? valueOf(d, slot) : 0;
}

/** What bpf_map_lookup_elem returns to a program: the value (this CPU's, for per-CPU maps) or 0. */
export function hashLookup(d: usize, key: usize): usize {
  const bits = homeBits(d);
  let slot: usize;
  if (bits != 0) {
    const i = <usize>mix16(<u32>load<u16>(key));
    if ((load<u8>(homeByte(bits, i)) & homeBit(i)) == 0) return 0;
    slot = slotAt(d, i);
  } else {
    slot = probe(d, key, hashBytes(key, keySize(d)));
    if (!occupied(slot)) return 0;
  }
  if (isLru(d)) {
    const e = <usize>load<u32>(slot, SLOT_ELEMENT);
    lruUnlink(d, e);
    lruPushHead(d, e);
  }
  const value = valueOf(d, slot);
  return isPercpu(mapType(d)) ? value + <usize>currentCpu * <usize>stride(d) : value;
}

/** Doubles the index; slots move, elements and values stay. */
function grow(d: usize): void {
  const oldTable = index(d);
  const oldCount = slotCount(d);
  const bytes = slotBytes(d);
  const newCount = oldCount << 1;
  const table = allocate(newCount * bytes, indexKind(d));
  if (table == 0) return; // keep the old index: the update fails if it is out of room
  setSlotA(d, table);
  setSlotB(d, newCount);
  for (let i: usize = 0; i < oldCount; i++) {
    const from = oldTable + i * bytes;
    if (!occupied(from)) continue;
    let j = homeOf(from, newCount - 1);
    while (occupied(table + j * bytes)) j = (j + 1) & (newCount - 1);
    memory.copy(table + j * bytes, from, bytes);
  }
  release(oldTable, oldCount * bytes, indexKind(d));
  startHomeBits(d);
}

/** Empties a slot, moving back the slots after it that would no longer be found (linear probing's deletion). */
function clearSlot(d: usize, slot: usize): void {
  const mask = slotCount(d) - 1;
  const bytes = slotBytes(d);
  store<u32>(slot, 0, SLOT_TAG);
  markHome(d, slot, false);
  // Two-byte keys in an index of every possible key all sit at home: nothing to move back.
  if (keySize(d) == 2 && slotCount(d) == keySpace(d)) return;
  let hole = slotNumber(d, slot);
  let i = hole;
  while (true) {
    i = (i + 1) & mask;
    const at = slotAt(d, i);
    if (!occupied(at)) break; // at the latest, the hole
    const home = homeOf(at, mask);
    // The entry at i may fill the hole unless its home lies cyclically in (hole, i].
    const stays = hole <= i ? home > hole && home <= i : home > hole || home <= i;
    if (stays) continue;
    memory.copy(slotAt(d, hole), at, bytes);
    store<u32>(at, 0, SLOT_TAG);
    hole = i;
  }
}

function freeEntry(d: usize, slot: usize): void {
  if (isLru(d)) {
    const e = <usize>load<u32>(slot, SLOT_ELEMENT);
    lruUnlink(d, e);
    release(e, elementBytes(d), PageKind.Meta);
  }
  if (!valuesInIndex(d)) release(valueOf(d, slot), valueBlockBytes(d), PageKind.Data);
  clearSlot(d, slot);
  setCount(d, count(d) - 1);
}

/** The slot of an element (for LRU eviction, which starts from the element). */
function slotOfElement(d: usize, e: usize): usize {
  return probe(d, e + KEY, hashBytes(e + KEY, keySize(d)));
}

/**
 * bpf_map_update_elem. From a program, `value` is one value (this CPU's for a
 * per-CPU map); from the host (`allCpus`), a per-CPU map takes every CPU's.
 */
export function hashUpdate(d: usize, key: usize, value: usize, flags: u64, allCpus: bool): i64 {
  if (flags > BPF_EXIST) return -EINVAL;
  const h = hashBytes(key, keySize(d));
  let slot = probe(d, key, h);
  const percpu = isPercpu(mapType(d));
  const width = <usize>stride(d);
  if (occupied(slot)) {
    if (flags == BPF_NOEXIST) return -EEXIST;
    const block = valueOf(d, slot);
    if (percpu && !allCpus) memory.copy(block + <usize>currentCpu * width, value, width);
    else memory.copy(block, value, valueBlockBytes(d));
    if (isLru(d)) {
      const e = <usize>load<u32>(slot, SLOT_ELEMENT);
      lruUnlink(d, e);
      lruPushHead(d, e);
    }
    return 0;
  }
  if (flags == BPF_EXIST) return -ENOENT;
  if (count(d) >= maxEntries(d)) {
    if (!isLru(d)) return -E2BIG;
    freeEntry(d, slotOfElement(d, lruTail(d)));
    slot = probe(d, key, h); // the eviction may have moved slots back
  }
  // At most three quarters full, so that probes stay short; and never full, so
  // that they end (an index with a slot for every possible key cannot fill).
  if ((<usize>count(d) + 1) * 4 > slotCount(d) * 3 && slotCount(d) < keySpace(d)) {
    grow(d);
    if (<usize>count(d) + 2 > slotCount(d)) return -ENOMEM;
    slot = probe(d, key, h);
  }
  const lru = isLru(d);
  const inIndex = valuesInIndex(d);
  const e = lru ? allocate(elementBytes(d), PageKind.Meta) : 0;
  const block = inIndex ? slot + valueOffset(d) : allocate(valueBlockBytes(d), PageKind.Data);
  if ((lru && e == 0) || block == 0) {
    release(e, elementBytes(d), PageKind.Meta);
    if (!inIndex) release(block, valueBlockBytes(d), PageKind.Data);
    return -ENOMEM;
  }
  if (lru) memory.copy(e + KEY, key, <usize>keySize(d));
  if (percpu && !allCpus) {
    if (inIndex) memory.fill(block, 0, valueBlockBytes(d)); // a slot keeps the bytes of the entry it last held
    memory.copy(block + <usize>currentCpu * width, value, width);
  } else memory.copy(block, value, valueBlockBytes(d));
  store<u32>(slot, h | TAG_OCCUPIED, SLOT_TAG);
  if (lru) store<u32>(slot, <u32>e, SLOT_ELEMENT);
  if (!inIndex) store<u32>(slot, <u32>block, SLOT_VALUE);
  memory.copy(slot + keyOffset(d), key, <usize>keySize(d));
  if (lru) lruPushHead(d, e);
  markHome(d, slot, true);
  setCount(d, count(d) + 1);
  return 0;
}

export function hashDelete(d: usize, key: usize): i64 {
  const slot = probe(d, key, hashBytes(key, keySize(d)));
  if (!occupied(slot)) return -ENOENT;
  freeEntry(d, slot);
  return 0;
}

/** bpf_map_get_next_key, in index order: the first key when `key` is 0 or absent; -ENOENT after the last. */
export function hashNextKey(d: usize, key: usize, out: usize): i64 {
  let i: usize = 0;
  if (key != 0) {
    const slot = probe(d, key, hashBytes(key, keySize(d)));
    if (occupied(slot)) i = slotNumber(d, slot) + 1;
  }
  for (; i < slotCount(d); i++) {
    const slot = slotAt(d, i);
    if (occupied(slot)) {
      memory.copy(out, slot + keyOffset(d), <usize>keySize(d));
      return 0;
    }
  }
  return -ENOENT;
}
