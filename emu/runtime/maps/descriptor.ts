// A map's descriptor: its definition and the state its type keeps. The BPF
// program holds the descriptor's address as its map pointer (what lddw with a
// map reference loads), so every helper first checks it against the registry.

import { allocate, PageKind } from "../heap";
import { tableAddress, tableRoomFor } from "../growing-table";
import { MapType } from "../../shared/kernel-types";

export { MapType } from "../../shared/kernel-types";

export const BPF_ANY: u64 = 0;
export const BPF_NOEXIST: u64 = 1;
export const BPF_EXIST: u64 = 2;
/** An update flag: the value's bpf_spin_lock held during the copy. */
export const BPF_F_LOCK: u64 = 4;

export const BPF_F_NO_PREALLOC: u32 = 1;
export const BPF_F_RDONLY_PROG: u32 = 0x80;

const DESCRIPTOR_BYTES: usize = 96;
const TYPE = 0;
const KEY_SIZE = 4;
const VALUE_SIZE = 8;
const MAX_ENTRIES = 12;
const FLAGS = 16;
const COUNT = 20;
const STRIDE = 24;
const ID = 28;
const MAGIC = 32;
// Per-type state from here on: see the accessors.
const SLOT_A = 40;
const SLOT_B = 44;
const SLOT_C = 48;
const SLOT_D = 52;
const WIDE_A = 56;
const WIDE_B = 64;

const MAGIC_VALUE: u32 = 0x4d415053; // "MAPS"
const MAX_MAPS: i32 = 1 << 20;
const registry = memory.data(8, 4);
let mapCount: i32 = 0;

export function newDescriptor(type: u32, keySize: u32, valueSize: u32, maxEntries: u32, flags: u32): usize {
  if (mapCount == MAX_MAPS || !tableRoomFor(registry, <u32>mapCount, 4)) return 0;
  const d = allocate(DESCRIPTOR_BYTES, PageKind.Meta);
  if (d == 0) return 0;
  store<u32>(d, type, TYPE);
  store<u32>(d, keySize, KEY_SIZE);
  store<u32>(d, valueSize, VALUE_SIZE);
  store<u32>(d, maxEntries, MAX_ENTRIES);
  store<u32>(d, flags, FLAGS);
  store<u32>(d, (valueSize + 7) & ~7, STRIDE);
  store<u32>(d, <u32>mapCount, ID);
  store<u32>(d, MAGIC_VALUE, MAGIC);
  store<u32>(tableAddress(registry) + <usize>mapCount * 4, <u32>d);
  mapCount++;
  return d;
}

/** The descriptor of a map id, or 0. */
export function descriptorOf(id: i32): usize {
  if (id < 0 || id >= mapCount) return 0;
  return <usize>load<u32>(tableAddress(registry) + <usize>id * 4);
}

/** Whether a pointer the program passed is a map's descriptor. */
export function isDescriptor(pointer: u64): bool {
  if (pointer == 0 || pointer >= 0x100000000) return false;
  const d = <usize>pointer;
  if ((d & 7) != 0 || d + DESCRIPTOR_BYTES > (<usize>memory.size() << 16)) return false;
  const id = <i32>load<u32>(d, ID);
  return load<u32>(d, MAGIC) == MAGIC_VALUE && descriptorOf(id) == d;
}

@inline export function mapType(d: usize): u32 { return load<u32>(d, TYPE); }
@inline export function keySize(d: usize): u32 { return load<u32>(d, KEY_SIZE); }
@inline export function valueSize(d: usize): u32 { return load<u32>(d, VALUE_SIZE); }
@inline export function maxEntries(d: usize): u32 { return load<u32>(d, MAX_ENTRIES); }
@inline export function mapFlags(d: usize): u32 { return load<u32>(d, FLAGS); }
/** The value size rounded up to 8, as the kernel lays out per-CPU and array values. */
@inline export function stride(d: usize): u32 { return load<u32>(d, STRIDE); }
@inline export function count(d: usize): u32 { return load<u32>(d, COUNT); }
@inline export function setCount(d: usize, n: u32): void { store<u32>(d, n, COUNT); }

// Per-type state: four 32-bit slots and two 64-bit ones.
@inline export function slotA(d: usize): usize { return <usize>load<u32>(d, SLOT_A); }
@inline export function setSlotA(d: usize, v: usize): void { store<u32>(d, <u32>v, SLOT_A); }
/** Where slot A is, for a structure that links to its root from there. */
@inline export function rootLink(d: usize): usize { return d + SLOT_A; }
@inline export function slotB(d: usize): usize { return <usize>load<u32>(d, SLOT_B); }
@inline export function setSlotB(d: usize, v: usize): void { store<u32>(d, <u32>v, SLOT_B); }
@inline export function slotC(d: usize): usize { return <usize>load<u32>(d, SLOT_C); }
@inline export function setSlotC(d: usize, v: usize): void { store<u32>(d, <u32>v, SLOT_C); }
@inline export function slotD(d: usize): usize { return <usize>load<u32>(d, SLOT_D); }
@inline export function setSlotD(d: usize, v: usize): void { store<u32>(d, <u32>v, SLOT_D); }
@inline export function wideA(d: usize): u64 { return load<u64>(d, WIDE_A); }
@inline export function setWideA(d: usize, v: u64): void { store<u64>(d, v, WIDE_A); }
@inline export function wideB(d: usize): u64 { return load<u64>(d, WIDE_B); }
@inline export function setWideB(d: usize, v: u64): void { store<u64>(d, v, WIDE_B); }

export function isPercpu(type: u32): bool {
  return type == MapType.PercpuHash || type == MapType.PercpuArray || type == MapType.LruPercpuHash;
}
