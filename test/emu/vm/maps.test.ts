// Maps in the VM keep the kernel's semantics: its checks at creation, its
// update flags and errnos, LRU eviction, per-CPU values, longest-prefix
// match, and memory that follows the entries in use.

import { beforeAll, describe, expect, test } from "vitest";
import { assemble } from "../../../emu/asm/assemble.ts";
import { PROGRAM_TYPE, runSkb } from "../../../emu/vm/test-run.ts";
import { MapError } from "../../../emu/vm/errno.ts";
import { BPF_EXIST, BPF_NOEXIST, type MapDefinition } from "../../../emu/vm/maps.ts";
import { Vm } from "../../../emu/vm/vm.ts";
import { SeededRandom } from "../../../src/util/random.ts";

const HASH = 1;
const ARRAY = 2;
const PROG_ARRAY = 3;
const PERCPU_HASH = 5;
const PERCPU_ARRAY = 6;
const LRU_HASH = 9;
const LPM_TRIE = 11;
const RINGBUF = 27;
const NO_PREALLOC = 1;
const RDONLY_PROG = 1 << 7;

const u32 = (n: number) => new Uint8Array(new Uint32Array([n]).buffer);
const u64 = (n: bigint) => new Uint8Array(new BigUint64Array([n]).buffer);
const lpmKey = (prefix: number, a: number, b: number, c: number, d: number) => Uint8Array.from([...u32(prefix), a, b, c, d]);

let vm: Vm;
beforeAll(async () => {
  vm = await Vm.create({ cpus: 4 });
});

const map = (definition: Partial<MapDefinition> & { type: number }) =>
  vm.createMap({ name: "m", keySize: 4, valueSize: 8, maxEntries: 4, flags: 0, ...definition });

/**
 * A tc program's bpf_map_lookup_elem on the map at `pointer`, keyed by the
 * frame's first two bytes: the u32 value found, or undefined.
 */
function programLookup(pointer: bigint): (key: number) => number | undefined {
  const program = vm.loadProgram(
    assemble(`ldxw %r2, [%r1+76]
ldxh %r3, [%r2+0]
stxh [%r10-2], %r3
mov %r2, %r10
add %r2, -2
lddw %r1, ${pointer}
call 1
jne %r0, 0, +2
mov %r0, 0
exit
ldxw %r0, [%r0+0]
add %r0, 1
exit`),
    { type: PROGRAM_TYPE.SCHED_CLS },
  );
  const frame = new Uint8Array(60);
  return (key) => {
    frame[0] = key & 0xff;
    frame[1] = key >> 8;
    const found = runSkb(vm, program, { data: frame }).retval;
    return found === 0 ? undefined : found - 1;
  };
}

const errno = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    if (error instanceof MapError) return error.code;
    throw error;
  }
  return "no error";
};

describe("creation", () => {
  test.each([
    ["a hash with a zero key size", { type: HASH, keySize: 0 }, "EINVAL"],
    ["a hash with no entries", { type: HASH, maxEntries: 0 }, "EINVAL"],
    ["a hash with a 513-byte key", { type: HASH, keySize: 513 }, "E2BIG"],
    ["an array keyed by 8 bytes", { type: ARRAY, keySize: 8 }, "EINVAL"],
    ["an LPM trie without BPF_F_NO_PREALLOC", { type: LPM_TRIE, keySize: 8 }, "EINVAL"],
    ["an LPM trie with a 4-byte key", { type: LPM_TRIE, keySize: 4, flags: NO_PREALLOC }, "EINVAL"],
    ["a ring buffer of 5000 bytes", { type: RINGBUF, keySize: 0, valueSize: 0, maxEntries: 5000 }, "EINVAL"],
    ["a prog array with 8-byte values", { type: PROG_ARRAY, valueSize: 8 }, "EINVAL"],
    ["an unknown type", { type: 99 }, "EINVAL"],
  ] as [string, Partial<MapDefinition> & { type: number }, string][])("refuses %s with %s", (_name, definition, code) => {
    expect(errno(() => map(definition))).toBe(code);
  });
});

