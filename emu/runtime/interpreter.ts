// The checked eBPF interpreter (RFC 9669). Instructions are read straight from
// their 8-byte encoding; the validator has already refused malformed ones, so
// the loop only checks what depends on values: memory bounds, the budget and
// the call depth. Faults trap after recording their kind and instruction.

import { setRunProgramType } from "./context";
import { Fault, HelperProblem, raise, raiseDetail } from "./fault";
import { callBuiltin, Helper, providesHelper } from "./helpers";
import { isDescriptor, mapType, MapType } from "./maps/descriptor";
import { progArrayGet } from "./maps/array";
import { programAddresses, programCode, programType } from "./programs";
import { ADDRESS_TABLE_LOAD } from "../shared/address-table";
import { checked, setStack } from "./regions";
import { MAX_CALL_FRAMES, MAX_HELPER_ID, STACK_FRAME_BYTES } from "../shared/limits";

@external("host", "callHelper")
declare function callHostHelper(id: i32, r1: u64, r2: u64, r3: u64, r4: u64, r5: u64): u64;

/** The kernel's MAX_TAIL_CALL_CNT. */
export const MAX_TAIL_CALLS: i32 = 33;

// Helper ids the host implements; they take precedence over the runtime's own.
const hostHelpers = memory.data(MAX_HELPER_ID);

export function setHostHelper(id: i32, present: bool): void {
  if (id >= 0 && id < MAX_HELPER_ID) store<u8>(hostHelpers + <usize>id, present ? 1 : 0);
}

/** Whether a call to helper `id` will find an implementation. */
export function hasHelper(id: i32): bool {
  return (id >= 0 && id < MAX_HELPER_ID && load<u8>(hostHelpers + <usize>id) != 0) || providesHelper(id);
}

const REGS = memory.data(16 * 8, 16);
const STACK = memory.data(MAX_CALL_FRAMES * STACK_FRAME_BYTES, 16);
const STACK_TOP: u64 = <u64>(STACK + <usize>(MAX_CALL_FRAMES * STACK_FRAME_BYTES));
// Per active local call: return pc, then r6, r7, r8, r9, r10.
const FRAME_BYTES: usize = 48;
const FRAMES = memory.data(MAX_CALL_FRAMES * <i32>FRAME_BYTES, 8);

/** Instructions executed by the last run. */
export let executed: u32 = 0;
/** r0 when the last run exited. */
export let result: u64 = 0;

/** The low 32 bits of r0: what a test run reports as retval, without a 64-bit value crossing to the host. */
export function resultLow(): u32 {
  return <u32>result;
}
/** The program running now, or that faulted (tail calls change it). */
export let currentProgram: i32 = 0;
/** The instruction that called the helper being run (for the host's error messages). */
export let helperPc: i32 = 0;

@inline function reg(r: u32): u64 {
  return load<u64>(REGS + (<usize>r << 3));
}
@inline function setReg(r: u32, value: u64): void {
  store<u64>(REGS + (<usize>r << 3), value);
}
@inline function setReg32(r: u32, value: u32): void {
  store<u64>(REGS + (<usize>r << 3), <u64>value);
}

function bswapBits(value: u64, bits: i32): u64 {
  if (bits == 16) return <u64>bswap<u16>(<u16>value);
  if (bits == 32) return <u64>bswap<u32>(<u32>value);
  return bswap<u64>(value);
}

function truncateBits(value: u64, bits: i32): u64 {
  if (bits == 16) return value & 0xffff;
  if (bits == 32) return value & 0xffffffff;
  return value;
}

@inline function sdiv64(a: i64, b: i64): i64 {
  if (b == 0) return 0;
  if (b == -1) return -a; // INT64_MIN / -1 wraps to INT64_MIN instead of trapping
  return a / b;
}
@inline function smod64(a: i64, b: i64): i64 {
  if (b == 0) return a;
  if (b == -1) return 0;
  return a % b;
}
@inline function sdiv32(a: i32, b: i32): i32 {
  if (b == 0) return 0;
  if (b == -1) return -a;
  return a / b;
}
@inline function smod32(a: i32, b: i32): i32 {
  if (b == 0) return a;
  if (b == -1) return 0;
  return a % b;
}

