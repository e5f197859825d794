// One BPF instruction as binaryen expressions over the function's locals,
// with the interpreter's semantics (emu/runtime/interpreter.ts): 32-bit ALU
// results zero-extended, shifts masked, division by zero and INT_MIN / -1
// without traps, memory checked before every access that is not statically
// inside the function's own stack frame.

import binaryen from "binaryen";
import { type Instruction } from "../isa/instruction.ts";
import { CallKind } from "../isa/opcodes.ts";
import { STACK_FRAME_BYTES } from "../shared/limits.ts";
import { TAIL_CALL_HELPER } from "./functions.ts";
import { accessCheck, Imported, Internal } from "./names.ts";

type Expr = binaryen.ExpressionRef;
const { i32, i64, none } = binaryen;

/** Local indices: r1-r5 and r10 first (a subprogram's parameters), then r0, r6-r9 and temporaries. */
export const Local = {
  frameLow: 11,
  tempA: 12,
  tempB: 13,
  address: 14,
  tail: 15,
  relooperLabel: 16,
} as const;
const REGISTER_LOCAL = [6, 0, 1, 2, 3, 4, 7, 8, 9, 10, 5];
/** Types of the locals after the parameters, for a subprogram (r1-r5, r10 are parameters) or a program (none are). */
export const SUBPROGRAM_VARS = [i64, i64, i64, i64, i64, i64, i64, i64, i32, i32, i32];
export const PROGRAM_VARS = [i64, i64, i64, i64, i64, i64, ...SUBPROGRAM_VARS];

export interface FunctionSite {
  readonly module: binaryen.Module;
  readonly program: readonly Instruction[];
  /** The program's entry (returns nothing, r0 goes to a global) or a subprogram (returns r0). */
  readonly isEntry: boolean;
  /** The wasm address one past the stack: the top of the program's frame. */
  readonly stackTop: number;
  /** The address table entry of each lddw slot whose value is a load-time address. */
  readonly addressOf: ReadonlyMap<number, number>;
}

export class Translator {
  private readonly m: binaryen.Module;

  constructor(private readonly site: FunctionSite) {
    this.m = site.module;
  }

  reg(r: number): Expr {
    return this.m.local.get(REGISTER_LOCAL[r], i64);
  }
  setReg(r: number, value: Expr): Expr {
    return this.m.local.set(REGISTER_LOCAL[r], value);
  }
  private reg32(r: number): Expr {
    return this.m.i32.wrap(this.reg(r));
  }
  private setReg32(r: number, value: Expr): Expr {
    return this.setReg(r, this.m.i64.extend_u(value));
  }
  private k64(imm: number): Expr {
    return this.m.i64.const(BigInt(imm));
  }
  private k32(imm: number): Expr {
    return this.m.i32.const(imm | 0);
  }

