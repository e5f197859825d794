// Mutants of a BPF object (ELF64, little-endian, as clang writes them): bit
// flips, truncations, ELF and section header damage, and damage aimed at the
// parts the loader interprets: BTF and BTF.ext headers and types, the .maps
// section, relocations, the symbol table, string tables and the programs'
// instructions.

import type { FuzzRandom } from "./fuzz-random.ts";

export const ELF_FAMILIES = [
  "bits",
  "truncate",
  "elf-header",
  "section-header",
  "btf",
  "btf-ext",
  "maps",
  "relocations",
  "symbols",
  "strings",
  "code",
] as const;
export type ElfFamily = (typeof ELF_FAMILIES)[number];

export interface ElfMutant {
  readonly family: ElfFamily;
  readonly operator: string;
  readonly bytes: Uint8Array;
}

interface Section {
  name: string;
  type: number;
  /** Where the section's header is. */
  header: number;
  offset: number;
  size: number;
}

const SHT_SYMTAB = 2;
const SHT_STRTAB = 3;
const SHT_REL = 9;
const SH_FIELDS: readonly [string, number, 4 | 8][] = [
  ["sh_name", 0, 4],
  ["sh_type", 4, 4],
  ["sh_flags", 8, 8],
  ["sh_offset", 24, 8],
  ["sh_size", 32, 8],
  ["sh_link", 40, 4],
  ["sh_info", 44, 4],
  ["sh_addralign", 48, 8],
  ["sh_entsize", 56, 8],
];
const EH_FIELDS: readonly [string, number, 1 | 2 | 4 | 8][] = [
  ["EI_CLASS", 4, 1],
  ["EI_DATA", 5, 1],
  ["EI_VERSION", 6, 1],
  ["e_type", 16, 2],
  ["e_machine", 18, 2],
  ["e_shoff", 40, 8],
  ["e_ehsize", 52, 2],
  ["e_shentsize", 58, 2],
  ["e_shnum", 60, 2],
  ["e_shstrndx", 62, 2],
];

function sections(bytes: Uint8Array): Section[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shoff = Number(view.getBigUint64(40, true));
  const count = view.getUint16(60, true);
  const names = shoff + view.getUint16(62, true) * 64;
  const namesOffset = Number(view.getBigUint64(names + 24, true));
  const result: Section[] = [];
  for (let index = 0; index < count; index++) {
    const header = shoff + index * 64;
    let end = namesOffset + view.getUint32(header, true);
    const start = end;
    while (bytes[end] !== 0) end++;
    result.push({
      name: Buffer.from(bytes.subarray(start, end)).toString("latin1"),
      type: view.getUint32(header + 4, true),
      header,
      offset: Number(view.getBigUint64(header + 24, true)),
      size: Number(view.getBigUint64(header + 32, true)),
    });
  }
  return result;
}

/** Values that break a field: zero, all ones, one past, the file's size, a huge one. */
function hostileValue(random: FuzzRandom, width: number, current: bigint, fileSize: number): bigint {
  const ones = (1n << BigInt(width * 8)) - 1n;
  const candidates = [
    0n,
    ones,
    ones >> 1n,
    current + 1n,
    current - 1n,
    current * 2n,
    BigInt(fileSize),
    BigInt(fileSize) + 1n,
    0x7fffffffn,
    0x10000n,
    BigInt(random.int(0, 0xffff)),
  ];
  return BigInt.asUintN(width * 8, random.pick(candidates));
}

function setField(bytes: Uint8Array, at: number, width: number, value: bigint): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (width === 1) view.setUint8(at, Number(value));
  else if (width === 2) view.setUint16(at, Number(value), true);
  else if (width === 4) view.setUint32(at, Number(value), true);
  else view.setBigUint64(at, value, true);
}

function getField(bytes: Uint8Array, at: number, width: number): bigint {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return width === 1
    ? BigInt(view.getUint8(at))
    : width === 2
      ? BigInt(view.getUint16(at, true))
      : width === 4
        ? BigInt(view.getUint32(at, true))
        : view.getBigUint64(at, true);
}

/** Damages bytes inside [start, start + length): flips, a hostile 32-bit word, or zeroes. */
function damageRange(bytes: Uint8Array, start: number, length: number, random: FuzzRandom): string {
  if (length <= 0) return "empty";
  const at = start + random.int(0, length - 1);
  const how = random.pick(["flip", "word", "zero", "ones"]);
  if (how === "flip") bytes[at] ^= 1 << random.int(0, 7);
  else if (how === "word" && at + 4 <= bytes.length) setField(bytes, at & ~3, 4, hostileValue(random, 4, getField(bytes, at & ~3, 4), bytes.length));
  else if (how === "zero") bytes.fill(0, at, Math.min(at + random.int(1, 16), start + length));
  else bytes.fill(0xff, at, Math.min(at + random.int(1, 16), start + length));
  return `${how}@${at}`;
}

/** One field of a random entry of a table of `entrySize`-byte entries (relocations, symbols) given a hostile value. */
function mutateEntry(
  bytes: Uint8Array,
  table: Section,
  entrySize: number,
  random: FuzzRandom,
  fields: readonly (readonly [string, number, number])[],
): { index: number; field: string; value: bigint } {
  const index = random.int(0, Math.max(0, table.size / entrySize - 1));
  const [field, at, width] = random.pick(fields);
  const entry = table.offset + entrySize * index;
  const value = hostileValue(random, width, getField(bytes, entry + at, width), bytes.length);
  setField(bytes, entry + at, width, value);
  return { index, field, value };
}

