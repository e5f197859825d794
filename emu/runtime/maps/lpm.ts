// LPM_TRIE: longest-prefix match over keys { u32 prefixlen; u8 data[] }, the
// data compared bit by bit from the most significant bit of its first byte,
// as the kernel's trie does. A plain binary trie: one node per bit of each
// stored prefix, pruned when entries go; the entries also form a list, so
// that get_next_key walks them in O(1) a step.

import { allocate, PageKind, release } from "../heap";
import { EEXIST, EINVAL, ENOENT, ENOMEM, ENOSPC } from "../errno";
import {
  BPF_EXIST, BPF_NOEXIST, count, keySize, maxEntries, setCount, setSlotA, setSlotB, setSlotC,
  slotA, slotB, slotC, stride,
} from "./descriptor";

const CHILD0 = 0;
const CHILD1 = 4;
const VALUE = 8;
const LIST_PREV = 12;
const LIST_NEXT = 16;
const PARENT = 20;
const KEY: usize = 24;

const MAX_DATA_BITS: i32 = 256 * 8;

function nodeBytes(d: usize): usize {
  return KEY + ((<usize>keySize(d) + 7) & ~7);
}
@inline function dataBits(d: usize): u32 {
  return (keySize(d) - 4) * 8;
}
@inline function bitAt(key: usize, i: u32): u32 {
  return (<u32>load<u8>(key + 4 + <usize>(i >> 3)) >> (7 - (i & 7))) & 1;
}

export function lpmCreate(d: usize): bool {
  const root = allocate(nodeBytes(d), PageKind.Meta);
  setSlotA(d, root);
  return root != 0;
}

/** The node of exactly this prefix, or 0. */
function exactNode(d: usize, key: usize): usize {
  const length = load<u32>(key);
  let node = slotA(d);
  for (let i: u32 = 0; i < length && node != 0; i++) {
    node = <usize>load<u32>(node + (bitAt(key, i) ? CHILD1 : CHILD0));
  }
  return node;
}

/** The value of the longest stored prefix of the key's first prefixlen bits, or 0. */
export function lpmLookup(d: usize, key: usize): usize {
  const length = load<u32>(key);
  if (length > dataBits(d)) return 0;
  let node = slotA(d);
  let best = <usize>load<u32>(node, VALUE);
  for (let i: u32 = 0; i < length; i++) {
    node = <usize>load<u32>(node + (bitAt(key, i) ? CHILD1 : CHILD0));
    if (node == 0) break;
    const value = <usize>load<u32>(node, VALUE);
    if (value != 0) best = value;
  }
  return best;
}

/** The value stored for exactly this prefix (the host's view), or 0. */
export function lpmLookupExact(d: usize, key: usize): usize {
  if (load<u32>(key) > dataBits(d)) return 0;
  const node = exactNode(d, key);
  return node == 0 ? 0 : <usize>load<u32>(node, VALUE);
}

export function lpmUpdate(d: usize, key: usize, value: usize, flags: u64): i64 {
  if (flags > BPF_EXIST) return -EINVAL;
  const length = load<u32>(key);
  if (length > dataBits(d)) return -EINVAL;
  let node = exactNode(d, key);
  const existing: usize = node == 0 ? 0 : <usize>load<u32>(node, VALUE);
  if (existing != 0) {
    if (flags == BPF_NOEXIST) return -EEXIST;
    memory.copy(existing, value, <usize>stride(d));
    // The kernel replaces the node: the key's bits past the prefix are the new key's.
    memory.copy(node + KEY, key, <usize>keySize(d));
    return 0;
  }
  if (flags == BPF_EXIST) return -ENOENT;
  if (count(d) >= maxEntries(d)) return -ENOSPC;
  node = slotA(d);
  for (let i: u32 = 0; i < length; i++) {
    const link = node + (bitAt(key, i) ? CHILD1 : CHILD0);
    let child = <usize>load<u32>(link);
    if (child == 0) {
      child = allocate(nodeBytes(d), PageKind.Meta);
      if (child == 0) return -ENOMEM;
      store<u32>(child, <u32>node, PARENT);
      store<u32>(link, <u32>child);
    }
    node = child;
  }
  const block = allocate(<usize>stride(d), PageKind.Data);
  if (block == 0) return -ENOMEM;
  memory.copy(block, value, <usize>stride(d));
  store<u32>(node, <u32>block, VALUE);
  memory.copy(node + KEY, key, <usize>keySize(d));
  // Append to the entry list.
  const tail = slotC(d);
  store<u32>(node, <u32>tail, LIST_PREV);
  store<u32>(node, 0, LIST_NEXT);
  if (tail != 0) store<u32>(tail, <u32>node, LIST_NEXT); else setSlotB(d, node);
  setSlotC(d, node);
  setCount(d, count(d) + 1);
  return 0;
}

export function lpmDelete(d: usize, key: usize): i64 {
  if (load<u32>(key) > dataBits(d)) return -EINVAL;
  let node = exactNode(d, key);
  if (node == 0 || load<u32>(node, VALUE) == 0) return -ENOENT;
  release(<usize>load<u32>(node, VALUE), <usize>stride(d), PageKind.Data);
  store<u32>(node, 0, VALUE);
  const prev = <usize>load<u32>(node, LIST_PREV);
  const next = <usize>load<u32>(node, LIST_NEXT);
  if (prev != 0) store<u32>(prev, <u32>next, LIST_NEXT); else setSlotB(d, next);
  if (next != 0) store<u32>(next, <u32>prev, LIST_PREV); else setSlotC(d, prev);
  setCount(d, count(d) - 1);
  // Prune nodes that now lead nowhere, up to the root.
  while (node != slotA(d) && load<u32>(node, VALUE) == 0 && load<u32>(node, CHILD0) == 0 && load<u32>(node, CHILD1) == 0) {
    const parent = <usize>load<u32>(node, PARENT);
    if (<usize>load<u32>(parent, CHILD0) == node) store<u32>(parent, 0, CHILD0);
    else store<u32>(parent, 0, CHILD1);
    release(node, nodeBytes(d), PageKind.Meta);
    node = parent;
  }
  return 0;
}

export function lpmNextKey(d: usize, key: usize, out: usize): i64 {
  let next = slotB(d);
  if (key != 0 && load<u32>(key) <= dataBits(d)) {
    const node = exactNode(d, key);
    if (node != 0 && load<u32>(node, VALUE) != 0) next = <usize>load<u32>(node, LIST_NEXT);
  }
  if (next == 0) return -ENOENT;
  memory.copy(out, next + KEY, <usize>keySize(d));
  return 0;
}

export const LPM_MAX_KEY_BYTES: u32 = 4 + <u32>(MAX_DATA_BITS / 8);
