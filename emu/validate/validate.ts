// Instruction validation before a program may run, in the manner of ubpf's
// validator and the structural part of the kernel verifier: known opcodes, no
// stray bits in unused fields, registers in range, r10 never written, jumps and
// calls inside the program and never into the middle of an lddw, accesses
// through r10 inside its 512-byte frame, functions that neither jump out of
// themselves nor recurse (subprograms.ts), and no
// register read before it is written on every path (as the kernel refuses
// "R0 !read_ok").

import { type Instruction } from "../isa/instruction.ts";
import { ATOMIC_FETCH, AtomicOp, CallKind, FRAME_POINTER, PseudoLoad } from "../isa/opcodes.ts";
import { ENDIAN_WIDTHS, type OpcodeSpec, opcodeTable } from "../isa/table.ts";
import { disassembleAt } from "../asm/disassemble.ts";
import { checkRegisterReads } from "./registers.ts";
import { checkSubprograms } from "./subprograms.ts";
import { jumpTarget } from "../isa/control-flow.ts";
import { helperName } from "../isa/helpers.ts";
import { STACK_FRAME_BYTES } from "../shared/limits.ts";

/** A program the VM refuses to run; `index` is the instruction slot at fault. */
export class ValidationError extends Error {
  constructor(
    readonly reason: string,
    readonly index: number,
    readonly text: string,
  ) {
    super(`Invalid instruction ${index} (${text}): ${reason}`);
    this.name = "ValidationError";
  }
}

export interface ValidateOptions {
  /** Registers that hold a value when the program starts (r10 always does). */
  initializedAtEntry: readonly number[];
  /** Accept lddw with a pseudo source (map references) not yet resolved by a loader. */
  allowPseudoLoads?: boolean;
  /** Helper ids that may be called; when absent, any id. */
  helpers?: ReadonlySet<number>;
}

const VALID_ATOMIC_IMMS = new Set([
  AtomicOp.add,
  AtomicOp.or,
  AtomicOp.and,
  AtomicOp.xor,
  AtomicOp.add | ATOMIC_FETCH,
  AtomicOp.or | ATOMIC_FETCH,
  AtomicOp.and | ATOMIC_FETCH,
  AtomicOp.xor | ATOMIC_FETCH,
  AtomicOp.xchg,
  AtomicOp.cmpxchg,
]);

/** Instruction slots the kernel loads at most (bpf_prog_load refuses more with E2BIG: BPF_COMPLEXITY_LIMIT_INSNS). */
export const MAX_PROGRAM_SLOTS = 1_000_000;

/** Throws a ValidationError for the first invalid instruction. */
export function validate(program: readonly Instruction[], options: ValidateOptions): void {
  if (program.length === 0) throw new ValidationError("the program is empty", 0, "");
  const fail = (index: number, reason: string): never => {
    throw new ValidationError(reason, index, disassembleAt(program, index));
  };
  if (program.length > MAX_PROGRAM_SLOTS) {
    fail(
      MAX_PROGRAM_SLOTS,
      `the program has ${program.length} instruction slots, past the kernel's limit of ${MAX_PROGRAM_SLOTS} (BPF_COMPLEXITY_LIMIT_INSNS)`,
    );
  }
  const lddwSecondSlots = new Set<number>();
  for (let i = 0; i < program.length; i++) {
    const insn = program[i];
    if (lddwSecondSlots.has(i)) continue;
    const spec = opcodeTable.get(insn.opcode);
    if (!spec) fail(i, `unknown opcode 0x${insn.opcode.toString(16).padStart(2, "0")}`);
    else {
      checkFields(insn, spec, options, (reason) => fail(i, reason));
      checkFrameAccess(insn, spec, (reason) => fail(i, reason));
      if (spec.form === "lddw") {
        const high = program[i + 1];
        if (!high) fail(i, "lddw needs a second instruction slot");
        else if (high.opcode !== 0 || high.dst !== 0 || high.src !== 0 || high.offset !== 0) {
          fail(i + 1, "the second slot of an lddw must have opcode, registers and offset 0");
        }
        lddwSecondSlots.add(i + 1);
      }
    }
  }
  for (let i = 0; i < program.length; i++) {
    if (lddwSecondSlots.has(i)) continue;
    const target = jumpTarget(program[i], i);
    if (target === undefined) continue;
    if (target < 0 || target >= program.length) fail(i, `the target ${target} lies outside the program (0..${program.length - 1})`);
    if (lddwSecondSlots.has(target)) fail(i, `the target ${target} is the second slot of an lddw`);
  }
  const last = opcodeTable.get(program[program.length - 1].opcode)?.form;
  if (last !== "exit" && last !== "jump" && last !== "jump-imm32") {
    fail(program.length - 1, "the last instruction must be exit or a jump");
  }
  checkSubprograms(program, lddwSecondSlots, fail);
  checkRegisterReads(program, options.initializedAtEntry, lddwSecondSlots, fail);
}

