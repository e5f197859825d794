// What programs compiled to WebAssembly (emu/compiler) call in the runtime:
// the state of a run (budget, call depth, tail calls, result), the checked
// memory access's slow path, helper dispatch and the faults. Compiled code
// keeps registers in its own locals; everything else it shares with the
// interpreter through this memory, so that both engines see the same maps,
// regions and faults.

import { setRunProgramType } from "./context";
import { Fault, HelperProblem, raise, raiseDetail, raiseMemory } from "./fault";
import { callBuiltin, Helper } from "./helpers";
import { executed, hasHostHelper, interpretFrom, MAX_TAIL_CALLS, result, stackTop } from "./interpreter";
import { isDescriptor, mapType, MapType } from "./maps/descriptor";
import { progArrayGet } from "./maps/array";
import { programAddresses, programType } from "./programs";
import { accessible, setStack } from "./regions";
import { MAX_CALL_FRAMES, STACK_FRAME_BYTES } from "../shared/limits";

@external("host", "callHelper")
declare function callHostHelper(id: i32, r1: u64, r2: u64, r3: u64, r4: u64, r5: u64): u64;

/** Instructions the run may still execute; compiled code takes each basic block's length from it. */
export let compiledRemaining: u32 = 0;
/** r0 when the run exited. */
export let compiledResult: u64 = 0;
/** r1 and r2 at a program's entry: the run's arguments, or the registers at a tail call. */
export let compiledArg1: u64 = 0;
export let compiledArg2: u64 = 0;
/** The program a tail call moves to once the current one has returned, or -1. */
export let compiledTailTarget: i32 = -1;
/** The program running now, or that faulted. */
export let compiledProgram: i32 = 0;
/** Its address table (emu/shared/address-table.ts): compiled code reads a relocated lddw's value there. */
export let compiledAddresses: u32 = 0;
/** The instruction that called the helper being run (for the host's error messages). */
export let compiledHelperPc: i32 = 0;
/**
 * Whether the interpreter has the run (compiledInterpret): the program, helper
 * instruction and count of a fault are then the interpreter's.
 */
export let compiledInInterpreter: bool = false;

let budget: u32 = 0;
let depth: i32 = 0;
let tailCalls: i32 = 0;

/** Prepares a run of `program` with r1 and r2 and `limit` instructions. */
export function beginCompiledRun(program: i32, r1: u32, r2: u32, limit: u32): void {
  budget = limit;
  compiledRemaining = limit;
  compiledResult = 0;
  compiledArg1 = <u64>r1;
  compiledArg2 = <u64>r2;
  compiledTailTarget = -1;
  compiledProgram = program;
  compiledAddresses = <u32>programAddresses(program);
  depth = 0;
  tailCalls = 0;
  compiledInInterpreter = false;
  setRunProgramType(programType(program));
  const top = <u64>stackTop();
  setStack(top - <u64>STACK_FRAME_BYTES, top);
}

/** The low 32 bits of r0: a test run's retval, without a 64-bit value crossing to the host. */
export function compiledResultLow(): u32 {
  return <u32>compiledResult;
}

/** Instructions the last compiled run executed. */
export function compiledExecuted(): u32 {
  return budget - compiledRemaining + (compiledInInterpreter ? executed : 0);
}

/**
 * A program the compiler did not take (emu/compiler/budget.ts), in a
 * compiled run: the VM puts this function in the program's slot of the
 * table, so that the run and the tail calls into it reach the interpreter,
 * with the registers, the rest of the budget and the tail calls left. The
 * interpreter makes any further tail calls itself.
 */
export function compiledInterpret(): void {
  compiledInInterpreter = true;
  interpretFrom(compiledProgram, compiledArg1, compiledArg2, compiledRemaining, tailCalls);
  compiledRemaining -= executed;
  compiledResult = result;
  compiledInInterpreter = false;
}

/** The wasm address of an access outside the current stack frame, or a Fault.Memory trap (as the interpreter's check). */
export function compiledChecked(addr: u64, size: i32, write: bool, pc: i32): u32 {
  if (!accessible(addr, <u64>size, write)) raiseMemory(addr, size, write, pc);
  return <u32>addr;
}

/** The budget ran out at instruction `pc`. */
export function compiledBudgetFault(pc: i32): void {
  compiledRemaining = 0;
  raise(Fault.Budget, pc);
}

/** A bpf-to-bpf call at `pc` whose callee's frame starts at `frameLow`. */
export function compiledEnterCall(pc: i32, frameLow: u64): void {
  if (depth + 1 == MAX_CALL_FRAMES) raise(Fault.CallDepth, pc);
  depth++;
  setStack(frameLow, <u64>stackTop());
}

/** The return to a caller whose frame starts at `frameLow`. */
export function compiledLeaveCall(frameLow: u64): void {
  depth--;
  setStack(frameLow, <u64>stackTop());
}

export function compiledHelper(id: i32, r1: u64, r2: u64, r3: u64, r4: u64, r5: u64, pc: i32): u64 {
  compiledHelperPc = pc;
  if (id >= 0 && id < 1024 && hasHostHelper(id)) return callHostHelper(id, r1, r2, r3, r4, r5);
  return callBuiltin(id, r1, r2, r3, r4, r5, pc);
}

/** compiledTailCall's answer when the host implements bpf_tail_call itself: call it as a helper. */
const TAIL_CALL_BY_HOST: i32 = -2;

/**
 * bpf_tail_call(r1, map, index) at `pc`: the program that replaces the
 * current one (recorded for the trampoline, which runs it once the current
 * program has returned), -1 when the call falls through, or
 * TAIL_CALL_BY_HOST.
 */
export function compiledTailCall(r1: u64, map: u64, index: u64, pc: i32): i32 {
  if (hasHostHelper(Helper.TailCall)) return TAIL_CALL_BY_HOST;
  if (depth != 0) raise(Fault.TailCallInSubprogram, pc);
  if (tailCalls >= MAX_TAIL_CALLS) return -1;
  if (!isDescriptor(map) || mapType(<usize>map) != MapType.ProgArray) {
    raiseDetail(Fault.HelperArgument, HelperProblem.MapTypeNotAllowed, pc);
  }
  const target = progArrayGet(<usize>map, <u32>index);
  if (target < 0) return -1;
  tailCalls++;
  compiledTailTarget = target;
  compiledProgram = target;
  compiledAddresses = <u32>programAddresses(target);
  compiledArg1 = r1;
  compiledArg2 = map;
  setRunProgramType(programType(target));
  return target;
}
