// A backend's nodes or endpoints by name. Both backends look them up from
// control-plane calls that may name one they were never given.

import type { Datapath } from "./datapath.ts";

export class DatapathTable<Entry> extends Map<string, Entry> {
  constructor(
    private readonly backend: Datapath["backend"],
    private readonly kind: "node" | "endpoint",
  ) {
    super();
  }

  /** The entry under `key`; an Error such as "the wasm datapath has no node n1" when there is none. */
  required(key: string): Entry {
    const entry = this.get(key);
    if (!entry) throw new Error(`the ${this.backend} datapath has no ${this.kind} ${key}`);
    return entry;
  }
}
