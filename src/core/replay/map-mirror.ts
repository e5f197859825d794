// What the control plane last pushed to each map of the datapath, so that a
// later push sends only the difference (as Cilium's agent keeps its BPF
// maps' desired state and reconciles, pkg/bpf's cache). A map may be kept
// in parts (a node's load-balancing maps, one part per Service): a part
// replaced alone touches only its entries, and an entry two parts share (a
// backend of two Services) stays until neither holds it.

import type { Datapath, MapEntry, MapOwner } from "../datapath/datapath.ts";
import { bytesKey, sameBytes } from "../../util/bytes-key.ts";

interface MirroredMap {
  /** Each entry pushed, by its key's bytes. */
  entries: Map<string, MapEntry>;
  /** For a map kept in parts: each part's keys, and how many parts hold each key. */
  parts?: Map<string, string[]>;
  holders?: Map<string, number>;
}

export class MapMirror {
  /** By owner, then by map. */
  private readonly owners = new Map<string, Map<string, MirroredMap>>();

  constructor(private readonly datapath: Datapath) {}

  /** Brings `map` to hold exactly `entries`: the first time a whole rewrite, later only what differs. */
  async push(owner: MapOwner, map: string, entries: readonly MapEntry[]): Promise<void> {
    const maps = this.mapsOf(owner);
    const previous = maps.get(map);
    const wanted = new Map<string, MapEntry>();
    for (const entry of entries) wanted.set(bytesKey(entry.key), entry);
    maps.set(map, { entries: wanted });
    if (previous === undefined) return this.datapath.syncMap(owner, map, entries);
    const set = entries.filter((entry) => {
      const pushed = previous.entries.get(bytesKey(entry.key));
      return pushed === undefined || !sameBytes(pushed.value, entry.value);
    });
    const remove: Uint8Array[] = [];
    for (const [key, pushed] of previous.entries) if (!wanted.has(key)) remove.push(pushed.key);
    if (set.length > 0 || remove.length > 0) await this.datapath.changeMap(owner, map, { set, remove });
  }

  /**
   * Brings `map` to hold exactly the union of `parts` (an entry two parts
   * hold has the same value in both), ordered by `order` when given.
   */
  async pushParts(owner: MapOwner, map: string, parts: ReadonlyMap<string, readonly MapEntry[]>, order?: (a: MapEntry, b: MapEntry) => number): Promise<void> {
    const union = new Map<string, MapEntry>();
    const keysOf = new Map<string, string[]>();
    const holders = new Map<string, number>();
    for (const [part, entries] of parts) {
      const keys = entries.map((entry) => bytesKey(entry.key));
      keys.forEach((key, index) => {
        union.set(key, entries[index]);
        holders.set(key, (holders.get(key) ?? 0) + 1);
      });
      keysOf.set(part, keys);
    }
    const entries = [...union.values()];
    if (order) entries.sort(order);
    await this.push(owner, map, entries);
    Object.assign(this.mapsOf(owner).get(map)!, { parts: keysOf, holders });
  }

  /** Replaces the parts named in `changed` (an empty list removes a part) of a map pushed with pushParts. */
  async replaceParts(owner: MapOwner, map: string, changed: ReadonlyMap<string, readonly MapEntry[]>): Promise<void> {
    const mirrored = this.mapsOf(owner).get(map);
    if (!mirrored?.parts || !mirrored.holders) throw new Error(`map ${map} was not pushed in parts`);
    const { entries, parts, holders } = mirrored;
    const set = new Map<string, MapEntry>();
    const released = new Set<string>();
    for (const [part, wanted] of changed) {
      for (const key of parts.get(part) ?? []) {
        const left = holders.get(key)! - 1;
        holders.set(key, left);
        if (left === 0) released.add(key);
      }
      const keys = wanted.map((entry) => bytesKey(entry.key));
      keys.forEach((key, index) => {
        holders.set(key, (holders.get(key) ?? 0) + 1);
        released.delete(key);
        const pushed = entries.get(key);
        if (pushed === undefined || !sameBytes(pushed.value, wanted[index].value)) set.set(key, wanted[index]);
      });
      if (keys.length > 0) parts.set(part, keys);
      else parts.delete(part);
    }
    const remove: Uint8Array[] = [];
    for (const key of released) {
      remove.push(entries.get(key)!.key);
      entries.delete(key);
      holders.delete(key);
    }
    for (const [key, entry] of set) entries.set(key, entry);
    if (set.size > 0 || remove.length > 0) await this.datapath.changeMap(owner, map, { set: [...set.values()], remove });
  }

  /** Sets and removes single entries of a map pushed before. */
  async patch(owner: MapOwner, map: string, set: readonly MapEntry[], remove: readonly Uint8Array[]): Promise<void> {
    const mirrored = this.mapsOf(owner).get(map);
    if (!mirrored) throw new Error(`map ${map} was not pushed yet`);
    for (const key of remove) mirrored.entries.delete(bytesKey(key));
    for (const entry of set) mirrored.entries.set(bytesKey(entry.key), entry);
    if (set.length > 0 || remove.length > 0) await this.datapath.changeMap(owner, map, { set, remove });
  }

  /** Forgets an endpoint's maps: they went with it. */
  forgetEndpoint(endpoint: string): void {
    this.owners.delete(`endpoint ${endpoint}`);
  }

  private mapsOf(owner: MapOwner): Map<string, MirroredMap> {
    const name = "node" in owner ? `node ${owner.node}` : `endpoint ${owner.endpoint}`;
    let maps = this.owners.get(name);
    if (maps === undefined) this.owners.set(name, (maps = new Map()));
    return maps;
  }
}
