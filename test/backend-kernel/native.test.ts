import { afterEach, expect, test } from "vitest";
import { kernelBackendUnavailable } from "../../backend-kernel/libbpf.ts";
import { type NativeLibbpf, nativeLibbpf, type ObjectHandle } from "../../backend-kernel/native.ts";
import { describeWhen } from "../support/requirements.ts";
import { fixture } from "./support.ts";

// The addon's own checks guard the native boundary behind libbpf.ts: these
// are the errors a wrong call into it gets, whichever function it calls.

let native: NativeLibbpf;
const opened: ObjectHandle[] = [];
function openLoaded(): ObjectHandle {
  native = nativeLibbpf();
  const object = native.openObject(fixture("counters.o"), null, null);
  opened.push(object);
  native.setMapPinPath(object, "shared_table", null);
  native.loadObject(object);
  return object;
}
afterEach(() => {
  for (const object of opened.splice(0)) {
    try {
      native.closeObject(object);
    } catch {
      // the test closed it itself
    }
  }
});

describeWhen(kernelBackendUnavailable(), "the libbpf addon's boundary", () => {
  test("lists an object's programs and maps with libbpf's type names", () => {
    const object = openLoaded();
    expect(native.objectPrograms(object)).toContainEqual({ name: "count_packet", section: "tc", type: "sched_cls", autoload: true });
    expect(native.objectMaps(object)).toContainEqual({
      name: "packets_by_source",
      type: "hash",
      keySize: 4,
      valueSize: 8,
      maxEntries: 16,
      flags: 0,
      internal: false,
      pinPath: null,
    });
    expect(native.mapInfo(native.objectMap(object, "packets_by_source"))).toMatchObject({ name: "packets_by_source", type: "hash" });
    expect(native.programInfo(native.objectProgram(object, "count_packet"))).toMatchObject({ name: "count_packet", type: "sched_cls" });
  });

  test("refuses a call with too few arguments", () => {
    const object = openLoaded();
    const call = native as unknown as Record<string, (...args: unknown[]) => unknown>;
    for (const name of ["objectPrograms", "mapInfo", "programInfo", "closeMap"]) expect(() => call[name]()).toThrow(new TypeError("too few arguments"));
    expect(() => call.objectProgram(object)).toThrow(new TypeError("too few arguments"));
    expect(() => call.testRun(native.objectProgram(object, "count_packet"))).toThrow(new TypeError("too few arguments"));
  });

  test("refuses a handle of another kind, naming the kind it takes", () => {
    const object = openLoaded();
    const map = native.objectMap(object, "packets_by_source");
    const program = native.objectProgram(object, "count_packet");
    const loose = native as unknown as Record<string, (...args: unknown[]) => unknown>;
    expect(() => loose.objectMaps(map)).toThrow(new TypeError("handle must be an object handle"));
    expect(() => loose.mapInfo(program)).toThrow(new TypeError("handle must be a map handle"));
    expect(() => loose.closeProgram(map)).toThrow(new TypeError("handle must be a program handle"));
    expect(() => loose.testRun(object, {})).toThrow(new TypeError("handle must be a program handle"));
  });

  test("names the pin path it could not open a map from, with the kernel's errno", () => {
    native = nativeLibbpf();
    const missing = () => native.openPinnedMap("/nonexistent/ebbflow-map");
    expect(missing).toThrow("open map /nonexistent/ebbflow-map: No such file or directory");
    expect(missing).toThrow(expect.objectContaining({ op: "open map", errno: 2 }));
  });

  test("refuses a closed handle, and a map the object does not have", () => {
    const object = openLoaded();
    const map = native.objectMap(object, "packets_by_source");
    expect(() => native.unpinMap(object, "no_such_map")).toThrow("find map no_such_map: No such file or directory");
    native.closeMap(map);
    expect(() => native.mapInfo(map)).toThrow("the handle is closed");
    native.closeObject(object);
    expect(() => native.objectVariables(object)).toThrow("the handle is closed");
    expect(() => native.objectMap(object, "packets_by_source")).toThrow("the handle is closed");
  });
});
