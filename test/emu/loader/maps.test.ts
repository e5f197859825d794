import { execFileSync } from "node:child_process";
import { expect, test } from "vitest";
import { MapFlag, MapType } from "../../../emu/loader/object.ts";
import { commandUnavailable, describeWhen } from "../../support/requirements.ts";
import { FIXTURES, loadFixture } from "./fixture.ts";

const maps = loadFixture("maps.o").maps;
const map = (name: string) => maps.find((m) => m.name === name);

test("every map of maps.c, in the order of .maps", () => {
  expect(maps.map((m) => m.name)).toEqual(["ipcache", "endpoints", "metrics", "conntrack", "config", "per_cpu_counts", "events", "calls"]);
});

test("key and value sizes come from __type(key/value, T) as sizeof(T)", () => {
  // struct endpoint_info { __u32 ifindex; __u16 flags; __u8 mac[6]; __u64 counter; } is 24 bytes.
  expect(map("endpoints")).toEqual({
    name: "endpoints",
    type: MapType.HASH,
    typeName: "HASH",
    keySize: 4,
    valueSize: 24,
    maxEntries: 1024,
    flags: 0,
    pinning: "none",
    section: ".maps",
  });
  expect(map("config")).toMatchObject({ typeName: "ARRAY", keySize: 4, valueSize: 32, maxEntries: 8 }); // __u64[4]
  expect(map("metrics")).toMatchObject({ typeName: "PERCPU_ARRAY", keySize: 4, valueSize: 8, maxEntries: 256 });
  expect(map("per_cpu_counts")).toMatchObject({ typeName: "PERCPU_HASH", keySize: 8, valueSize: 4, maxEntries: 128 });
});

test("key and value sizes from __uint(key_size/value_size, N), and pinning by name", () => {
  expect(map("conntrack")).toMatchObject({ type: 9, typeName: "LRU_HASH", keySize: 16, valueSize: 24, maxEntries: 65536, pinning: "by-name" });
  expect(map("calls")).toMatchObject({ type: 3, typeName: "PROG_ARRAY", keySize: 4, valueSize: 4, maxEntries: 4 });
});

test("map_flags, as the LPM trie needs BPF_F_NO_PREALLOC", () => {
  expect(map("ipcache")).toMatchObject({ type: 11, typeName: "LPM_TRIE", keySize: 8, valueSize: 4, maxEntries: 512, flags: MapFlag.NO_PREALLOC });
});

test("a ring buffer has neither key nor value, as the kernel wants", () => {
  expect(map("events")).toMatchObject({ type: 27, typeName: "RINGBUF", keySize: 0, valueSize: 0, maxEntries: 4096 });
});

test("BTF-defined maps carry no initial data or variables", () => {
  for (const m of maps) expect(m.initialData === undefined && m.variables === undefined).toBe(true);
});

describeWhen(commandUnavailable("bpftool", ["version"]), "maps cross-checked against bpftool btf dump", () => {
  test("each map's type and max_entries are the array lengths bpftool shows for its __uint members", () => {
    const dump = execFileSync("bpftool", ["btf", "dump", "file", `${FIXTURES}maps.o`, "format", "raw"], { encoding: "utf8" });
    const types = new Map<number, string>();
    for (const block of dump.split(/\n(?=\[\d+\])/)) types.set(Number(/^\[(\d+)\]/.exec(block)?.[1]), block);
    const arrayLength = (ptrId: number): number => {
      const target = Number(/type_id=(\d+)/.exec(types.get(ptrId) ?? "")?.[1]);
      return Number(/nr_elems=(\d+)/.exec(types.get(target) ?? "")?.[1]);
    };
    for (const m of maps) {
      const varBlock = [...types.values()].find((block) => block.includes(`VAR '${m.name}'`)) ?? "";
      const struct = types.get(Number(/type_id=(\d+)/.exec(varBlock)?.[1])) ?? "";
      const member = (name: string) => Number(new RegExp(`'${name}' type_id=(\\d+)`).exec(struct)?.[1]);
      expect(arrayLength(member("type")), m.name).toBe(m.type);
      expect(arrayLength(member("max_entries")), m.name).toBe(m.maxEntries);
    }
  });
});
