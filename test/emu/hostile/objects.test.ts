// Corrupted objects through the whole load: emu/loader's loadObject, then
// loadIntoVm creating maps and validating programs. Every refusal is a
// LoaderError or an ObjectLoadError naming the file and the section, map or
// program, never a MapError, RangeError or TypeError from deep inside.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, expect, test } from "vitest";
import { parseElf } from "../../../emu/loader/elf.ts";
import { loadObject, LoaderError } from "../../../emu/loader/object.ts";
import { loadIntoVm, ObjectLoadError } from "../../../emu/vm/object.ts";
import { Vm } from "../../../emu/vm/vm.ts";
import { packageRoot } from "../../../src/util/package-root.ts";

const LXC = new Uint8Array(readFileSync(join(packageRoot(), "bpf/bpf_lxc.o")));
const sections = parseElf(LXC, "bpf_lxc.o").sections;
const section = (name: string) => sections.find((s) => s.name === name)!;

let vm: Vm;
beforeAll(async () => {
  vm = await Vm.create();
});

/** "loaded", or the typed refusal's message; anything else is thrown on. */
function load(bytes: Uint8Array): string {
  try {
    loadIntoVm(vm, loadObject(bytes, "bpf_lxc.o"));
    return "loaded";
  } catch (error) {
    if (error instanceof LoaderError || error instanceof ObjectLoadError) return error.message;
    throw error;
  }
}

test("a ring buffer size in .BTF that the kernel refuses names the file, the section and the map", () => {
  // eb_events' max_entries is the element count of a BTF array (__uint(max_entries, 262144)): the only u32 of that value in .BTF.
  const btf = section(".BTF").data;
  const view = new DataView(LXC.buffer, btf.byteOffset, btf.byteLength);
  const at = Array.from({ length: btf.byteLength >> 2 }, (_, k) => k * 4).filter((offset) => view.getUint32(offset, true) === 262144);
  expect(at).toHaveLength(1);
  const bytes = LXC.slice();
  new DataView(bytes.buffer).setUint32(btf.byteOffset + at[0], 262145, true);
  expect(load(bytes)).toBe(
    "bpf_lxc.o: section .maps: map eb_events: create failed: EINVAL (type 27, key_size 0, value_size 0, max_entries 262145, map_flags 0x0)",
  );
});

/** mulberry32, so that a failing trial can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test.each([".BTF", ".reltc", ".BTF.ext", "tc", ".symtab", "ELF header"])("bytes changed in %s load or give a typed refusal", (name) => {
  const next = random(name.length * 7919);
  const [start, length] = name === "ELF header" ? [0, 64] : [section(name).data.byteOffset, section(name).data.byteLength];
  const outcomes = new Set<string>();
  for (let trial = 0; trial < 60; trial++) {
    const bytes = LXC.slice();
    for (let flips = 1 + Math.floor(next() * 6); flips > 0; flips--) bytes[start + Math.floor(next() * length)] = Math.floor(next() * 256);
    const outcome = load(bytes);
    expect(outcome === "loaded" || outcome.startsWith("bpf_lxc.o: "), `trial ${trial}: ${outcome}`).toBe(true);
    outcomes.add(outcome === "loaded" ? "loaded" : "refused");
  }
  // Each part is checked: some corruption of it is refused.
  expect(outcomes).toContain("refused");
});

test("every truncation is a typed refusal", () => {
  for (let length = 0; length < LXC.byteLength; length += 4099) expect(load(LXC.subarray(0, length))).toMatch(/^bpf_lxc\.o: /);
});
