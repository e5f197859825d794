// The loader's public entry: a clang-14 BPF ELF relocatable object in, a plain
// BpfObject out (spec.ts describes every field). Each step is a file of its
// own: elf.ts, btf.ts, btf-ext.ts, maps.ts, global-data.ts, programs.ts,
// relocations.ts, code.ts and link.ts.

import { parseLineInfo, type LineInfoBySection } from "./btf-ext.ts";
import { parseBtf } from "./btf.ts";
import { readCodeSections } from "./code.ts";
import { parseElf } from "./elf.ts";
import { LoaderError } from "./errors.ts";
import { readGlobalData } from "./global-data.ts";
import { linkProgram } from "./link.ts";
import { MAPS_SECTION, readBtfMaps } from "./maps.ts";
import { programTypeOfSection, SUPPORTED_SECTIONS } from "./programs.ts";
import { type BpfObject, type ProgramSpec } from "./spec.ts";
import { ByteReader } from "./bytes.ts";

export { LoaderError } from "./errors.ts";
export { setVariables, type VariableValue } from "./global-data.ts";
export { resolveMapReferences } from "./resolve.ts";
export { lineInfoAt, sourceLocation } from "./source-location.ts";
export { AttachType, MapFlag, MapType, ProgramType } from "./kernel-enums.ts";
export type * from "./spec.ts";

const TEXT_SECTION = ".text";

/** Throws a LoaderError naming the file, section and instruction for anything it cannot load. */
export function loadObject(bytes: Uint8Array, fileName: string): BpfObject {
  const elf = parseElf(bytes, fileName);
  const section = (name: string) => elf.sections.find((s) => s.name === name);
  const refuse = (name: string, detail: string): void => {
    if (section(name)) throw new LoaderError(detail, { file: fileName, section: name });
  };
  refuse("maps", 'legacy map definitions (struct bpf_map_def in SEC("maps")) are not supported: declare maps with __uint/__type in SEC(".maps")');
  refuse(".struct_ops", "struct_ops maps are not supported");

  const btfSection = section(".BTF");
  const btf = btfSection && parseBtf(btfSection.data, fileName);
  const extSection = section(".BTF.ext");
  const lineInfo: LineInfoBySection = btf && extSection ? parseLineInfo(extSection.data, btf.strings, fileName) : new Map();
  const licenseSection = section("license");
  const license = licenseSection ? new ByteReader(licenseSection.data, fileName, "license").cString(0, "the license string") : "";

  const mapsSection = section(MAPS_SECTION);
  const maps = [...(mapsSection ? readBtfMaps(elf, mapsSection, btf) : []), ...readGlobalData(elf, btf)];
  const code = readCodeSections(elf, maps, lineInfo);

  const programs: ProgramSpec[] = [];
  for (const { section: codeSection, functions } of code.values()) {
    if (codeSection.name === TEXT_SECTION) continue;
    const where = { file: fileName, section: codeSection.name };
    const kind = programTypeOfSection(codeSection.name);
    if (!kind) {
      throw new LoaderError(
        `unsupported program section; the supported ones are ${SUPPORTED_SECTIONS.join(", ")} ("+" meaning "name" or "name/anything")`,
        where,
      );
    }
    if (functions.length === 0) throw new LoaderError("the section has code but no function symbol", where);
    for (const fn of functions) {
      if (!fn.global) {
        throw new LoaderError(`static function "${fn.name}" in a program section: programs must be global, subprograms belong in .text`, where);
      }
      programs.push({ name: fn.name, section: codeSection.name, ...kind, ...linkProgram(fn, code, fileName), license });
    }
  }
  return { file: fileName, license, maps: maps.map((placed) => placed.spec), programs };
}
