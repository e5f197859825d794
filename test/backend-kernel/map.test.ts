import { afterEach, beforeEach, expect, test } from "vitest";
import { KernelError, KernelObject, KernelUsageError, kernelBackendUnavailable } from "../../backend-kernel/libbpf.ts";
import { describeWhen } from "../support/requirements.ts";
import { tcpSyn } from "./packets.ts";
import { openCounters, readU32, readU64, u32, u64 } from "./support.ts";

let object: KernelObject;

beforeEach(() => {
  if (kernelBackendUnavailable()) return;
  object = openCounters();
  object.setMaxEntries("packets_by_source", 3);
  object.load();
});
afterEach(() => object?.close());

function kernelErrorOf(action: () => unknown): KernelError {
  try {
    action();
  } catch (error) {
    if (error instanceof KernelError) return error;
    throw error;
  }
  throw new Error("expected a KernelError");
}

describeWhen(kernelBackendUnavailable(), "a kernel map from the host", () => {
  test("looks up, updates and deletes entries", () => {
    const map = object.map("packets_by_source");
    expect(map.lookup(u32(1))).toBeUndefined();
    map.update(u32(1), u64(10n));
    expect(readU64(map.lookup(u32(1))!)).toBe(10n);
    map.update(u32(1), u64(11n), "exist");
    expect(readU64(map.lookup(u32(1))!)).toBe(11n);
    map.delete(u32(1));
    expect(map.lookup(u32(1))).toBeUndefined();
  });

  test("returns the kernel's errno: EEXIST, ENOENT, E2BIG", () => {
    const map = object.map("packets_by_source");
    map.update(u32(1), u64(1n), "noexist");
    const exists = kernelErrorOf(() => map.update(u32(1), u64(2n), "noexist"));
    expect(exists.code).toBe("EEXIST");
    expect(exists.errno).toBe(17);
    expect(exists.operation).toBe("update");
    expect(exists.message).toMatch(/^update \S*counters\.o\/packets_by_source: EEXIST \(File exists\)$/);

    expect(kernelErrorOf(() => map.update(u32(2), u64(1n), "exist")).code).toBe("ENOENT");
    expect(kernelErrorOf(() => map.delete(u32(2))).code).toBe("ENOENT");

    map.update(u32(2), u64(1n));
    map.update(u32(3), u64(1n));
    expect(kernelErrorOf(() => map.update(u32(4), u64(1n))).code).toBe("E2BIG"); // max_entries was set to 3
  });

  test("arrays have every index, and refuse indices past the end and deletes", () => {
    const array = object.map("last_length");
    expect(readU32(array.lookup(u32(3))!)).toBe(0);
    expect(kernelErrorOf(() => array.update(u32(4), u32(1))).code).toBe("E2BIG");
    expect(kernelErrorOf(() => array.delete(u32(0))).code).toBe("EINVAL");
  });

  test("iterates its keys", () => {
    const map = object.map("packets_by_source");
    expect([...map.keys()]).toEqual([]);
    for (const key of [7, 8, 9]) map.update(u32(key), u64(BigInt(key)));
    expect([...map.keys()].map(readU32).sort()).toEqual([7, 8, 9]);
    expect([...object.map("last_length").keys()].map(readU32)).toEqual([0, 1, 2, 3]);
  });

  test("gives every possible CPU's value of a per-CPU map, and takes one per CPU", () => {
    const counts = object.map("packet_count");
    expect(counts.perCpu).toBe(true);
    object.program("count_packet").testRun({ data: tcpSyn(), repeat: 5 });
    const values = counts.lookupPerCpu(u32(0))!;
    expect(values).toHaveLength(possibleCpus());
    expect(values.map(readU64).reduce((sum, value) => sum + value, 0n)).toBe(5n);

    counts.updatePerCpu(
      u32(0),
      values.map((_, cpu) => u64(BigInt(100 + cpu))),
    );
    expect(counts.lookupPerCpu(u32(0))!.map(readU64)).toEqual(values.map((_, cpu) => BigInt(100 + cpu)));
  });

  test("counts what a program wrote", () => {
    object.program("count_packet").testRun({ data: tcpSyn(), repeat: 3 });
    const source = new Uint8Array([10, 0, 0, 1]); // the key is the address in network order
    expect(readU64(object.map("packets_by_source").lookup(source)!)).toBe(3n);
  });
});

describeWhen(kernelBackendUnavailable(), "bad input to a kernel map", () => {
  test("keys and values of the wrong size name the map and the field", () => {
    const map = object.map("packets_by_source");
    expect(() => map.lookup(new Uint8Array(3))).toThrow(/counters\.o\/packets_by_source: key: must be 4 bytes, got 3/);
    expect(() => map.update(u32(1), u32(1))).toThrow(/counters\.o\/packets_by_source: value: must be 8 bytes, got 4/);
    expect(() => map.update(u32(1), u64(1n), "sometimes" as "any")).toThrow(/mode: must be "any", "noexist" or "exist"/);
  });

  test("per-CPU and shared maps are not mixed up", () => {
    expect(() => object.map("packet_count").lookup(u32(0))).toThrow(/is a percpu_array map: use lookupPerCpu\(\)/);
    expect(() => object.map("packets_by_source").lookupPerCpu(u32(0))).toThrow(KernelUsageError);
    expect(() => object.map("packet_count").updatePerCpu(u32(0), [])).toThrow(/values: must hold one value per possible CPU/);
    expect(() => object.map("packets_by_source").setProgram(0, object.program("count_packet"))).toThrow(/not a prog_array/);
  });

  test("a closed map refuses use", () => {
    const map = object.map("packets_by_source");
    map.close();
    expect(() => map.lookup(u32(1))).toThrow(/counters\.o\/packets_by_source: map: is closed/);
  });
});

function possibleCpus(): number {
  return object.map("packet_count").lookupPerCpu(u32(0))!.length;
}