/**
 * An access through r10 at a constant offset must lie inside the function's
 * frame, [r10-512, r10), with the kernel's wording (check_stack_access_within_bounds;
 * an atomic reads first, so it is reported as a read).
 */
function checkFrameAccess(insn: Instruction, spec: OpcodeSpec, fail: (reason: string) => never): void {
  const isRead = spec.form === "load" || spec.form === "atomic";
  const base = spec.form === "load" ? insn.src : insn.dst;
  if (base !== FRAME_POINTER || !(isRead || spec.form === "store-imm" || spec.form === "store-reg")) return;
  const size = spec.bytes;
  if (insn.offset < -STACK_FRAME_BYTES || insn.offset + size > 0) {
    fail(`invalid ${isRead ? "read from" : "write to"} stack R10 off=${insn.offset} size=${size}`);
  }
}

function checkFields(insn: Instruction, spec: OpcodeSpec, options: ValidateOptions, fail: (reason: string) => never): void {
  const zero = (field: "dst" | "src" | "offset" | "imm"): void => {
    if (insn[field] !== 0) fail(`the unused ${field} field must be 0, not ${insn[field]}`);
  };
  if (insn.dst > FRAME_POINTER) fail(`invalid destination register r${insn.dst}`);
  if (insn.src > FRAME_POINTER) fail(`invalid source register r${insn.src}`);
  if (spec.writesDst && insn.dst === FRAME_POINTER) fail("r10, the frame pointer, is read-only");
  switch (spec.form) {
    case "alu-imm":
    case "alu-reg":
      zero(spec.form === "alu-imm" ? "src" : "imm");
      if (!spec.byOffset.has(insn.offset)) fail(`offset ${insn.offset} selects no variant of ${spec.mnemonic}`);
      return;
    case "negate":
      (zero("src"), zero("offset"), zero("imm"));
      return;
    case "endian":
      (zero("src"), zero("offset"));
      if (!ENDIAN_WIDTHS.has(insn.imm)) fail(`byte swap width must be 16, 32 or 64, not ${insn.imm}`);
      return;
    case "load":
      zero("imm");
      return;
    case "store-imm":
      zero("src");
      return;
    case "store-reg":
      zero("imm");
      return;
    case "atomic":
      if (!VALID_ATOMIC_IMMS.has(insn.imm)) fail(`unknown atomic operation 0x${insn.imm.toString(16)}`);
      return;
    case "lddw":
      zero("offset");
      if (insn.src !== PseudoLoad.IMM64 && !options.allowPseudoLoads) {
        fail(`lddw with pseudo source ${insn.src} must be resolved by the loader first`);
      }
      return;
    case "jump":
      (zero("dst"), zero("src"), zero("imm"));
      return;
    case "jump-imm32":
      (zero("dst"), zero("src"), zero("offset"));
      return;
    case "branch-imm":
      zero("src");
      return;
    case "branch-reg":
      zero("imm");
      return;
    case "call":
      (zero("dst"), zero("offset"));
      if (insn.src === CallKind.HELPER) {
        if (options.helpers && !options.helpers.has(insn.imm)) fail(`calls ${helperName(insn.imm)}, which this VM does not provide`);
      } else if (insn.src === CallKind.KFUNC) {
        fail(`calls to kernel functions (kfunc ${insn.imm}) are not supported`);
      } else if (insn.src !== CallKind.LOCAL) {
        fail(`unknown call kind ${insn.src}`);
      }
      return;
    case "callx":
      (zero("src"), zero("offset"), zero("imm"));
      return;
    case "exit":
      (zero("dst"), zero("src"), zero("offset"), zero("imm"));
      return;
  }
}
