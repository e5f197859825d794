// `--baseline FILE`: this run's rows beside a saved bench/results/scale.json,
// rows matched by their text fields, each numeric field with its ratio.

import { existsSync, readFileSync } from "node:fs";

type Row = Record<string, string | number>;

const rowKey = (row: Row) =>
  Object.entries(row)
    .filter(([, value]) => typeof value === "string")
    .map(([field, value]) => `${field}=${value}`)
    .join(" ");

/** The saved rows; a file that is not a benchmark's JSON is refused, naming it. */
export function readBaseline(file: string): Row[] {
  if (!existsSync(file)) throw new Error(`scale: --baseline: ${file}: no such file`);
  const saved = JSON.parse(readFileSync(file, "utf8")) as { results?: unknown };
  if (!Array.isArray(saved.results)) throw new Error(`scale: --baseline: ${file}: no "results" array (write baselines with npm run bench -- scale)`);
  return saved.results as Row[];
}

export function compareWithBaseline(rows: readonly Row[], baseline: readonly Row[]): Row[] {
  const before = new Map(baseline.map((row) => [rowKey(row), row]));
  const table: Row[] = [];
  for (const row of rows) {
    const old = before.get(rowKey(row));
    if (!old) continue;
    for (const [field, value] of Object.entries(row)) {
      const was = old[field];
      if (typeof value !== "number" || typeof was !== "number") continue;
      table.push({ row: rowKey(row), field, baseline: was, now: value, "now/baseline": was === 0 ? "-" : Number((value / was).toFixed(3)) });
    }
  }
  return table;
}
