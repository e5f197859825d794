import { constants } from "node:os";
import { join } from "node:path";
import { afterEach, expect, test } from "vitest";
import { KernelMap, KernelObject, KernelUsageError, kernelBackendUnavailable } from "../../backend-kernel/libbpf.ts";
import { encodeSkBuff } from "../../backend-kernel/test-run-context.ts";
import { describeWhen } from "../support/requirements.ts";
import { tcpSyn } from "./packets.ts";
import { TemporaryBpffs, fixture, openCounters, readU32 } from "./support.ts";

// ringbuf.o: output_record, submit_record and discard_record each write one
// record carrying the run's skb->mark as its sequence number.
const ways: Record<number, string> = { 1: "output", 2: "submit", 3: "discard" };

interface Written {
  sequence: number;
  way: string;
  /** skb->len, in the 12-byte records of submit_record only. */
  length?: number;
}

function decode(record: Uint8Array): Written {
  const written: Written = { sequence: readU32(record), way: ways[readU32(record.subarray(4))] ?? "unknown" };
  if (record.length === 12) written.length = readU32(record.subarray(8));
  return written;
}

const opened: KernelObject[] = [];
afterEach(() => opened.splice(0).forEach((object) => object.close()));

function loadRingbuf(configure: (object: KernelObject) => void = () => {}): KernelObject {
  const object = KernelObject.open(fixture("ringbuf.o"));
  opened.push(object);
  configure(object);
  object.load();
  return object;
}

/** Runs `program` once with skb->mark = sequence; its return code, signed. */
function write(object: KernelObject, program: string, sequence: number): number {
  return object.program(program).testRun({ data: tcpSyn(), ctx: encodeSkBuff({ mark: sequence }) }).retval | 0;
}

describeWhen(kernelBackendUnavailable(), "draining a kernel ring buffer", () => {
  test("returns the records in the order they were written, each as long as it was written", () => {
    const object = loadRingbuf();
    write(object, "output_record", 1);
    write(object, "submit_record", 2);
    write(object, "output_record", 3);
    const records = object.map("records").drainRingbuf();
    expect(records.map((record) => record.length)).toEqual([8, 12, 8]);
    expect(records.map(decode)).toEqual([
      { sequence: 1, way: "output" },
      { sequence: 2, way: "submit", length: 64 },
      { sequence: 3, way: "output" },
    ]);
  });

  test("skips discarded records", () => {
    const object = loadRingbuf();
    write(object, "discard_record", 1);
    write(object, "output_record", 2);
    write(object, "discard_record", 3);
    write(object, "submit_record", 4);
    write(object, "discard_record", 5);
    expect(object.map("records").drainRingbuf().map(decode)).toEqual([
      { sequence: 2, way: "output" },
      { sequence: 4, way: "submit", length: 64 },
    ]);
  });

  test("an empty ring drains to [], before any record and after the last", () => {
    const object = loadRingbuf();
    const ring = object.map("records");
    expect(ring.drainRingbuf()).toEqual([]);
    write(object, "discard_record", 1);
    expect(ring.drainRingbuf()).toEqual([]);
    write(object, "output_record", 2);
    expect(ring.drainRingbuf()).toHaveLength(1);
    expect(ring.drainRingbuf()).toEqual([]);
  });

  test("a drain continues where the last one stopped: no record twice", () => {
    const object = loadRingbuf();
    const ring = object.map("records");
    write(object, "output_record", 1);
    write(object, "output_record", 2);
    expect(ring.drainRingbuf().map((record) => decode(record).sequence)).toEqual([1, 2]);
    write(object, "submit_record", 3);
    expect(ring.drainRingbuf().map((record) => decode(record).sequence)).toEqual([3]);
  });

  test("a full ring refuses records (output gives -EAGAIN, reserve gives NULL) until drained", () => {
    const object = loadRingbuf();
    const ring = object.map("records");
    expect(ring.maxEntries).toBe(4096);
    // Each record takes 16 bytes (8 of header, 8 of data), and the kernel keeps
    // the producer less than a whole ring ahead of the reader: 255 fit, not 256.
    let written = 0;
    while (write(object, "output_record", written) === 0) written++;
    expect(written).toBe(4096 / 16 - 1);
    expect(write(object, "output_record", written)).toBe(-constants.errno.EAGAIN);
    expect(write(object, "submit_record", written)).toBe(1);

    const records = ring.drainRingbuf();
    expect(records.map((record) => decode(record).sequence)).toEqual(Array.from({ length: written }, (_, index) => index));
    expect(write(object, "output_record", 1000)).toBe(0);
    expect(ring.drainRingbuf().map(decode)).toEqual([{ sequence: 1000, way: "output" }]);
  });

  test("records written by repeated runs of one test run all arrive", () => {
    const object = loadRingbuf();
    object.program("submit_record").testRun({ data: tcpSyn(), ctx: encodeSkBuff({ mark: 9 }), repeat: 100 });
    const records = object.map("records").drainRingbuf().map(decode);
    expect(records).toHaveLength(100);
    expect(records.every((record) => record.sequence === 9 && record.way === "submit")).toBe(true);
  });
});

describeWhen(kernelBackendUnavailable(), "a ring buffer pinned in bpffs", () => {
  test("every holder of the map drains one stream", () => {
    const bpffs = new TemporaryBpffs();
    try {
      const path = join(bpffs.path, "records");
      const object = loadRingbuf((object) => object.setPinPath("records", path));
      const pinned = KernelMap.openPinned(path);
      try {
        write(object, "output_record", 1);
        write(object, "output_record", 2);
        expect(pinned.drainRingbuf().map((record) => decode(record).sequence)).toEqual([1, 2]);
        expect(object.map("records").drainRingbuf()).toEqual([]);
        write(object, "output_record", 3);
        expect(
          object
            .map("records")
            .drainRingbuf()
            .map((record) => decode(record).sequence),
        ).toEqual([3]);
        expect(pinned.drainRingbuf()).toEqual([]);
      } finally {
        pinned.close();
        object.unpinMap("records");
      }
    } finally {
      opened.splice(0).forEach((object) => object.close());
      bpffs.remove();
    }
  });
});

describeWhen(kernelBackendUnavailable(), "bad use of drainRingbuf()", () => {
  test("a map of another type is refused, naming it and its type", () => {
    const counters = openCounters();
    opened.push(counters);
    counters.load();
    const drain = () => counters.map("packets_by_source").drainRingbuf();
    expect(drain).toThrow(KernelUsageError);
    expect(drain).toThrow(/counters\.o\/packets_by_source: drainRingbuf\(\): is a hash map, not a ringbuf/);
  });

  test("a closed map, or a map of a closed object, is refused", () => {
    const object = loadRingbuf();
    const ring = object.map("records");
    ring.drainRingbuf();
    object.close();
    expect(() => ring.drainRingbuf()).toThrow(/ringbuf\.o\/records: map: is closed/);
  });
});
