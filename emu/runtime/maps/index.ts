// Map creation with the kernel's checks, and the operations by map type: as a
// program sees them (through helpers: one CPU's value, pointers into the map)
// and as the host sees them (copies, every CPU's value of a per-CPU map).

import { cpuCount } from "../cpu";
import { E2BIG, EINVAL, ENOENT, ENOMEM } from "../errno";
import { arrayCreate, arrayLookup, arrayLookupElement, arrayNextKey, arrayUpdate, progArrayClear, progArrayGet, progArraySet } from "./array";
import {
  BPF_ANY, BPF_F_NO_PREALLOC, descriptorOf, isPercpu, mapType, MapType, newDescriptor, stride, valueSize,
} from "./descriptor";
import { hashCreate, hashDelete, hashLookup, hashLookupElement, hashNextKey, hashUpdate } from "./hash";
import { LPM_MAX_KEY_BYTES, lpmCreate, lpmDelete, lpmLookup, lpmNextKey, lpmUpdate } from "./lpm";
import { ringbufCreate } from "./ringbuf";

const MAX_KEY_BYTES: u32 = 512;
const MAX_PERCPU_VALUE_BYTES: u32 = 32768;
const PAGE: u32 = 4096;
// Flags the kernel accepts at creation, by family.
const HASH_FLAGS: u32 = 0x1 | 0x2 | 0x4 | 0x8 | 0x10 | 0x40 | 0x80 | 0x100;
const ARRAY_FLAGS: u32 = 0x4 | 0x8 | 0x10 | 0x80 | 0x100 | 0x400 | 0x1000;
const PROG_ARRAY_FLAGS: u32 = 0x4 | 0x8 | 0x10 | 0x800;
const LPM_FLAGS: u32 = 0x1 | 0x8 | 0x10 | 0x80 | 0x100 | 0x4;
const RINGBUF_FLAGS: u32 = 0x4;

function isHashFamily(type: u32): bool {
  return type == MapType.Hash || type == MapType.PercpuHash || type == MapType.LruHash || type == MapType.LruPercpuHash;
}
function isArrayFamily(type: u32): bool {
  return type == MapType.Array || type == MapType.PercpuArray;
}

function checkDefinition(type: u32, key: u32, value: u32, max: u32, flags: u32): i64 {
  if (max == 0) return -EINVAL;
  if (isHashFamily(type)) {
    if (key == 0 || value == 0 || (flags & ~HASH_FLAGS) != 0) return -EINVAL;
    if ((type == MapType.LruHash || type == MapType.LruPercpuHash) && (flags & BPF_F_NO_PREALLOC) != 0) return -EINVAL;
    if (key > MAX_KEY_BYTES) return -E2BIG;
    if (isPercpu(type) && value > MAX_PERCPU_VALUE_BYTES) return -E2BIG;
    return 0;
  }
  if (isArrayFamily(type)) {
    if (key != 4 || value == 0 || (flags & ~ARRAY_FLAGS) != 0) return -EINVAL;
    if (isPercpu(type) && value > MAX_PERCPU_VALUE_BYTES) return -E2BIG;
    return 0;
  }
  if (type == MapType.ProgArray) return key == 4 && value == 4 && (flags & ~PROG_ARRAY_FLAGS) == 0 ? 0 : -EINVAL;
  if (type == MapType.LpmTrie) {
    if ((flags & BPF_F_NO_PREALLOC) == 0 || (flags & ~LPM_FLAGS) != 0) return -EINVAL;
    if (key < 5 || key > LPM_MAX_KEY_BYTES || value == 0) return -EINVAL;
    return 0;
  }
  if (type == MapType.Ringbuf) {
    if (key != 0 || value != 0 || (flags & ~RINGBUF_FLAGS) != 0) return -EINVAL;
    if ((max & (max - 1)) != 0 || max % PAGE != 0) return -EINVAL;
    return 0;
  }
  return -EINVAL;
}

