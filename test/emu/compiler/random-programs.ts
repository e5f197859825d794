// Random valid BPF programs for the differential property test, drawn from
// the ISA tables (emu/isa/table.ts): ALU of every opcode, width and offset
// variant, loads, stores and atomics on the stack and the input memory,
// forward branches of every condition, bounded loops, helper calls and
// bpf-to-bpf calls. A program is a list of units; jumps land only on unit
// boundaries, so that every path writes a register before reading it.
//
// Register roles: r6 holds the input memory (r1 at entry), r8 a copy of r10
// for accesses near the frame's edges (the validator refuses those through r10
// itself, so the engines' bounds checks are reached through the copy), r9
// counts loop iterations, r10 is the frame; the others take any value.

import fc from "fast-check";
import { type Instruction, instruction } from "../../../emu/isa/instruction.ts";
import { AtomicOp, ATOMIC_FETCH, CALL, EXIT, LDDW } from "../../../emu/isa/opcodes.ts";
import { ENDIAN_WIDTHS, opcodeTable, type OpcodeSpec } from "../../../emu/isa/table.ts";

/** Bytes of input memory a program is given (r1 at entry). */
export const INPUT_BYTES = 64;
const INPUT = 6;
const FRAME_COPY = 8;
const COUNTER = 9;
const FREE = [0, 1, 2, 3, 4, 5, 7];

const byForm = (...forms: string[]): OpcodeSpec[] => [...opcodeTable.values()].filter((s) => forms.includes(s.form));
const ALU = byForm("alu-imm", "alu-reg", "negate", "endian");
const LOADS = byForm("load");
const STORES = byForm("store-imm", "store-reg");
const ATOMICS = byForm("atomic");
const BRANCHES = byForm("branch-imm", "branch-reg");
const ATOMIC_OPS = [...[AtomicOp.add, AtomicOp.or, AtomicOp.and, AtomicOp.xor].flatMap((op) => [op, op | ATOMIC_FETCH]), AtomicOp.xchg, AtomicOp.cmpxchg];
/** Helpers both engines have: the conformance suite's identity (a host helper) and bpf_get_prandom_u32 (seeded). */
const HELPERS = [5, 7];

type Unit =
  | { kind: "straight"; code: Instruction[] }
  /** A forward branch over `skip` units. */
  | { kind: "branch"; insn: Instruction; skip: number }
  | { kind: "loop"; count: number; body: Unit[] }
  | { kind: "call"; target: number };

const register = fc.constantFrom(...FREE);
/** A subprogram starts with r1-r5 and r10 only (r0 it writes first). */
const calleeRegister = fc.constantFrom(0, 1, 2, 3, 4, 5);
const imm32 = fc.oneof(
  fc.integer({ min: -16, max: 16 }),
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  fc.constantFrom(0, -1, 1, 31, 32, 63, 64, -(2 ** 31)),
);

const aluOver = (register: fc.Arbitrary<number>) =>
  fc.tuple(fc.constantFrom(...ALU), register, register, imm32, fc.nat()).map(([spec, dst, src, imm, pick]): Unit => {
    const offsets = [...spec.byOffset.keys()];
    const offset = offsets[pick % offsets.length];
    switch (spec.form) {
      case "alu-imm":
        return { kind: "straight", code: [instruction(spec.opcode, { dst, offset, imm })] };
      case "alu-reg":
        return { kind: "straight", code: [instruction(spec.opcode, { dst, src, offset })] };
      case "negate":
        return { kind: "straight", code: [instruction(spec.opcode, { dst })] };
      default:
        return { kind: "straight", code: [instruction(spec.opcode, { dst, imm: [...ENDIAN_WIDTHS][pick % 3] })] };
    }
  });
const alu = aluOver(register);

const lddw = fc.tuple(register, fc.bigInt({ min: 0n, max: 2n ** 64n - 1n })).map(([dst, value]): Unit => ({
  kind: "straight",
  code: [instruction(LDDW, { dst, imm: Number(BigInt.asIntN(32, value)) }), instruction(0, { imm: Number(BigInt.asIntN(32, value >> 32n)) })],
}));