describe("HASH", () => {
  test("honours BPF_NOEXIST and BPF_EXIST and refuses a new key when full", () => {
    const hash = map({ type: HASH, maxEntries: 2 });
    hash.update(u32(1), u64(10n));
    expect(errno(() => hash.update(u32(1), u64(11n), BPF_NOEXIST))).toBe("EEXIST");
    expect(errno(() => hash.update(u32(2), u64(20n), BPF_EXIST))).toBe("ENOENT");
    hash.update(u32(2), u64(20n));
    expect(errno(() => hash.update(u32(3), u64(30n)))).toBe("E2BIG");
    hash.update(u32(1), u64(12n), BPF_EXIST);
    expect(hash.lookup(u32(1))).toEqual(u64(12n));
    expect(errno(() => hash.update(u32(1), u64(1n), 4))).toBe("EINVAL");
    expect(hash.delete(u32(9))).toBe(false);
    expect(hash.delete(u32(1))).toBe(true);
    expect(hash.lookup(u32(1))).toBeUndefined();
    expect(hash.keys()).toEqual([u32(2)]);
  });

  test("grows past its first buckets and iterates every key once", () => {
    const hash = map({ type: HASH, maxEntries: 5000 });
    for (let i = 0; i < 5000; i++) hash.update(u32(i), u64(BigInt(i) * 3n));
    const keys = hash
      .keys()
      .map((k) => new Uint32Array(k.buffer)[0])
      .sort((a, b) => a - b);
    expect(keys).toEqual(Array.from({ length: 5000 }, (_, i) => i));
    expect(hash.lookup(u32(4321))).toEqual(u64(12963n));
  });

  test("gives memory back: deleting and re-adding entries does not grow the VM", () => {
    const hash = map({ type: HASH, maxEntries: 20000 });
    const fill = () => {
      for (let i = 0; i < 20000; i++) hash.update(u32(i), u64(1n));
    };
    fill();
    for (let i = 0; i < 20000; i++) hash.delete(u32(i));
    const before = vm.memoryBytes();
    fill();
    expect(vm.memoryBytes()).toBe(before);
  });
});

describe("LRU_HASH", () => {
  test("evicts the least recently used entry when full; a lookup makes an entry recent", () => {
    const lru = map({ type: LRU_HASH, maxEntries: 3 });
    for (const k of [1, 2, 3]) lru.update(u32(k), u64(BigInt(k)));
    lru.update(u32(1), u64(100n)); // 1 is now the most recent, 2 the least
    lru.update(u32(4), u64(4n));
    expect(lru.lookup(u32(2))).toBeUndefined();
    expect(
      lru
        .keys()
        .map((k) => new Uint32Array(k.buffer)[0])
        .sort(),
    ).toEqual([1, 3, 4]);
  });
});

describe("per-CPU maps", () => {
  test("hold one value per CPU, each rounded to 8 bytes, as the host sees them", () => {
    const counters = map({ type: PERCPU_HASH, valueSize: 4 });
    expect(counters.hostValueSize).toBe(32);
    const values = Uint8Array.from([1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0]);
    counters.update(u32(7), values);
    expect(counters.lookup(u32(7))).toEqual(values);
    const array = map({ type: PERCPU_ARRAY, maxEntries: 2 });
    expect(array.lookup(u32(1))).toEqual(new Uint8Array(32));
  });
});

describe("ARRAY", () => {
  test("has every index from the start, refuses others and never deletes", () => {
    const array = map({ type: ARRAY, maxEntries: 2 });
    expect(array.lookup(u32(1))).toEqual(new Uint8Array(8));
    expect(array.lookup(u32(2))).toBeUndefined();
    expect(errno(() => array.update(u32(2), u64(1n)))).toBe("E2BIG");
    expect(errno(() => array.update(u32(0), u64(1n), BPF_NOEXIST))).toBe("EEXIST");
    expect(errno(() => array.delete(u32(0)))).toBe("EINVAL");
    expect(array.keys()).toEqual([u32(0), u32(1)]);
  });
});

