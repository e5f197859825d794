// HASH, PERCPU_HASH, LRU_HASH and LRU_PERCPU_HASH: chained buckets that double
// as entries grow, elements allocated per entry (so memory follows use), and
// for the LRU kinds a recency list whose tail is evicted when the map is full.
// Keys and chains live on metadata pages; values on data pages, where the
// program reads and writes them through the pointer lookup returns.

import { allocate, PageKind, release } from "../heap";
import { cpuCount, currentCpu } from "../cpu";
import { E2BIG, EEXIST, EINVAL, ENOENT, ENOMEM } from "../errno";
import {
  BPF_EXIST, BPF_NOEXIST, count, isPercpu, keySize, mapType, MapType, maxEntries, setCount,
  setSlotA, setSlotB, setSlotC, setSlotD, slotA, slotB, slotC, slotD, stride,
} from "./descriptor";

// Element: next, hash, lruPrev, lruNext, value address, then the key.
const NEXT = 0;
const HASH = 4;
const PREV = 8;
const LRU_NEXT = 12;
const VALUE = 16;
const KEY: usize = 24;
const INITIAL_BUCKETS: usize = 16;

@inline function buckets(d: usize): usize { return slotA(d); }
@inline function bucketCount(d: usize): usize { return slotB(d); }
@inline function lruHead(d: usize): usize { return slotC(d); }
@inline function lruTail(d: usize): usize { return slotD(d); }

function isLru(d: usize): bool {
  const type = mapType(d);
  return type == MapType.LruHash || type == MapType.LruPercpuHash;
}
function elementBytes(d: usize): usize {
  return KEY + ((<usize>keySize(d) + 7) & ~7);
}
/** Bytes of an element's value block: one stride, or one per CPU. */
export function valueBlockBytes(d: usize): usize {
  return <usize>stride(d) * (isPercpu(mapType(d)) ? <usize>cpuCount : 1);
}

export function hashCreate(d: usize): bool {
  const table = allocate(INITIAL_BUCKETS * 4, PageKind.Meta);
  setSlotA(d, table);
  setSlotB(d, INITIAL_BUCKETS);
  return table != 0;
}

function hashBytes(key: usize, size: usize): u32 {
  let h: u32 = 0x811c9dc5;
  let i: usize = 0;
  for (; i + 4 <= size; i += 4) {
    h = (h ^ load<u32>(key + i)) * 0x01000193;
    h ^= h >> 15;
  }
  for (; i < size; i++) h = (h ^ <u32>load<u8>(key + i)) * 0x01000193;
  return h ^ (h >> 16);
}

function find(d: usize, key: usize, h: u32): usize {
  const size = <usize>keySize(d);
  let e = <usize>load<u32>(buckets(d) + ((<usize>h & (bucketCount(d) - 1)) << 2));
  while (e != 0) {
    if (load<u32>(e, HASH) == h && memory.compare(e + KEY, key, size) == 0) return e;
    e = <usize>load<u32>(e, NEXT);
  }
  return 0;
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
  const e = find(d, key, hashBytes(key, keySize(d)));
  return e == 0 ? 0 : <usize>load<u32>(e, VALUE);
}

/** What bpf_map_lookup_elem returns to a program: the value (this CPU's, for per-CPU maps) or 0. */
export function hashLookup(d: usize, key: usize): usize {
  const e = find(d, key, hashBytes(key, keySize(d)));
  if (e == 0) return 0;
  if (isLru(d)) {
    lruUnlink(d, e);
    lruPushHead(d, e);
  }
  const value = <usize>load<u32>(e, VALUE);
  return isPercpu(mapType(d)) ? value + <usize>currentCpu * <usize>stride(d) : value;
}

function grow(d: usize): void {
  const oldTable = buckets(d);
  const oldCount = bucketCount(d);
  const newCount = oldCount << 1;
  const table = allocate(newCount * 4, PageKind.Meta);
  if (table == 0) return; // keep the old table: longer chains, still correct
  for (let b: usize = 0; b < oldCount; b++) {
    let e = <usize>load<u32>(oldTable + (b << 2));
    while (e != 0) {
      const next = <usize>load<u32>(e, NEXT);
      const slot = table + ((<usize>load<u32>(e, HASH) & (newCount - 1)) << 2);
      store<u32>(e, load<u32>(slot), NEXT);
      store<u32>(slot, <u32>e);
      e = next;
    }
  }
  release(oldTable, oldCount * 4, PageKind.Meta);
  setSlotA(d, table);
  setSlotB(d, newCount);
}

