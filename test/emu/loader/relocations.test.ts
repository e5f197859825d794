import { execFileSync } from "node:child_process";
import { expect, test } from "vitest";
import { PseudoLoad, LDDW } from "../../../emu/isa/opcodes.ts";
import { resolveMapReferences } from "../../../emu/loader/object.ts";
import { validate } from "../../../emu/validate/validate.ts";
import { commandUnavailable, describeWhen } from "../../support/requirements.ts";
import { FIXTURES, GOOD_FIXTURES, loadFixture, program } from "./fixture.ts";

test("map references are pseudo MAP_FD loads with imm 0 and a relocation naming the map", () => {
  const useMaps = program(loadFixture("maps.o"), "use_maps");
  expect(useMaps.relocations.map((r) => [r.index, r.kind, r.map, r.offset])).toEqual([
    [9, "map", "ipcache", 0],
    [15, "map", "endpoints", 0],
    [20, "map", "metrics", 0],
    [36, "map", "conntrack", 0],
    [42, "map", "config", 0],
    [48, "map", "per_cpu_counts", 0],
    [54, "map", "events", 0],
    [60, "map", "calls", 0],
  ]);
  for (const { index } of useMaps.relocations) {
    expect(useMaps.instructions[index]).toMatchObject({ opcode: LDDW, src: PseudoLoad.MAP_FD, imm: 0 });
    expect(useMaps.instructions[index + 1].imm).toBe(0);
  }
});

test("global data references are pseudo MAP_VALUE loads whose second slot holds the variable's offset", () => {
  const count = program(loadFixture("global_data.o"), "count_packets");
  expect(count.relocations.map((r) => [r.index, r.kind, r.map, r.offset])).toEqual([
    [1, "map-value", ".data", 0], // packets
    [6, "map-value", ".data", 8], // static_counter, through the .data section symbol with offset 8 in imm
    [12, "map-value", ".bss", 0], // last_seen
    [15, "map-value", ".rodata", 4], // node_mac
    [20, "map-value", ".rodata.limits", 0], // mtu
    [30, "map-value", ".bss", 8], // drops
    [37, "map-value", ".data.tunnel", 0], // tunnel_port
    [40, "map-value", ".rodata", 0], // node_id
  ]);
  for (const { index, offset } of count.relocations) {
    expect(count.instructions[index]).toMatchObject({ opcode: LDDW, src: PseudoLoad.MAP_VALUE, imm: 0 });
    expect(count.instructions[index + 1].imm).toBe(offset);
  }
});

test("resolveMapReferences turns references into plain lddw of the map's address plus offset", () => {
  const count = program(loadFixture("global_data.o"), "count_packets");
  const resolved = resolveMapReferences(count, (map) => (map === ".data" ? 0x1_0000_1000n : 0x2000n));
  expect(resolved[6]).toMatchObject({ opcode: LDDW, src: PseudoLoad.IMM64, imm: 0x1008 });
  expect(resolved[7].imm).toBe(1);
  expect(count.instructions[6].src).toBe(PseudoLoad.MAP_VALUE); // the spec is untouched
});

test("every program of every fixture passes the validator once its maps have addresses", () => {
  for (const file of GOOD_FIXTURES) {
    const object = loadFixture(file);
    const addresses = new Map(object.maps.map((m, i) => [m.name, BigInt(0x10000 * (i + 1))]));
    for (const p of object.programs) {
      const address = (map: string): bigint => addresses.get(map) ?? expect.unreachable(`unknown map ${map}`);
      expect(() => validate(resolveMapReferences(p, address), { initializedAtEntry: [1] }), `${file} ${p.name}`).not.toThrow();
    }
  }
});

describeWhen(commandUnavailable("llvm-objdump-14"), "relocations cross-checked against llvm-objdump-14 -dr", () => {
  test.each(["maps.o", "tail_call.o"])("%s: each map relocation sits where llvm-objdump shows R_BPF_64_64 against that map", (file) => {
    const listing = execFileSync("llvm-objdump-14", ["-dr", `${FIXTURES}${file}`], { encoding: "utf8" });
    const fromObjdump = [...listing.matchAll(/\n\s+(\d+):[^\n]*\n\s+[0-9a-f]+:\s+R_BPF_64_64\s+(\S+)/g)].map((m) => [Number(m[1]), m[2]]);
    const ours = loadFixture(file).programs.flatMap((p) => p.relocations.map((r) => [r.index, r.map]));
    expect(ours).toEqual(fromObjdump);
  });
});
