// The helpers the runtime provides, by the kernel's helper ids, with the
// kernel's semantics. Arguments the kernel's verifier would have refused at
// load (a pointer that is not a map, a key the program may not read) stop the
// run with a fault naming the problem, since no verifier ran before us.
// bpf_tail_call (12) changes the program being run: the interpreter handles it.

import { clockNs, cpuCount, currentCpu, nextRandom } from "./cpu";
import { contextAddress, packetEnd, packetStart, runProgramType, setRedirect, socketCookie } from "./context";
import { csumFrom32to16, csumPartial, csumSub, replaceChecksum16, replaceChecksum32, replaceChecksumByDiff, replaceL4Checksum32 } from "./checksum";
import { EFAULT, EINVAL, ENOENT } from "./errno";
import { Fault, HelperProblem, raiseDetail } from "./fault";
import { TC_ACT_REDIRECT, TC_ACT_SHOT, XDP_ABORTED, XDP_REDIRECT } from "../shared/actions";
import { BPF_F_RDONLY_PROG, isDescriptor, keySize, mapFlags, mapType, MapType, stride, valueSize } from "./maps/descriptor";
import { programDelete, programLookup, programMayAccess, programUpdate } from "./maps/index";
import { BUSY_BIT, ringbufCommit, ringbufOutput, ringbufQuery, ringbufReserve } from "./maps/ringbuf";
import { ProgramType } from "./programs";
import { accessible } from "./regions";
import { tracePrintk } from "./trace";
import { adjustRoom } from "./adjust-room";
import { countMapOperation, MapOperation } from "./map-operations";
import { Helper } from "../shared/helper-ids";

export { Helper } from "../shared/helper-ids";

/** Whether the runtime provides this helper id. */
export function providesHelper(id: i32): bool {
  switch (id) {
    case 1: case 2: case 3: case 5: case 6: case 7: case 8: case 9: case 10: case 11: case 12:
    case 23: case 26: case 28: case 46: case 50: case 125: case 130: case 131: case 132: case 133: case 134: case 195:
      return true;
  }
  return false;
}

const BPF_F_INGRESS: u64 = 1;
const BPF_F_RECOMPUTE_CSUM: u64 = 1;
const BPF_F_INVALIDATE_HASH: u64 = 2;
const BPF_F_HDR_FIELD_MASK: u64 = 0xf;
const BPF_F_PSEUDO_HDR: u64 = 0x10;
const BPF_F_MARK_MANGLED_0: u64 = 0x20;
const BPF_F_MARK_ENFORCE: u64 = 0x40;
const BPF_F_IPV6: u64 = 0x80;
const CSUM_MANGLED_0: u16 = 0xffff;

// The differential test's mutant build (asc --use EBBFLOW_MUTANT=1) reads one
// byte late in bpf_skb_load_bytes, to prove the comparison can fail.
const LOAD_BYTES_SKEW: u32 = isDefined(EBBFLOW_MUTANT) ? 1 : 0;

@inline function errno(value: i64): u64 {
  return <u64>value;
}

function mapArgument(pointer: u64, pc: i32): usize {
  if (!isDescriptor(pointer)) raiseDetail(Fault.HelperArgument, HelperProblem.NotAMap, pc);
  return <usize>pointer;
}

function readable(pointer: u64, size: u64, problem: HelperProblem, pc: i32): usize {
  if (!accessible(pointer, size, false)) raiseDetail(Fault.HelperArgument, problem, pc);
  return <usize>pointer;
}

function writable(pointer: u64, size: u64, pc: i32): usize {
  if (!accessible(pointer, size, true)) raiseDetail(Fault.HelperArgument, HelperProblem.BufferNotAccessible, pc);
  return <usize>pointer;
}

function accessibleMap(pointer: u64, pc: i32): usize {
  const d = mapArgument(pointer, pc);
  if (!programMayAccess(mapType(d))) raiseDetail(Fault.HelperArgument, HelperProblem.MapTypeNotAllowed, pc);
  return d;
}

/** A map the program may change: the kernel's verifier refuses updates and deletes on BPF_F_RDONLY_PROG maps. */
function writableMap(pointer: u64, pc: i32): usize {
  const d = accessibleMap(pointer, pc);
  if ((mapFlags(d) & BPF_F_RDONLY_PROG) != 0) raiseDetail(Fault.HelperArgument, HelperProblem.MapReadOnly, pc);
  return d;
}

/** The skb helpers need the run's own context in r1, in a tc program. */
function skbArgument(pointer: u64, pc: i32): void {
  if (runProgramType != ProgramType.SchedCls && runProgramType != ProgramType.SchedAct) {
    raiseDetail(Fault.HelperArgument, HelperProblem.WrongProgramType, pc);
  }
  if (pointer != contextAddress) raiseDetail(Fault.HelperArgument, HelperProblem.NotTheContext, pc);
}

