// CLI start-up as a user's CI job pays it: whole processes, timed from spawn
// to exit, beside bare Node. Each command runs once unmeasured first (which
// also fills the compiled engine's disk cache), then RUNS times, the commands
// taking turns so that a busy moment on the machine spreads over all of them.
// EBBFLOW_STARTUP_BEFORE names another checkout (built and npm-installed,
// e.g. the commit before a change) to time side by side with this one.
// Run: [EBBFLOW_STARTUP_BEFORE=../before] npm run bench -- startup

import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import type { BenchmarkReport } from "./report.ts";

const RUNS = 10;
const SCENARIO = "scenarios/seed-default-deny-all.yaml";

interface Case {
  checkout: string;
  command: string;
  args: string[];
}

function cases(checkout: string): Case[] {
  const bin = resolve(checkout, "bin/ebbflow.js");
  return [
    { checkout, command: "ebbflow --version", args: [bin, "--version"] },
    { checkout, command: `ebbflow scenario run ${SCENARIO}`, args: [bin, "scenario", "run", SCENARIO] },
  ];
}

function timeOnce(run: Case): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, run.args, { cwd: run.checkout, stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${run.checkout}: ${run.command} exited ${result.status}: ${result.stderr}`);
  return ms;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

export async function startupBenchmark(): Promise<BenchmarkReport> {
  const before = process.env.EBBFLOW_STARTUP_BEFORE;
  const all: Case[] = [
    { checkout: process.cwd(), command: "node -e 0", args: ["-e", "0"] },
    ...(before ? cases(resolve(before)) : []),
    ...cases(process.cwd()),
  ];
  for (const run of all) timeOnce(run);
  const times = all.map((): number[] => []);
  for (let round = 0; round < RUNS; round++) all.forEach((run, k) => times[k].push(timeOnce(run)));
  const bareNode = median(times[0]);
  return {
    name: "startup",
    results: all.map((run, k) => ({
      checkout: run.command === "node -e 0" ? "" : run.checkout,
      command: run.command,
      runs: RUNS,
      medianMs: Math.round(median(times[k])),
      minMs: Math.round(Math.min(...times[k])),
      timesBareNode: Number((median(times[k]) / bareNode).toFixed(1)),
    })),
  };
}
