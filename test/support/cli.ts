// Runs the `ebbflow` command as a user would (bin/ebbflow.js, which runs the
// build in dist/: npm test builds first), and collects what it prints.
// Asynchronous, so that a long run does not block the test worker.

import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function ebbflow(args: string[], options: { env?: NodeJS.ProcessEnv } = {}): Promise<CliRun> {
  if (!existsSync(join(process.cwd(), "dist/src/cli/main.js"))) throw new Error("ebbflow is not built (no dist/): run npm run build");
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
    child.on("close", (status) => resolve({ status, stdout: Buffer.concat(stdout).toString("utf8"), stderr: Buffer.concat(stderr).toString("utf8") }));
  });
}

/** A stack trace line, which a user's mistake must never print. */
export const STACK_LINE = /^\s+at .+:\d+:\d+\)?$/m;
