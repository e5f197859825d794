// Which registers hold a value at each instruction: a forward "must" analysis
// over the control-flow graph (a register counts as written only when every
// path to the instruction writes it). Reading any other register is refused,
// as the kernel verifier refuses it. Helper and local calls leave r0 written
// and r1-r5 clobbered; a local callee starts with its arguments r1-r5 and r10.

import { type Instruction } from "../isa/instruction.ts";
import { AtomicOp, CallKind, FRAME_POINTER } from "../isa/opcodes.ts";
import { opcodeTable } from "../isa/table.ts";
import { jumpTarget } from "../isa/control-flow.ts";

const bit = (r: number): number => 1 << r;
const ARGUMENTS = bit(1) | bit(2) | bit(3) | bit(4) | bit(5);
const CALLEE_ENTRY = ARGUMENTS | bit(FRAME_POINTER);

interface Effect {
  reads: number;
  writes: number;
  clobbers: number;
}

function effect(insn: Instruction): Effect {
  const spec = opcodeTable.get(insn.opcode)!;
  const dst = bit(insn.dst);
  const src = bit(insn.src);
  const isMove = spec.mnemonic.startsWith("mov");
  switch (spec.form) {
    case "alu-imm":
      return { reads: isMove ? 0 : dst, writes: dst, clobbers: 0 };
    case "alu-reg":
      return { reads: isMove ? src : src | dst, writes: dst, clobbers: 0 };
    case "negate":
    case "endian":
      return { reads: dst, writes: dst, clobbers: 0 };
    case "load":
      return { reads: src, writes: dst, clobbers: 0 };
    case "store-imm":
    case "branch-imm":
      return { reads: dst, writes: 0, clobbers: 0 };
    case "store-reg":
    case "branch-reg":
      return { reads: dst | src, writes: 0, clobbers: 0 };
    case "atomic":
      if (insn.imm === AtomicOp.cmpxchg) return { reads: dst | src | bit(0), writes: bit(0), clobbers: 0 };
      return { reads: dst | src, writes: insn.imm & 1 ? src : 0, clobbers: 0 };
    case "lddw":
      return { reads: 0, writes: dst, clobbers: 0 };
    case "call":
      return { reads: 0, writes: bit(0), clobbers: ARGUMENTS };
    case "callx":
      return { reads: dst, writes: bit(0), clobbers: ARGUMENTS };
    case "exit":
      return { reads: bit(0), writes: 0, clobbers: 0 };
    default:
      return { reads: 0, writes: 0, clobbers: 0 };
  }
}

/** Calls `fail` at the first instruction that reads a register not written on every path to it. */
export function checkRegisterReads(
  program: readonly Instruction[],
  initializedAtEntry: readonly number[],
  lddwSecondSlots: ReadonlySet<number>,
  fail: (index: number, reason: string) => never,
): void {
  const UNVISITED = -1;
  const written = new Int32Array(program.length).fill(UNVISITED);
  const worklist: number[] = [];
  const flowInto = (index: number, mask: number): void => {
    const before = written[index];
    const after = before === UNVISITED ? mask : before & mask;
    if (after !== before) {
      written[index] = after;
      worklist.push(index);
    }
  };
  flowInto(
    0,
    initializedAtEntry.reduce((mask, r) => mask | bit(r), bit(FRAME_POINTER)),
  );
  while (worklist.length > 0) {
    const index = worklist.pop()!;
    const insn = program[index];
    const state = written[index];
    const { reads, writes, clobbers } = effect(insn);
    const missing = reads & ~state;
    if (missing !== 0) {
      const register = 31 - Math.clz32(missing & -missing);
      fail(index, `reads r${register}, which is not written on every path to this instruction`);
    }
    const after = (state & ~clobbers) | writes;
    const form = opcodeTable.get(insn.opcode)!.form;
    const target = jumpTarget(insn, index);
    if (form === "call" && insn.src === CallKind.LOCAL && target !== undefined) {
      flowInto(target, CALLEE_ENTRY);
    } else if (target !== undefined) {
      flowInto(target, after);
    }
    const fallsThrough = form !== "exit" && form !== "jump" && form !== "jump-imm32";
    if (fallsThrough) {
      const next = index + (lddwSecondSlots.has(index + 1) ? 2 : 1);
      if (next < program.length) flowInto(next, after);
    }
  }
}
