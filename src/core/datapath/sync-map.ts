// Datapath.syncMap's and Datapath.changeMap's work on one map, for both backends' maps.

import type { MapChange, MapEntry } from "./datapath.ts";

/** What syncing needs of a map held from the host. */
export interface HostMap {
  keys(): Iterable<Uint8Array>;
  lookup(key: Uint8Array): Uint8Array | undefined;
  update(key: Uint8Array, value: Uint8Array): void;
  delete(key: Uint8Array): unknown;
}

import { bytesKey, sameBytes } from "../../util/bytes-key.ts";

/** Makes `map` hold exactly `entries`, writing only the entries that are missing or differ. */
export function syncEntries(map: HostMap, entries: readonly MapEntry[]): void {
  // The keys are taken first: deleting while walking a kernel hash map restarts the walk.
  const held = [...map.keys()];
  // A map just created (every node's and endpoint's first sync) takes the entries as they are.
  if (held.length === 0) {
    for (const { key, value } of entries) map.update(key, value);
    return;
  }
  const wanted = new Set(entries.map((entry) => bytesKey(entry.key)));
  for (const key of held) if (!wanted.has(bytesKey(key))) map.delete(key);
  for (const { key, value } of entries) {
    const current = map.lookup(key);
    if (!current || !sameBytes(current, value)) map.update(key, value);
  }
}

/** Applies a difference: removals first, so that a key both removed and set ends up set. */
export function changeEntries(map: HostMap, change: MapChange): void {
  for (const key of change.remove) if (map.lookup(key) !== undefined) map.delete(key);
  for (const { key, value } of change.set) map.update(key, value);
}
