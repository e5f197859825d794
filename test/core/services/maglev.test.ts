// Maglev tables: full, balanced, the seed's, and disturbed little when a
// backend goes.

import { describe, expect, test } from "vitest";
import { MAGLEV_TABLE_SIZE, maglevTable } from "../../../src/core/services/index.ts";

const backends = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `10.244.${i >> 8}.${i & 0xff}:8080/TCP`, id: i + 1 }));

describe("maglevTable", () => {
  test("fills every one of the 251 slots with a backend", () => {
    const table = maglevTable(backends(3), 1);
    expect(table).toHaveLength(MAGLEV_TABLE_SIZE);
    expect(new Set(table)).toEqual(new Set([1, 2, 3]));
  });

  test("gives each backend its share, within one slot", () => {
    for (const n of [2, 3, 5, 7]) {
      const counts = new Map<number, number>();
      for (const id of maglevTable(backends(n), 7)) counts.set(id, (counts.get(id) ?? 0) + 1);
      for (const count of counts.values()) expect(Math.abs(count - MAGLEV_TABLE_SIZE / n)).toBeLessThanOrEqual(1);
    }
  });

  test("is the same for the same seed and backends in any order, and differs with the seed", () => {
    const list = backends(4);
    expect(maglevTable([...list].reverse(), 3)).toEqual(maglevTable(list, 3));
    expect(maglevTable(list, 4)).not.toEqual(maglevTable(list, 3));
  });

  test("keeps most slots of the remaining backends when one goes", () => {
    const before = maglevTable(backends(5), 1);
    const after = maglevTable(
      backends(5).filter((b) => b.id !== 3),
      1,
    );
    const kept = before.filter((id, slot) => id !== 3 && after[slot] === id).length;
    const others = before.filter((id) => id !== 3).length;
    expect(kept / others).toBeGreaterThan(0.9);
  });

  test("is empty without backends", () => {
    expect(maglevTable([], 1)).toEqual([]);
  });
});