  /** The expression of an instruction that is not a jump (those become Relooper branches). */
  instruction(slot: number): Expr {
    const insn = this.site.program[slot];
    const { m } = this;
    const { opcode, dst, src, offset: off, imm } = insn;
    const cls = opcode & 7;
    if (cls === 7 || cls === 4) return this.alu(insn);
    switch (opcode) {
      case 0x18: {
        const entry = this.site.addressOf.get(slot);
        if (entry !== undefined) return this.setReg(dst, m.i64.load(entry * 8, 8, m.global.get(Imported.addresses, i32)));
        const high = this.site.program[slot + 1].imm;
        return this.setReg(dst, m.i64.const((BigInt(high) << 32n) | BigInt(imm >>> 0)));
      }
      case 0x61:
        return this.setReg(dst, m.i64.load32_u(0, 1, this.address(src, off, 4, false, slot)));
      case 0x69:
        return this.setReg(dst, m.i64.load16_u(0, 1, this.address(src, off, 2, false, slot)));
      case 0x71:
        return this.setReg(dst, m.i64.load8_u(0, 1, this.address(src, off, 1, false, slot)));
      case 0x79:
        return this.setReg(dst, m.i64.load(0, 1, this.address(src, off, 8, false, slot)));
      case 0x81:
        return this.setReg(dst, m.i64.load32_s(0, 1, this.address(src, off, 4, false, slot)));
      case 0x89:
        return this.setReg(dst, m.i64.load16_s(0, 1, this.address(src, off, 2, false, slot)));
      case 0x91:
        return this.setReg(dst, m.i64.load8_s(0, 1, this.address(src, off, 1, false, slot)));
      case 0x62:
        return m.i32.store(0, 1, this.address(dst, off, 4, true, slot), this.k32(imm));
      case 0x6a:
        return m.i32.store16(0, 1, this.address(dst, off, 2, true, slot), this.k32(imm));
      case 0x72:
        return m.i32.store8(0, 1, this.address(dst, off, 1, true, slot), this.k32(imm));
      case 0x7a:
        return m.i64.store(0, 1, this.address(dst, off, 8, true, slot), this.k64(imm));
      case 0x63:
        return m.i64.store32(0, 1, this.address(dst, off, 4, true, slot), this.reg(src));
      case 0x6b:
        return m.i64.store16(0, 1, this.address(dst, off, 2, true, slot), this.reg(src));
      case 0x73:
        return m.i64.store8(0, 1, this.address(dst, off, 1, true, slot), this.reg(src));
      case 0x7b:
        return m.i64.store(0, 1, this.address(dst, off, 8, true, slot), this.reg(src));
      case 0xc3:
        return this.atomic(insn, 4, slot);
      case 0xdb:
        return this.atomic(insn, 8, slot);
      case 0x85:
        if (src === CallKind.LOCAL) return this.localCall(slot);
        if (imm === TAIL_CALL_HELPER) return this.tailCall(slot);
        return this.setReg(0, this.helper(m.i32.const(imm), slot));
      case 0x8d:
        return this.setReg(0, this.helper(this.reg32(dst), slot));
      case 0x95:
        if (this.site.isEntry) return m.block(null, [m.global.set(Imported.result, this.reg(0)), m.return()]);
        return m.return(this.reg(0));
    }
    throw new Error(`the compiler has no translation for opcode 0x${opcode.toString(16)} at ${slot}`);
  }

  /** The condition of a conditional jump: true when it is taken. */
  condition(insn: Instruction): Expr {
    const { m } = this;
    const wide = (insn.opcode & 7) === 5;
    const a = wide ? this.reg(insn.dst) : this.reg32(insn.dst);
    const b = insn.opcode & 8 ? (wide ? this.reg(insn.src) : this.reg32(insn.src)) : wide ? this.k64(insn.imm) : this.k32(insn.imm);
    const ops = wide ? m.i64 : m.i32;
    switch (insn.opcode & 0xf0) {
      case 0x10:
        return ops.eq(a, b);
      case 0x20:
        return ops.gt_u(a, b);
      case 0x30:
        return ops.ge_u(a, b);
      case 0x40:
        return wide ? m.i64.ne(m.i64.and(a, b), m.i64.const(BigInt(0))) : m.i32.ne(m.i32.and(a, b), m.i32.const(0));
      case 0x50:
        return ops.ne(a, b);
      case 0x60:
        return ops.gt_s(a, b);
      case 0x70:
        return ops.ge_s(a, b);
      case 0xa0:
        return ops.lt_u(a, b);
      case 0xb0:
        return ops.le_u(a, b);
      case 0xc0:
        return ops.lt_s(a, b);
      case 0xd0:
        return ops.le_s(a, b);
    }
    throw new Error(`no condition for opcode 0x${insn.opcode.toString(16)}`);
  }

