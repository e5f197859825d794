// Instructions back to the assembly dialect of the bpf_conformance suite, so that
// assemble(disassemble(program)) gives the same instruction words.

import { type Instruction, lddwValue } from "../isa/instruction.ts";
import { ATOMIC_FETCH, AtomicOp, atomicOpName, CallKind } from "../isa/opcodes.ts";
import { opcodeTable } from "../isa/table.ts";

const reg = (n: number): string => `%r${n}`;
const hex = (n: number | bigint): string => (typeof n === "bigint" ? `0x${n.toString(16)}` : `0x${(n >>> 0).toString(16)}`);
const signed = (n: number): string => (n < 0 ? `${n}` : `+${n}`);
const memory = (base: number, offset: number): string => `[${reg(base)}${signed(offset)}]`;

function atomicText(insn: Instruction, bits32: boolean): string {
  const fetch = (insn.imm & ATOMIC_FETCH) !== 0;
  const op = atomicOpName.get(insn.imm) ?? atomicOpName.get(insn.imm & ~ATOMIC_FETCH);
  const alwaysFetches = insn.imm === AtomicOp.xchg || insn.imm === AtomicOp.cmpxchg;
  const prefix = fetch && !alwaysFetches ? "lock fetch " : "lock ";
  return `${prefix}${String(op)}${bits32 ? "32" : ""} ${memory(insn.dst, insn.offset)}, ${reg(insn.src)}`;
}

/**
 * The text of the instruction at `index`. An lddw includes its second slot
 * (`program[index + 1]`); an opcode missing from the table prints as `.invalid`.
 */
export function disassembleAt(program: readonly Instruction[], index: number): string {
  const insn = program[index];
  const spec = opcodeTable.get(insn.opcode);
  if (!spec) return `.invalid 0x${insn.opcode.toString(16).padStart(2, "0")}`;
  const mnemonic = spec.byOffset.get(insn.offset) ?? spec.mnemonic;
  switch (spec.form) {
    case "alu-imm":
      return `${mnemonic} ${reg(insn.dst)}, ${hex(insn.imm)}`;
    case "alu-reg":
      return `${mnemonic} ${reg(insn.dst)}, ${reg(insn.src)}`;
    case "negate":
      return `${mnemonic} ${reg(insn.dst)}`;
    case "endian":
      return `${mnemonic}${insn.imm} ${reg(insn.dst)}`;
    case "load":
      return `${mnemonic} ${reg(insn.dst)}, ${memory(insn.src, insn.offset)}`;
    case "store-imm":
      return `${mnemonic} ${memory(insn.dst, insn.offset)}, ${hex(insn.imm)}`;
    case "store-reg":
      return `${mnemonic} ${memory(insn.dst, insn.offset)}, ${reg(insn.src)}`;
    case "atomic":
      return atomicText(insn, !spec.wide);
    case "lddw": {
      const high = program[index + 1];
      const value = high ? hex(lddwValue(insn, high)) : "<missing second slot>";
      return insn.src === 0 ? `lddw ${reg(insn.dst)}, ${value}` : `lddw ${reg(insn.dst)}, ${value} # pseudo ${insn.src}`;
    }
    case "jump":
      return `ja ${signed(insn.offset)}`;
    case "jump-imm32":
      return `ja32 ${signed(insn.imm)}`;
    case "branch-imm":
      return `${mnemonic} ${reg(insn.dst)}, ${hex(insn.imm)}, ${signed(insn.offset)}`;
    case "branch-reg":
      return `${mnemonic} ${reg(insn.dst)}, ${reg(insn.src)}, ${signed(insn.offset)}`;
    case "call":
      if (insn.src === CallKind.LOCAL) return `call local ${signed(insn.imm)}`;
      if (insn.src === CallKind.KFUNC) return `call runtime ${insn.imm}`;
      return `call ${insn.imm}`;
    case "callx":
      return `call ${reg(insn.dst)}`;
    case "exit":
      return "exit";
  }
}

/** One line per instruction; the second slot of an lddw is skipped. */
export function disassemble(program: readonly Instruction[]): string[] {
  const lines: string[] = [];
  for (let i = 0; i < program.length; i++) {
    lines.push(disassembleAt(program, i));
    if (opcodeTable.get(program[i].opcode)?.form === "lddw") i++;
  }
  return lines;
}
