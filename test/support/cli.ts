// Runs the `ebbflow` command as a user would, and collects what it prints.
// Asynchronous, so that a long run does not block the test worker.

import { spawn } from "node:child_process";
import { join } from "node:path";

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function ebbflow(args: string[], options: { env?: NodeJS.ProcessEnv } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(process.cwd(), "bin/ebbflow.js"), ...args], {
      env: { ...process.env, ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.on("error", reject);
    child.on("close", (status) =>
      resolve({ status, stdout: Buffer.concat(stdout).toString("utf8"), stderr: Buffer.concat(stderr).toString("utf8") }),
    );
  });
}

/** A stack trace line, which a user's mistake must never print. */
export const STACK_LINE = /^\s+at .+:\d+:\d+\)?$/m;
