// The relocations of a code section, read into what each one means for the
// instruction it patches, as libbpf's bpf_program__record_reloc decides:
//   R_BPF_64_64 on an lddw, against a map in .maps          -> a map reference
//   R_BPF_64_64 on an lddw, against global data              -> a map-value reference (+ offset)
//   R_BPF_64_32 on a bpf-to-bpf call, against a function     -> a call into another section
// Everything else (externs, function pointers, absolute relocations, unknown
// types) is refused with the section, instruction and symbol at fault.

import { disassembleAt } from "../asm/disassemble.ts";
import { type Instruction } from "../isa/instruction.ts";
import { CALL, CallKind, INSTRUCTION_BYTES, LDDW } from "../isa/opcodes.ts";
import { type ElfFile, type ElfSection, RelocationType, relocationTypeName, SectionFlag, SHN_UNDEF } from "./elf.ts";
import { LoaderError } from "./errors.ts";
import { type PlacedMap } from "./maps.ts";

export type CodeReference =
  | { kind: "map"; map: string }
  | { kind: "map-value"; map: string; offset: number }
  /** A call to instruction `target` of section `sectionIndex`. */
  | { kind: "call"; sectionIndex: number; target: number };

/** What each relocated instruction of `section` refers to, by instruction index within the section. */
export function readReferences(
  elf: ElfFile,
  section: ElfSection,
  instructions: readonly Instruction[],
  maps: readonly PlacedMap[],
): Map<number, CodeReference> {
  const references = new Map<number, CodeReference>();
  for (const relocation of elf.relocations.get(section.index) ?? []) {
    const index = relocation.offset / INSTRUCTION_BYTES;
    const symbol = elf.symbols[relocation.symbol];
    const where = { file: elf.file, section: section.name };
    if (!Number.isInteger(index) || index >= instructions.length) {
      throw new LoaderError(`relocation against "${symbol.name}" at byte ${relocation.offset} is not at an instruction`, where);
    }
    const insn = instructions[index];
    const fail = (detail: string): never => {
      throw new LoaderError(`${relocationTypeName(relocation.type)} against "${symbol.name || "(unnamed)"}": ${detail}`, {
        ...where,
        index,
        instruction: disassembleAt(instructions, index),
      });
    };
    if (symbol.sectionIndex === SHN_UNDEF) {
      fail("extern symbols (__kconfig, __ksym) are not supported: define the value in the object, or use a volatile const");
    }
    const target = symbol.sectionIndex < elf.sections.length ? elf.sections[symbol.sectionIndex] : undefined;
    if (!target) return fail(`the symbol is in section ${symbol.sectionIndex}, which does not exist`);

    if (relocation.type === RelocationType.R_BPF_64_64) {
      if (insn.opcode !== LDDW) fail("the instruction is not an lddw");
      if (index + 1 >= instructions.length) fail("the lddw has no second slot");
      if ((target.flags & SectionFlag.EXECINSTR) !== 0) fail("references to functions (callbacks) are not supported");
      const inSection = maps.filter((m) => m.sectionIndex === target.index);
      if (inSection.length === 0) fail(`section ${target.name} holds no map or global data`);
      if (inSection[0].spec.initialData) {
        // Global data: a named variable's offset is its symbol's value; a static one's is in imm.
        references.set(index, { kind: "map-value", map: inSection[0].spec.name, offset: insn.imm + symbol.value });
      } else {
        const map = inSection.find((m) => m.offset === symbol.value);
        if (!map) return fail(`no map is defined at offset ${symbol.value} of ${target.name}`);
        if (insn.imm !== 0) fail(`an lddw of a map carries offset ${insn.imm}`);
        references.set(index, { kind: "map", map: map.spec.name });
      }
    } else if (relocation.type === RelocationType.R_BPF_64_32) {
      if (insn.opcode !== CALL || insn.src !== CallKind.LOCAL) fail("the instruction is not a bpf-to-bpf call");
      if ((target.flags & SectionFlag.EXECINSTR) === 0) fail(`the call target is in ${target.name}, which holds no code`);
      const targetIndex = symbol.value / INSTRUCTION_BYTES + insn.imm + 1;
      if (!Number.isInteger(targetIndex)) fail(`symbol value ${symbol.value} is not at an instruction`);
      references.set(index, { kind: "call", sectionIndex: target.index, target: targetIndex });
    } else {
      fail("this relocation type is not supported in code");
    }
  }
  return references;
}
