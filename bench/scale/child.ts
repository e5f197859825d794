// One `ebbflow scenario run FILE` as a user runs it: a process of its own, so
// that its peak memory is its own, timed from spawn to exit.

import { spawn } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const PEAK_RSS_HOOK = resolve(import.meta.dirname, "peak-rss.cjs");

export interface ChildRun {
  wallMs: number;
  /** Peak resident set size, MiB; undefined when the run did not end well. */
  peakRssMiB?: number;
  /** Why the run gives no figures: stopped at the timeout, or it did not pass every attempt (an older commit may crash). */
  failure?: string;
}

/** Runs `checkout`'s bin/ebbflow.js on `file`; a run that does not pass every attempt gives its failure, never a figure. */
export async function runScenario(checkout: string, file: string, timeoutMs: number): Promise<ChildRun> {
  const rssFile = join(tmpdir(), `ebbflow-scale-rss-${process.pid}-${Date.now()}`);
  const args = ["--require", PEAK_RSS_HOOK, resolve(checkout, "bin/ebbflow.js"), "scenario", "run", file];
  const start = process.hrtime.bigint();
  const child = spawn(process.execPath, args, { cwd: checkout, env: { ...process.env, EBBFLOW_PEAK_RSS_FILE: rssFile }, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const status = await new Promise<number | null>((done) => child.on("close", (code) => done(code)));
  clearTimeout(timer);
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  if (child.signalCode === "SIGKILL") return { wallMs, failure: `stopped after ${timeoutMs / 1000} s` };
  const peakRssKiB = status === 0 ? Number(readFileSync(rssFile, "utf8")) : undefined;
  rmSync(rssFile, { force: true });
  if (peakRssKiB === undefined) return { wallMs, failure: `exited ${status ?? child.signalCode}: ${stderr.trim().split("\n").at(-1) ?? ""}` };
  return { wallMs, peakRssMiB: peakRssKiB / 1024 };
}