interface Place {
  base: number;
  offset: number;
  /** Instructions that set the base up before the access. */
  setup: Instruction[];
}

/** A base register and an offset inside the stack frame or the input memory (now and then just outside). */
const place = (bytes: number, inputToo: boolean): fc.Arbitrary<Place> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min: -512, max: -bytes }).map((offset) => ({ base: 10, offset, setup: [] })) },
    { weight: inputToo ? 4 : 0, arbitrary: fc.integer({ min: 0, max: INPUT_BYTES - bytes }).map((offset) => ({ base: INPUT, offset, setup: [] })) },
    {
      weight: 2,
      arbitrary: fc.integer({ min: -600, max: 16 }).map((offset) => ({ base: FRAME_COPY, offset, setup: [instruction(0xbf, { dst: FRAME_COPY, src: 10 })] })),
    },
  );

const loadOver = (register: fc.Arbitrary<number>, inputToo: boolean) =>
  fc.constantFrom(...LOADS).chain((spec) =>
    fc.tuple(register, place(spec.bytes, inputToo)).map(([dst, { base, offset, setup }]): Unit => ({
      kind: "straight",
      code: [...setup, instruction(spec.opcode, { dst, src: base, offset })],
    })),
  );

const load = loadOver(register, true);

const storeOver = (register: fc.Arbitrary<number>, inputToo: boolean) =>
  fc.constantFrom(...STORES).chain((spec) =>
    fc.tuple(register, imm32, place(spec.bytes, inputToo)).map(([src, imm, { base, offset, setup }]): Unit => ({
      kind: "straight",
      code: [...setup, spec.form === "store-imm" ? instruction(spec.opcode, { dst: base, offset, imm }) : instruction(spec.opcode, { dst: base, src, offset })],
    })),
  );

const store = storeOver(register, true);

const atomic = fc.constantFrom(...ATOMICS).chain((spec) =>
  fc.tuple(register, fc.constantFrom(...ATOMIC_OPS), place(spec.bytes, true)).map(([src, imm, { base, offset, setup }]): Unit => ({
    kind: "straight",
    code: [...setup, instruction(spec.opcode, { dst: base, src, offset, imm })],
  })),
);

/** Calls clobber r1-r5: they are written again at once. */
const rewriteArguments = (values: number[]): Instruction[] => values.map((imm, i) => instruction(0xb7, { dst: i + 1, imm }));
const argumentValues = fc.array(imm32, { minLength: 5, maxLength: 5 });

const helper = fc.tuple(fc.constantFrom(...HELPERS), argumentValues).map(([id, values]): Unit => ({
  kind: "straight",
  code: [instruction(CALL, { imm: id }), ...rewriteArguments(values)],
}));

const branch = fc.tuple(fc.constantFrom(...BRANCHES), register, register, imm32, fc.integer({ min: 0, max: 4 })).map(([spec, dst, src, imm, skip]): Unit => ({
  kind: "branch",
  insn: spec.form === "branch-imm" ? instruction(spec.opcode, { dst, imm }) : instruction(spec.opcode, { dst, src }),
  skip,
}));

const simple = fc.oneof(
  { weight: 8, arbitrary: alu },
  { weight: 1, arbitrary: lddw },
  { weight: 3, arbitrary: load },
  { weight: 3, arbitrary: store },
  { weight: 2, arbitrary: atomic },
  { weight: 1, arbitrary: helper },
  { weight: 2, arbitrary: branch },
);

/** The subprograms a program may call: straight code over r0-r5 and its own frame. */
const SUBPROGRAMS = 2;
const subprogram = fc.array(
  fc.oneof(
    { weight: 4, arbitrary: aluOver(calleeRegister) },
    { weight: 1, arbitrary: storeOver(calleeRegister, false) },
    { weight: 1, arbitrary: loadOver(calleeRegister, false) },
  ),
  {
    maxLength: 6,
  },
);

