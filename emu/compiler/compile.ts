// A validated BPF program as one WebAssembly module: one function per BPF
// function (emu/compiler/functions.ts), each a Relooper rendering of its
// basic blocks, and a trampoline that runs the tail calls the program makes.
// The module imports the runtime's memory, run state and slow paths
// (emu/runtime/compiled.ts), so that helpers and maps never leave wasm.
//
// The budget: each block takes its whole length from the remaining count on
// entry. A block that would overdraw it runs instead with a check before each
// instruction, so that the budget fault lands on the very instruction where
// the interpreter's would, after the same side effects.

import binaryen from "binaryen";
import { type Instruction } from "../isa/instruction.ts";
import { STACK_FRAME_BYTES } from "../shared/limits.ts";
import { opcodeTable } from "../isa/table.ts";
import { type BasicBlock, type BpfFunction, findFunctions } from "./functions.ts";
import { accessCheck, Exported, Imported, Internal } from "./names.ts";
import { functionName, Local, PROGRAM_VARS, SUBPROGRAM_VARS, Translator } from "./translate.ts";

type Expr = binaryen.ExpressionRef;
const { i32, i64, none } = binaryen;

export interface CompileOptions {
  /** The wasm address of the top of the runtime's stack (emu/runtime's stackTop()). */
  stackTop: number;
  /** binaryen's optimisation level, 0 to 4 (default 2). */
  optimizeLevel?: number;
  /**
   * Slots of lddw instructions whose value is an address fixed at load (a map
   * or global data): the k-th reads entry k of the running program's address
   * table (emu/shared/address-table.ts), so that one module, and one
   * instance, serves every copy of an object.
   */
  relocated?: readonly number[];
}

/** Instruction forms without side effects: a budget fault after them needs no replay. */
const PURE_FORMS = new Set(["alu-imm", "alu-reg", "negate", "endian", "lddw"]);

/** Compiles a program the validator accepted into the bytes of a wasm module (see names.ts for its imports and exports). */
export function compileProgram(program: readonly Instruction[], options: CompileOptions): Uint8Array<ArrayBuffer> {
  const m = new binaryen.Module();
  try {
    m.setFeatures(binaryen.Features.MVP | binaryen.Features.SignExt | binaryen.Features.MutableGlobals);
    const relocated = options.relocated ?? [];
    declareImports(m);
    defineArithmetic(m);
    defineAccessChecks(m);
    const addressOf = new Map(relocated.map((slot, k) => [slot, k]));
    for (const fn of findFunctions(program)) defineFunction(m, program, fn, options.stackTop, addressOf);
    defineTrampoline(m);
    m.addFunctionExport(Exported.main, Exported.main);
    m.addFunctionExport(Exported.run, Exported.run);
    const invalid = validateQuietly(m);
    if (invalid) throw new Error(`it produced an invalid wasm module (binaryen: ${invalid})`);
    const previousLevel = binaryen.getOptimizeLevel();
    binaryen.setOptimizeLevel(options.optimizeLevel ?? 2);
    m.optimize();
    binaryen.setOptimizeLevel(previousLevel);
    return m.emitBinary() as Uint8Array<ArrayBuffer>;
  } finally {
    m.dispose();
  }
}

/**
 * binaryen's validator prints what it finds (a whole function's text) on
 * stdout and stderr: that goes into the error instead, by its first line.
 */
function validateQuietly(m: binaryen.Module): string | undefined {
  const printed: string[] = [];
  const streams = [process.stdout, process.stderr];
  const writes = streams.map((stream) => stream.write);
  for (const stream of streams) stream.write = ((chunk: string | Uint8Array) => printed.push(String(chunk)) > 0) as typeof stream.write;
  try {
    if (m.validate()) return undefined;
  } finally {
    streams.forEach((stream, k) => (stream.write = writes[k]));
  }
  return (
    printed
      .join("")
      .split("\n")
      .find((line) => line.trim() !== "") ?? "its validator refused the module"
  );
}