/** Creates a map; returns its id, or a negative errno as BPF_MAP_CREATE would. */
export function mapCreate(type: u32, key: u32, value: u32, max: u32, flags: u32): i64 {
  const problem = checkDefinition(type, key, value, max, flags);
  if (problem != 0) return problem;
  const d = newDescriptor(type, key, value, max, flags);
  if (d == 0) return -ENOMEM;
  let ok = false;
  if (isHashFamily(type)) ok = hashCreate(d);
  else if (isArrayFamily(type) || type == MapType.ProgArray) ok = arrayCreate(d);
  else if (type == MapType.LpmTrie) ok = lpmCreate(d);
  else if (type == MapType.Ringbuf) ok = ringbufCreate(d);
  return ok ? <i64>load<u32>(d, 28) : -ENOMEM;
}

/** The address a program holds for this map (its descriptor). */
export function mapPointer(id: i32): usize {
  return descriptorOf(id);
}

// --- As a program sees them (the caller has checked the descriptor and the pointers). ---

/** Whether a program may call map_lookup_elem / update / delete on this type. */
export function programMayAccess(type: u32): bool {
  return type != MapType.ProgArray && type != MapType.Ringbuf;
}

export function programLookup(d: usize, key: usize): usize {
  const type = mapType(d);
  if (isHashFamily(type)) return hashLookup(d, key);
  if (isArrayFamily(type)) return arrayLookup(d, key);
  return lpmLookup(d, key);
}

export function programUpdate(d: usize, key: usize, value: usize, flags: u64): i64 {
  const type = mapType(d);
  if (isHashFamily(type)) return hashUpdate(d, key, value, flags, false);
  if (isArrayFamily(type)) return arrayUpdate(d, key, value, flags, false);
  return lpmUpdate(d, key, value, flags);
}

export function programDelete(d: usize, key: usize): i64 {
  const type = mapType(d);
  if (isHashFamily(type)) return hashDelete(d, key);
  if (isArrayFamily(type)) return -EINVAL;
  return lpmDelete(d, key);
}

// --- As the host sees them: by id, through copies. ---

/** Bytes of a value as the host reads and writes it: value_size, or 8-rounded per CPU. */
export function hostValueBytes(id: i32): u32 {
  const d = descriptorOf(id);
  if (mapType(d) == MapType.ProgArray) return 4;
  return isPercpu(mapType(d)) ? stride(d) * cpuCount : valueSize(d);
}

export function hostLookup(id: i32, key: usize, out: usize): i64 {
  const d = descriptorOf(id);
  if (d == 0) return -EINVAL;
  const type = mapType(d);
  if (type == MapType.ProgArray) {
    const program = progArrayGet(d, load<u32>(key));
    if (program < 0) return -ENOENT;
    store<u32>(out, <u32>program);
    return 0;
  }
  if (type == MapType.Ringbuf) return -EINVAL;
  const value = isHashFamily(type) ? hashLookupElement(d, key)
    : isArrayFamily(type) ? arrayLookupElement(d, key)
    : lpmLookup(d, key);
  if (value == 0) return -ENOENT;
  memory.copy(out, value, <usize>hostValueBytes(id));
  return 0;
}

export function hostUpdate(id: i32, key: usize, value: usize, flags: u64): i64 {
  const d = descriptorOf(id);
  if (d == 0) return -EINVAL;
  const type = mapType(d);
  if (isHashFamily(type)) return hashUpdate(d, key, value, flags, true);
  if (isArrayFamily(type)) return arrayUpdate(d, key, value, flags, true);
  if (type == MapType.LpmTrie) return lpmUpdate(d, key, value, flags);
  if (type == MapType.ProgArray) return flags != BPF_ANY ? -EINVAL : progArraySet(d, key, load<u32>(value));
  return -EINVAL;
}

export function hostDelete(id: i32, key: usize): i64 {
  const d = descriptorOf(id);
  if (d == 0) return -EINVAL;
  const type = mapType(d);
  if (type == MapType.ProgArray) return progArrayClear(d, key);
  if (type == MapType.Ringbuf) return -EINVAL;
  return programDelete(d, key);
}

export function hostNextKey(id: i32, key: usize, out: usize): i64 {
  const d = descriptorOf(id);
  if (d == 0) return -EINVAL;
  const type = mapType(d);
  if (isHashFamily(type)) return hashNextKey(d, key, out);
  if (isArrayFamily(type) || type == MapType.ProgArray) return arrayNextKey(d, key, out);
  if (type == MapType.LpmTrie) return lpmNextKey(d, key, out);
  return -EINVAL;
}