function inSection(bytes: Uint8Array, section: Section | undefined, random: FuzzRandom, what: (section: Section) => string): string {
  if (!section || section.offset + section.size > bytes.length) return "absent";
  return what(section);
}

export function elfMutant(base: { name: string; bytes: Uint8Array }, random: FuzzRandom, index: number): ElfMutant & { base: string } {
  const family = ELF_FAMILIES[index % ELF_FAMILIES.length];
  const bytes = new Uint8Array(base.bytes);
  const all = sections(bytes);
  const named = (name: string) => all.find((section) => section.name === name);
  let operator: string;
  if (family === "bits") {
    const flips = random.int(1, 16);
    for (let i = 0; i < flips; i++) bytes[random.int(0, bytes.length - 1)] ^= 1 << random.int(0, 7);
    operator = `${flips} bit flips`;
  } else if (family === "truncate") {
    const boundaries = all.flatMap((section) => [section.offset, section.offset + section.size]);
    const at = random.chance(0.5) ? random.pick([0, 1, 4, 16, 63, 64, ...boundaries]) : random.int(0, bytes.length - 1);
    return { family, base: base.name, operator: `truncated at ${at}`, bytes: bytes.subarray(0, at) };
  } else if (family === "elf-header") {
    const [field, at, width] = random.pick(EH_FIELDS);
    const value = hostileValue(random, width, getField(bytes, at, width), bytes.length);
    setField(bytes, at, width, value);
    operator = `${field}=${value}`;
  } else if (family === "section-header") {
    const section = random.pick(all);
    const [field, at, width] = random.pick(SH_FIELDS);
    const value = hostileValue(random, width, getField(bytes, section.header + at, width), bytes.length);
    setField(bytes, section.header + at, width, value);
    operator = `${section.name || "(null)"}.${field}=${value}`;
  } else if (family === "btf" || family === "btf-ext") {
    const section = named(family === "btf" ? ".BTF" : ".BTF.ext");
    operator = inSection(bytes, section, random, (s) => {
      // The header's words (magic, version, flags, hdr_len, then offsets and lengths), or anywhere after it.
      if (random.chance(0.4)) {
        const at = s.offset + random.pick([0, 2, 3, 4, 8, 12, 16, 20, 24, 28]);
        const width = at - s.offset < 4 ? (at - s.offset === 0 ? 2 : 1) : 4;
        const value = hostileValue(random, width, getField(bytes, at, width), s.size);
        setField(bytes, at, width, value);
        return `header+${at - s.offset}=${value}`;
      }
      return damageRange(bytes, s.offset + 24, s.size - 24, random);
    });
  } else if (family === "maps") {
    operator = inSection(bytes, named(".maps") ?? named(".rodata"), random, (s) => `${s.name} ${damageRange(bytes, s.offset, s.size, random)}`);
  } else if (family === "relocations") {
    const relocations = all.filter((section) => section.type === SHT_REL);
    operator = inSection(bytes, relocations.length > 0 ? random.pick(relocations) : undefined, random, (s) => {
      // r_offset, the symbol index (r_info's high word) or the type (its low word).
      const { index, field, value } = mutateEntry(bytes, s, 16, random, [
        ["r_offset", 0, 8],
        ["r_type", 8, 4],
        ["r_sym", 12, 4],
      ]);
      return `${s.name}[${index}].${field}=${value}`;
    });
  } else if (family === "symbols") {
    operator = inSection(
      bytes,
      all.find((section) => section.type === SHT_SYMTAB),
      random,
      (s) => {
        const { index, field, value } = mutateEntry(bytes, s, 24, random, [
          ["st_name", 0, 4],
          ["st_info", 4, 1],
          ["st_shndx", 6, 2],
          ["st_value", 8, 8],
          ["st_size", 16, 8],
        ]);
        return `symbol ${index}.${field}=${value}`;
      },
    );
  } else if (family === "strings") {
    const tables = all.filter((section) => section.type === SHT_STRTAB);
    operator = inSection(bytes, tables.length > 0 ? random.pick(tables) : undefined, random, (s) => {
      // Without its terminators a name runs to the end of the section (or the file).
      if (random.chance(0.5)) {
        for (let at = s.offset; at < s.offset + s.size; at++) if (bytes[at] === 0) bytes[at] = 0x41;
        return `${s.name} unterminated`;
      }
      return `${s.name} ${damageRange(bytes, s.offset, s.size, random)}`;
    });
  } else {
    const code = all.filter((section) => section.type === 1 && /^(tc|xdp|cgroup|\.text|classifier|socket)/.test(section.name) && section.size >= 8);
    operator = inSection(bytes, code.length > 0 ? random.pick(code) : undefined, random, (s) => {
      const slot = s.offset + 8 * random.int(0, s.size / 8 - 1);
      // An instruction's opcode, registers, offset or immediate.
      const [field, at, width] = random.pick([
        ["opcode", 0, 1],
        ["regs", 1, 1],
        ["off", 2, 2],
        ["imm", 4, 4],
      ] as const);
      const value =
        field === "opcode" || field === "regs" ? BigInt(random.int(0, 255)) : hostileValue(random, width, getField(bytes, slot + at, width), s.size);
      setField(bytes, slot + at, width, value);
      return `${s.name} insn ${(slot - s.offset) / 8}.${field}=${value}`;
    });
  }
  return { family, base: base.name, operator, bytes };
}
