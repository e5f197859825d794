// .BTF.ext: per-section instruction annotations. The loader reads line_info,
// which ties instructions to C source lines so that VM errors can name
// "bpf_lxc.c:123". func_info is not read: function boundaries and names come
// from the ELF symbol table, which every object has.

import { ByteReader } from "./bytes.ts";
import { INSTRUCTION_BYTES } from "../isa/opcodes.ts";

const BTF_MAGIC = 0xeb9f;
const HEADER_BYTES = 24;
const LINE_INFO_RECORD_BYTES = 16;

/** One line_info record, by instruction index within its ELF section. */
export interface SectionLineInfo {
  index: number;
  file: string;
  line: number;
  column: number;
  /** The text of the source line, as clang recorded it. */
  source: string;
}

/** line_info records by ELF section name. */
export type LineInfoBySection = Map<string, SectionLineInfo[]>;

/** `strings` is the string section of .BTF, which .BTF.ext's name offsets point into. */
export function parseLineInfo(bytes: Uint8Array, strings: ByteReader, file: string): LineInfoBySection {
  const reader = new ByteReader(bytes, file, ".BTF.ext");
  const magic = reader.u16(0, "magic");
  if (magic !== BTF_MAGIC) reader.fail(`bad magic 0x${magic.toString(16)} (expected 0x${BTF_MAGIC.toString(16)})`);
  const headerLength = reader.u32(4, "hdr_len");
  if (headerLength < HEADER_BYTES) reader.fail(`hdr_len ${headerLength} is shorter than the ${HEADER_BYTES}-byte header`);
  const lineInfoAt = headerLength + reader.u32(16, "line_info_off");
  const lineInfoLength = reader.u32(20, "line_info_len");
  const bySection: LineInfoBySection = new Map();
  if (lineInfoLength === 0) return bySection;

  const part = new ByteReader(reader.slice(lineInfoAt, lineInfoLength, "line_info"), file, ".BTF.ext", "line_info");
  const recordBytes = part.u32(0, "record size");
  // Newer compilers may append fields to a record; the first four keep their meaning.
  if (recordBytes < LINE_INFO_RECORD_BYTES) part.fail(`record size ${recordBytes} is below ${LINE_INFO_RECORD_BYTES}`);
  const text = (offset: number, field: string): string => strings.cString(offset, field);
  for (let at = 4; at < lineInfoLength;) {
    const section = text(part.u32(at, "section name_off"), "a line_info section name");
    const count = part.u32(at + 4, `the record count of ${section}`);
    at += 8;
    part.slice(at, count * recordBytes, `the ${count} records of ${section}`);
    const records: SectionLineInfo[] = [];
    for (let r = 0; r < count; r++, at += recordBytes) {
      const what = `${section} line_info record ${r}`;
      const byteOffset = part.u32(at, `${what} insn_off`);
      if (byteOffset % INSTRUCTION_BYTES !== 0) part.fail(`${what}: insn_off ${byteOffset} is not a multiple of ${INSTRUCTION_BYTES}`);
      const lineColumn = part.u32(at + 12, `${what} line_col`);
      records.push({
        index: byteOffset / INSTRUCTION_BYTES,
        file: text(part.u32(at + 4, `${what} file_name_off`), `${what} file name`),
        source: text(part.u32(at + 8, `${what} line_off`), `${what} source line`),
        line: lineColumn >>> 10,
        column: lineColumn & 0x3ff,
      });
    }
    bySection.set(section, records);
  }
  return bySection;
}
