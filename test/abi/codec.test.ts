// Struct codecs: one field list per struct gives both directions, so a
// value encoded and decoded comes back whole, and every byte lands at the
// offset BTF gives for its field.

import { describe, expect, test } from "vitest";
import { scalarCodec, structCodec } from "../../src/abi/codec.ts";
import { Lb4BackendLayout, Lb4KeyLayout } from "../../src/abi/generated.ts";
import { backendId, backendRef, backendValue, MAGLEV_TABLE_SIZE, maglevTable, reverseNat, serviceId, serviceKey, serviceValue } from "../../src/abi/lb4.ts";

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
const WEB = 0x0a600001; // 10.96.0.1

describe("a struct codec", () => {
  test("puts each field at its BTF offset, in the field's byte order, and zeroes the rest", () => {
    const key = serviceKey.encode({ address: WEB, port: 80, slot: 3, protocol: 6, scope: 1 });
    expect(key.length).toBe(Lb4KeyLayout.size);
    const at = (field: keyof typeof Lb4KeyLayout.fields) => Lb4KeyLayout.fields[field].offset;
    expect(hex(key.subarray(at("address"), at("address") + 4))).toBe("0a600001");
    expect(hex(key.subarray(at("dport"), at("dport") + 2))).toBe("0050");
    expect(new DataView(key.buffer).getUint16(at("backend_slot"), true)).toBe(3);
    expect(key[at("proto")]).toBe(6);
    expect(key[at("scope")]).toBe(1);
    const named = new Set(Object.values(Lb4KeyLayout.fields).flatMap(({ offset, size }) => Array.from({ length: size }, (_, i) => offset + i)));
    for (let i = 0; i < key.length; i++) if (!named.has(i)) expect(key[i], `padding byte ${i}`).toBe(0);
  });

  test("decodes what it encoded", () => {
    const values = [
      [serviceKey, { address: WEB, port: 443, slot: 0, protocol: 17, scope: 0 }],
      [serviceValue, { backendId: 10800, count: 2, revNatIndex: 7, flags: 0x21, flags2: 1 }],
      [backendValue, { address: 0x0a000105, port: 8080, protocol: 132, terminating: true }],
      [backendRef, { backendId: 9, address: 0x0a000106, port: 53 }],
      [reverseNat, { address: WEB, port: 80 }],
      [serviceId, 65535],
      [backendId, 0xfffffffe],
    ] as const;
    for (const [codec, value] of values)
      expect((codec.decode as (b: Uint8Array) => unknown)((codec.encode as (v: unknown) => Uint8Array)(value))).toEqual(value);
  });

  test("decodes a Maglev table slot by slot, empty slots as zero", () => {
    const entries = [
      { backendId: 1, address: 0x0a000101, port: 80 },
      { backendId: 2, address: 0x0a000102, port: 81 },
    ];
    const decoded = maglevTable.decode(maglevTable.encode(entries));
    expect(decoded).toHaveLength(MAGLEV_TABLE_SIZE);
    expect(decoded.slice(0, 2)).toEqual(entries);
    expect(decoded[2]).toEqual({ backendId: 0, address: 0, port: 0 });
  });

  test("reads a bool field as set for any value but zero, and writes it as 1", () => {
    const codec = structCodec(Lb4BackendLayout, { terminating: ["flags", "bool"] });
    const bytes = codec.encode({ terminating: true });
    expect(bytes[Lb4BackendLayout.fields.flags.offset]).toBe(1);
    bytes[Lb4BackendLayout.fields.flags.offset] = 4;
    expect(codec.decode(bytes)).toEqual({ terminating: true });
  });

  test("refuses bytes of another size", () => {
    expect(() => serviceKey.decode(new Uint8Array(Lb4KeyLayout.size - 1))).toThrow(/struct was given/);
    expect(() => scalarCodec(2).decode(new Uint8Array(4))).toThrow(/2-byte key was given 4 bytes/);
  });
});
