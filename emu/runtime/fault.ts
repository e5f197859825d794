// Why a run stopped abnormally. The runtime records the fault here and traps;
// the host catches the trap and reads these to build a typed error that names
// the instruction. The kinds and helper problems are emu/shared/faults.ts.

import { Fault } from "../shared/faults";

export { Fault, HelperProblem } from "../shared/faults";

export let faultKind: Fault = Fault.None;
export let faultPc: i32 = 0;
export let faultAddress: u64 = 0;
export let faultSize: i32 = 0;
export let faultWrite: bool = false;
/** For HelperArgument: a HelperProblem; for UnknownHelper: the helper id. */
export let faultDetail: i32 = 0;

export function clearFault(): void {
  faultKind = Fault.None;
  faultPc = 0;
  faultAddress = 0;
  faultSize = 0;
  faultWrite = false;
  faultDetail = 0;
}

export function raise(kind: Fault, pc: i32): void {
  faultKind = kind;
  faultPc = pc;
  unreachable();
}

export function raiseMemory(address: u64, size: i32, write: bool, pc: i32): void {
  faultAddress = address;
  faultSize = size;
  faultWrite = write;
  raise(Fault.Memory, pc);
}

export function raiseDetail(kind: Fault, detail: i32, pc: i32): void {
  faultDetail = detail;
  raise(kind, pc);
}