describe("HASH and LRU_HASH against a model", () => {
  // A small key space, so that keys collide, come back after deletion and
  // move slots of the index back; thousands of entries, so that it grows.
  const keyOf = (n: number) => Uint8Array.from([...u32(n), n & 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
  const value = (n: number) => u64(BigInt(n));

  // BPF_F_RDONLY_PROG: programs only read the map, so its values live in the index's slots and move with them.
  // A key of 13 bytes ends in a part shorter than a word.
  test.each([
    ["HASH", 0, 16],
    ["HASH read-only to programs", RDONLY_PROG, 16],
    ["HASH read-only to programs, 13-byte keys", RDONLY_PROG, 13],
  ])("%s agrees with a Map over random updates, deletes and lookups", (_name, flags, keySize) => {
    const hash = map({ type: HASH, keySize, valueSize: 8, maxEntries: 3000, flags });
    const key = (n: number) => keyOf(n).subarray(0, keySize);
    const model = new Map<number, number>();
    const random = new SeededRandom(5n);
    for (let step = 0; step < 30_000; step++) {
      const k = random.between(0, 4000);
      const action = random.between(0, 9);
      if (action < 5) {
        if (model.size >= 3000 && !model.has(k)) {
          expect(errno(() => hash.update(key(k), value(step)))).toBe("E2BIG");
        } else {
          hash.update(key(k), value(step));
          model.set(k, step);
        }
      } else if (action < 8) {
        expect(hash.delete(key(k))).toBe(model.delete(k));
      } else {
        const found = hash.lookup(key(k));
        expect(found && Number(new BigUint64Array(found.slice().buffer)[0])).toEqual(model.get(k));
      }
    }
    const keys = hash.keys().map((bytes) => new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true));
    expect(keys.sort((a, b) => a - b)).toEqual([...model.keys()].sort((a, b) => a - b));
    expect(model.size).toBeGreaterThan(1000);
  });

  test.each([
    ["HASH", 0],
    ["HASH read-only to programs", RDONLY_PROG],
  ])("%s keyed by two bytes holds every possible key, each found, deleted and added again", (_name, flags) => {
    const u16 = (n: number) => Uint8Array.of(n & 0xff, n >> 8);
    const hash = map({ type: HASH, keySize: 2, valueSize: 4, maxEntries: 65536, flags });
    const random = new SeededRandom(9n);
    const order = Array.from({ length: 65536 }, (_, i) => i);
    for (let i = order.length - 1; i > 0; i--) {
      const j = random.between(0, i);
      [order[i], order[j]] = [order[j], order[i]];
    }
    for (const k of order) hash.update(u16(k), u32(k * 3));
    expect(errno(() => hash.update(u16(7), u32(0), BPF_NOEXIST))).toBe("EEXIST");
    const gone = new Set(order.slice(0, 20_000));
    for (const k of gone) expect(hash.delete(u16(k))).toBe(true);
    // As the host and as a program see it: a program's lookup in a full index tests the key's home bit.
    const lookup = programLookup(hash.pointer);
    for (const k of order.slice(0, 30_000)) {
      const found = hash.lookup(u16(k));
      expect(found && new DataView(found.buffer, found.byteOffset).getUint32(0, true)).toEqual(gone.has(k) ? undefined : k * 3);
      expect(lookup(k)).toBe(gone.has(k) ? undefined : k * 3);
    }
    for (const k of gone) hash.update(u16(k), u32(k));
    expect(hash.keys()).toHaveLength(65536);
    for (const k of order.slice(0, 1000)) expect(lookup(k)).toBe(gone.has(k) ? k : k * 3);
  });

  test("HASH keyed by two bytes answers a program's lookups the same before and after its index has every key's slot", () => {
    const hash = map({ type: HASH, keySize: 2, valueSize: 4, maxEntries: 65536, flags: RDONLY_PROG });
    const lookup = programLookup(hash.pointer);
    const u16 = (n: number) => Uint8Array.of(n & 0xff, n >> 8);
    for (let k = 1; k <= 40_000; k++) hash.update(u16(k), u32(k));
    // 40,000 keys fill an index of 65,536 slots past three quarters: it has grown to every key's slot.
    for (const k of [0, 1, 2, 39_999, 40_000, 40_001, 65_535]) expect(lookup(k)).toBe(k >= 1 && k <= 40_000 ? k : undefined);
    for (let k = 1; k <= 40_000; k += 2) hash.delete(u16(k));
    for (const k of [1, 2, 3, 39_999, 40_000]) expect(lookup(k)).toBe(k % 2 === 0 ? k : undefined);
    hash.update(u16(65_535), u32(7));
    expect(lookup(65_535)).toBe(7);
  });

  test.each([
    ["LRU_HASH", 0],
    ["LRU_HASH read-only to programs", RDONLY_PROG],
  ])("%s evicts the least recently updated entry when full", (_name, flags) => {
    const lru = map({ type: LRU_HASH, keySize: 16, valueSize: 8, maxEntries: 500, flags });
    const recency: number[] = []; // least recent first
    const random = new SeededRandom(6n);
    for (let step = 0; step < 20_000; step++) {
      const k = random.between(0, 1500);
      if (random.between(0, 3) > 0) {
        lru.update(keyOf(k), value(step));
        const at = recency.indexOf(k);
        if (at >= 0) recency.splice(at, 1);
        else if (recency.length === 500) recency.shift();
        recency.push(k);
      } else {
        const at = recency.indexOf(k);
        expect(lru.delete(keyOf(k))).toBe(at >= 0);
        if (at >= 0) recency.splice(at, 1);
      }
    }
    const keys = lru.keys().map((bytes) => new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true));
    expect(keys.sort((a, b) => a - b)).toEqual([...recency].sort((a, b) => a - b));
  });
});

