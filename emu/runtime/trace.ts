// bpf_trace_printk: the kernel's subset of printf formats, written to a trace
// buffer the host drains (the trace pipe). At most three arguments.

import { accessible } from "./regions";
import { EINVAL } from "./errno";

const TRACE_BYTES: usize = 65536;
const traceBuffer = memory.data(<i32>TRACE_BYTES);
export let traceLength: usize = 0;

export function traceBufferAddress(): usize {
  return traceBuffer;
}
export function clearTrace(): void {
  traceLength = 0;
}

let written: usize = 0;
function put(byte: u8): void {
  if (traceLength < TRACE_BYTES) store<u8>(traceBuffer + traceLength++, byte);
  written++;
}
function putDecimal(value: u64, negative: bool): void {
  if (negative) put(45); // '-'
  const digits = memory.data(24);
  let n: i32 = 0;
  do {
    store<u8>(digits + n++, <u8>(48 + value % 10));
    value /= 10;
  } while (value != 0);
  while (n > 0) put(load<u8>(digits + --n));
}
function putHex(value: u64): void {
  let started = false;
  for (let shift: i32 = 60; shift >= 0; shift -= 4) {
    const nibble = <u8>((value >> <u64>shift) & 15);
    if (nibble != 0 || started || shift == 0) {
      started = true;
      put(nibble < 10 ? 48 + nibble : 87 + nibble);
    }
  }
}

/** Formats `fmt` (fmtSize bytes, NUL-terminated) with up to three arguments; returns the bytes written or -EINVAL. */
export function tracePrintk(fmt: usize, fmtSize: usize, a1: u64, a2: u64, a3: u64): i64 {
  if (fmtSize == 0 || load<u8>(fmt + fmtSize - 1) != 0) return -EINVAL;
  const start = traceLength;
  written = 0;
  let arg: i32 = 0;
  for (let i: usize = 0; i + 1 < fmtSize; i++) {
    const c = load<u8>(fmt + i);
    if (c == 0) break;
    if (c != 37) { put(c); continue; } // not '%'
    i++;
    let longs: i32 = 0;
    while (i + 1 < fmtSize && load<u8>(fmt + i) == 108) { longs++; i++; } // 'l'
    const conversion = load<u8>(fmt + i);
    if (conversion == 37 && longs == 0) { put(37); continue; }
    if (arg == 3 || longs > 2) { traceLength = start; return -EINVAL; }
    const value = arg == 0 ? a1 : arg == 1 ? a2 : a3;
    arg++;
    const wide = longs > 0;
    if (conversion == 100 || conversion == 105) { // d, i
      const signed = wide ? <i64>value : <i64><i32>value;
      putDecimal(signed < 0 ? <u64>-signed : <u64>signed, signed < 0);
    } else if (conversion == 117) { // u
      putDecimal(wide ? value : <u64><u32>value, false);
    } else if (conversion == 120) { // x
      putHex(wide ? value : <u64><u32>value);
    } else if (conversion == 99 && !wide) { // c
      put(<u8>value);
    } else if (conversion == 112 && !wide) { // p
      put(48); put(120);
      putHex(value);
    } else if (conversion == 115 && !wide) { // s: a string the program may read
      for (let p = value; accessible(p, 1, false) && load<u8>(<usize>p) != 0; p++) put(load<u8>(<usize>p));
    } else {
      traceLength = start;
      return -EINVAL;
    }
  }
  put(10); // the trace pipe shows one line per call
  return <i64>written;
}