function declareImports(m: binaryen.Module): void {
  m.setMemory(0, -1, null);
  m.addMemoryImport("0", "rt", Imported.memory);
  m.addTable(Imported.programs, 0, -1);
  m.addTableImport(Imported.programs, "vm", Imported.programs);
  for (const name of [Imported.remaining, Imported.tailTarget]) m.addGlobalImport(name, "rt", name, i32, true);
  for (const name of [Imported.result, Imported.arg1, Imported.arg2]) m.addGlobalImport(name, "rt", name, i64, true);
  for (const name of [Imported.packetLo, Imported.packetHi, Imported.contextLo, Imported.contextBytes]) m.addGlobalImport(name, "rt", name, i64, true);
  for (const name of [Imported.contextTable, Imported.addresses]) m.addGlobalImport(name, "rt", name, i32, true);
  m.addGlobalImport(Imported.pageKinds, "rt", Imported.pageKinds, i32, false);
  const fn = (name: string, params: binaryen.Type[], result: binaryen.Type): void => m.addFunctionImport(name, "rt", name, binaryen.createType(params), result);
  fn(Imported.checked, [i64, i32, i32, i32], i32);
  fn(Imported.budgetFault, [i32], none);
  fn(Imported.enterCall, [i32, i64], none);
  fn(Imported.leaveCall, [i64], none);
  fn(Imported.helper, [i32, i64, i64, i64, i64, i64, i32], i64);
  fn(Imported.tailCall, [i64, i64, i64, i32], i32);
}

/** Division, remainder and byte swaps with BPF's semantics; binaryen inlines them. */
function defineArithmetic(m: binaryen.Module): void {
  for (const [ops, type, width] of [
    [m.i64, i64, 64],
    [m.i32, i32, 32],
  ] as const) {
    const a = (): Expr => m.local.get(0, type);
    const b = (): Expr => m.local.get(1, type);
    const k = (value: number): Expr => (width === 64 ? m.i64.const(BigInt(value)) : m.i32.const(value));
    const isZero = (): Expr => ops.eqz(b());
    const isMinusOne = (): Expr => ops.eq(b(), k(-1));
    const params = binaryen.createType([type, type]);
    const div = width === 64 ? Internal.udiv64 : Internal.udiv32;
    const mod = width === 64 ? Internal.umod64 : Internal.umod32;
    const sdiv = width === 64 ? Internal.sdiv64 : Internal.sdiv32;
    const smod = width === 64 ? Internal.smod64 : Internal.smod32;
    m.addFunction(div, params, type, [], m.if(isZero(), k(0), ops.div_u(a(), b())));
    m.addFunction(mod, params, type, [], m.if(isZero(), a(), ops.rem_u(a(), b())));
    // INT_MIN / -1 wraps to INT_MIN and INT_MIN % -1 is 0, where wasm would trap.
    m.addFunction(sdiv, params, type, [], m.if(isZero(), k(0), m.if(isMinusOne(), ops.sub(k(0), a()), ops.div_s(a(), b()))));
    m.addFunction(smod, params, type, [], m.if(isZero(), a(), m.if(isMinusOne(), k(0), ops.rem_s(a(), b()))));
  }
  const x32 = (): Expr => m.local.get(0, i32);
  m.addFunction(
    Internal.bswap16,
    i32,
    i32,
    [],
    m.i32.or(m.i32.shl(m.i32.and(x32(), m.i32.const(0xff)), m.i32.const(8)), m.i32.and(m.i32.shr_u(x32(), m.i32.const(8)), m.i32.const(0xff))),
  );
  m.addFunction(
    Internal.bswap32,
    i32,
    i32,
    [],
    m.i32.rotl(
      m.i32.or(
        m.i32.shr_u(m.i32.and(x32(), m.i32.const(0xff00ff00 | 0)), m.i32.const(8)),
        m.i32.shl(m.i32.and(x32(), m.i32.const(0x00ff00ff)), m.i32.const(8)),
      ),
      m.i32.const(16),
    ),
  );
  const x64 = (): Expr => m.local.get(0, i64);
  const swapHalf = (half: Expr): Expr => m.i64.extend_u(m.call(Internal.bswap32, [m.i32.wrap(half)], i32));
  m.addFunction(
    Internal.bswap64,
    i64,
    i64,
    [],
    m.i64.or(m.i64.shl(swapHalf(x64()), m.i64.const(BigInt(32))), swapHalf(m.i64.shr_u(x64(), m.i64.const(BigInt(32))))),
  );
}

