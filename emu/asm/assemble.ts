// The assembly dialect of the bpf_conformance suite (the uBPF dialect):
//   mov32 %r0, 1        ldxdw %r0, [%r1+2]      stw [%r10-4], 0x1
//   jeq %r1, 5, label   ja +2                   call local func   call 5   call %r2
//   lock fetch add32 [%r10-8], %r1              lddw %r0, 0x1122334455667788
// Labels are `name:` lines; `exit` as a jump target names the first exit; `#` starts a comment.

import { type Instruction, instruction } from "../isa/instruction.ts";
import { ATOMIC_FETCH, AtomicOp, type AtomicOpName, CALL, CALLX, Class, Mode, Size, CallKind, FRAME_POINTER, JA32 } from "../isa/opcodes.ts";
import { type Form, type OpcodeSpec, opcodeTable } from "../isa/table.ts";

/** An assembly error; `line` is 1-based within the assembly text given. */
export class AsmError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
    this.name = "AsmError";
  }
}

interface MnemonicEntry {
  /** Candidate opcodes: the immediate form first where there are two. */
  specs: OpcodeSpec[];
  offset: number;
  /** For endian forms, the width. */
  imm?: number;
}

/** Mnemonic text -> what it encodes, derived from the opcode table. */
const mnemonics: ReadonlyMap<string, MnemonicEntry> = (() => {
  const map = new Map<string, MnemonicEntry>();
  const add = (name: string, spec: OpcodeSpec, offset: number, imm?: number): void => {
    const entry = map.get(name) ?? { specs: [], offset, imm };
    entry.specs.push(spec);
    map.set(name, entry);
  };
  for (const spec of opcodeTable.values()) {
    if (spec.form === "endian") {
      for (const bits of [16, 32, 64]) {
        add(`${spec.mnemonic}${bits}`, spec, 0, bits);
        if (spec.mnemonic === "bswap") add(`swap${bits}`, spec, 0, bits);
      }
    } else if (spec.form !== "atomic" && spec.form !== "call" && spec.form !== "callx") {
      for (const [offset, name] of spec.byOffset) {
        add(name, spec, offset);
        // add64 is accepted for add: ALU64 is the default width.
        if (spec.wide && (spec.form === "alu-imm" || spec.form === "alu-reg" || spec.form === "negate")) {
          if (!name.startsWith("movsx")) add(name + "64", spec, offset);
        }
      }
    }
  }
  for (const entry of map.values()) entry.specs.sort((a, b) => formRank(a.form) - formRank(b.form));
  return map;
})();

function formRank(form: Form): number {
  return form === "alu-imm" || form === "branch-imm" ? 0 : 1;
}

const REGISTER = /^%r(\d+)$/;
const MEMORY = /^\[(%r\d+)\s*(?:([+-])\s*(0x[0-9a-fA-F]+|\d+))?\]$/;
const INTEGER = /^([+-]?)(0x[0-9a-fA-F]+|\d+)$/;

interface Line {
  number: number;
  mnemonic: string;
  operands: string[];
}

class Assembler {
  private readonly program: Instruction[] = [];
  /** The source line of each instruction slot. */
  readonly lines: number[] = [];
  private readonly labels = new Map<string, number>();
  private readonly fixups: { slot: number; label: string; line: number }[] = [];

  assemble(text: string): Instruction[] {
    text.split(/\r?\n/).forEach((raw, i) => {
      this.line(raw, i + 1);
      while (this.lines.length < this.program.length) this.lines.push(i + 1);
    });
    for (const { slot, label, line } of this.fixups) {
      const target = this.labels.get(label);
      if (target === undefined) throw new AsmError(`Invalid label: ${label}`, line);
      const relative = target - slot - 1;
      const insn = this.program[slot];
      if (insn.opcode === CALL || insn.opcode === JA32) insn.imm = relative;
      else insn.offset = checkRange(relative, 16, true, `jump to ${label}`, line);
    }
    return this.program;
  }

