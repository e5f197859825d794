// The executable sections of an object, each decoded once: its instructions,
// the functions the symbol table places in it, what its relocations refer to,
// and its line info. Programs are then assembled from these pieces (link.ts).

import { decodeInstructions, type Instruction } from "../isa/instruction.ts";
import { INSTRUCTION_BYTES } from "../isa/opcodes.ts";
import { type SectionLineInfo, type LineInfoBySection } from "./btf-ext.ts";
import { type ElfFile, type ElfSection, SectionFlag, SectionType, SymbolBinding, SymbolType } from "./elf.ts";
import { LoaderError } from "./errors.ts";
import { type PlacedMap } from "./maps.ts";
import { type CodeReference, readReferences } from "./relocations.ts";

export interface CodeFunction {
  name: string;
  sectionIndex: number;
  /** First instruction, within the section. */
  start: number;
  /** One past the last instruction. */
  end: number;
  global: boolean;
}

export interface CodeSection {
  section: ElfSection;
  instructions: Instruction[];
  functions: CodeFunction[];
  references: Map<number, CodeReference>;
  lineInfo: SectionLineInfo[];
}

export const isCodeSection = (section: ElfSection): boolean =>
  section.type === SectionType.PROGBITS && (section.flags & SectionFlag.EXECINSTR) !== 0 && section.size > 0;

export function readCodeSections(elf: ElfFile, maps: readonly PlacedMap[], lineInfo: LineInfoBySection): Map<number, CodeSection> {
  const sections = new Map<number, CodeSection>();
  for (const section of elf.sections.filter(isCodeSection)) {
    const fail = (detail: string): never => {
      throw new LoaderError(detail, { file: elf.file, section: section.name });
    };
    if (section.size % INSTRUCTION_BYTES !== 0) fail(`size ${section.size} is not a multiple of ${INSTRUCTION_BYTES} bytes`);
    const instructions = decodeInstructions(section.data);
    const functions = elf.symbols
      .filter((symbol) => symbol.type === SymbolType.FUNC && symbol.sectionIndex === section.index)
      .map((symbol): CodeFunction => {
        const start = symbol.value / INSTRUCTION_BYTES;
        const end = start + symbol.size / INSTRUCTION_BYTES;
        if (!Number.isInteger(start) || !Number.isInteger(end) || end <= start || end > instructions.length) {
          fail(`function "${symbol.name}" (${symbol.size} bytes at ${symbol.value}) does not cover whole instructions of the section`);
        }
        return { name: symbol.name, sectionIndex: section.index, start, end, global: symbol.binding !== SymbolBinding.LOCAL };
      })
      .sort((a, b) => a.start - b.start);
    functions.forEach((fn, i) => {
      const next = functions[i + 1];
      if (next && next.start < fn.end) fail(`functions "${fn.name}" and "${next.name}" overlap`);
    });
    sections.set(section.index, {
      section,
      instructions,
      functions,
      references: readReferences(elf, section, instructions, maps),
      lineInfo: lineInfo.get(section.name) ?? [],
    });
  }
  return sections;
}