  private alu(insn: Instruction): Expr {
    const { m } = this;
    const { opcode, dst, src, offset: off, imm } = insn;
    const byReg = (opcode & 8) !== 0;
    const op = opcode & 0xf0;
    if (op === 0xd0) return this.endian(insn);
    if ((opcode & 7) === 7) {
      const a = this.reg(dst);
      const b = byReg ? this.reg(src) : this.k64(imm);
      const set = (value: Expr): Expr => this.setReg(dst, value);
      switch (op) {
        case 0x00:
          return set(m.i64.add(a, b));
        case 0x10:
          return set(m.i64.sub(a, b));
        case 0x20:
          return set(m.i64.mul(a, b));
        case 0x30:
          return set(m.call(off === 1 ? Internal.sdiv64 : Internal.udiv64, [a, b], i64));
        case 0x40:
          return set(m.i64.or(a, b));
        case 0x50:
          return set(m.i64.and(a, b));
        case 0x60:
          return set(m.i64.shl(a, b));
        case 0x70:
          return set(m.i64.shr_u(a, b));
        case 0x80:
          return set(m.i64.sub(m.i64.const(BigInt(0)), a));
        case 0x90:
          return set(m.call(off === 1 ? Internal.smod64 : Internal.umod64, [a, b], i64));
        case 0xa0:
          return set(m.i64.xor(a, b));
        case 0xb0:
          return set(byReg ? this.signExtend64(this.reg(src), off) : this.k64(imm));
        case 0xc0:
          return set(m.i64.shr_s(a, b));
      }
    } else {
      const a = this.reg32(dst);
      const b = byReg ? this.reg32(src) : this.k32(imm);
      const set = (value: Expr): Expr => this.setReg32(dst, value);
      switch (op) {
        case 0x00:
          return set(m.i32.add(a, b));
        case 0x10:
          return set(m.i32.sub(a, b));
        case 0x20:
          return set(m.i32.mul(a, b));
        case 0x30:
          return set(m.call(off === 1 ? Internal.sdiv32 : Internal.udiv32, [a, b], i32));
        case 0x40:
          return set(m.i32.or(a, b));
        case 0x50:
          return set(m.i32.and(a, b));
        case 0x60:
          return set(m.i32.shl(a, b));
        case 0x70:
          return set(m.i32.shr_u(a, b));
        case 0x80:
          return set(m.i32.sub(m.i32.const(0), a));
        case 0x90:
          return set(m.call(off === 1 ? Internal.smod32 : Internal.umod32, [a, b], i32));
        case 0xa0:
          return set(m.i32.xor(a, b));
        case 0xb0:
          return set(byReg ? this.signExtend32(this.reg32(src), off) : this.k32(imm));
        case 0xc0:
          return set(m.i32.shr_s(a, b));
      }
    }
    throw new Error(`no ALU translation for opcode 0x${opcode.toString(16)}`);
  }

  private signExtend64(value: Expr, bits: number): Expr {
    if (bits === 8) return this.m.i64.extend8_s(value);
    if (bits === 16) return this.m.i64.extend16_s(value);
    if (bits === 32) return this.m.i64.extend32_s(value);
    return value;
  }
  private signExtend32(value: Expr, bits: number): Expr {
    if (bits === 8) return this.m.i32.extend8_s(value);
    if (bits === 16) return this.m.i32.extend16_s(value);
    return value;
  }

  /** le truncates (the host is little endian); be and bswap swap. */
  private endian(insn: Instruction): Expr {
    const { m } = this;
    const value = this.reg(insn.dst);
    if (insn.opcode === 0xd4) {
      if (insn.imm === 64) return m.nop();
      return this.setReg(insn.dst, m.i64.and(value, insn.imm === 16 ? m.i64.const(0xffffn) : m.i64.const(0xffffffffn)));
    }
    if (insn.imm === 64) return this.setReg(insn.dst, m.call(Internal.bswap64, [value], i64));
    const swapped = m.call(insn.imm === 16 ? Internal.bswap16 : Internal.bswap32, [m.i32.wrap(value)], i32);
    return this.setReg(insn.dst, m.i64.extend_u(swapped));
  }

  /**
   * The wasm address of `size` bytes at reg(base) + offset. An access at a
   * constant offset from r10 inside the function's own frame needs no check;
   * any other is compared with the reachable stack inline, and left to the
   * module's access check (compile.ts: packet, context, map values) otherwise.
   */
  private address(base: number, offset: number, size: number, write: boolean, slot: number): Expr {
    const { m } = this;
    if (base === 10 && offset >= -STACK_FRAME_BYTES && offset + size <= 0) {
      return m.i32.add(m.i32.wrap(this.reg(10)), m.i32.const(offset));
    }
    const at = m.local.tee(Local.tempA, m.i64.add(this.reg(base), this.k64(offset)), i64);
    const get = (): Expr => m.local.get(Local.tempA, i64);
    const inStack = m.i32.and(m.i64.ge_u(at, m.local.get(Local.frameLow, i64)), m.i64.le_u(get(), m.i64.const(BigInt(this.site.stackTop - size))));
    return m.if(inStack, m.i32.wrap(get()), m.call(accessCheck(size, write), [get(), m.i32.const(slot)], i32));
  }