function unlinkFromBucket(d: usize, e: usize): void {
  let link = buckets(d) + ((<usize>load<u32>(e, HASH) & (bucketCount(d) - 1)) << 2);
  while (<usize>load<u32>(link) != e) link = <usize>load<u32>(link) + NEXT;
  store<u32>(link, load<u32>(e, NEXT));
}

function freeElement(d: usize, e: usize): void {
  unlinkFromBucket(d, e);
  if (isLru(d)) lruUnlink(d, e);
  release(<usize>load<u32>(e, VALUE), valueBlockBytes(d), PageKind.Data);
  release(e, elementBytes(d), PageKind.Meta);
  setCount(d, count(d) - 1);
}

/**
 * bpf_map_update_elem. From a program, `value` is one value (this CPU's for a
 * per-CPU map); from the host (`allCpus`), a per-CPU map takes every CPU's.
 */
export function hashUpdate(d: usize, key: usize, value: usize, flags: u64, allCpus: bool): i64 {
  if (flags > BPF_EXIST) return -EINVAL;
  const h = hashBytes(key, keySize(d));
  let e = find(d, key, h);
  const percpu = isPercpu(mapType(d));
  const width = <usize>stride(d);
  if (e != 0) {
    if (flags == BPF_NOEXIST) return -EEXIST;
    const block = <usize>load<u32>(e, VALUE);
    if (percpu && !allCpus) memory.copy(block + <usize>currentCpu * width, value, width);
    else memory.copy(block, value, valueBlockBytes(d));
    if (isLru(d)) {
      lruUnlink(d, e);
      lruPushHead(d, e);
    }
    return 0;
  }
  if (flags == BPF_EXIST) return -ENOENT;
  if (count(d) >= maxEntries(d)) {
    if (!isLru(d)) return -E2BIG;
    freeElement(d, lruTail(d));
  }
  e = allocate(elementBytes(d), PageKind.Meta);
  const block = allocate(valueBlockBytes(d), PageKind.Data);
  if (e == 0 || block == 0) return -ENOMEM;
  store<u32>(e, h, HASH);
  store<u32>(e, <u32>block, VALUE);
  memory.copy(e + KEY, key, <usize>keySize(d));
  if (percpu && !allCpus) memory.copy(block + <usize>currentCpu * width, value, width);
  else memory.copy(block, value, valueBlockBytes(d));
  const slot = buckets(d) + ((<usize>h & (bucketCount(d) - 1)) << 2);
  store<u32>(e, load<u32>(slot), NEXT);
  store<u32>(slot, <u32>e);
  if (isLru(d)) lruPushHead(d, e);
  setCount(d, count(d) + 1);
  if (<usize>count(d) > bucketCount(d)) grow(d);
  return 0;
}

export function hashDelete(d: usize, key: usize): i64 {
  const e = find(d, key, hashBytes(key, keySize(d)));
  if (e == 0) return -ENOENT;
  freeElement(d, e);
  return 0;
}

/** bpf_map_get_next_key: the first key when `key` is 0 or absent; -ENOENT after the last. */
export function hashNextKey(d: usize, key: usize, out: usize): i64 {
  let bucket: usize = 0;
  let e: usize = 0;
  if (key != 0) {
    const h = hashBytes(key, keySize(d));
    const at = find(d, key, h);
    if (at != 0) {
      e = <usize>load<u32>(at, NEXT);
      bucket = (<usize>h & (bucketCount(d) - 1)) + 1;
    }
  }
  while (e == 0 && bucket < bucketCount(d)) {
    e = <usize>load<u32>(buckets(d) + (bucket << 2));
    bucket++;
  }
  if (e == 0) return -ENOENT;
  memory.copy(out, e + KEY, <usize>keySize(d));
  return 0;
}