describe("LPM_TRIE", () => {
  test("finds the longest stored prefix and keeps the key's bits as given", () => {
    const trie = map({ type: LPM_TRIE, keySize: 8, valueSize: 4, maxEntries: 3, flags: NO_PREALLOC });
    trie.update(lpmKey(8, 10, 0, 0, 0), u32(8));
    trie.update(lpmKey(24, 10, 1, 2, 0), u32(24));
    trie.update(lpmKey(0, 0, 0, 0, 0), u32(0));
    expect(trie.lookup(lpmKey(32, 10, 1, 2, 3))).toEqual(u32(24));
    expect(trie.lookup(lpmKey(32, 10, 9, 9, 9))).toEqual(u32(8));
    expect(trie.lookup(lpmKey(32, 11, 0, 0, 1))).toEqual(u32(0));
    expect(trie.lookup(lpmKey(16, 10, 1, 2, 3))).toEqual(u32(8));
    expect(errno(() => trie.update(lpmKey(16, 10, 1, 0, 0), u32(16)))).toBe("ENOSPC");
    expect(errno(() => trie.update(lpmKey(33, 10, 1, 0, 0), u32(33)))).toBe("EINVAL");
    expect(errno(() => trie.update(lpmKey(8, 10, 7, 7, 7), u32(1), BPF_NOEXIST))).toBe("EEXIST");
    expect(trie.delete(lpmKey(24, 10, 1, 2, 0))).toBe(true);
    expect(trie.lookup(lpmKey(32, 10, 1, 2, 3))).toEqual(u32(8));
    expect(trie.keys()).toHaveLength(2);
  });

  test("agrees with a plain list of prefixes over random updates, deletes and lookups", () => {
    const trie = map({ type: LPM_TRIE, keySize: 8, valueSize: 4, maxEntries: 64, flags: NO_PREALLOC });
    const random = new SeededRandom(11n);
    const stored = new Map<string, { prefix: number; address: number; value: number }>();
    // Addresses from a small space, so that prefixes nest, diverge and repeat.
    const address = () => (random.between(0, 3) << 30) | (random.between(0, 7) << 20) | random.between(0, 3);
    const masked = (a: number, prefix: number) => (prefix === 0 ? 0 : (a >>> (32 - prefix)) << (32 - prefix)) >>> 0;
    const key = (prefix: number, a: number) => lpmKey(prefix, a >>> 24, (a >>> 16) & 0xff, (a >>> 8) & 0xff, a & 0xff);
    const expected = (prefix: number, a: number) => {
      let best: { prefix: number; value: number } | undefined;
      for (const entry of stored.values()) {
        if (entry.prefix <= prefix && masked(entry.address, entry.prefix) === masked(a, entry.prefix) && (!best || entry.prefix > best.prefix)) best = entry;
      }
      return best?.value;
    };
    for (let step = 0; step < 3000; step++) {
      const prefix = [0, 1, 2, 8, 12, 20, 30, 32][random.between(0, 7)];
      const a = masked(address(), prefix);
      const name = `${a}/${prefix}`;
      const action = random.between(0, 2);
      if (action === 0 && (stored.size < 64 || stored.has(name))) {
        const value = random.between(1, 1 << 30);
        trie.update(key(prefix, a), u32(value));
        stored.set(name, { prefix, address: a, value });
      } else if (action === 1) {
        expect(trie.delete(key(prefix, a))).toBe(stored.delete(name));
      } else {
        const probe = address();
        const length = random.between(0, 32);
        const value = expected(length, probe);
        const found = trie.lookup(key(length, probe));
        expect(found && new Uint32Array(found.slice().buffer)[0]).toEqual(value);
      }
    }
    expect(trie.keys()).toHaveLength(stored.size);
    expect(stored.size).toBeGreaterThan(20);
  });
});

describe("RINGBUF", () => {
  test("cannot be read or written like a map from the host", () => {
    const ring = map({ type: RINGBUF, keySize: 0, valueSize: 0, maxEntries: 4096 });
    expect(ring.drain()).toEqual([]);
    expect(() => ring.lookup(new Uint8Array(0))).toThrow(MapError);
  });
});
