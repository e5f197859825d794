// One `ebbflow scenario run FILE` as a user runs it: a process of its own, so
// that its peak memory is its own, timed from spawn to exit.

import { spawn } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const PEAK_RSS_HOOK = resolve(import.meta.dirname, "peak-rss.cjs");

export interface ChildRun {
  wallMs: number;
  /** Peak resident set size, MiB; undefined when the run was stopped. */
  peakRssMiB?: number;
  timedOut: boolean;
}

/** Runs `checkout`'s bin/ebbflow.js on `file`; a run that does not pass every attempt is an error, never a figure. */
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
  if (child.signalCode === "SIGKILL") return { wallMs, timedOut: true };
  if (status !== 0) throw new Error(`${checkout}: ebbflow scenario run ${file} exited ${status}: ${stderr}`);
  const peakRssMiB = Number(readFileSync(rssFile, "utf8")) / 1024;
  rmSync(rssFile);
  return { wallMs, peakRssMiB, timedOut: false };
}
