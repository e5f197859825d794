// LPM_TRIE: longest-prefix match over keys { u32 prefixlen; u8 data[] }, the
// data compared bit by bit from the most significant bit of its first byte.
// A path-compressed binary trie, as the kernel's (kernel/bpf/lpm_trie.c):
// each node holds a whole prefix and its children differ in the bit right
// after it, so that a lookup visits one node per branching point (an ipcache
// /32 among a few hundred entries: a handful), not one per bit. Nodes without
// a value join two subtrees whose prefixes diverge. The entries also form a
// list, so that get_next_key walks them in O(1) a step.

import { allocate, PageKind, release } from "../heap";
import { EEXIST, EINVAL, ENOENT, ENOMEM, ENOSPC } from "../errno";
import {
  BPF_EXIST, BPF_NOEXIST, count, keySize, maxEntries, rootLink, setCount, setSlotB, setSlotC,
  slotA, slotB, slotC, stride,
} from "./descriptor";

// Node: children by the bit after the prefix, value (0: a joining node), the
// entry list, then the key: its prefixlen is the node's.
const CHILD0 = 0;
const CHILD1 = 4;
const VALUE = 8;
const LIST_PREV = 12;
const LIST_NEXT = 16;
const KEY: usize = 24;
const DATA: usize = KEY + 4;

const MAX_DATA_BITS: i32 = 256 * 8;

// The descriptor's slots: the root node (0 when empty), the entry list's head and tail.
@inline function root(d: usize): usize { return slotA(d); }

function nodeBytes(d: usize): usize {
  return KEY + ((<usize>keySize(d) + 7) & ~7);
}
@inline function dataBits(d: usize): u32 {
  return (keySize(d) - 4) * 8;
}
@inline function prefixOf(node: usize): u32 {
  return load<u32>(node, KEY);
}
/** Bit i of a key's data (key points at its prefixlen). */
@inline function bitAt(key: usize, i: u32): u32 {
  return (<u32>load<u8>(key + 4 + <usize>(i >> 3)) >> (7 - (i & 7))) & 1;
}
@inline function childLink(node: usize, bit: u32): usize {
  return node + (bit ? CHILD1 : CHILD0);
}

/** How many leading bits, up to `limit`, the node's data shares with the key's. */
function matchingBits(node: usize, key: usize, limit: u32): u32 {
  let bits: u32 = 0;
  const a = node + DATA;
  const b = key + 4;
  while (bits + 32 <= limit) {
    const diff = bswap<u32>(load<u32>(a + <usize>(bits >> 3)) ^ load<u32>(b + <usize>(bits >> 3)));
    if (diff != 0) return bits + <u32>clz(diff);
    bits += 32;
  }
  while (bits + 8 <= limit) {
    const diff = <u32>(load<u8>(a + <usize>(bits >> 3)) ^ load<u8>(b + <usize>(bits >> 3)));
    if (diff != 0) return bits + <u32>clz(diff) - 24;
    bits += 8;
  }
  if (bits < limit) {
    const diff = <u32>(load<u8>(a + <usize>(bits >> 3)) ^ load<u8>(b + <usize>(bits >> 3)));
    const found: u32 = diff == 0 ? 8 : <u32>clz(diff) - 24;
    bits += found < limit - bits ? found : limit - bits;
  }
  return bits;
}

export function lpmCreate(d: usize): bool {
  store<u32>(rootLink(d), 0);
  return true;
}

/** The value of the longest stored prefix of the key's first prefixlen bits, or 0. */
export function lpmLookup(d: usize, key: usize): usize {
  const length = load<u32>(key);
  if (length > dataBits(d)) return 0;
  let best: usize = 0;
  let node = root(d);
  while (node != 0) {
    const prefix = prefixOf(node);
    if (prefix > length || matchingBits(node, key, prefix) < prefix) break;
    const value = <usize>load<u32>(node, VALUE);
    if (value != 0) best = value;
    if (prefix == length) break;
    node = <usize>load<u32>(childLink(node, bitAt(key, prefix)));
  }
  return best;
}

function newNode(d: usize, key: usize, prefix: u32): usize {
  const node = allocate(nodeBytes(d), PageKind.Meta);
  if (node == 0) return 0;
  memory.copy(node + KEY, key, <usize>keySize(d));
  store<u32>(node, prefix, KEY);
  return node;
}

/** Puts a new entry's node on the entry list and counts it. */
function addEntry(d: usize, node: usize): void {
  const tail = slotC(d);
  store<u32>(node, <u32>tail, LIST_PREV);
  store<u32>(node, 0, LIST_NEXT);
  if (tail != 0) store<u32>(tail, <u32>node, LIST_NEXT); else setSlotB(d, node);
  setSlotC(d, node);
  setCount(d, count(d) + 1);
}