  private line(raw: string, number: number): void {
    const code = raw.replace(/#.*/, "").trim();
    if (code === "") return;
    const label = /^([A-Za-z_.][\w.]*):\s*(.*)$/.exec(code);
    if (label) {
      if (this.labels.has(label[1]) && label[1] !== "exit") {
        throw new AsmError(`Duplicate label: ${label[1]}`, number);
      }
      this.labels.set(label[1], this.program.length);
      if (label[2]) this.line(label[2], number);
      return;
    }
    const [mnemonic, ...rest] = code.split(/\s+/);
    const operandText = rest.join(" ");
    const operands = operandText === "" ? [] : operandText.split(",").map((s) => s.trim());
    this.instruction({ number, mnemonic, operands });
  }

  private instruction(line: Line): void {
    const { mnemonic, operands, number } = line;
    if (mnemonic === "exit" && !this.labels.has("exit")) this.labels.set("exit", this.program.length);
    if (mnemonic === "lock") return this.atomic(line);
    if (mnemonic === "call") return this.call(line);
    const entry = mnemonics.get(mnemonic);
    if (!entry) throw new AsmError(`Invalid mnemonic: ${mnemonic}`, number);
    const form = entry.specs[0].form;
    expectOperands(line, operandCount(form));
    const spec = entry.specs.length > 1 && isRegister(operands[form.startsWith("branch") || form.startsWith("alu") ? 1 : 0]) ? entry.specs[1] : entry.specs[0];
    const at = this.program.length;
    const emit = (fields: Partial<Instruction>): void => {
      this.program.push(instruction(spec.opcode, { offset: entry.offset, ...fields }));
    };
    switch (spec.form) {
      case "alu-imm":
        return emit({ dst: register(operands[0], number), imm: imm32(operands[1], number) });
      case "alu-reg":
        return emit({ dst: register(operands[0], number), src: register(operands[1], number) });
      case "negate":
        return emit({ dst: register(operands[0], number) });
      case "endian":
        return emit({ dst: register(operands[0], number), imm: entry.imm });
      case "load": {
        const [src, offset] = memoryOperand(operands[1], number);
        return emit({ dst: register(operands[0], number), src, offset });
      }
      case "store-imm": {
        const [dst, offset] = memoryOperand(operands[0], number);
        return emit({ dst, offset, imm: imm32(operands[1], number) });
      }
      case "store-reg": {
        const [dst, offset] = memoryOperand(operands[0], number);
        return emit({ dst, offset, src: register(operands[1], number) });
      }
      case "lddw": {
        const value = imm64(operands[1], number);
        emit({ dst: register(operands[0], number), imm: Number(BigInt.asIntN(32, value)) });
        this.program.push(instruction(0, { imm: Number(BigInt.asIntN(32, value >> 32n)) }));
        return;
      }
      case "jump":
        emit({});
        return this.target(operands[0], at, number, "offset");
      case "jump-imm32":
        emit({});
        return this.target(operands[0], at, number, "imm");
      case "branch-imm":
        emit({ dst: register(operands[0], number), imm: imm32(operands[1], number) });
        return this.target(operands[2], at, number, "offset");
      case "branch-reg":
        emit({ dst: register(operands[0], number), src: register(operands[1], number) });
        return this.target(operands[2], at, number, "offset");
      case "exit":
        return emit({});
      default:
        throw new AsmError(`Invalid mnemonic: ${mnemonic}`, number);
    }
  }

  /** `lock [fetch] op[32] [%rD+off], %rS` */
  private atomic({ operands, number }: Line): void {
    const words = operands.length === 0 ? [] : operands[0].split(/\s+/);
    if (operands.length !== 2 || words.length < 2) {
      throw new AsmError("Invalid number of operands for lock: expected lock [fetch] op [%rD+off], %rS", number);
    }
    const fetch = words[0] === "fetch";
    const opText = fetch ? words[1] : words[0];
    const location = words.slice(fetch ? 2 : 1).join(" ");
    const bits32 = opText.endsWith("32");
    const opName = (bits32 ? opText.slice(0, -2) : opText) as AtomicOpName;
    if (!(opName in AtomicOp)) throw new AsmError(`Invalid atomic operation: ${opText}`, number);
    const [dst, offset] = memoryOperand(location, number);
    const imm = AtomicOp[opName] | (fetch ? ATOMIC_FETCH : 0);
    const opcode = Class.STX | Mode.ATOMIC | (bits32 ? Size.W.code : Size.DW.code);
    this.program.push(instruction(opcode, { dst, offset, src: register(operands[1], number), imm }));
  }

  /** `call N` | `call helper N` | `call %rN` | `call local label|+N` | `call runtime N` */
  private call(line: Line): void {
    const { operands, number } = line;
    expectOperands(line, 1);
    const words = operands[0].split(/\s+/);
    const [mode, target] = words.length === 1 ? ["helper", words[0]] : words;
    if (words.length > 2) throw new AsmError("Invalid number of operands for call", number);
    const at = this.program.length;
    if (mode === "helper" && isRegister(target)) {
      this.program.push(instruction(CALLX, { dst: register(target, number) }));
    } else if (mode === "helper") {
      this.program.push(instruction(CALL, { src: CallKind.HELPER, imm: imm32(target, number) }));
    } else if (mode === "runtime") {
      this.program.push(instruction(CALL, { src: CallKind.KFUNC, imm: imm32(target, number) }));
    } else if (mode === "local") {
      this.program.push(instruction(CALL, { src: CallKind.LOCAL }));
      this.target(target, at, number, "imm");
    } else {
      throw new AsmError(`Invalid call mode: ${mode} (expected helper, local or runtime)`, number);
    }
  }

  private target(text: string, slot: number, line: number, field: "offset" | "imm"): void {
    if (/^[+-]/.test(text)) {
      const value = parseInteger(text, line, "jump offset");
      this.program[slot][field] = field === "offset" ? checkRange(value, 16, true, "jump offset", line) : checkRange(value, 32, true, "jump offset", line);
    } else {
      this.fixups.push({ slot, label: text, line });
    }
  }
}

function operandCount(form: Form): number {
  switch (form) {
    case "negate":
    case "endian":
    case "jump":
    case "jump-imm32":
      return 1;
    case "branch-imm":
    case "branch-reg":
      return 3;
    case "exit":
      return 0;
    default:
      return 2;
  }
}

function expectOperands({ mnemonic, operands, number }: Line, count: number): void {
  if (operands.length !== count) {
    throw new AsmError(`Invalid number of operands for ${mnemonic}: expected ${count}, got ${operands.length}`, number);
  }
}

const isRegister = (text: string | undefined): boolean => text !== undefined && text.startsWith("%");

function register(text: string, line: number): number {
  const match = REGISTER.exec(text);
  const n = match ? Number(match[1]) : NaN;
  if (!(n <= FRAME_POINTER)) throw new AsmError(`Invalid register: ${text}`, line);
  return n;
}

function memoryOperand(text: string, line: number): [number, number] {
  const match = MEMORY.exec(text);
  if (!match) throw new AsmError(`Invalid memory operand: ${text} (expected [%rN+offset])`, line);
  const base = register(match[1], line);
  const magnitude = match[3] === undefined ? 0 : parseInteger(match[3], line, "offset");
  const offset = match[2] === "-" ? -magnitude : magnitude;
  return [base, checkRange(offset, 16, true, "offset", line)];
}

function parseInteger(text: string, line: number, what: string): number {
  const match = INTEGER.exec(text);
  if (!match) throw new AsmError(`Invalid ${what}: ${text}`, line);
  const magnitude = Number(match[2]);
  return match[1] === "-" ? -magnitude : magnitude;
}

function checkRange(value: number, bits: number, signedOnly: boolean, what: string, line: number): number {
  const min = -(2 ** (bits - 1));
  const max = signedOnly ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new AsmError(`Invalid ${what}: ${value} is outside the ${bits}-bit range`, line);
  }
  return value;
}

/** A 32-bit immediate: decimal must fit a signed 32-bit value, hex any 32-bit pattern. */
function imm32(text: string, line: number): number {
  const value = parseInteger(text, line, "immediate");
  const isHex = /0x/i.test(text);
  checkRange(value, 32, !isHex, "immediate", line);
  return value | 0;
}

function imm64(text: string, line: number): bigint {
  const match = INTEGER.exec(text);
  if (!match) throw new AsmError(`Invalid immediate: ${text}`, line);
  const magnitude = BigInt(match[2]);
  const value = match[1] === "-" ? -magnitude : magnitude;
  if (value < -(1n << 63n) || value >= 1n << 64n) {
    throw new AsmError(`Invalid immediate: ${text} is outside the 64-bit range`, line);
  }
  return BigInt.asUintN(64, value);
}

export function assemble(text: string): Instruction[] {
  return new Assembler().assemble(text);
}

/** The instructions and, for each slot, the 1-based line of the text it came from. */
export function assembleWithLines(text: string): { instructions: Instruction[]; lines: number[] } {
  const assembler = new Assembler();
  const instructions = assembler.assemble(text);
  return { instructions, lines: assembler.lines };
}
