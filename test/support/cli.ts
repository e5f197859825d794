// Runs the `ebbflow` command as a user would, and collects what it prints.

import { spawnSync } from "node:child_process";
import { join } from "node:path";

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function ebbflow(args: string[], options: { env?: NodeJS.ProcessEnv } = {}): CliRun {
  const result = spawnSync(process.execPath, [join(process.cwd(), "bin/ebbflow.js"), ...args], {
    encoding: "utf8",
    env: { ...process.env, ...options.env },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A stack trace line, which a user's mistake must never print. */
export const STACK_LINE = /^\s+at .+:\d+:\d+\)?$/m;
