// ELF64 little-endian relocatable objects as clang's BPF target writes them:
// the section table, the symbol table and the REL relocation sections. Only
// what a BPF object uses is read; anything else about the file is checked
// just enough to refuse what is not a BPF object.

import { ByteReader } from "./bytes.ts";

export const EM_BPF = 247;
const ET_REL = 1;
const ELFCLASS64 = 2;
const ELFDATA2LSB = 1;
const ELF_HEADER_BYTES = 64;
const SECTION_HEADER_BYTES = 64;
const SYMBOL_BYTES = 24;
const REL_BYTES = 16;

export const SectionType = { NULL: 0, PROGBITS: 1, SYMTAB: 2, STRTAB: 3, RELA: 4, NOBITS: 8, REL: 9 } as const;
export const SectionFlag = { WRITE: 0x1, ALLOC: 0x2, EXECINSTR: 0x4 } as const;
export const SymbolType = { NOTYPE: 0, OBJECT: 1, FUNC: 2, SECTION: 3, FILE: 4 } as const;
export const SymbolBinding = { LOCAL: 0, GLOBAL: 1, WEAK: 2 } as const;
/** The st_shndx of an undefined symbol: an extern that the object expects its loader to provide. */
export const SHN_UNDEF = 0;

export const RelocationType = {
  R_BPF_NONE: 0,
  R_BPF_64_64: 1,
  R_BPF_64_ABS64: 2,
  R_BPF_64_ABS32: 3,
  R_BPF_64_NODYLD32: 4,
  R_BPF_64_32: 10,
} as const;
export const relocationTypeName = (type: number): string => Object.entries(RelocationType).find(([, code]) => code === type)?.[0] ?? `relocation type ${type}`;

export interface ElfSection {
  index: number;
  name: string;
  type: number;
  flags: number;
  /** The section's bytes; empty for NOBITS (.bss), whose `size` zero bytes exist only at load. */
  data: Uint8Array;
  size: number;
  link: number;
  info: number;
}

export interface ElfSymbol {
  index: number;
  name: string;
  type: number;
  binding: number;
  /** The index of the section the symbol lives in, or a SpecialSection value. */
  sectionIndex: number;
  value: number;
  size: number;
}

export interface ElfRelocation {
  /** Byte offset in the section the relocation applies to. */
  offset: number;
  symbol: number;
  type: number;
}

export interface ElfFile {
  file: string;
  sections: ElfSection[];
  symbols: ElfSymbol[];
  /** REL entries by the index of the section they apply to. */
  relocations: Map<number, ElfRelocation[]>;
}

