// A map in the VM, as the host sees it: lookups, updates, deletes and
// iteration with the kernel's semantics and errnos (BPF_MAP_*_ELEM from user
// space), and ring buffer records to drain.

import { MapError } from "./errno.ts";
import type { RuntimeMemory } from "./memory.ts";
import type { RuntimeExports } from "./runtime.ts";

export interface MapDefinition {
  name: string;
  /** BPF_MAP_TYPE_* number. */
  type: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  /** BPF_F_* flags. */
  flags: number;
}

export const BPF_ANY = 0;
export const BPF_NOEXIST = 1;
export const BPF_EXIST = 2;

const ENOENT = 2;
const RINGBUF = 27;

/** Where keys and values cross between the host and the runtime. */
export class TransferArea {
  private address = 0;
  private capacity = 0;

  constructor(private readonly memory: RuntimeMemory) {}

  /** An address with room for `bytes`. */
  reserve(bytes: number): number {
    if (bytes > this.capacity) {
      if (this.capacity > 0) this.memory.release(this.address, this.capacity);
      this.capacity = Math.max(bytes, 65536);
      this.address = this.memory.allocate(this.capacity);
    }
    return this.address;
  }
}

export class VmMap {
  /** Where the runtime keeps the map, for the calls that take it (it never moves). */
  private readonly descriptor: number;

  constructor(
    private readonly runtime: RuntimeExports,
    private readonly memory: RuntimeMemory,
    private readonly transfer: TransferArea,
    readonly id: number,
    readonly definition: MapDefinition,
  ) {
    this.descriptor = runtime.mapDescriptor(id);
  }

  get name(): string {
    return this.definition.name;
  }

  /** What a program's lddw of this map loads: the address of the map's descriptor. */
  get pointer(): bigint {
    return BigInt(this.descriptor);
  }

  /** The address of an array map's first value: what a program's lddw of global data loads. */
  get dataAddress(): bigint {
    return BigInt(this.runtime.arrayData(this.descriptor));
  }

  /** Bytes of a value as the host sees it: value_size, or value_size rounded to 8 times the CPU count for per-CPU maps. */
  get hostValueSize(): number {
    return this.runtime.hostValueBytes(this.id);
  }

  lookup(key: Uint8Array): Uint8Array | undefined {
    const { keyAt, valueAt } = this.place(key);
    const result = Number(this.runtime.hostLookup(this.id, keyAt, valueAt));
    if (result === -ENOENT) return undefined;
    this.check(result, "lookup");
    return this.memory.read(valueAt, this.hostValueSize);
  }

  update(key: Uint8Array, value: Uint8Array, flags = BPF_ANY): void {
    if (value.byteLength !== this.hostValueSize) {
      throw new RangeError(`map ${this.name}: a value is ${this.hostValueSize} bytes, not ${value.byteLength}`);
    }
    const { keyAt, valueAt } = this.place(key);
    this.memory.write(valueAt, value);
    this.check(Number(this.runtime.hostUpdate(this.id, keyAt, valueAt, BigInt(flags))), "update");
  }

  /** Returns false when the key was absent. */
  delete(key: Uint8Array): boolean {
    const { keyAt } = this.place(key);
    const result = Number(this.runtime.hostDelete(this.id, keyAt));
    if (result === -ENOENT) return false;
    this.check(result, "delete");
    return true;
  }

  /** Every key, in the map's iteration order (BPF_MAP_GET_NEXT_KEY from no key). */
  keys(): Uint8Array[] {
    const keys: Uint8Array[] = [];
    const size = this.definition.keySize;
    const at = this.transfer.reserve(size * 2 + 16);
    const next = at + size + 8;
    let current = 0;
    for (;;) {
      const result = Number(this.runtime.hostNextKey(this.id, current, next));
      if (result === -ENOENT) return keys;
      this.check(result, "get_next_key");
      const key = this.memory.read(next, size);
      keys.push(key);
      this.memory.write(at, key);
      current = at;
    }
  }

  entries(): [Uint8Array, Uint8Array][] {
    return this.keys().flatMap((key) => {
      const value = this.lookup(key);
      return value ? [[key, value] as [Uint8Array, Uint8Array]] : [];
    });
  }

  /** Takes every submitted record from a RINGBUF map, oldest first. */
  drain(): Uint8Array[] {
    if (this.definition.type !== RINGBUF) throw new TypeError(`map ${this.name} is not a ring buffer`);
    const { descriptor } = this;
    const records: Uint8Array[] = [];
    for (let at = this.runtime.ringbufPeek(descriptor); at !== 0; at = this.runtime.ringbufPeek(descriptor)) {
      records.push(this.memory.copyOut(at, this.runtime.ringbufLength.value));
      this.runtime.ringbufConsume(descriptor);
    }
    return records;
  }

  private place(key: Uint8Array): { keyAt: number; valueAt: number } {
    if (key.byteLength !== this.definition.keySize) {
      throw new RangeError(`map ${this.name}: a key is ${this.definition.keySize} bytes, not ${key.byteLength}`);
    }
    const keyRoom = (key.byteLength + 15) & ~15;
    const keyAt = this.transfer.reserve(keyRoom + this.hostValueSize + 16);
    this.memory.write(keyAt, key);
    return { keyAt, valueAt: keyAt + keyRoom };
  }

  private check(result: number, operation: string): void {
    if (result < 0) throw new MapError(-result, this.name, operation);
  }
}
