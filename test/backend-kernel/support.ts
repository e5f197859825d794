// Shared set-up of the kernel backend's tests: fixture objects and bpffs.

import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { KernelObject } from "../../backend-kernel/libbpf.ts";
import { TemporaryBpffs as BenchBpffs } from "../../bench/bpffs.ts";

export const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/kernel/${name}`, import.meta.url));

/**
 * counters.o, opened without pinning its shared map, so that tests which are
 * not about pinning need no bpffs.
 */
export function openCounters(): KernelObject {
  const object = KernelObject.open(fixture("counters.o"));
  object.setPinPath("shared_table", undefined);
  return object;
}

// Keys and values in the host's byte order, which is the objects' order.
export const u32 = (value: number) => new Uint8Array(new Uint32Array([value]).buffer);
export const u64 = (value: bigint) => new Uint8Array(new BigUint64Array([value]).buffer);
export const readU32 = (bytes: Uint8Array) => new Uint32Array(bytes.slice(0, 4).buffer)[0];
export const readU64 = (bytes: Uint8Array) => new BigUint64Array(bytes.slice(0, 8).buffer)[0];

/** A private bpffs mounted at a new temporary directory: this test's pins touch nothing else. */
export class TemporaryBpffs extends BenchBpffs {
  // A new bpffs already holds the kernel's preloaded iterators (maps.debug, progs.debug).
  private readonly preloaded: Set<string>;

  constructor() {
    super("ebbflow-bpffs-");
    this.preloaded = new Set(readdirSync(this.path));
  }

  /** The pins made since the mount. */
  entries(): string[] {
    return readdirSync(this.path)
      .filter((entry) => !this.preloaded.has(entry))
      .sort();
  }
}
