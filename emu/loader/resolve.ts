// Map references turned into plain 64-bit constants: what a VM does once it
// has placed each map (or global data value) at an address of its own.

import { type Instruction } from "../isa/instruction.ts";
import { PseudoLoad } from "../isa/opcodes.ts";
import { type ProgramSpec } from "./spec.ts";

/**
 * A copy of the program's instructions in which every map reference is an
 * ordinary lddw (src 0) of `addressOf(map)` (plus the offset, for a map-value
 * reference). `addressOf` is called with the MapSpec names of the object.
 */
export function resolveMapReferences(program: ProgramSpec, addressOf: (map: string) => bigint): Instruction[] {
  const instructions = program.instructions.map((insn) => ({ ...insn }));
  for (const relocation of program.relocations) {
    const value = BigInt.asUintN(64, addressOf(relocation.map) + BigInt(relocation.offset));
    const low = instructions[relocation.index];
    const high = instructions[relocation.index + 1];
    low.src = PseudoLoad.IMM64;
    low.imm = Number(BigInt.asIntN(32, value));
    high.imm = Number(BigInt.asIntN(32, value >> 32n));
  }
  return instructions;
}
