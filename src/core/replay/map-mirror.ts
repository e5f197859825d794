// What the control plane last pushed to each map of the datapath, so that a
// later push sends only the difference (as Cilium's agent keeps its BPF
// maps' desired state and reconciles, pkg/bpf's cache).

import type { Datapath, MapEntry, MapOwner } from "../datapath/datapath.ts";

import { bytesKey, sameBytes } from "../../util/bytes-key.ts";

interface Pushed {
  key: Uint8Array;
  value: Uint8Array;
}

export class MapMirror {
  /** By owner, then by map: each entry pushed, by its key's bytes. */
  private readonly owners = new Map<string, Map<string, Map<string, Pushed>>>();

  constructor(private readonly datapath: Datapath) {}

  /** Brings `map` to hold exactly `entries`: the first time a whole rewrite, later only what differs. */
  async push(owner: MapOwner, map: string, entries: readonly MapEntry[]): Promise<void> {
    const ownerName = "node" in owner ? `node ${owner.node}` : `endpoint ${owner.endpoint}`;
    let maps = this.owners.get(ownerName);
    if (maps === undefined) this.owners.set(ownerName, (maps = new Map()));
    const previous = maps.get(map);
    const wanted = new Map<string, Pushed>();
    for (const entry of entries) wanted.set(bytesKey(entry.key), entry);
    maps.set(map, wanted);
    if (previous === undefined) return this.datapath.syncMap(owner, map, entries);
    const set = entries.filter((entry) => {
      const pushed = previous.get(bytesKey(entry.key));
      return pushed === undefined || !sameBytes(pushed.value, entry.value);
    });
    const remove: Uint8Array[] = [];
    for (const [key, pushed] of previous) if (!wanted.has(key)) remove.push(pushed.key);
    if (set.length > 0 || remove.length > 0) await this.datapath.changeMap(owner, map, { set, remove });
  }

  /** Forgets an endpoint's maps: they went with it. */
  forgetEndpoint(endpoint: string): void {
    this.owners.delete(`endpoint ${endpoint}`);
  }
}