/**
 * The packet bytes [offset, offset + length), or 0 when they are not all in
 * the packet. Offsets are u32, as the kernel's helpers declare them: the
 * register's high half is not looked at.
 */
function packetRange(offset: u32, length: u64): usize {
  const size = <u64>(packetEnd - packetStart);
  if (length > size || <u64>offset > size - length) return 0;
  return packetStart + <usize>offset;
}

/** The 16-bit checksum field the csum_replace helpers change: -EFAULT past 0xffff, at an odd offset, or outside the packet. */
function checksumField(offset: u32): usize {
  if (offset > 0xffff || (offset & 1) != 0) return 0;
  return packetRange(offset, 2);
}

function ringbufRecord(pointer: u64, pc: i32): usize {
  // A reserved record sits behind a header with the BUSY bit, on a data page.
  if (pointer < 8 || !accessible(pointer - 8, 8, true) || (load<u32>(<usize>pointer - 8) & BUSY_BIT) == 0) {
    raiseDetail(Fault.HelperArgument, HelperProblem.NotARingbufRecord, pc);
  }
  return <usize>pointer;
}

export function callBuiltin(id: i32, r1: u64, r2: u64, r3: u64, r4: u64, r5: u64, pc: i32): u64 {
  switch (id) {
    case Helper.MapLookupElem: {
      const d = accessibleMap(r1, pc);
      countMapOperation(d, MapOperation.Lookup);
      return <u64>programLookup(d, readable(r2, <u64>keySize(d), HelperProblem.KeyNotReadable, pc));
    }
    case Helper.MapUpdateElem: {
      const d = writableMap(r1, pc);
      countMapOperation(d, MapOperation.Update);
      const key = readable(r2, <u64>keySize(d), HelperProblem.KeyNotReadable, pc);
      const value = readable(r3, <u64>valueSize(d), HelperProblem.ValueNotReadable, pc);
      return errno(programUpdate(d, key, value, r4));
    }
    case Helper.MapDeleteElem: {
      const d = writableMap(r1, pc);
      countMapOperation(d, MapOperation.Delete);
      return errno(programDelete(d, readable(r2, <u64>keySize(d), HelperProblem.KeyNotReadable, pc)));
    }
    case Helper.MapLookupPercpuElem: {
      const d = accessibleMap(r1, pc);
      countMapOperation(d, MapOperation.Lookup);
      const type = mapType(d);
      if (type != MapType.PercpuHash && type != MapType.PercpuArray && type != MapType.LruPercpuHash) {
        raiseDetail(Fault.HelperArgument, HelperProblem.MapTypeNotAllowed, pc);
      }
      if (<u32>r3 >= cpuCount) return 0;
      const value = programLookup(d, readable(r2, <u64>keySize(d), HelperProblem.KeyNotReadable, pc));
      if (value == 0) return 0;
      return <u64>(value + (<usize><u32>r3 - <usize>currentCpu) * <usize>stride(d));
    }
    case Helper.KtimeGetNs:
    case Helper.KtimeGetBootNs:
      return clockNs;
    case Helper.TracePrintk:
      return errno(tracePrintk(readable(r1, r2, HelperProblem.BufferNotAccessible, pc), <usize>r2, r3, r4, r5));
    case Helper.GetPrandomU32:
      return nextRandom() & 0xffffffff;
    case Helper.GetSmpProcessorId:
      return <u64>currentCpu;
    case Helper.SkbLoadBytes: {
      skbArgument(r1, pc);
      const to = writable(r3, r4, pc);
      const from = packetRange(<u32>r2 + LOAD_BYTES_SKEW, r4);
      if (from == 0 || r4 == 0) {
        memory.fill(to, 0, <usize>r4);
        return errno(-EFAULT);
      }
      memory.copy(to, from, <usize>r4);
      return 0;
    }
    case Helper.SkbStoreBytes: {
      skbArgument(r1, pc);
      const from = readable(r3, r4, HelperProblem.BufferNotAccessible, pc);
      if ((r5 & ~(BPF_F_RECOMPUTE_CSUM | BPF_F_INVALIDATE_HASH)) != 0) return errno(-EINVAL);
      const to = packetRange(<u32>r2, r4);
      if (to == 0) return errno(-EFAULT);
      memory.copy(to, from, <usize>r4);
      return 0;
    }
    case Helper.L3CsumReplace: {
      skbArgument(r1, pc);
      if ((r5 & ~BPF_F_HDR_FIELD_MASK) != 0) return errno(-EINVAL);
      const field = checksumField(<u32>r2);
      if (field == 0) return errno(-EFAULT);
      const size = r5 & BPF_F_HDR_FIELD_MASK;
      if (size == 0) {
        if (r3 != 0) return errno(-EINVAL);
        replaceChecksumByDiff(field, <u32>r4);
      } else if (size == 2) {
        replaceChecksum16(field, <u16>r3, <u16>r4);
      } else if (size == 4) {
        replaceChecksum32(field, <u32>r3, <u32>r4);
      } else {
        return errno(-EINVAL);
      }
      return 0;
    }
    case Helper.L4CsumReplace: {
      skbArgument(r1, pc);
      // BPF_F_IPV6 and BPF_F_PSEUDO_HDR only change skb->csum under CHECKSUM_COMPLETE,
      // which a test run's skb (CHECKSUM_NONE) never is.
      const allowed = BPF_F_MARK_MANGLED_0 | BPF_F_MARK_ENFORCE | BPF_F_PSEUDO_HDR | BPF_F_HDR_FIELD_MASK | BPF_F_IPV6;
      if ((r5 & ~allowed) != 0) return errno(-EINVAL);
      const field = checksumField(<u32>r2);
      if (field == 0) return errno(-EFAULT);
      const mangledZero = (r5 & BPF_F_MARK_MANGLED_0) != 0;
      // A zero UDP checksum means "none": left alone, unless BPF_F_MARK_ENFORCE.
      if (mangledZero && (r5 & BPF_F_MARK_ENFORCE) == 0 && load<u16>(field) == 0) return 0;
      const size = r5 & BPF_F_HDR_FIELD_MASK;
      if (size == 0) {
        if (r3 != 0) return errno(-EINVAL);
        replaceChecksumByDiff(field, <u32>r4);
      } else if (size == 2) {
        replaceL4Checksum32(field, <u32><u16>r3, <u32><u16>r4);
      } else if (size == 4) {
        replaceL4Checksum32(field, <u32>r3, <u32>r4);
      } else {
        return errno(-EINVAL);
      }
      if (mangledZero && load<u16>(field) == 0) store<u16>(field, CSUM_MANGLED_0);
      return 0;
    }
    case Helper.CsumDiff: {
      // Any sizes the verifier lets through (no multiple of 4, no 512-byte
      // limit), folded to 16 bits without the complement: the kernel's
      // computation since its 2024 rewrite for all architectures.
      const fromSize = <u32>r2;
      const toSize = <u32>r4;
      const from = readable(r1, <u64>fromSize, HelperProblem.BufferNotAccessible, pc);
      const to = readable(r3, <u64>toSize, HelperProblem.BufferNotAccessible, pc);
      let sum = <u32>r5;
      if (fromSize != 0 && toSize != 0) sum = csumSub(csumPartial(to, toSize, sum), csumPartial(from, fromSize, 0));
      else if (toSize != 0) sum = csumPartial(to, toSize, sum);
      else if (fromSize != 0) sum = ~csumPartial(from, fromSize, ~sum);
      return <u64>csumFrom32to16(sum);
    }
    case Helper.Redirect:
      if (runProgramType == ProgramType.Xdp) {
        if (r2 != 0) return <u64>XDP_ABORTED;
        setRedirect(<u32>r1, r2);
        return <u64>XDP_REDIRECT;
      }
      if ((r2 & ~BPF_F_INGRESS) != 0) return <u64>TC_ACT_SHOT;
      setRedirect(<u32>r1, r2);
      return <u64>TC_ACT_REDIRECT;
    case Helper.SkbAdjustRoom:
      skbArgument(r1, pc);
      // A run without a context (the conformance mode's) has no skb to resize.
      if (contextAddress == 0) raiseDetail(Fault.HelperArgument, HelperProblem.NotTheContext, pc);
      return errno(adjustRoom(<i32>r2, <u32>r3, r4, pc));
    case Helper.GetSocketCookie:
      if (r1 != contextAddress) raiseDetail(Fault.HelperArgument, HelperProblem.NotTheContext, pc);
      return socketCookie;
    case Helper.RingbufOutput: {
      const d = mapArgument(r1, pc);
      if (mapType(d) != MapType.Ringbuf) raiseDetail(Fault.HelperArgument, HelperProblem.MapTypeNotAllowed, pc);
      return errno(ringbufOutput(d, readable(r2, r3, HelperProblem.BufferNotAccessible, pc), r3, r4, load<u32>(d, 28)));
    }
    case Helper.RingbufReserve: {
      const d = mapArgument(r1, pc);
      if (mapType(d) != MapType.Ringbuf) raiseDetail(Fault.HelperArgument, HelperProblem.MapTypeNotAllowed, pc);
      return <u64>ringbufReserve(d, r2, r3, load<u32>(d, 28));
    }
    case Helper.RingbufSubmit:
      ringbufCommit(ringbufRecord(r1, pc), false);
      return 0;
    case Helper.RingbufDiscard:
      ringbufCommit(ringbufRecord(r1, pc), true);
      return 0;
    case Helper.RingbufQuery: {
      const d = mapArgument(r1, pc);
      if (mapType(d) != MapType.Ringbuf) raiseDetail(Fault.HelperArgument, HelperProblem.MapTypeNotAllowed, pc);
      return ringbufQuery(d, r2);
    }
  }
  raiseDetail(Fault.UnknownHelper, id, pc);
  return errno(-ENOENT);
}