@inline function div64(a: u64, b: u64, off: i32): u64 {
  if (off == 1) return <u64>sdiv64(<i64>a, <i64>b);
  return b == 0 ? 0 : a / b;
}
@inline function mod64(a: u64, b: u64, off: i32): u64 {
  if (off == 1) return <u64>smod64(<i64>a, <i64>b);
  return b == 0 ? a : a % b;
}
@inline function div32(a: u32, b: u32, off: i32): u32 {
  if (off == 1) return <u32>sdiv32(<i32>a, <i32>b);
  return b == 0 ? 0 : a / b;
}
@inline function mod32(a: u32, b: u32, off: i32): u32 {
  if (off == 1) return <u32>smod32(<i32>a, <i32>b);
  return b == 0 ? a : a % b;
}

/** mov with offset 0, or movsx from 8, 16 or 32 bits. */
@inline function movsx64(value: u64, off: i32): u64 {
  if (off == 8) return <u64><i64><i8>value;
  if (off == 16) return <u64><i64><i16>value;
  if (off == 32) return <u64><i64><i32>value;
  return value;
}
@inline function movsx32(value: u32, off: i32): u32 {
  if (off == 8) return <u32><i32><i8>value;
  if (off == 16) return <u32><i32><i16>value;
  return value;
}

function atomic64(addr: usize, op: i32, src: u32): void {
  const old = load<u64>(addr);
  const value = reg(src);
  switch (op & ~1) {
    case 0x00: store<u64>(addr, old + value); break;
    case 0x40: store<u64>(addr, old | value); break;
    case 0x50: store<u64>(addr, old & value); break;
    case 0xa0: store<u64>(addr, old ^ value); break;
    case 0xe0: store<u64>(addr, value); break; // xchg
    case 0xf0: // cmpxchg: compare with r0, r0 gets the old value
      if (old == reg(0)) store<u64>(addr, value);
      setReg(0, old);
      return;
  }
  if (op & 1) setReg(src, old);
}

function atomic32(addr: usize, op: i32, src: u32): void {
  const old = load<u32>(addr);
  const value = <u32>reg(src);
  switch (op & ~1) {
    case 0x00: store<u32>(addr, old + value); break;
    case 0x40: store<u32>(addr, old | value); break;
    case 0x50: store<u32>(addr, old & value); break;
    case 0xa0: store<u32>(addr, old ^ value); break;
    case 0xe0: store<u32>(addr, value); break;
    case 0xf0:
      if (old == <u32>reg(0)) store<u32>(addr, value);
      setReg32(0, old);
      return;
  }
  if (op & 1) setReg32(src, old);
}

function helper(id: i32, pc: i32): void {
  helperPc = pc;
  if (id >= 0 && id < MAX_HELPER_ID && load<u8>(hostHelpers + <usize>id) != 0) {
    setReg(0, callHostHelper(id, reg(1), reg(2), reg(3), reg(4), reg(5)));
  } else {
    setReg(0, callBuiltin(id, reg(1), reg(2), reg(3), reg(4), reg(5), pc));
  }
}

/** The program a bpf_tail_call(ctx, map, index) moves to, or -1 (the call then falls through). */
function tailCallTarget(map: u64, index: u64, pc: i32): i32 {
  if (!isDescriptor(map) || mapType(<usize>map) != MapType.ProgArray) {
    raiseDetail(Fault.HelperArgument, HelperProblem.MapTypeNotAllowed, pc);
  }
  return progArrayGet(<usize>map, <u32>index);
}

/**
 * Runs program `program` (see programs.ts) with r1 and r2 set; r0 is left in
 * `result`. Traps on a fault (see fault.ts).
 */
