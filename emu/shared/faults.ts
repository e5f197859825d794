// Why a run stopped abnormally, shared by the AssemblyScript runtime, which
// records the fault (emu/runtime/fault.ts), and the TypeScript side, which
// turns it into a typed error (emu/vm/vm.ts): written in the subset both
// compile, so that the values exist once. Messages stay on the TypeScript side.
// Const enums: asc inlines their members as it did when they lived in the runtime.

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