  private atomic(insn: Instruction, size: 4 | 8, slot: number): Expr {
    const { m } = this;
    const { src, imm } = insn;
    const at = (): Expr => m.local.get(Local.address, i32);
    const old = (): Expr => m.local.get(Local.tempB, i64);
    const load = (): Expr => (size === 8 ? m.i64.load(0, 1, at()) : m.i64.load32_u(0, 1, at()));
    const store = (value: Expr): Expr => (size === 8 ? m.i64.store(0, 1, at(), value) : m.i64.store32(0, 1, at(), value));
    const value = this.reg(src);
    const narrow = (r: Expr): Expr => (size === 8 ? r : m.i64.and(r, m.i64.const(0xffffffffn)));
    const body: Expr[] = [m.local.set(Local.address, this.address(insn.dst, insn.offset, size, true, slot)), m.local.set(Local.tempB, load())];
    switch (imm & ~1) {
      case 0x00:
        body.push(store(m.i64.add(old(), value)));
        break;
      case 0x40:
        body.push(store(m.i64.or(old(), value)));
        break;
      case 0x50:
        body.push(store(m.i64.and(old(), value)));
        break;
      case 0xa0:
        body.push(store(m.i64.xor(old(), value)));
        break;
      case 0xe0:
        body.push(store(value));
        break;
      case 0xf0: // cmpxchg: compare with r0, r0 gets the old value
        body.push(m.if(m.i64.eq(old(), narrow(this.reg(0))), store(value)), this.setReg(0, old()));
        return m.block(null, body);
    }
    if (imm & 1) body.push(this.setReg(src, old()));
    return m.block(null, body);
  }

  private helper(id: Expr, slot: number): Expr {
    const args = [1, 2, 3, 4, 5].map((r) => this.reg(r));
    return this.m.call(Imported.helper, [id, ...args, this.m.i32.const(slot)], i64);
  }

  /** A call with a frame of its own, 512 bytes below the caller's. */
  private localCall(slot: number): Expr {
    const { m } = this;
    const target = slot + 1 + this.site.program[slot].imm;
    const calleeFrame = m.i64.sub(this.reg(10), m.i64.const(BigInt(STACK_FRAME_BYTES)));
    return m.block(null, [
      m.call(Imported.enterCall, [m.i32.const(slot), m.i64.sub(m.local.get(Local.frameLow, i64), m.i64.const(BigInt(STACK_FRAME_BYTES)))], none),
      this.setReg(0, m.call(functionName(target), [1, 2, 3, 4, 5].map((r) => this.reg(r)).concat(calleeFrame), i64)),
      m.call(Imported.leaveCall, [m.local.get(Local.frameLow, i64)], none),
    ]);
  }

  /**
   * A tail call that finds its target returns from the program; the
   * trampoline then runs the target. One that does not falls through with r0
   * unchanged, as in the interpreter.
   */
  private tailCall(slot: number): Expr {
    const { m } = this;
    const target = m.call(Imported.tailCall, [this.reg(1), this.reg(2), this.reg(3), m.i32.const(slot)], i32);
    const tail = (): Expr => m.local.get(Local.tail, i32);
    return m.block(null, [
      m.local.set(Local.tail, target),
      m.if(
        m.i32.eq(tail(), m.i32.const(TAIL_CALL_BY_HOST)),
        this.setReg(0, this.helper(m.i32.const(TAIL_CALL_HELPER), slot)),
        m.if(m.i32.ge_s(tail(), m.i32.const(0)), this.site.isEntry ? m.return() : m.unreachable()),
      ),
    ]);
  }
}

/** compiledTailCall's answer when the host implements bpf_tail_call (emu/runtime/compiled.ts). */
const TAIL_CALL_BY_HOST = -2;

export const functionName = (start: number): string => (start === 0 ? "main" : `fn${start}`);