export function interpret(program: i32, r1: u32, r2: u32, budget: u32): void {
  interpretFrom(program, <u64>r1, <u64>r2, budget, 0);
}

/**
 * interpret() entered after `tailCallsMade` tail calls: how a compiled run
 * hands a program the compiler did not take to the interpreter (compiled.ts).
 */
export function interpretFrom(program: i32, r1: u64, r2: u64, budget: u32, tailCallsMade: i32): void {
  let code = programCode(program);
  let addresses = programAddresses(program);
  let tailCalls = tailCallsMade;
  setRunProgramType(programType(program));
  currentProgram = program;
  memory.fill(REGS, 0, 16 * 8);
  setReg(1, r1);
  setReg(2, r2);
  setReg(10, STACK_TOP);
  setStack(STACK_TOP - <u64>STACK_FRAME_BYTES, STACK_TOP);
  let depth: i32 = 0;
  let pc: i32 = 0;
  let remaining = budget;
  while (true) {
    if (remaining == 0) {
      executed = budget;
      raise(Fault.Budget, pc);
    }
    remaining--;
    const p = code + (<usize>pc << 3);
    const opcode = <u32>load<u8>(p);
    const regs = <u32>load<u8>(p, 1);
    const dst = regs & 15;
    const src = regs >> 4;
    const off = <i32>load<i16>(p, 2);
    const imm = load<i32>(p, 4);
    const here = pc;
    pc++;
    switch (opcode) {
      // ALU64: the immediate is sign-extended to 64 bits
      case 0x07: setReg(dst, reg(dst) + <u64><i64>imm); break;
      case 0x0f: setReg(dst, reg(dst) + reg(src)); break;
      case 0x17: setReg(dst, reg(dst) - <u64><i64>imm); break;
      case 0x1f: setReg(dst, reg(dst) - reg(src)); break;
      case 0x27: setReg(dst, reg(dst) * <u64><i64>imm); break;
      case 0x2f: setReg(dst, reg(dst) * reg(src)); break;
      case 0x37: setReg(dst, div64(reg(dst), <u64><i64>imm, off)); break;
      case 0x3f: setReg(dst, div64(reg(dst), reg(src), off)); break;
      case 0x47: setReg(dst, reg(dst) | <u64><i64>imm); break;
      case 0x4f: setReg(dst, reg(dst) | reg(src)); break;
      case 0x57: setReg(dst, reg(dst) & <u64><i64>imm); break;
      case 0x5f: setReg(dst, reg(dst) & reg(src)); break;
      case 0x67: setReg(dst, reg(dst) << (<u64>imm & 63)); break;
      case 0x6f: setReg(dst, reg(dst) << (reg(src) & 63)); break;
      case 0x77: setReg(dst, reg(dst) >> (<u64>imm & 63)); break;
      case 0x7f: setReg(dst, reg(dst) >> (reg(src) & 63)); break;
      case 0x87: setReg(dst, -reg(dst)); break;
      case 0x97: setReg(dst, mod64(reg(dst), <u64><i64>imm, off)); break;
      case 0x9f: setReg(dst, mod64(reg(dst), reg(src), off)); break;
      case 0xa7: setReg(dst, reg(dst) ^ <u64><i64>imm); break;
      case 0xaf: setReg(dst, reg(dst) ^ reg(src)); break;
      case 0xb7: setReg(dst, <u64><i64>imm); break;
      case 0xbf: setReg(dst, movsx64(reg(src), off)); break;
      case 0xc7: setReg(dst, <u64>(<i64>reg(dst) >> (<i64>imm & 63))); break;
      case 0xcf: setReg(dst, <u64>(<i64>reg(dst) >> <i64>(reg(src) & 63))); break;
      // ALU: 32-bit operations whose result is zero-extended
      case 0x04: setReg32(dst, <u32>reg(dst) + <u32>imm); break;
      case 0x0c: setReg32(dst, <u32>reg(dst) + <u32>reg(src)); break;
      case 0x14: setReg32(dst, <u32>reg(dst) - <u32>imm); break;
      case 0x1c: setReg32(dst, <u32>reg(dst) - <u32>reg(src)); break;
      case 0x24: setReg32(dst, <u32>reg(dst) * <u32>imm); break;
      case 0x2c: setReg32(dst, <u32>reg(dst) * <u32>reg(src)); break;
      case 0x34: setReg32(dst, div32(<u32>reg(dst), <u32>imm, off)); break;
      case 0x3c: setReg32(dst, div32(<u32>reg(dst), <u32>reg(src), off)); break;
      case 0x44: setReg32(dst, <u32>reg(dst) | <u32>imm); break;
      case 0x4c: setReg32(dst, <u32>reg(dst) | <u32>reg(src)); break;
      case 0x54: setReg32(dst, <u32>reg(dst) & <u32>imm); break;
      case 0x5c: setReg32(dst, <u32>reg(dst) & <u32>reg(src)); break;
      case 0x64: setReg32(dst, <u32>reg(dst) << (<u32>imm & 31)); break;
      case 0x6c: setReg32(dst, <u32>reg(dst) << (<u32>reg(src) & 31)); break;
      case 0x74: setReg32(dst, <u32>reg(dst) >> (<u32>imm & 31)); break;
      case 0x7c: setReg32(dst, <u32>reg(dst) >> (<u32>reg(src) & 31)); break;
      case 0x84: setReg32(dst, -<u32>reg(dst)); break;
      case 0x94: setReg32(dst, mod32(<u32>reg(dst), <u32>imm, off)); break;
      case 0x9c: setReg32(dst, mod32(<u32>reg(dst), <u32>reg(src), off)); break;
      case 0xa4: setReg32(dst, <u32>reg(dst) ^ <u32>imm); break;
      case 0xac: setReg32(dst, <u32>reg(dst) ^ <u32>reg(src)); break;
      case 0xb4: setReg32(dst, <u32>imm); break;
      case 0xbc: setReg32(dst, movsx32(<u32>reg(src), off)); break;
      case 0xc4: setReg32(dst, <u32>(<i32>reg(dst) >> (imm & 31))); break;
      case 0xcc: setReg32(dst, <u32>(<i32>reg(dst) >> <i32>(reg(src) & 31))); break;
      // Byte order: le (to little endian, a truncation here), be and bswap (swaps)
      case 0xd4: setReg(dst, truncateBits(reg(dst), imm)); break;
      case 0xdc: case 0xd7: setReg(dst, bswapBits(reg(dst), imm)); break;
      // 64-bit immediate load over two slots
      case 0x18:
        if (src == ADDRESS_TABLE_LOAD) setReg(dst, load<u64>(addresses + (<usize>imm << 3)));
        else setReg(dst, <u64><u32>imm | (<u64><u32>load<i32>(p, 12) << 32));
        pc++;
        break;
      // Loads, zero- and sign-extending
      case 0x61: setReg(dst, <u64>load<u32>(checked(reg(src) + <u64>off, 4, false, here))); break;
      case 0x69: setReg(dst, <u64>load<u16>(checked(reg(src) + <u64>off, 2, false, here))); break;
      case 0x71: setReg(dst, <u64>load<u8>(checked(reg(src) + <u64>off, 1, false, here))); break;
      case 0x79: setReg(dst, load<u64>(checked(reg(src) + <u64>off, 8, false, here))); break;
      case 0x81: setReg(dst, <u64><i64>load<i32>(checked(reg(src) + <u64>off, 4, false, here))); break;
      case 0x89: setReg(dst, <u64><i64>load<i16>(checked(reg(src) + <u64>off, 2, false, here))); break;
      case 0x91: setReg(dst, <u64><i64>load<i8>(checked(reg(src) + <u64>off, 1, false, here))); break;
      // Stores of an immediate
      case 0x62: store<u32>(checked(reg(dst) + <u64>off, 4, true, here), <u32>imm); break;
      case 0x6a: store<u16>(checked(reg(dst) + <u64>off, 2, true, here), <u16>imm); break;
      case 0x72: store<u8>(checked(reg(dst) + <u64>off, 1, true, here), <u8>imm); break;
      case 0x7a: store<u64>(checked(reg(dst) + <u64>off, 8, true, here), <u64><i64>imm); break;
      // Stores of a register
      case 0x63: store<u32>(checked(reg(dst) + <u64>off, 4, true, here), <u32>reg(src)); break;
      case 0x6b: store<u16>(checked(reg(dst) + <u64>off, 2, true, here), <u16>reg(src)); break;
      case 0x73: store<u8>(checked(reg(dst) + <u64>off, 1, true, here), <u8>reg(src)); break;
      case 0x7b: store<u64>(checked(reg(dst) + <u64>off, 8, true, here), reg(src)); break;
      // Atomics
      case 0xc3: atomic32(checked(reg(dst) + <u64>off, 4, true, here), imm, src); break;
      case 0xdb: atomic64(checked(reg(dst) + <u64>off, 8, true, here), imm, src); break;
      // Jumps
      case 0x05: pc += off; break;
      case 0x06: pc += imm; break;
      case 0x15: if (reg(dst) == <u64><i64>imm) pc += off; break;
      case 0x1d: if (reg(dst) == reg(src)) pc += off; break;
      case 0x25: if (reg(dst) > <u64><i64>imm) pc += off; break;
      case 0x2d: if (reg(dst) > reg(src)) pc += off; break;
      case 0x35: if (reg(dst) >= <u64><i64>imm) pc += off; break;
      case 0x3d: if (reg(dst) >= reg(src)) pc += off; break;
      case 0x55: if (reg(dst) != <u64><i64>imm) pc += off; break;
      case 0x5d: if (reg(dst) != reg(src)) pc += off; break;
      case 0x65: if (<i64>reg(dst) > <i64><u64><i64>imm) pc += off; break;
      case 0x6d: if (<i64>reg(dst) > <i64>reg(src)) pc += off; break;
      case 0x75: if (<i64>reg(dst) >= <i64><u64><i64>imm) pc += off; break;
      case 0x7d: if (<i64>reg(dst) >= <i64>reg(src)) pc += off; break;
      case 0xa5: if (reg(dst) < <u64><i64>imm) pc += off; break;
      case 0xad: if (reg(dst) < reg(src)) pc += off; break;
      case 0xb5: if (reg(dst) <= <u64><i64>imm) pc += off; break;
      case 0xbd: if (reg(dst) <= reg(src)) pc += off; break;
      case 0xc5: if (<i64>reg(dst) < <i64><u64><i64>imm) pc += off; break;
      case 0xcd: if (<i64>reg(dst) < <i64>reg(src)) pc += off; break;
      case 0xd5: if (<i64>reg(dst) <= <i64><u64><i64>imm) pc += off; break;
      case 0xdd: if (<i64>reg(dst) <= <i64>reg(src)) pc += off; break;
      case 0x45: if ((reg(dst) & <u64><i64>imm) != 0) pc += off; break;
      case 0x4d: if ((reg(dst) & reg(src)) != 0) pc += off; break;
      case 0x16: if (<u32>reg(dst) == <u32>imm) pc += off; break;
      case 0x1e: if (<u32>reg(dst) == <u32>reg(src)) pc += off; break;
      case 0x26: if (<u32>reg(dst) > <u32>imm) pc += off; break;
      case 0x2e: if (<u32>reg(dst) > <u32>reg(src)) pc += off; break;
      case 0x36: if (<u32>reg(dst) >= <u32>imm) pc += off; break;
      case 0x3e: if (<u32>reg(dst) >= <u32>reg(src)) pc += off; break;
      case 0x56: if (<u32>reg(dst) != <u32>imm) pc += off; break;
      case 0x5e: if (<u32>reg(dst) != <u32>reg(src)) pc += off; break;
      case 0x66: if (<i32><u32>reg(dst) > <i32><u32>imm) pc += off; break;
      case 0x6e: if (<i32><u32>reg(dst) > <i32><u32>reg(src)) pc += off; break;
      case 0x76: if (<i32><u32>reg(dst) >= <i32><u32>imm) pc += off; break;
      case 0x7e: if (<i32><u32>reg(dst) >= <i32><u32>reg(src)) pc += off; break;
      case 0xa6: if (<u32>reg(dst) < <u32>imm) pc += off; break;
      case 0xae: if (<u32>reg(dst) < <u32>reg(src)) pc += off; break;
      case 0xb6: if (<u32>reg(dst) <= <u32>imm) pc += off; break;
      case 0xbe: if (<u32>reg(dst) <= <u32>reg(src)) pc += off; break;
      case 0xc6: if (<i32><u32>reg(dst) < <i32><u32>imm) pc += off; break;
      case 0xce: if (<i32><u32>reg(dst) < <i32><u32>reg(src)) pc += off; break;
      case 0xd6: if (<i32><u32>reg(dst) <= <i32><u32>imm) pc += off; break;
      case 0xde: if (<i32><u32>reg(dst) <= <i32><u32>reg(src)) pc += off; break;
      case 0x46: if ((<u32>reg(dst) & <u32>imm) != 0) pc += off; break;
      case 0x4e: if ((<u32>reg(dst) & <u32>reg(src)) != 0) pc += off; break;
      // Calls and exit
      case 0x85:
        if (src == 1) {
          if (depth + 1 == MAX_CALL_FRAMES) raise(Fault.CallDepth, here);
          const frame = FRAMES + <usize>depth * FRAME_BYTES;
          store<u64>(frame, <u64>pc, 0);
          store<u64>(frame, reg(6), 8);
          store<u64>(frame, reg(7), 16);
          store<u64>(frame, reg(8), 24);
          store<u64>(frame, reg(9), 32);
          store<u64>(frame, reg(10), 40);
          depth++;
          const top = reg(10) - <u64>STACK_FRAME_BYTES;
          setReg(10, top);
          setStack(top - <u64>STACK_FRAME_BYTES, STACK_TOP);
          pc += imm;
        } else if (imm == Helper.TailCall && !hasHostHelper(Helper.TailCall)) {
          if (depth != 0) raise(Fault.TailCallInSubprogram, here);
          const target = tailCalls < MAX_TAIL_CALLS ? tailCallTarget(reg(2), reg(3), here) : -1;
          if (target >= 0) {
            // The target replaces this program: same context, a fresh frame.
            tailCalls++;
            code = programCode(target);
            addresses = programAddresses(target);
            currentProgram = target;
            setRunProgramType(programType(target));
            pc = 0;
            setReg(10, STACK_TOP);
          }
        } else {
          helper(imm, here);
        }
        break;
      case 0x8d:
        helper(<i32>reg(dst), here);
        break;
      case 0x95:
        if (depth == 0) {
          executed = budget - remaining;
          result = reg(0);
          return;
        }
        depth--;
        const frame = FRAMES + <usize>depth * FRAME_BYTES;
        pc = <i32>load<u64>(frame, 0);
        setReg(6, load<u64>(frame, 8));
        setReg(7, load<u64>(frame, 16));
        setReg(8, load<u64>(frame, 24));
        setReg(9, load<u64>(frame, 32));
        setReg(10, load<u64>(frame, 40));
        setStack(reg(10) - <u64>STACK_FRAME_BYTES, STACK_TOP);
        break;
      default:
        raise(Fault.Opcode, here);
    }
  }
}

/** The stack area: the host may declare it or inspect it. */
export function stackBase(): usize {
  return STACK;
}
export function stackTop(): usize {
  return <usize>STACK_TOP;
}

export function hasHostHelper(id: i32): bool {
  return load<u8>(hostHelpers + <usize>id) != 0;
}
