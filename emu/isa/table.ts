// Every valid opcode byte, derived from the tables of opcodes.ts, with its
// operand form, its mnemonics and the rules its other fields must follow.
// The validator, the assembler and the disassembler all read this one table.

import { AluOp, type AluOpName, Class, JmpOp, type JmpOpName, Mode, Source, sizes, conditionalJumps } from "./opcodes.ts";

export type Form =
  | "alu-imm" // add dst, imm
  | "alu-reg" // add dst, src
  | "negate" // neg dst
  | "endian" // le16 dst (imm holds the width)
  | "load" // ldxw dst, [src+off]
  | "store-imm" // stw [dst+off], imm
  | "store-reg" // stxw [dst+off], src
  | "atomic" // lock add [dst+off], src (imm holds the operation)
  | "lddw" // lddw dst, imm64 (two slots)
  | "jump" // ja +off
  | "jump-imm32" // ja32 +imm
  | "branch-imm" // jeq dst, imm, +off
  | "branch-reg" // jeq dst, src, +off
  | "call" // call imm | call local +imm | call runtime imm
  | "callx" // call %dst
  | "exit";

export interface OpcodeSpec {
  readonly opcode: number;
  readonly form: Form;
  /** Mnemonic by value of the offset field, for the ALU forms where the offset selects a variant. */
  readonly byOffset: ReadonlyMap<number, string>;
  /** The mnemonic when the offset selects nothing. */
  readonly mnemonic: string;
  /** Operates on 64 bits (ALU64, JMP) rather than 32 (ALU, JMP32). */
  readonly wide: boolean;
  /** For loads and stores: bytes accessed. */
  readonly bytes: number;
  /** For loads: sign-extending (MEMSX). */
  readonly signExtend: boolean;
  /** The instruction writes its dst register (so dst may not be r10). */
  readonly writesDst: boolean;
}

const spec = (opcode: number, form: Form, mnemonic: string, more: Partial<OpcodeSpec> = {}): OpcodeSpec => ({
  opcode,
  form,
  mnemonic,
  byOffset: more.byOffset ?? new Map([[0, mnemonic]]),
  wide: more.wide ?? true,
  bytes: more.bytes ?? 0,
  signExtend: more.signExtend ?? false,
  writesDst: more.writesDst ?? false,
});

function aluSpecs(): OpcodeSpec[] {
  const out: OpcodeSpec[] = [];
  for (const cls of [Class.ALU, Class.ALU64]) {
    const wide = cls === Class.ALU64;
    const suffix = wide ? "" : "32";
    for (const [name, op] of Object.entries(AluOp) as [AluOpName, number][]) {
      if (name === "neg") {
        out.push(spec(cls | op, "negate", name + suffix, { wide, writesDst: true }));
        continue;
      }
      if (name === "end") {
        // ALU: K converts to little endian, X to big endian. ALU64 K swaps unconditionally.
        out.push(spec(cls | op | Source.K, "endian", wide ? "bswap" : "le", { wide, writesDst: true }));
        if (!wide) out.push(spec(cls | op | Source.X, "endian", "be", { wide, writesDst: true }));
        continue;
      }
      const byOffset = new Map([[0, name + suffix]]);
      if (name === "div" || name === "mod") byOffset.set(1, "s" + name + suffix);
      for (const source of [Source.K, Source.X]) {
        const variants = new Map(byOffset);
        if (name === "mov" && source === Source.X) {
          const widths = wide ? [8, 16, 32] : [8, 16];
          for (const bits of widths) variants.set(bits, `movsx${bits}${wide ? 64 : 32}`);
        }
        const form = source === Source.K ? "alu-imm" : "alu-reg";
        out.push(spec(cls | op | source, form, name + suffix, { wide, byOffset: variants, writesDst: true }));
      }
    }
  }
  return out;
}

function jmpSpecs(): OpcodeSpec[] {
  const out: OpcodeSpec[] = [
    spec(Class.JMP | JmpOp.ja, "jump", "ja"),
    spec(Class.JMP32 | JmpOp.ja, "jump-imm32", "ja32", { wide: false }),
    spec(Class.JMP | JmpOp.call, "call", "call"),
    spec(Class.JMP | JmpOp.call | Source.X, "callx", "call"),
    spec(Class.JMP | JmpOp.exit, "exit", "exit"),
  ];
  for (const cls of [Class.JMP, Class.JMP32]) {
    const wide = cls === Class.JMP;
    for (const name of conditionalJumps as JmpOpName[]) {
      const mnemonic = name + (wide ? "" : "32");
      out.push(spec(cls | JmpOp[name] | Source.K, "branch-imm", mnemonic, { wide }));
      out.push(spec(cls | JmpOp[name] | Source.X, "branch-reg", mnemonic, { wide }));
    }
  }
  return out;
}

function memorySpecs(): OpcodeSpec[] {
  const out: OpcodeSpec[] = [spec(Class.LD | Mode.IMM | 0x18, "lddw", "lddw", { writesDst: true })];
  for (const size of sizes) {
    const { code, bytes, suffix } = size;
    out.push(spec(Class.LDX | Mode.MEM | code, "load", "ldx" + suffix, { bytes, writesDst: true }));
    if (bytes < 8) {
      out.push(spec(Class.LDX | Mode.MEMSX | code, "load", "ldxs" + suffix, { bytes, signExtend: true, writesDst: true }));
    }
    out.push(spec(Class.ST | Mode.MEM | code, "store-imm", "st" + suffix, { bytes }));
    out.push(spec(Class.STX | Mode.MEM | code, "store-reg", "stx" + suffix, { bytes }));
    if (bytes >= 4) {
      out.push(spec(Class.STX | Mode.ATOMIC | code, "atomic", "lock", { bytes, wide: bytes === 8 }));
    }
  }
  return out;
}

/** Every valid opcode byte. An opcode byte missing from this map is invalid. */
export const opcodeTable: ReadonlyMap<number, OpcodeSpec> = new Map([...aluSpecs(), ...jmpSpecs(), ...memorySpecs()].map((s) => [s.opcode, s]));

/** Widths an endian instruction's imm may name. */
export const ENDIAN_WIDTHS: ReadonlySet<number> = new Set([16, 32, 64]);
