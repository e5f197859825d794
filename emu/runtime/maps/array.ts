// ARRAY, PERCPU_ARRAY and PROG_ARRAY: every element allocated up front, as
// the kernel does, indexed by a 32-bit key. A PROG_ARRAY slot holds a program
// id plus one (0: empty), for tail calls.

import { allocate, PageKind } from "../heap";
import { cpuCount, currentCpu } from "../cpu";
import { E2BIG, EEXIST, EINVAL, ENOENT } from "../errno";
import {
  BPF_EXIST, BPF_F_LOCK, BPF_F_RDONLY_PROG, BPF_NOEXIST, isPercpu, mapFlags, mapType, MapType, maxEntries,
  setSlotA, slotA, stride,
} from "./descriptor";

function elementBytes(d: usize): usize {
  return <usize>stride(d) * (isPercpu(mapType(d)) ? <usize>cpuCount : 1);
}

export function arrayCreate(d: usize): bool {
  const kind = mapType(d) == MapType.ProgArray ? PageKind.Meta
    : (mapFlags(d) & BPF_F_RDONLY_PROG) != 0 ? PageKind.ReadOnly : PageKind.Data;
  const data = allocate(elementBytes(d) * <usize>maxEntries(d), kind);
  setSlotA(d, data);
  return data != 0;
}

/** The first byte of the values of a global data map (.data, .rodata, .bss): what lddw with a map value loads. */
export function arrayData(d: usize): usize {
  return slotA(d);
}

/** The element's block (all CPUs' values of a per-CPU array), or 0 past the end. */
export function arrayLookupElement(d: usize, key: usize): usize {
  const index = load<u32>(key);
  if (index >= maxEntries(d)) return 0;
  return slotA(d) + <usize>index * elementBytes(d);
}

/** What bpf_map_lookup_elem returns to a program. */
export function arrayLookup(d: usize, key: usize): usize {
  const element = arrayLookupElement(d, key);
  if (element == 0 || !isPercpu(mapType(d))) return element;
  return element + <usize>currentCpu * <usize>stride(d);
}

/**
 * array_map_update_elem's checks, in its order: unknown flags (BPF_F_LOCK is
 * known), the index, BPF_NOEXIST, then BPF_F_LOCK, which needs a bpf_spin_lock
 * in the value that no map here has. The host's every-CPU update of a per-CPU
 * array (bpf_percpu_array_update) knows no BPF_F_LOCK.
 */
export function arrayUpdate(d: usize, key: usize, value: usize, flags: u64, allCpus: bool): i64 {
  const everyCpu = isPercpu(mapType(d)) && allCpus;
  if ((everyCpu ? flags : flags & ~BPF_F_LOCK) > BPF_EXIST) return -EINVAL;
  const element = arrayLookupElement(d, key);
  if (element == 0) return -E2BIG;
  if ((flags & BPF_NOEXIST) != 0) return -EEXIST;
  if ((flags & BPF_F_LOCK) != 0) return -EINVAL;
  if (isPercpu(mapType(d)) && !allCpus) {
    memory.copy(element + <usize>currentCpu * <usize>stride(d), value, <usize>stride(d));
  } else {
    memory.copy(element, value, elementBytes(d));
  }
  return 0;
}

/** A PROG_ARRAY slot is set from the host with a program id (a u32). */
export function progArraySet(d: usize, key: usize, programId: u32): i64 {
  const element = arrayLookupElement(d, key);
  if (element == 0) return -E2BIG;
  store<u32>(element, programId + 1);
  return 0;
}

export function progArrayClear(d: usize, key: usize): i64 {
  const element = arrayLookupElement(d, key);
  if (element == 0) return -E2BIG;
  if (load<u32>(element) == 0) return -ENOENT;
  store<u32>(element, 0);
  return 0;
}

/** The program id in a PROG_ARRAY slot, or -1 when the slot is empty or out of range. */
export function progArrayGet(d: usize, index: u32): i32 {
  if (index >= maxEntries(d)) return -1;
  return <i32>load<u32>(slotA(d) + <usize>index * elementBytes(d)) - 1;
}

/** Array keys run 0..max_entries-1; an absent or out-of-range key starts at 0. */
export function arrayNextKey(d: usize, key: usize, out: usize): i64 {
  const max = maxEntries(d);
  let next: u32 = 0;
  if (key != 0) {
    const index = load<u32>(key);
    if (index < max) {
      if (index == max - 1) return -ENOENT;
      next = index + 1;
    }
  }
  store<u32>(out, next);
  return 0;
}
