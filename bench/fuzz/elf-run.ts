// ELF mutants through elf-worker.mjs, a batch per child: each object gets its
// own timeout (from its "begin" line); an object that hangs or crashes the
// child is recorded against it, and a new child goes on after it.

import { spawn } from "node:child_process";
import { realpathSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { packageRoot } from "../../src/util/package-root.ts";
import { cpuMs, hasStackTrace, WALL_FACTOR } from "./child.ts";
import { fixedRoots, outsideRoots, readGuardLog, type GuardEntry } from "./roots.ts";

export type EngineOutcome =
  | { stage: "ran"; programs: number; faults: number; firstFault?: string }
  | { stage: "refused"; error: string; message: string }
  | { stage: "untyped"; error: string; message: string; stack: string };

export type ElfVerdict =
  | { kind: "done"; results: Record<"compiled" | "interpreter", EngineOutcome>; outside: GuardEntry[] }
  | { kind: "hang" | "crash"; detail: string; outside: GuardEntry[] };

interface WorkerEnd {
  /** The objects that got an end line, by index. */
  ended: Map<number, Record<"compiled" | "interpreter", EngineOutcome>>;
  /** The object that began and did not end, if any. */
  open: number | undefined;
  timedOut: boolean;
  detail: string;
}

function worker(list: string, first: number, timeoutMs: number, env: NodeJS.ProcessEnv): Promise<WorkerEnd> {
  const root = packageRoot();
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--max-old-space-size=2048", "--import", join(root, "bench/fuzz/open-guard.mjs"), join(root, "bench/fuzz/elf-worker.mjs"), list, String(first)],
      { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] },
    );
    const ended = new Map<number, Record<"compiled" | "interpreter", EngineOutcome>>();
    let open: number | undefined;
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    let pending = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      pending += chunk.toString("utf8");
      let newline: number;
      while ((newline = pending.indexOf("\n")) >= 0) {
        const line = JSON.parse(pending.slice(0, newline));
        pending = pending.slice(newline + 1);
        clearInterval(timer);
        if ("begin" in line) {
          open = line.begin;
          // The object's own CPU time: the worker's, from its begin line (see child.ts).
          const [cpu, wall] = [cpuMs(child.pid!), Date.now()];
          timer = setInterval(() => {
            if (cpuMs(child.pid!) - cpu > timeoutMs || Date.now() - wall > timeoutMs * WALL_FACTOR) {
              timedOut = true;
              child.kill("SIGKILL");
            }
          }, 250);
        } else {
          ended.set(line.end, line.results);
          open = undefined;
        }
      }
    });
    child.stderr.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString("utf8")).slice(-20000)));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearInterval(timer);
      const how = timedOut ? `no end within ${timeoutMs} ms of CPU time` : signal ? `killed by ${signal}` : `exit ${code}`;
      resolve({ ended, open, timedOut, detail: `${how}${hasStackTrace(stderr) ? " with a stack trace" : ""}\n${stderr.split("\n").slice(0, 12).join("\n")}` });
    });
  });
}

export async function runElfBatch(objects: readonly string[], timeoutMs: number, cacheDir: string, logFile: string): Promise<ElfVerdict[]> {
  // Beside the objects: the worker reads it inside the roots it may read.
  const list = join(dirname(objects[0]), `${basename(logFile, ".log")}.list.json`);
  writeFileSync(list, JSON.stringify(objects));
  const env = { ...process.env, EBBFLOW_FUZZ_OPEN_LOG: logFile, EBBFLOW_CACHE_DIR: cacheDir };
  const verdicts: ElfVerdict[] = new Array(objects.length);
  let first = 0;
  while (first < objects.length) {
    const end = await worker(list, first, timeoutMs, env);
    for (const [index, results] of end.ended) verdicts[index] = { kind: "done", results, outside: [] };
    const stopped = end.open ?? objects.findIndex((_, index) => index >= first && verdicts[index] === undefined);
    if (stopped < 0) break;
    verdicts[stopped] = { kind: end.timedOut ? "hang" : "crash", detail: end.detail, outside: [] };
    first = stopped + 1;
  }
  // The objects are read by the worker through readFileSync in order: each one's read opens its turn.
  const reals = objects.map((object) => realpathSync(object));
  const allowed = [...fixedRoots(cacheDir), realpathSync(dirname(objects[0]))];
  const outside = outsideRoots(readGuardLog(logFile), reals, () => allowed);
  for (const [index, entries] of outside) verdicts[Math.max(index, 0)].outside.push(...entries);
  return verdicts;
}