export function parseElf(bytes: Uint8Array, file: string): ElfFile {
  const header = new ByteReader(bytes, file, undefined, "ELF header");
  if (bytes.byteLength < 4 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) {
    header.fail("not an ELF file (bad magic)");
  }
  if (header.u8(4, "EI_CLASS") !== ELFCLASS64) header.fail("not a 64-bit ELF file (BPF objects are ELF64)");
  if (header.u8(5, "EI_DATA") !== ELFDATA2LSB) header.fail("not a little-endian ELF file (compile with -target bpf, i.e. bpfel)");
  const type = header.u16(16, "e_type");
  if (type !== ET_REL) header.fail(`e_type is ${type}, not a relocatable object (ET_REL); compile with -c`);
  const machine = header.u16(18, "e_machine");
  if (machine !== EM_BPF) header.fail(`e_machine is ${machine}, not BPF (${EM_BPF}); compile with -target bpf`);
  header.slice(0, ELF_HEADER_BYTES, "ELF header");
  const sectionTableOffset = header.u64(0x28, "e_shoff");
  const sectionHeaderSize = header.u16(0x3a, "e_shentsize");
  const sectionCount = header.u16(0x3c, "e_shnum");
  const namesIndex = header.u16(0x3e, "e_shstrndx");
  if (sectionHeaderSize !== SECTION_HEADER_BYTES) header.fail(`e_shentsize is ${sectionHeaderSize}, not ${SECTION_HEADER_BYTES}`);
  if (sectionCount === 0) header.fail("the object has no section table (e_shnum is 0)");
  if (namesIndex >= sectionCount) header.fail(`e_shstrndx ${namesIndex} is not a section (there are ${sectionCount})`);

  const table = new ByteReader(bytes, file, undefined, "section table");
  table.slice(sectionTableOffset, sectionCount * SECTION_HEADER_BYTES, `${sectionCount} section headers`);
  const raw = Array.from({ length: sectionCount }, (_, index) => {
    const at = sectionTableOffset + index * SECTION_HEADER_BYTES;
    const field = (name: string): string => `section header ${index} ${name}`;
    const sectionType = table.u32(at + 4, field("sh_type"));
    const offset = table.u64(at + 24, field("sh_offset"));
    const size = table.u64(at + 32, field("sh_size"));
    const data =
      sectionType === SectionType.NOBITS || sectionType === SectionType.NULL
        ? new Uint8Array(0)
        : new ByteReader(bytes, file, undefined, `section ${index}`).slice(offset, size, "its contents");
    return {
      nameOffset: table.u32(at, field("sh_name")),
      type: sectionType,
      flags: table.u64(at + 8, field("sh_flags")),
      data,
      size,
      link: table.u32(at + 40, field("sh_link")),
      info: table.u32(at + 44, field("sh_info")),
    };
  });
  const names = new ByteReader(raw[namesIndex].data, file, undefined, "section name table");
  const sections: ElfSection[] = raw.map((section, index) => ({
    index,
    name: index === 0 ? "" : names.cString(section.nameOffset, `the name of section ${index}`),
    type: section.type,
    flags: section.flags,
    data: section.data,
    size: section.size,
    link: section.link,
    info: section.info,
  }));

  const symbols = readSymbols(sections, file);
  const relocations = new Map<number, ElfRelocation[]>();
  for (const section of sections) {
    if (section.type === SectionType.RELA) {
      new ByteReader(section.data, file, section.name).fail("RELA relocations are not supported (clang's BPF target writes REL)");
    }
    if (section.type !== SectionType.REL) continue;
    if (section.info >= sections.length) {
      new ByteReader(section.data, file, section.name).fail(`applies to section ${section.info}, which does not exist`);
    }
    relocations.set(section.info, readRelocations(section, symbols.length, file));
  }
  return { file, sections, symbols, relocations };
}

function readSymbols(sections: readonly ElfSection[], file: string): ElfSymbol[] {
  const tables = sections.filter((section) => section.type === SectionType.SYMTAB);
  if (tables.length === 0) return [];
  if (tables.length > 1) new ByteReader(tables[1].data, file, tables[1].name).fail("a second symbol table");
  const table = tables[0];
  const reader = new ByteReader(table.data, file, table.name);
  if (table.link >= sections.length || sections[table.link].type !== SectionType.STRTAB) {
    reader.fail(`sh_link ${table.link} is not a string table`);
  }
  const strings = new ByteReader(sections[table.link].data, file, sections[table.link].name);
  if (table.data.byteLength % SYMBOL_BYTES !== 0) reader.fail(`size ${table.data.byteLength} is not a multiple of ${SYMBOL_BYTES}`);
  return Array.from({ length: table.data.byteLength / SYMBOL_BYTES }, (_, index) => {
    const at = index * SYMBOL_BYTES;
    const info = reader.u8(at + 4, `symbol ${index} st_info`);
    return {
      index,
      name: strings.cString(reader.u32(at, `symbol ${index} st_name`), `the name of symbol ${index}`),
      type: info & 0xf,
      binding: info >> 4,
      sectionIndex: reader.u16(at + 6, `symbol ${index} st_shndx`),
      value: reader.u64(at + 8, `symbol ${index} st_value`),
      size: reader.u64(at + 16, `symbol ${index} st_size`),
    };
  });
}

function readRelocations(section: ElfSection, symbolCount: number, file: string): ElfRelocation[] {
  const reader = new ByteReader(section.data, file, section.name);
  if (section.data.byteLength % REL_BYTES !== 0) reader.fail(`size ${section.data.byteLength} is not a multiple of ${REL_BYTES}`);
  return Array.from({ length: section.data.byteLength / REL_BYTES }, (_, index) => {
    const at = index * REL_BYTES;
    const symbol = reader.u32(at + 12, `relocation ${index} symbol`);
    if (symbol >= symbolCount) reader.fail(`relocation ${index} names symbol ${symbol}, but there are ${symbolCount}`);
    return {
      offset: reader.u64(at, `relocation ${index} r_offset`),
      symbol,
      type: reader.u32(at + 8, `relocation ${index} type`),
    };
  });
}
