// Runs benchmarks of this checkout and of another one (an older commit) in
// turns, in one sitting, and prints each figure's median on both sides with
// their ratio: on a shared, noisy machine only figures taken side by side
// compare. Each turn is a fresh process (`npm run bench -- NAME`) in its
// checkout; rows are matched by their text fields.
// Run: npx tsx bench/side-by-side.ts OTHER_CHECKOUT [--rounds N] NAME...

import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { median } from "./stats.ts";

type Row = Record<string, string | number>;

function parseArguments(argv: string[]): { other: string; rounds: number; names: string[] } {
  const [other, ...rest] = argv;
  let rounds = 3;
  const names: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === "--rounds") rounds = Number(rest[++i]);
    else names.push(rest[i]);
  }
  if (!other || names.length === 0 || !Number.isInteger(rounds) || rounds < 1) {
    console.error("usage: npx tsx bench/side-by-side.ts OTHER_CHECKOUT [--rounds N] NAME...");
    process.exit(2);
  }
  return { other: resolve(other), rounds, names };
}

/** One benchmark run in `checkout`: its rows, from the JSON it writes. */
function runOnce(checkout: string, name: string): Row[] {
  const result = spawnSync("npm", ["run", "--silent", "bench", "--", name], { cwd: checkout, stdio: ["ignore", "ignore", "inherit"] });
  if (result.status !== 0) throw new Error(`npm run bench -- ${name} in ${checkout} exited ${result.status}`);
  return (JSON.parse(readFileSync(join(checkout, "bench", "results", `${name}.json`), "utf8")) as { results: Row[] }).results;
}

const rowKey = (row: Row) =>
  Object.entries(row)
    .filter(([, value]) => typeof value === "string")
    .map(([field, value]) => `${field}=${value}`)
    .join(" ");

/** Every numeric field of every row, over the rounds: key -> field -> values. */
function collect(runs: Row[][]): Map<string, Map<string, number[]>> {
  const figures = new Map<string, Map<string, number[]>>();
  for (const rows of runs) {
    for (const row of rows) {
      const fields = figures.get(rowKey(row)) ?? new Map<string, number[]>();
      figures.set(rowKey(row), fields);
      for (const [field, value] of Object.entries(row)) if (typeof value === "number") fields.set(field, [...(fields.get(field) ?? []), value]);
    }
  }
  return figures;
}

const { other, rounds, names } = parseArguments(process.argv.slice(2));
const here = resolve(".");
for (const name of names) {
  const runs: { here: Row[][]; other: Row[][] } = { here: [], other: [] };
  for (let round = 0; round < rounds; round++) {
    // Alternate which side goes first, so that a drift of the machine falls on both.
    const order = round % 2 === 0 ? (["other", "here"] as const) : (["here", "other"] as const);
    for (const side of order) runs[side].push(runOnce(side === "here" ? here : other, name));
  }
  const mine = collect(runs.here);
  const theirs = collect(runs.other);
  const table: Row[] = [];
  for (const [key, fields] of mine) {
    for (const [field, values] of fields) {
      const before = theirs.get(key)?.get(field);
      if (!before) continue;
      const [b, a] = [median(before), median(values)];
      table.push({ row: key, field, [`other (${other})`]: b, here: a, "here/other": b === 0 ? "-" : Number((a / b).toFixed(3)) });
    }
  }
  console.log(`# ${name}: medians of ${rounds} runs a side, in turns`);
  console.table(table);
}