export function lpmUpdate(d: usize, key: usize, value: usize, flags: u64): i64 {
  if (flags > BPF_EXIST) return -EINVAL;
  const length = load<u32>(key);
  if (length > dataBits(d)) return -EINVAL;
  // Walk down while the nodes' prefixes are prefixes of the key.
  let link = rootLink(d);
  let node = root(d);
  let matched: u32 = 0;
  while (node != 0) {
    const prefix = prefixOf(node);
    matched = matchingBits(node, key, prefix < length ? prefix : length);
    if (matched < prefix || prefix == length) break;
    link = childLink(node, bitAt(key, prefix));
    node = <usize>load<u32>(link);
  }
  if (node != 0 && prefixOf(node) == length && matched == length) {
    const existing = <usize>load<u32>(node, VALUE);
    if (existing != 0 && flags == BPF_NOEXIST) return -EEXIST;
    if (existing == 0 && flags == BPF_EXIST) return -ENOENT;
    if (existing == 0 && count(d) >= maxEntries(d)) return -ENOSPC;
    // The kernel replaces the node: the key's bits past the prefix are the new key's.
    memory.copy(node + KEY, key, <usize>keySize(d));
    if (existing != 0) {
      memory.copy(existing, value, <usize>stride(d));
      return 0;
    }
    const block = allocate(<usize>stride(d), PageKind.Data);
    if (block == 0) return -ENOMEM;
    memory.copy(block, value, <usize>stride(d));
    store<u32>(node, <u32>block, VALUE);
    addEntry(d, node);
    return 0;
  }
  if (flags == BPF_EXIST) return -ENOENT;
  if (count(d) >= maxEntries(d)) return -ENOSPC;
  // Where the key and the node diverge after `matched` bits, a joining node takes both.
  const diverges = node != 0 && matched < length;
  const entry = newNode(d, key, length);
  const block = allocate(<usize>stride(d), PageKind.Data);
  const join = diverges ? newNode(d, key, matched) : 0;
  if (entry == 0 || block == 0 || (diverges && join == 0)) {
    release(entry, nodeBytes(d), PageKind.Meta);
    release(block, <usize>stride(d), PageKind.Data);
    release(join, nodeBytes(d), PageKind.Meta);
    return -ENOMEM;
  }
  memory.copy(block, value, <usize>stride(d));
  store<u32>(entry, <u32>block, VALUE);
  if (node == 0) {
    store<u32>(link, <u32>entry);
  } else if (!diverges) {
    // The new prefix is a prefix of the node's: it goes above it.
    store<u32>(childLink(entry, bitAt(node + KEY, length)), <u32>node);
    store<u32>(link, <u32>entry);
  } else {
    store<u32>(childLink(join, bitAt(node + KEY, matched)), <u32>node);
    store<u32>(childLink(join, bitAt(key, matched)), <u32>entry);
    store<u32>(link, <u32>join);
  }
  addEntry(d, entry);
  return 0;
}

export function lpmDelete(d: usize, key: usize): i64 {
  const length = load<u32>(key);
  if (length > dataBits(d)) return -EINVAL;
  let parentLink: usize = 0;
  let link = rootLink(d);
  let node = root(d);
  while (node != 0) {
    const prefix = prefixOf(node);
    if (prefix >= length || matchingBits(node, key, prefix) < prefix) break;
    parentLink = link;
    link = childLink(node, bitAt(key, prefix));
    node = <usize>load<u32>(link);
  }
  if (node == 0 || prefixOf(node) != length || matchingBits(node, key, length) < length || load<u32>(node, VALUE) == 0) return -ENOENT;
  release(<usize>load<u32>(node, VALUE), <usize>stride(d), PageKind.Data);
  store<u32>(node, 0, VALUE);
  const prev = <usize>load<u32>(node, LIST_PREV);
  const next = <usize>load<u32>(node, LIST_NEXT);
  if (prev != 0) store<u32>(prev, <u32>next, LIST_NEXT); else setSlotB(d, next);
  if (next != 0) store<u32>(next, <u32>prev, LIST_PREV); else setSlotC(d, prev);
  setCount(d, count(d) - 1);
  // A node with two children stays to join them; one with fewer goes.
  const child0 = load<u32>(node, CHILD0);
  const child1 = load<u32>(node, CHILD1);
  if (child0 != 0 && child1 != 0) return 0;
  store<u32>(link, child0 | child1);
  release(node, nodeBytes(d), PageKind.Meta);
  // A joining parent left with one child goes too.
  if (parentLink == 0 || child0 | child1) return 0;
  const parent = <usize>load<u32>(parentLink);
  if (load<u32>(parent, VALUE) != 0) return 0;
  store<u32>(parentLink, load<u32>(parent, CHILD0) | load<u32>(parent, CHILD1));
  release(parent, nodeBytes(d), PageKind.Meta);
  return 0;
}

/** The entry stored for exactly this prefix, or 0. */
function entryOf(d: usize, key: usize): usize {
  const length = load<u32>(key);
  let node = root(d);
  while (node != 0) {
    const prefix = prefixOf(node);
    if (prefix > length || matchingBits(node, key, prefix) < prefix) return 0;
    if (prefix == length) return load<u32>(node, VALUE) != 0 ? node : 0;
    node = <usize>load<u32>(childLink(node, bitAt(key, prefix)));
  }
  return 0;
}

export function lpmNextKey(d: usize, key: usize, out: usize): i64 {
  let next = slotB(d);
  if (key != 0 && load<u32>(key) <= dataBits(d)) {
    const node = entryOf(d, key);
    if (node != 0) next = <usize>load<u32>(node, LIST_NEXT);
  }
  if (next == 0) return -ENOENT;
  memory.copy(out, next + KEY, <usize>keySize(d));
  return 0;
}

export const LPM_MAX_KEY_BYTES: u32 = 4 + <u32>(MAX_DATA_BITS / 8);