const unit = fc.oneof(
  { weight: 12, arbitrary: simple },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("call" as const), target: fc.integer({ min: 0, max: SUBPROGRAMS - 1 }) }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("loop" as const), count: fc.integer({ min: 1, max: 20 }), body: fc.array(simple, { maxLength: 6 }) }),
  },
);

const length = (u: Unit): number => {
  switch (u.kind) {
    case "straight":
      return u.code.length;
    case "branch":
      return 1;
    case "loop":
      return 3 + u.body.reduce((n, b) => n + length(b), 0);
    case "call":
      return 1 + 5;
  }
};

/** Lays out units; `calls` receives the slot of each local call and its subprogram. */
function layout(units: Unit[], out: Instruction[], calls: { slot: number; target: number }[], argumentsAfterCall: number[]): void {
  units.forEach((u, i) => {
    switch (u.kind) {
      case "straight":
        out.push(...u.code);
        return;
      case "branch": {
        const skipped = units.slice(i + 1, i + 1 + u.skip).reduce((n, s) => n + length(s), 0);
        out.push({ ...u.insn, offset: skipped });
        return;
      }
      case "loop": {
        out.push(instruction(0xb7, { dst: COUNTER, imm: u.count }));
        const top = out.length;
        layout(u.body, out, calls, argumentsAfterCall);
        out.push(instruction(0x17, { dst: COUNTER, imm: 1 }));
        out.push(instruction(0x55, { dst: COUNTER, imm: 0, offset: top - (out.length + 1) }));
        return;
      }
      case "call":
        calls.push({ slot: out.length, target: u.target });
        out.push(instruction(CALL, { src: 1 }));
        out.push(...rewriteArguments(argumentsAfterCall));
        return;
    }
  });
}

export interface RandomProgram {
  program: Instruction[];
  input: Uint8Array;
}

/** Programs that start by giving every register a value and end by folding the stack into r0. */
export const randomProgram: fc.Arbitrary<RandomProgram> = fc
  .record({
    initial: fc.array(imm32, { minLength: 10, maxLength: 10 }),
    body: fc.array(unit, { maxLength: 24 }),
    subprograms: fc.array(subprogram, { minLength: SUBPROGRAMS, maxLength: SUBPROGRAMS }),
    input: fc.uint8Array({ minLength: INPUT_BYTES, maxLength: INPUT_BYTES }),
  })
  .map(({ initial, body, subprograms, input }) => {
    const program: Instruction[] = [instruction(0xbf, { dst: INPUT, src: 1 })];
    for (const r of [0, 2, 3, 4, 5, 7, 8, COUNTER]) program.push(instruction(0xb7, { dst: r, imm: initial[r] }));
    program.push(instruction(0xb7, { dst: 1, imm: initial[1] }));
    // The stack starts as the engines leave it: fill the bytes the fold reads.
    for (let offset = -512; offset < 0; offset += 8) program.push(instruction(0x7a, { dst: 10, offset, imm: offset }));
    const calls: { slot: number; target: number }[] = [];
    layout(body, program, calls, initial.slice(1, 6));
    for (let offset = -512; offset < 0; offset += 56) {
      program.push(instruction(0x79, { dst: 1, src: 10, offset }));
      program.push(instruction(0xaf, { dst: 0, src: 1 }));
      program.push(instruction(0x67, { dst: 0, imm: 3 }));
    }
    program.push(instruction(EXIT));
    const starts: number[] = [];
    for (const sub of subprograms) {
      starts.push(program.length);
      program.push(instruction(0xb7, { dst: 0, imm: 0 }));
      layout(sub, program, calls, []);
      program.push(instruction(EXIT));
    }
    for (const { slot, target } of calls) program[slot] = instruction(CALL, { src: 1, imm: starts[target] - slot - 1 });
    return { program, input };
  });
