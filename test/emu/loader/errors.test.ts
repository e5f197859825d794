// Bad input: each refused object names the file, the section and, where there
// is one, the instruction; corrupted and truncated files give a LoaderError,
// never another exception.

import { expect, test } from "vitest";
import { parseElf } from "../../../emu/loader/elf.ts";
import { loadObject, LoaderError } from "../../../emu/loader/object.ts";
import { fixtureBytes, GOOD_FIXTURES, loadFixture } from "./fixture.ts";

function loaderError(load: () => unknown): LoaderError {
  try {
    load();
  } catch (error) {
    if (error instanceof LoaderError) return error;
    throw error;
  }
  throw new Error("expected a LoaderError, but the object loaded");
}

const patched = (name: string, patch: (bytes: Uint8Array, view: DataView) => void): Uint8Array => {
  const bytes = fixtureBytes(name).slice();
  patch(bytes, new DataView(bytes.buffer));
  return bytes;
};

/** The file offset of a section's contents, found with the loader's own ELF reader. */
const sectionOffset = (bytes: Uint8Array, name: string): number => {
  const section = parseElf(bytes, "x").sections.find((s) => s.name === name);
  if (!section) throw new Error(`no section ${name}`);
  return section.data.byteOffset;
};

test("an unknown map type names the map", () => {
  const error = loaderError(() => loadFixture("bad_map_type.o"));
  expect(error).toMatchObject({ file: "bad_map_type.o", section: ".maps", index: undefined });
  expect(error.message).toBe('bad_map_type.o: section .maps: map "mystery" has unknown map type 99');
});

test("an unsupported program section lists what is supported", () => {
  const error = loaderError(() => loadFixture("bad_section.o"));
  expect(error).toMatchObject({ section: "fentry/tcp_connect" });
  expect(error.message).toMatch(/^bad_section.o: section fentry\/tcp_connect: unsupported program section; the supported ones are socket, tc, /);
});

test("an extern names the section, the instruction, its disassembly and the symbol", () => {
  const error = loaderError(() => loadFixture("bad_extern.o"));
  expect(error).toMatchObject({ file: "bad_extern.o", section: "tc", index: 0, instruction: "lddw %r1, 0x0" });
  expect(error.message).toBe(
    'bad_extern.o: section tc: instruction 0 (lddw %r1, 0x0): R_BPF_64_64 against "LINUX_KERNEL_VERSION": ' +
      "extern symbols (__kconfig, __ksym) are not supported: define the value in the object, or use a volatile const",
  );
});

test("a pointer in global data is refused rather than left pointing nowhere", () => {
  expect(loaderError(() => loadFixture("bad_data_pointer.o")).message).toBe(
    "bad_data_pointer.o: section .data: pointers in global data (relocations within the section) are not supported",
  );
});

test("an unsupported relocation type names the section, instruction, type and symbol", () => {
  // Turn the first relocation of maps.o's tc section (R_BPF_64_64 against ipcache) into R_BPF_64_ABS64.
  const bytes = patched("maps.o", (b, view) => view.setUint32(sectionOffset(b, ".reltc") + 8, 2, true));
  const error = loaderError(() => loadObject(bytes, "maps.o"));
  expect(error.message).toBe(
    'maps.o: section tc: instruction 9 (lddw %r1, 0x0): R_BPF_64_ABS64 against "ipcache": this relocation type is not supported in code',
  );
});

test("a call that leads outside every function is refused at the call", () => {
  // classify's call to hash_port (imm -1 against the hash_port symbol) redirected 100 instructions further.
  const bytes = patched("subprograms.o", (b, view) => view.setInt32(sectionOffset(b, "tc") + 8 + 4, 99, true));
  const error = loaderError(() => loadObject(bytes, "subprograms.o"));
  expect(error).toMatchObject({ section: "tc", index: 1, instruction: "call local +99" });
  expect(error.detail).toBe("the call leads to instruction 100 of .text, which is in no function");
});