const PAGE_BITS = 16n;
const PAGE_KIND_DATA = 1;

/**
 * access{size}{r,w}(address, pc): the checks of emu/runtime/regions.ts that
 * most accesses outside the stack pass, inline: the packet, the context (its
 * table has bit log2(size) for reads, 4 + log2(size) for writes), a map value
 * by its page's kind. The runtime's check decides the rest, and faults.
 */
function defineAccessChecks(m: binaryen.Module): void {
  const at = (): Expr => m.local.get(0, i64);
  const pc = (): Expr => m.local.get(1, i32);
  const offset = (): Expr => m.local.get(2, i64);
  const global64 = (name: string): Expr => m.global.get(name, i64);
  for (const size of [1, 2, 4, 8]) {
    for (const write of [false, true]) {
      const bit = 1 << (Math.log2(size) + (write ? 4 : 0));
      const inPacket = m.i32.and(
        m.i64.ge_u(at(), global64(Imported.packetLo)),
        m.i64.le_u(at(), m.i64.sub(global64(Imported.packetHi), m.i64.const(BigInt(size)))),
      );
      // Conditions joined by i32.and are both evaluated: a load behind another condition goes in an if.
      const inContext = m.i64.lt_u(m.local.tee(2, m.i64.sub(at(), global64(Imported.contextLo)), i64), global64(Imported.contextBytes));
      const contextAllows = m.i32.and(m.i32.load8_u(0, 1, m.i32.add(m.global.get(Imported.contextTable, i32), m.i32.wrap(offset()))), m.i32.const(bit));
      const onePage = m.i32.and(
        m.i64.lt_u(at(), m.i64.const(1n << 32n)),
        m.i64.eqz(m.i64.shr_u(m.i64.xor(at(), m.i64.add(at(), m.i64.const(BigInt(size - 1)))), m.i64.const(PAGE_BITS))),
      );
      const kind = m.i32.load8_u(0, 1, m.i32.add(m.global.get(Imported.pageKinds, i32), m.i32.wrap(m.i64.shr_u(at(), m.i64.const(PAGE_BITS)))));
      const kindAllows = write ? m.i32.eq(kind, m.i32.const(PAGE_KIND_DATA)) : m.i32.ne(kind, m.i32.const(0));
      const pass = (): Expr => m.return(m.i32.wrap(at()));
      m.addFunction(
        accessCheck(size, write),
        binaryen.createType([i64, i32]),
        i32,
        [i64],
        m.block(null, [
          m.if(inPacket, pass()),
          m.if(inContext, m.if(contextAllows, pass())),
          m.if(onePage, m.if(kindAllows, pass())),
          m.return(m.call(Imported.checked, [at(), m.i32.const(size), m.i32.const(write ? 1 : 0), pc()], i32)),
        ]),
      );
    }
  }
}

