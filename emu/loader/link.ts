// One program's instructions, assembled as libbpf's bpf_object__reloc_code
// does: the program's own function first, then every function it calls
// (directly or through other subprograms) appended once, in the order first
// reached, with each bpf-to-bpf call's imm rewritten for the new layout. Map
// references become pseudo lddw loads with a relocation record.

import { disassembleAt } from "../asm/disassemble.ts";
import { type Instruction } from "../isa/instruction.ts";
import { CALL, CallKind, PseudoLoad } from "../isa/opcodes.ts";
import { type CodeFunction, type CodeSection } from "./code.ts";
import { LoaderError } from "./errors.ts";
import { type FunctionSpec, type LineInfo, type MapRelocation } from "./spec.ts";

export interface LinkedProgram {
  instructions: Instruction[];
  relocations: MapRelocation[];
  functions: FunctionSpec[];
  lineInfo: LineInfo[];
}

export function linkProgram(entry: CodeFunction, sections: ReadonlyMap<number, CodeSection>, file: string): LinkedProgram {
  const linked: LinkedProgram = { instructions: [], relocations: [], functions: [], lineInfo: [] };
  const placed = new Map<CodeFunction, number>();
  const queue: CodeFunction[] = [];
  const codeOf = (fn: CodeFunction): CodeSection => sections.get(fn.sectionIndex) as CodeSection;

  const place = (fn: CodeFunction): number => {
    const base = linked.instructions.length;
    const code = codeOf(fn);
    placed.set(fn, base);
    queue.push(fn);
    linked.functions.push({ name: fn.name, index: base });
    linked.instructions.push(...code.instructions.slice(fn.start, fn.end).map((insn) => ({ ...insn })));
    for (const record of code.lineInfo) {
      if (record.index < fn.start || record.index >= fn.end) continue;
      linked.lineInfo.push({ ...record, index: base + record.index - fn.start, file: record.file.replace(/^\.\//, "") });
    }
    return base;
  };

  place(entry);
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    const fn = next;
    const code = codeOf(fn);
    const base = placed.get(fn) as number;
    for (let i = fn.start; i < fn.end; i++) {
      const at = base + i - fn.start;
      const insn = linked.instructions[at];
      const reference = code.references.get(i);
      if (reference?.kind === "map" || reference?.kind === "map-value") {
        if (i + 1 >= fn.end) {
          throw new LoaderError(`the lddw of map "${reference.map}" has its second slot outside function "${fn.name}"`, {
            file,
            section: code.section.name,
            index: i,
            instruction: disassembleAt(code.instructions, i),
          });
        }
        const mapValue = reference.kind === "map-value";
        const offset = mapValue ? reference.offset : 0;
        insn.src = mapValue ? PseudoLoad.MAP_VALUE : PseudoLoad.MAP_FD;
        insn.imm = 0;
        linked.instructions[at + 1].imm = offset;
        linked.relocations.push({ index: at, kind: reference.kind, map: reference.map, offset });
        continue;
      }
      if (insn.opcode !== CALL || insn.src !== CallKind.LOCAL) continue;
      const [sectionIndex, target] = reference?.kind === "call" ? [reference.sectionIndex, reference.target] : [fn.sectionIndex, i + insn.imm + 1];
      const callee = sections.get(sectionIndex)?.functions.find((f) => f.start <= target && target < f.end);
      if (!callee) {
        const targetSection = sections.get(sectionIndex)?.section.name ?? `section ${sectionIndex}`;
        throw new LoaderError(`the call leads to instruction ${target} of ${targetSection}, which is in no function`, {
          file,
          section: code.section.name,
          index: i,
          instruction: disassembleAt(code.instructions, i),
        });
      }
      const calleeBase = placed.get(callee) ?? place(callee);
      insn.imm = calleeBase + (target - callee.start) - (at + 1);
    }
  }
  return linked;
}