test("a static function in a program section is refused, as libbpf refuses it", () => {
  const bytes = patched("tail_call.o", (b) => {
    const elf = parseElf(b, "x");
    const symtab = elf.sections.find((s) => s.name === ".symtab");
    const entry = elf.symbols.find((s) => s.name === "entry");
    if (!symtab || !entry) throw new Error("fixture changed");
    b[symtab.data.byteOffset + entry.index * 24 + 4] &= 0x0f; // binding LOCAL
  });
  expect(loaderError(() => loadObject(bytes, "tail_call.o")).message).toBe(
    'tail_call.o: section tc: static function "entry" in a program section: programs must be global, subprograms belong in .text',
  );
});

test('legacy maps in SEC("maps") are refused with the way to declare them', () => {
  // Point .maps' name one byte further: "maps".
  const bytes = patched("tail_call.o", (b, view) => {
    const elf = parseElf(b, "x");
    const maps = elf.sections.find((s) => s.name === ".maps");
    if (!maps) throw new Error("fixture changed");
    const header = Number(view.getBigUint64(0x28, true)) + maps.index * 64;
    view.setUint32(header, view.getUint32(header, true) + 1, true);
  });
  expect(loaderError(() => loadObject(bytes, "tail_call.o")).message).toMatch(
    /section maps: legacy map definitions .* declare maps with __uint\/__type in SEC\("\.maps"\)/,
  );
});

test.each([
  ["bad magic", (b: Uint8Array) => (b[0] = 0), "tail_call.o: ELF header: not an ELF file (bad magic)"],
  ["ELF32", (b: Uint8Array) => (b[4] = 1), "not a 64-bit ELF file"],
  ["big-endian", (b: Uint8Array) => (b[5] = 2), "not a little-endian ELF file"],
  ["an executable", (b: Uint8Array) => (b[16] = 2), "e_type is 2, not a relocatable object (ET_REL)"],
  ["another machine", (b: Uint8Array) => (b[18] = 62), "e_machine is 62, not BPF (247); compile with -target bpf"],
  [
    "a section table past the end",
    (b: Uint8Array) => (b[0x2d] = 0x7f),
    "tail_call.o: section table: truncated: 27 section headers needs 1728 bytes at offset 139637976731336",
  ],
])("a file with %s is refused", (_, patch, message) => {
  const error = loaderError(() =>
    loadObject(
      patched("tail_call.o", (b) => patch(b)),
      "tail_call.o",
    ),
  );
  expect(error.message).toContain(message);
});

test("an empty file is not an ELF file", () => {
  expect(loaderError(() => loadObject(new Uint8Array(0), "empty.o")).message).toBe("empty.o: ELF header: not an ELF file (bad magic)");
});

/** A small deterministic generator (mulberry32), so that a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const loadsOrRefuses = (bytes: Uint8Array, name: string): "loaded" | "refused" => {
  try {
    loadObject(bytes, name);
    return "loaded";
  } catch (error) {
    if (error instanceof LoaderError) return "refused";
    throw new Error(`${name}: ${String(error)}`);
  }
};

test.each(GOOD_FIXTURES)("%s: every truncation is refused with a LoaderError", (name) => {
  const bytes = fixtureBytes(name);
  for (let length = 0; length < bytes.byteLength; length += 7) {
    expect(loadsOrRefuses(bytes.subarray(0, length), `${name}[0..${length}]`)).toBe("refused");
  }
});

test.each(GOOD_FIXTURES)("%s: random corruption loads or gives a LoaderError, never another exception", (name) => {
  const bytes = fixtureBytes(name);
  const next = random(name.length * 7919);
  const outcomes = { loaded: 0, refused: 0 };
  for (let trial = 0; trial < 1500; trial++) {
    const corrupted = bytes.slice();
    const flips = 1 + Math.floor(next() * 4);
    for (let f = 0; f < flips; f++) corrupted[Math.floor(next() * corrupted.byteLength)] = Math.floor(next() * 256);
    outcomes[loadsOrRefuses(corrupted, `${name} trial ${trial}`)]++;
  }
  expect(outcomes.loaded + outcomes.refused).toBe(1500);
});