function defineFunction(m: binaryen.Module, program: readonly Instruction[], fn: BpfFunction, stackTop: number, addressOf: ReadonlyMap<number, number>): void {
  const isEntry = fn.start === 0;
  const translate = new Translator({ module: m, program, isEntry, stackTop, addressOf });
  const relooper = new binaryen.Relooper(m);
  const blocks = new Map<number, binaryen.RelooperBlockRef>();
  for (const block of fn.blocks) blocks.set(block.start, relooper.addBlock(blockBody(m, program, block, translate)));
  for (const block of fn.blocks) {
    const from = blocks.get(block.start)!;
    const { exit } = block;
    if (exit.kind === "next" || exit.kind === "jump") relooper.addBranch(from, blocks.get(exit.to)!, 0, 0);
    if (exit.kind === "branch" && exit.taken === exit.next) relooper.addBranch(from, blocks.get(exit.next)!, 0, 0);
    else if (exit.kind === "branch") {
      const last = program[block.slots[block.slots.length - 1]];
      relooper.addBranch(from, blocks.get(exit.taken)!, translate.condition(last), 0);
      relooper.addBranch(from, blocks.get(exit.next)!, 0, 0);
    }
  }
  const body = relooper.renderAndDispose(blocks.get(fn.start)!, Local.relooperLabel);
  const frameLow = (fp: Expr): Expr => m.local.set(Local.frameLow, m.i64.sub(fp, m.i64.const(BigInt(STACK_FRAME_BYTES))));
  if (isEntry) {
    const top = m.i64.const(BigInt(stackTop));
    const prelude = [
      translate.setReg(1, m.global.get(Imported.arg1, i64)),
      translate.setReg(2, m.global.get(Imported.arg2, i64)),
      translate.setReg(10, top),
      frameLow(translate.reg(10)),
    ];
    m.addFunction(functionName(0), none, none, PROGRAM_VARS, m.block(null, [...prelude, body]));
  } else {
    const params = binaryen.createType([i64, i64, i64, i64, i64, i64]);
    m.addFunction(functionName(fn.start), params, i64, SUBPROGRAM_VARS, m.block(null, [frameLow(translate.reg(10)), body, m.unreachable()]));
  }
}

function blockBody(m: binaryen.Module, program: readonly Instruction[], block: BasicBlock, translate: Translator): Expr {
  const { slots } = block;
  const last = slots.length - 1;
  const endsInJump = block.exit.kind === "jump" || block.exit.kind === "branch";
  const straight = endsInJump ? slots.slice(0, last) : slots;
  const length = slots.length;
  const remaining = (): Expr => m.global.get(Imported.remaining, i32);
  const fault = (pc: Expr): Expr => m.call(Imported.budgetFault, [pc], none);
  const before = slots.slice(0, last);
  let overdraw: Expr;
  if (before.every((slot) => PURE_FORMS.has(opcodeTable.get(program[slot].opcode)!.form)) && slots[last] === block.start + last) {
    // Nothing before the fault can be observed: fault at once, on the instruction the budget ends on.
    overdraw = fault(m.i32.add(m.i32.const(block.start), remaining()));
  } else {
    const replay = before.flatMap((slot, index) => [m.if(m.i32.eq(remaining(), m.i32.const(index)), fault(m.i32.const(slot))), translate.instruction(slot)]);
    overdraw = m.block(null, [...replay, fault(m.i32.const(slots[last]))]);
  }
  return m.block(null, [
    m.if(m.i32.lt_u(remaining(), m.i32.const(length)), m.block(null, [overdraw, m.unreachable()])),
    m.global.set(Imported.remaining, m.i32.sub(remaining(), m.i32.const(length))),
    ...straight.map((slot) => translate.instruction(slot)),
  ]);
}

/** run(): the program, then each program a tail call names, from the VM's table. */
function defineTrampoline(m: binaryen.Module): void {
  const target = (): Expr => m.local.get(0, i32);
  const loop = m.loop(
    "next",
    m.block(null, [
      m.local.set(0, m.global.get(Imported.tailTarget, i32)),
      m.if(
        m.i32.ge_s(target(), m.i32.const(0)),
        m.block(null, [m.global.set(Imported.tailTarget, m.i32.const(-1)), m.call_indirect(Imported.programs, target(), [], none, none), m.br("next")]),
      ),
    ]),
  );
  m.addFunction(Exported.run, none, none, [i32], m.block(null, [m.call(functionName(0), [], none), loop]));
}
