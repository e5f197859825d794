import { readFileSync } from "node:fs";
import { afterEach, expect, test } from "vitest";
import { KernelError, KernelObject, KernelUsageError, VerifierError, kernelBackendUnavailable } from "../../backend-kernel/libbpf.ts";
import { describeWhen } from "../support/requirements.ts";
import { fixture, openCounters, readU32, u32 } from "./support.ts";
import { tcpSyn } from "./packets.ts";

const opened: KernelObject[] = [];
const track = (object: KernelObject) => (opened.push(object), object);
afterEach(() => opened.splice(0).forEach((object) => object.close()));

describeWhen(kernelBackendUnavailable(), "a kernel object", () => {
  test("lists its programs, maps and global variables after open", () => {
    const object = track(KernelObject.open(fixture("counters.o")));
    expect(object.programs()).toEqual([
      { name: "count_packet", section: "tc", type: "sched_cls", autoload: true },
      { name: "jump", section: "tc", type: "sched_cls", autoload: true },
      { name: "strip_ethernet", section: "xdp", type: "xdp", autoload: true },
    ]);
    const maps = Object.fromEntries(
      object.maps().map(({ name, type, keySize, valueSize, maxEntries, internal }) => [name, { type, keySize, valueSize, maxEntries, internal }]),
    );
    expect(maps).toEqual({
      packets_by_source: { type: "hash", keySize: 4, valueSize: 8, maxEntries: 16, internal: false },
      last_length: { type: "array", keySize: 4, valueSize: 4, maxEntries: 4, internal: false },
      packet_count: { type: "percpu_array", keySize: 4, valueSize: 8, maxEntries: 1, internal: false },
      shared_table: { type: "hash", keySize: 4, valueSize: 8, maxEntries: 8, internal: false },
      jump_table: { type: "prog_array", keySize: 4, valueSize: 4, maxEntries: 4, internal: false },
      ".rodata": { type: "array", keySize: 4, valueSize: 5, maxEntries: 1, internal: true },
    });
    expect(object.maps().find((map) => map.name === "shared_table")?.pinPath).toBe("/sys/fs/bpf/shared_table");
    expect(object.variables()).toEqual([
      { name: "verdict", section: ".rodata", offset: 0, size: 4 },
      { name: "source_mac_marker", section: ".rodata", offset: 4, size: 1 },
    ]);
    expect([...object.initialValue(".rodata")]).toEqual([0, 0, 0, 0, 2]);
  });

  test("opens from bytes as from a file", () => {
    const object = track(KernelObject.fromBytes(readFileSync(fixture("counters.o")), "counters"));
    expect(object.programs().map((program) => program.name)).toEqual(["count_packet", "jump", "strip_ethernet"]);
    expect(object.maps().some((map) => map.name === ".rodata")).toBe(true);
  });

  test("loads with .rodata constants and map sizes set before load", () => {
    const object = track(openCounters());
    object.setVariable("verdict", 2); // TC_ACT_SHOT
    object.setVariable("source_mac_marker", new Uint8Array([0xaa]));
    object.setMaxEntries("packets_by_source", 2);
    expect([...object.initialValue(".rodata")]).toEqual([2, 0, 0, 0, 0xaa]);
    object.load();

    const run = object.program("count_packet").testRun({ data: tcpSyn() });
    expect(run.retval).toBe(2);
    expect(run.data[6]).toBe(0xaa);
    expect(object.map("packets_by_source").maxEntries).toBe(2);
    // The kernel sees the constants as the program's read-only global data.
    expect([...object.map(".rodata").lookup(u32(0))!]).toEqual([2, 0, 0, 0, 0xaa]);
    expect(readU32(object.map("last_length").lookup(u32(0))!)).toBe(64);
  });

  test("refuses configuration after load and use before it", () => {
    const object = track(openCounters());
    expect(() => object.map("packets_by_source")).toThrow(/not loaded yet: call load\(\) first/);
    object.load();
    expect(() => object.setMaxEntries("packets_by_source", 4)).toThrow(KernelUsageError);
    expect(() => object.setVariable("verdict", 1)).toThrow(/already loaded: configure it before load\(\)/);
    expect(() => object.load()).toThrow(KernelUsageError);
    object.close();
    expect(() => object.programs()).toThrow(/counters\.o: programs\(\): the object is closed/);
  });

  test("a program the verifier refuses gives a VerifierError carrying the log", () => {
    const object = track(KernelObject.open(fixture("rejected.o")));
    const error = catchError(() => object.load());
    expect(error).toBeInstanceOf(VerifierError);
    const refusal = error as VerifierError;
    expect(refusal.program).toBe("read_unchecked");
    expect(refusal.code).toBe("EACCES");
    expect(refusal.verifierLog).toMatch(/invalid access to packet/);
    expect(refusal.verifierLog).toMatch(/rejected\.c:9/); // BTF line info names the C source line
    expect(refusal.message).toMatch(/rejected\.o\/read_unchecked/);
    expect(refusal.message).toMatch(/invalid access to packet/);
    expect(() => object.program("read_unchecked")).toThrow(/failed to load: close it/);
  });

  test("an error carries only the libbpf messages of its own call", () => {
    const rejected = track(KernelObject.open(fixture("rejected.o")));
    expect(() => rejected.load()).toThrow(VerifierError);
    const counters = track(openCounters());
    counters.load();
    const map = counters.map("packets_by_source");
    const error = catchError(() => map.delete(u32(1)));
    expect(error).toBeInstanceOf(KernelError);
    expect((error as KernelError).libbpfMessages).toBe("");
  });
});

describeWhen(kernelBackendUnavailable(), "bad input to a kernel object", () => {
  test("a missing file is ENOENT naming the file", () => {
    const error = catchError(() => KernelObject.open("/nonexistent/object.o"));
    expect(error).toBeInstanceOf(KernelError);
    expect((error as KernelError).code).toBe("ENOENT");
    expect((error as KernelError).message).toMatch(/^open \/nonexistent\/object\.o: ENOENT/);
  });

  test("bytes that are not an ELF object are refused naming the object", () => {
    const error = catchError(() => KernelObject.fromBytes(new TextEncoder().encode("not an ELF file"), "garbage"));
    expect(error).toBeInstanceOf(KernelError);
    expect((error as KernelError).target).toBe("garbage");
  });

  test("unknown maps, programs and variables are named with what the object has", () => {
    const object = track(openCounters());
    expect(() => object.setMaxEntries("no_such_map", 4)).toThrow(/counters\.o\/no_such_map: map: no such map; the object has: packets_by_source, last_length/);
    expect(() => object.setVariable("no_such_variable", 1)).toThrow(
      /counters\.o\/no_such_variable: variable: no such global variable; the object has: verdict, source_mac_marker/,
    );
    object.load();
    expect(() => object.program("no_such_program")).toThrow(/no such program; the object has: count_packet, jump, strip_ethernet/);
  });

  test("values that do not fit are refused with the field named", () => {
    const object = track(openCounters());
    expect(() => object.setVariable("source_mac_marker", 256)).toThrow(/source_mac_marker: value: 256 does not fit in 1 bytes/);
    expect(() => object.setVariable("verdict", new Uint8Array(2))).toThrow(/verdict: value: must be 4 bytes, got 2/);
    expect(() => object.setMaxEntries("packets_by_source", 0)).toThrow(/maxEntries: must be an integer from 1/);
    expect(() => object.initialValue("packets_by_source")).toThrow(/is not a global data section/);
  });
});

function catchError(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error("expected an error");
}
