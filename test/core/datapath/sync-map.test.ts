import { describe, expect, test } from "vitest";
import { type HostMap, syncEntries } from "../../../src/core/datapath/sync-map.ts";

const bytes = (...values: number[]) => Uint8Array.from(values);
const hex = (key: Uint8Array) => Buffer.from(key).toString("hex");

/** A map that records its writes, and that fails a delete made while its keys are being walked. */
class RecordingMap implements HostMap {
  readonly writes: string[] = [];
  private walking = false;
  constructor(readonly entries = new Map<string, Uint8Array>()) {}

  *keys(): Iterable<Uint8Array> {
    this.walking = true;
    for (const key of [...this.entries.keys()]) yield Buffer.from(key, "hex");
    this.walking = false;
  }
  lookup(key: Uint8Array): Uint8Array | undefined {
    return this.entries.get(hex(key));
  }
  update(key: Uint8Array, value: Uint8Array): void {
    this.writes.push(`update ${hex(key)}=${hex(value)}`);
    this.entries.set(hex(key), value);
  }
  delete(key: Uint8Array): void {
    if (this.walking) throw new Error("deleted while walking the keys");
    this.writes.push(`delete ${hex(key)}`);
    this.entries.delete(hex(key));
  }
}

describe("syncing a map to the entries it must hold", () => {
  test("deletes the keys not wanted, adds the missing ones and rewrites the changed ones only", () => {
    const map = new RecordingMap(
      new Map([
        ["01", bytes(10)],
        ["02", bytes(20)],
        ["03", bytes(30)],
      ]),
    );
    syncEntries(map, [
      { key: bytes(2), value: bytes(20) },
      { key: bytes(3), value: bytes(31) },
      { key: bytes(4), value: bytes(40) },
    ]);
    expect(map.writes).toEqual(["delete 01", "update 03=1f", "update 04=28"]);
    expect([...map.entries].map(([key, value]) => `${key}=${hex(value)}`)).toEqual(["02=14", "03=1f", "04=28"]);
  });

  test("empties a map for no entries, and writes nothing when it already holds them", () => {
    const map = new RecordingMap(new Map([["01", bytes(10)]]));
    syncEntries(map, [{ key: bytes(1), value: bytes(10) }]);
    expect(map.writes).toEqual([]);
    syncEntries(map, []);
    expect(map.writes).toEqual(["delete 01"]);
    expect(map.entries.size).toBe(0);
  });
});
