// RINGBUF: a power-of-two ring of records, each behind an 8-byte header
// (length with the BUSY and DISCARD bits, then our map id where the kernel
// keeps a page offset). The kernel maps the ring twice so that a record that
// wraps is contiguous; here the ring is followed by a second copy's worth of
// space for the same purpose: a record always starts inside the ring and may
// run past its end, and the reader reads it from the same place.

import { allocate, PageKind } from "../heap";
import { EAGAIN, EINVAL } from "../errno";
import { maxEntries, setSlotA, setSlotB, setWideA, setWideB, slotA, slotB, wideA, wideB } from "./descriptor";

export const BUSY_BIT: u32 = 1 << 31;
export const DISCARD_BIT: u32 = 1 << 30;
const HEADER: u64 = 8;
/** RINGBUF_MAX_RECORD_SZ. */
const MAX_RECORD_BYTES: u64 = 0xffffffff / 4;

export const BPF_RB_NO_WAKEUP: u64 = 1;
export const BPF_RB_FORCE_WAKEUP: u64 = 2;

export function ringbufCreate(d: usize): bool {
  const size = <usize>maxEntries(d);
  const data = allocate(size * 2, PageKind.Data);
  setSlotA(d, data);
  setSlotB(d, size - 1);
  return data != 0;
}

@inline function producer(d: usize): u64 { return wideA(d); }
@inline function consumer(d: usize): u64 { return wideB(d); }

/**
 * bpf_ringbuf_reserve: the record's data, or 0 when it does not fit. As in the
 * kernel, the producer may run at most ring size - 1 bytes ahead of the
 * consumer: a ring is never entirely full.
 */
export function ringbufReserve(d: usize, size: u64, flags: u64, mapId: u32): usize {
  if (flags != 0 || size > MAX_RECORD_BYTES) return 0;
  const ringSize = <u64>maxEntries(d);
  const total = (size + HEADER + 7) & ~7;
  if (total > ringSize || producer(d) - consumer(d) + total > ringSize - 1) return 0;
  const header = slotA(d) + <usize>(producer(d) & <u64>slotB(d));
  store<u32>(header, <u32>size | BUSY_BIT);
  store<u32>(header, mapId, 4);
  setWideA(d, producer(d) + total);
  return header + <usize>HEADER;
}

/** bpf_ringbuf_submit (discard = false) and bpf_ringbuf_discard (true) of a reserved record. */
export function ringbufCommit(record: usize, discard: bool): void {
  const header = record - <usize>HEADER;
  const length = load<u32>(header) & ~(BUSY_BIT | DISCARD_BIT);
  store<u32>(header, discard ? length | DISCARD_BIT : length);
}

export function ringbufOutput(d: usize, data: usize, size: u64, flags: u64, mapId: u32): i64 {
  if ((flags & ~(BPF_RB_NO_WAKEUP | BPF_RB_FORCE_WAKEUP)) != 0) return -EINVAL;
  const record = ringbufReserve(d, size, 0, mapId);
  if (record == 0) return -EAGAIN;
  memory.copy(record, data, <usize>size);
  ringbufCommit(record, false);
  return 0;
}

/** bpf_ringbuf_query: available data, ring size, consumer and producer positions. */
export function ringbufQuery(d: usize, flags: u64): u64 {
  if (flags == 0) return producer(d) - consumer(d);
  if (flags == 1) return <u64>maxEntries(d);
  if (flags == 2) return consumer(d);
  if (flags == 3) return producer(d);
  return 0;
}

/**
 * The host's reader: the data of the next submitted record (discarded ones are
 * skipped), or 0 when there is none yet; `ringbufLength` tells its length.
 */
export let ringbufLength: u32 = 0;
export function ringbufPeek(d: usize): usize {
  while (consumer(d) < producer(d)) {
    const header = slotA(d) + <usize>(consumer(d) & <u64>slotB(d));
    const word = load<u32>(header);
    if ((word & BUSY_BIT) != 0) return 0;
    const length = word & ~(BUSY_BIT | DISCARD_BIT);
    if ((word & DISCARD_BIT) == 0) {
      ringbufLength = length;
      return header + <usize>HEADER;
    }
    setWideB(d, consumer(d) + ((<u64>length + HEADER + 7) & ~7));
  }
  return 0;
}

/** Moves the reader past the record ringbufPeek returned. */
export function ringbufConsume(d: usize): void {
  const header = slotA(d) + <usize>(consumer(d) & <u64>slotB(d));
  const length = load<u32>(header) & ~(BUSY_BIT | DISCARD_BIT);
  setWideB(d, consumer(d) + ((<u64>length + HEADER + 7) & ~7));
}
