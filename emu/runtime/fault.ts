// Why a run stopped abnormally. The runtime records the fault here and traps;
// the host catches the trap and reads these to build a typed error that names
// the instruction.

export const enum Fault {
  None = 0,
  /** A load or store outside every region the program may touch. */
  Memory = 1,
  /** The instruction budget ran out. */
  Budget = 2,
  /** More nested bpf-to-bpf calls than MAX_CALL_FRAMES. */
  CallDepth = 3,
  /** An opcode the interpreter has no case for (the validator should have refused it). */
  Opcode = 4,
  /** A helper called with arguments the kernel's verifier would have refused (faultDetail says which). */
  HelperArgument = 5,
  /** A helper id the runtime does not provide and the host did not register. */
  UnknownHelper = 6,
  /** A tail call from inside a bpf-to-bpf subprogram. */
  TailCallInSubprogram = 7,
}

/** What was wrong with a helper's arguments (Fault.HelperArgument). */
export const enum HelperProblem {
  NotAMap = 1,
  KeyNotReadable = 2,
  ValueNotReadable = 3,
  MapTypeNotAllowed = 4,
  NotTheContext = 5,
  BufferNotAccessible = 6,
  NotARingbufRecord = 7,
  WrongProgramType = 8,
  /** Flags whose effect the VM does not model (bpf_skb_adjust_room's encapsulation). */
  UnsupportedFlags = 9,
  /** An update or delete on a map programs may only read (BPF_F_RDONLY_PROG). */
  MapReadOnly = 10,
}

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
