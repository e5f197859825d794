import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, expect, test } from "vitest";
import { KernelError, KernelMap, KernelObject, kernelBackendUnavailable } from "../../backend-kernel/libbpf.ts";
import { describeWhen } from "../support/requirements.ts";
import { TemporaryBpffs, fixture, readU64, u32, u64 } from "./support.ts";

let bpffs: TemporaryBpffs;
const opened: { close(): void }[] = [];

function openLoaded(name: string, configure: (object: KernelObject) => void = () => {}): KernelObject {
  const object = KernelObject.open(fixture(name), { pinRoot: bpffs.path });
  opened.push(object);
  configure(object);
  object.load();
  return object;
}

beforeEach(() => {
  if (!kernelBackendUnavailable()) bpffs = new TemporaryBpffs();
});

afterEach(() => {
  if (!bpffs) return;
  opened.splice(0).forEach((object) => object.close());
  for (const entry of bpffs.entries()) rmSync(join(bpffs.path, entry)); // after a failed test
  bpffs.remove();
  expect(existsSync(bpffs.path)).toBe(false);
});

describeWhen(kernelBackendUnavailable(), "maps pinned in bpffs and reused by name", () => {
  test("objects loaded with the same pin root share the maps declared LIBBPF_PIN_BY_NAME", () => {
    const counters = openLoaded("counters.o");
    expect(bpffs.entries()).toEqual(["shared_table"]);
    const target = openLoaded("tail_target.o");
    expect(target.map("shared_table").id).toBe(counters.map("shared_table").id);

    counters.map("shared_table").update(u32(1), u64(5n));
    expect(readU64(target.map("shared_table").lookup(u32(1))!)).toBe(5n);

    const pinned = KernelMap.openPinned(join(bpffs.path, "shared_table"));
    opened.push(pinned);
    expect(pinned.id).toBe(counters.map("shared_table").id);
    expect(pinned.type).toBe("hash");
  });

  test("the pin keeps a map alive after its objects close, for the next object to reuse", () => {
    const first = openLoaded("counters.o");
    first.map("shared_table").update(u32(2), u64(9n));
    first.close();

    const second = openLoaded("tail_target.o");
    expect(readU64(second.map("shared_table").lookup(u32(2))!)).toBe(9n);
    second.unpinMap("shared_table");
    expect(bpffs.entries()).toEqual([]);
  });

  test("a pin path set before load pins any map, and a later object with the same path reuses it", () => {
    const path = join(bpffs.path, "endpoint_42_counts");
    const pinCounts = (object: KernelObject) => object.setPinPath("packets_by_source", path);
    const first = openLoaded("counters.o", pinCounts);
    const second = openLoaded("counters.o", pinCounts);
    expect(bpffs.entries()).toEqual(["endpoint_42_counts", "shared_table"]);
    expect(second.maps().find((map) => map.name === "packets_by_source")?.pinPath).toBe(path);
    expect(second.map("packets_by_source").id).toBe(first.map("packets_by_source").id);
    expect(second.map("last_length").id).not.toBe(first.map("last_length").id);
    first.unpinMap("packets_by_source");
    first.unpinMap("shared_table");
    expect(bpffs.entries()).toEqual([]);
  });

  test("a pinned map that differs from the object's definition is refused, with libbpf's reason", () => {
    openLoaded("counters.o");
    let refusal: unknown;
    try {
      openLoaded("tail_target.o", (object) => object.setMaxEntries("shared_table", 16));
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(KernelError);
    expect((refusal as KernelError).code).toBe("EINVAL");
    expect((refusal as KernelError).libbpfMessages).toMatch(/couldn't reuse pinned map at '.*shared_table': parameter mismatch/);
  });
});
