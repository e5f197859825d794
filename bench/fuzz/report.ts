// The fuzzer's counts (rows by input kind and engine, columns by class) and
// its findings, one folder each: the input, the command that reproduces it,
// and the first lines of what it printed.

import { cpSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ElfVerdict } from "./elf-run.ts";
import type { GuardEntry } from "./roots.ts";

/** Row, then column, then count. */
export type Tally = Map<string, Map<string, number>>;

/** One engine's class of an ELF mutant: what `ebbflow bench` would do with it, as far as the loader and the VM decide. */
export function elfClass(verdict: ElfVerdict, engine: "compiled" | "interpreter"): string {
  if (verdict.kind !== "done") return verdict.kind;
  const result = verdict.results[engine];
  if (result.stage === "refused") return "refused (typed)";
  if (result.stage === "untyped") return "stack trace";
  return result.faults > 0 ? "ran, a program faulted (typed)" : "ran";
}

export function printTable(tallies: readonly Tally[]): string {
  const lines: string[] = [];
  for (const tally of tallies) {
    if (tally.size === 0) continue;
    const columns = [...new Set([...tally.values()].flatMap((row) => [...row.keys()]))].sort();
    const width = Math.max(...[...tally.keys()].map((row) => row.length));
    lines.push(["".padEnd(width), ...columns, "total"].join(" | "));
    for (const [row, counts] of tally) {
      // The total counts inputs: the columns of what was read or printed count some of them again.
      const sum = [...counts].filter(([column]) => !/outside|canary/.test(column)).reduce((total, [, n]) => total + n, 0);
      lines.push([row.padEnd(width), ...columns.map((column) => String(counts.get(column) ?? 0).padStart(column.length)), String(sum)].join(" | "));
    }
    lines.push("");
  }
  return lines.join("\n");
}

export interface Finding {
  kind: string;
  input: string;
  command: string;
  summary: string;
  stdout: string;
  stderr: string;
  outside: readonly GuardEntry[];
}

const head = (text: string) => text.split("\n").slice(0, 15).join("\n");

export function writeFinding(folder: string, name: string, finding: Finding): void {
  const target = join(folder, finding.kind.replace(/\W+/g, "-"), name);
  mkdirSync(target, { recursive: true });
  // The input itself (a scenario's folder keeps its fixtures; FIFOs and symlinks are copied as such).
  cpSync(finding.input, join(target, statSync(finding.input).isDirectory() ? "input" : "input.o"), { recursive: true, verbatimSymlinks: true });
  writeFileSync(
    join(target, "finding.txt"),
    [
      `${finding.kind}: ${finding.summary}`,
      `reproduce: ${finding.command}`,
      ...finding.outside.map((entry) => `outside the roots: ${entry.op} ${entry.path} -> ${entry.real}`),
      "--- stdout (first lines)",
      head(finding.stdout),
      "--- stderr (first lines)",
      head(finding.stderr),
      "",
    ].join("\n"),
  );
}
