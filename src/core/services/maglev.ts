// Maglev consistent hashing (Eisenbud et al., NSDI 2016; Cilium's
// pkg/maglev): a lookup table of M entries, M prime, filled from each
// backend's permutation so that every backend holds about M/N entries and a
// backend's removal moves only its own entries. The permutation comes from
// two seeded hashes of the backend's name, so every node, in the VM and in the
// kernel, builds the same table for the same seed.

import { hashString } from "./hash.ts";

import { MAGLEV_TABLE_SIZE } from "../../abi/lb4.ts";

/** Entries per table: bpf/lib/lb.h's LB_MAGLEV_TABLE_SIZE (Cilium's smallest size, prime). */
export { MAGLEV_TABLE_SIZE };

/** The second hash's seed differs from the first's by this constant. */
const SKIP_SEED_DELTA = 0x9e3779b9;

export interface MaglevBackend {
  /** What the permutation is computed from: "address:port/proto". */
  readonly name: string;
  readonly id: number;
}

/** The table of backend ids, by slot; empty without backends. */
export function maglevTable(backends: readonly MaglevBackend[], seed: number, size = MAGLEV_TABLE_SIZE): number[] {
  if (backends.length === 0) return [];
  const sorted = [...backends].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const offsets = sorted.map((backend) => hashString(seed, backend.name) % size);
  const skips = sorted.map((backend) => (hashString((seed ^ SKIP_SEED_DELTA) >>> 0, backend.name) % (size - 1)) + 1);
  const next = sorted.map(() => 0);
  const table: number[] = new Array(size).fill(-1);
  let filled = 0;
  for (;;) {
    for (let i = 0; i < sorted.length; i++) {
      let slot = (offsets[i] + next[i] * skips[i]) % size;
      while (table[slot] >= 0) {
        next[i]++;
        slot = (offsets[i] + next[i] * skips[i]) % size;
      }
      table[slot] = sorted[i].id;
      next[i]++;
      if (++filled === size) return table;
    }
  }
}
