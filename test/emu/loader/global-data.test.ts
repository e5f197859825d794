import { expect, test } from "vitest";
import { LoaderError, MapFlag, setVariables } from "../../../emu/loader/object.ts";
import { loadFixture } from "./fixture.ts";

const object = loadFixture("global_data.o");
const map = (name: string) => object.maps.find((m) => m.name === name);

test("each global data section is a one-entry ARRAY map named after it", () => {
  expect(object.maps.map((m) => m.name)).toEqual([".rodata", ".data", ".data.tunnel", ".rodata.limits", ".bss"]);
  for (const m of object.maps) {
    expect(m).toMatchObject({ type: 2, typeName: "ARRAY", keySize: 4, maxEntries: 1, pinning: "none", section: m.name });
  }
});

test(".rodata is read-only to programs and every section is mmapable, as libbpf creates them", () => {
  expect(map(".rodata")?.flags).toBe(MapFlag.MMAPABLE | MapFlag.RDONLY_PROG);
  expect(map(".rodata.limits")?.flags).toBe(MapFlag.MMAPABLE | MapFlag.RDONLY_PROG);
  expect(map(".data")?.flags).toBe(MapFlag.MMAPABLE);
  expect(map(".bss")?.flags).toBe(MapFlag.MMAPABLE);
});

test("initial data is the section's bytes, zeros for .bss", () => {
  // node_id = 7; node_mac = 02:00:00:00:00:01
  expect([...(map(".rodata")?.initialData ?? [])]).toEqual([7, 0, 0, 0, 2, 0, 0, 0, 0, 1]);
  // packets = 42 (u64); static_counter = 5 (u32)
  expect([...(map(".data")?.initialData ?? [])]).toEqual([42, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0]);
  expect([...(map(".data.tunnel")?.initialData ?? [])]).toEqual([0x18, 0x21, 0, 0]); // 8472
  expect([...(map(".rodata.limits")?.initialData ?? [])]).toEqual([0xdc, 0x05]); // 1500
  expect(map(".bss")).toMatchObject({ valueSize: 12, initialData: new Uint8Array(12) });
});

test("variables carry their name, offset and size, static ones included", () => {
  expect(map(".rodata")?.variables).toEqual([
    { name: "node_id", offset: 0, size: 4 },
    { name: "node_mac", offset: 4, size: 6 },
  ]);
  expect(map(".data")?.variables).toEqual([
    { name: "packets", offset: 0, size: 8 },
    { name: "static_counter", offset: 8, size: 4 },
  ]);
  expect(map(".bss")?.variables).toEqual([
    { name: "last_seen", offset: 0, size: 8 },
    { name: "drops", offset: 8, size: 4 },
  ]);
  expect(map(".rodata.limits")?.variables).toEqual([{ name: "mtu", offset: 0, size: 2 }]);
});

test("setVariables sets a volatile const by name in a copy, leaving the loaded object alone", () => {
  const configured = setVariables(object, { node_id: 0x01020304, mtu: 9000, node_mac: Uint8Array.of(2, 1, 2, 3, 4, 5), packets: 1n });
  const value = (name: string) => [...(configured.maps.find((m) => m.name === name)?.initialData ?? [])];
  expect(value(".rodata")).toEqual([4, 3, 2, 1, 2, 1, 2, 3, 4, 5]);
  expect(value(".rodata.limits")).toEqual([0x28, 0x23]);
  expect(value(".data").slice(0, 8)).toEqual([1, 0, 0, 0, 0, 0, 0, 0]);
  expect([...(map(".rodata")?.initialData ?? [])]).toEqual([7, 0, 0, 0, 2, 0, 0, 0, 0, 1]);
});

test("setVariables accepts negative numbers in two's complement and booleans", () => {
  const configured = setVariables(object, { node_id: -1, drops: true });
  expect([...(configured.maps[0].initialData ?? [])].slice(0, 4)).toEqual([255, 255, 255, 255]);
  expect([...(configured.maps.find((m) => m.name === ".bss")?.initialData ?? [])].slice(8)).toEqual([1, 0, 0, 0]);
});

test.each([
  [{ nonexistent: 1 }, 'global variable "nonexistent": no global data section declares it'],
  [{ mtu: 70000 }, "70000 does not fit in 2 bytes"],
  [{ node_id: 1.5 }, "1.5 is not an integer"],
  [{ node_mac: 5 }, "a 6-byte variable takes bytes, not a number"],
  [{ node_mac: Uint8Array.of(1, 2) }, "2 bytes given for a 6-byte variable"],
])("setVariables refuses %o", (values, message) => {
  expect(() => setVariables(object, values)).toThrow(LoaderError);
  expect(() => setVariables(object, values)).toThrow(message);
});
