// One child process of the fuzzer, with a timeout (a child past it is killed
// and counted as a hang), and how its output is classified. The timeout is
// in CPU seconds (user and system, from /proc): the machine's cores are
// shared, and a busy neighbour must not turn a slow run into a hang; a
// child that waits without using the CPU is stopped by a wall-clock cap
// of WALL_FACTOR times as long.

import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";

export interface ChildResult {
  /** The exit code; null when killed by a signal or for the timeout. */
  code: number | null;
  signal: string | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  ms: number;
}

export const WALL_FACTOR = 6;
const TICKS_PER_SECOND = 100;

/** A process's CPU time in ms (utime + stime, /proc/PID/stat fields 14 and 15), or 0 once it is gone. */
export function cpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8")
      .replace(/^.*\) /, "")
      .split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** Output kept per stream: a refusal may quote a mutant's 17 MiB value, and a child that prints without end must not fill memory. */
const KEEP = 64 << 20;

export function runChild(command: string, args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number }): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outBytes = 0;
    let errBytes = 0;
    child.stdout.on("data", (chunk: Buffer) => outBytes < KEEP && (out.push(chunk), (outBytes += chunk.length)));
    child.stderr.on("data", (chunk: Buffer) => errBytes < KEEP && (err.push(chunk), (errBytes += chunk.length)));
    let timedOut = false;
    const timer = setInterval(() => {
      if (cpuMs(child.pid!) > options.timeoutMs || Date.now() - started > options.timeoutMs * WALL_FACTOR) {
        timedOut = true;
        child.kill("SIGKILL");
      }
    }, 250);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearInterval(timer);
      resolve({
        code,
        signal,
        timedOut,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
        ms: Date.now() - started,
      });
    });
  });
}

/** A line of a stack trace (`    at f (file.js:1:2)` or `    at file.js:1:2`), or an error node printed with its internals. */
const STACK = [/^\s+at .*\(.*:\d+:\d+\)$/m, /^\s+at .+:\d+:\d+$/m, /^\w*Error: .*\n\s+at /m, /node:internal\//];

export function hasStackTrace(text: string): boolean {
  return STACK.some((pattern) => pattern.test(text));
}

export type Outcome = "exit 0" | "exit 1" | "exit 2" | "exit other" | "stack trace" | "hang" | "signal";

/** The class of a child's end: a hang or a signal first, then a stack trace, then the exit code. */
export function outcomeOf(result: ChildResult): Outcome {
  if (result.timedOut) return "hang";
  if (result.signal !== null) return "signal";
  if (hasStackTrace(result.stdout) || hasStackTrace(result.stderr)) return "stack trace";
  if (result.code === 0 || result.code === 1 || result.code === 2) return `exit ${result.code}`;
  return "exit other";
}
