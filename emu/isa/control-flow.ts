// Where control may go from an instruction besides the next slot.

import { type Instruction } from "./instruction.ts";
import { CallKind } from "./opcodes.ts";
import { opcodeTable } from "./table.ts";

/** The slot a jump, branch or local call leads to; undefined for other instructions. */
export function jumpTarget(insn: Instruction, index: number): number | undefined {
  switch (opcodeTable.get(insn.opcode)?.form) {
    case "jump":
    case "branch-imm":
    case "branch-reg":
      return index + 1 + insn.offset;
    case "jump-imm32":
      return index + 1 + insn.imm;
    case "call":
      return insn.src === CallKind.LOCAL ? index + 1 + insn.imm : undefined;
    default:
      return undefined;
  }
}
