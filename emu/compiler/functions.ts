// A program's functions and basic blocks, the shape the compiler turns into
// wasm functions and Relooper blocks. A function starts at slot 0 or at the
// target of a local call, and owns every instruction reachable from its start
// without entering a call; a basic block is a straight line of instructions
// that is entered only at its first one and left only after its last.

import { type Instruction } from "../isa/instruction.ts";
import { CALL, CallKind, EXIT, JA, JA32, LDDW } from "../isa/opcodes.ts";
import { opcodeTable } from "../isa/table.ts";

/** How control leaves a basic block. */
export type Exit = { kind: "next"; to: number } | { kind: "jump"; to: number } | { kind: "branch"; taken: number; next: number } | { kind: "exit" };

export interface BasicBlock {
  /** The slot of its first instruction. */
  readonly start: number;
  /** The slots of its instructions, in order (an lddw is one instruction of two slots). */
  readonly slots: readonly number[];
  readonly exit: Exit;
}

export interface BpfFunction {
  /** The slot it starts at: 0 for the program itself, a call target for a subprogram. */
  readonly start: number;
  /** Its blocks; the first is the entry. */
  readonly blocks: readonly BasicBlock[];
}

/** bpf_tail_call's helper id. */
export const TAIL_CALL_HELPER = 12;

const slotsOf = (insn: Instruction): number => (insn.opcode === LDDW ? 2 : 1);

export const isLocalCall = (insn: Instruction): boolean => insn.opcode === CALL && insn.src === CallKind.LOCAL;
export const isTailCall = (insn: Instruction): boolean => insn.opcode === CALL && insn.src === CallKind.HELPER && insn.imm === TAIL_CALL_HELPER;

const isBranch = (insn: Instruction): boolean => {
  const form = opcodeTable.get(insn.opcode)?.form;
  return form === "branch-imm" || form === "branch-reg";
};

const jumpDestination = (insn: Instruction, slot: number): number => slot + 1 + (insn.opcode === JA32 ? insn.imm : insn.offset);

/** Slots control may reach from `slot` inside its function. */
function successors(program: readonly Instruction[], slot: number): number[] {
  const insn = program[slot];
  if (insn.opcode === EXIT) return [];
  if (insn.opcode === JA || insn.opcode === JA32) return [jumpDestination(insn, slot)];
  const next = slot + slotsOf(insn);
  if (isBranch(insn)) return [next, jumpDestination(insn, slot)];
  return [next];
}

/** Whether a block must end after this instruction even when the next one is no jump target. */
function endsBlock(insn: Instruction): boolean {
  // After a local call the callee spends budget of its own, and after a tail
  // call the rest may never run: the block's count must not include them.
  return isBranch(insn) || insn.opcode === JA || insn.opcode === JA32 || insn.opcode === EXIT || isLocalCall(insn) || isTailCall(insn);
}

function buildFunction(program: readonly Instruction[], start: number): BpfFunction {
  const reachable = new Set<number>();
  const leaders = new Set<number>([start]);
  const work = [start];
  while (work.length > 0) {
    const slot = work.pop()!;
    if (reachable.has(slot)) continue;
    reachable.add(slot);
    const insn = program[slot];
    const next = successors(program, slot);
    if (endsBlock(insn)) next.forEach((to) => leaders.add(to));
    work.push(...next);
  }
  const blocks: BasicBlock[] = [];
  for (const leader of [...leaders].sort((a, b) => a - b)) {
    const slots: number[] = [];
    let slot = leader;
    for (;;) {
      slots.push(slot);
      const insn = program[slot];
      if (insn.opcode === EXIT) {
        blocks.push({ start: leader, slots, exit: { kind: "exit" } });
        break;
      }
      if (insn.opcode === JA || insn.opcode === JA32) {
        blocks.push({ start: leader, slots, exit: { kind: "jump", to: jumpDestination(insn, slot) } });
        break;
      }
      const next = slot + slotsOf(insn);
      if (isBranch(insn)) {
        blocks.push({ start: leader, slots, exit: { kind: "branch", taken: jumpDestination(insn, slot), next } });
        break;
      }
      if (leaders.has(next)) {
        blocks.push({ start: leader, slots, exit: { kind: "next", to: next } });
        break;
      }
      slot = next;
    }
  }
  return { start, blocks };
}

/** The program's functions: the program itself first, then its subprograms by start. */
export function findFunctions(program: readonly Instruction[]): BpfFunction[] {
  const starts = [0];
  const functions = new Map<number, BpfFunction>();
  while (starts.length > 0) {
    const start = starts.pop()!;
    if (functions.has(start)) continue;
    const fn = buildFunction(program, start);
    functions.set(start, fn);
    for (const block of fn.blocks) {
      for (const slot of block.slots) {
        if (isLocalCall(program[slot])) starts.push(slot + 1 + program[slot].imm);
      }
    }
  }
  return [...functions.values()].sort((a, b) => a.start - b.start);
}
