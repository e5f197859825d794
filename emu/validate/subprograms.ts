// Subprograms as the kernel verifier sees them (kernel/bpf/verifier.c
// check_subprogs, check_max_stack_depth_subprog): the program is cut at every
// bpf-to-bpf call target into consecutive ranges, each one function. A jump
// stays inside its function, a function ends in exit or a jump, and the calls
// between functions form no cycle: recursion is refused at load, so that
// neither engine ever has to find out at run time.

import { type Instruction } from "../isa/instruction.ts";
import { CALL, CallKind } from "../isa/opcodes.ts";
import { opcodeTable } from "../isa/table.ts";
import { jumpTarget } from "../isa/control-flow.ts";

type Fail = (index: number, reason: string) => never;

const isLocalCall = (insn: Instruction): boolean => insn.opcode === CALL && insn.src === CallKind.LOCAL;

/**
 * Refuses a jump out of its function, a function that runs into the next, and
 * recursion. Targets are already known to lie inside the program and never on
 * an lddw's second slot.
 */
export function checkSubprograms(program: readonly Instruction[], lddwSecondSlots: ReadonlySet<number>, fail: Fail): void {
  const starts = new Set([0]);
  for (let i = 0; i < program.length; i++) {
    if (!lddwSecondSlots.has(i) && isLocalCall(program[i])) starts.add(i + 1 + program[i].imm);
  }
  const sorted = [...starts].sort((a, b) => a - b);
  // Each slot's function: the index in `sorted` of the range holding it.
  const functionOf = new Int32Array(program.length);
  sorted.forEach((start, k) => functionOf.fill(k, start, sorted[k + 1] ?? program.length));
  const callees: { at: number; callee: number }[][] = sorted.map(() => []);
  for (let i = 0; i < program.length; i++) {
    if (lddwSecondSlots.has(i)) continue;
    const target = jumpTarget(program[i], i);
    if (target === undefined) continue;
    if (isLocalCall(program[i])) callees[functionOf[i]].push({ at: i, callee: functionOf[target] });
    else if (functionOf[target] !== functionOf[i]) fail(i, `jump out of range from insn ${i} to ${target}: it leaves the function at ${sorted[functionOf[i]]}`);
  }
  sorted.forEach((start, k) => {
    const end = sorted[k + 1] ?? program.length;
    const last = lddwSecondSlots.has(end - 1) ? end - 2 : end - 1;
    const form = opcodeTable.get(program[last].opcode)?.form;
    if (form !== "exit" && form !== "jump" && form !== "jump-imm32") {
      fail(last, `the function at ${start} does not end in exit or a jump (its last instruction runs into the function at ${end})`);
    }
  });
  refuseRecursion(sorted, callees, fail);
}

/** A depth-first walk of the call graph from the program itself, without recursion of its own (programs may have thousands of functions). */
function refuseRecursion(starts: readonly number[], callees: readonly { at: number; callee: number }[][], fail: Fail): void {
  const ON_PATH = 1;
  const DONE = 2;
  const state = new Uint8Array(starts.length);
  const path: { fn: number; next: number }[] = [{ fn: 0, next: 0 }];
  state[0] = ON_PATH;
  while (path.length > 0) {
    const frame = path[path.length - 1];
    const call = callees[frame.fn][frame.next++];
    if (!call) {
      state[frame.fn] = DONE;
      path.pop();
    } else if (state[call.callee] === ON_PATH) {
      fail(call.at, `recursive call from the function at ${starts[frame.fn]} to the function at ${starts[call.callee]}`);
    } else if (state[call.callee] === 0) {
      state[call.callee] = ON_PATH;
      path.push({ fn: call.callee, next: 0 });
    }
  }
}
