// `ebbflow conformance DIR|FILE...`: runs bpf_conformance .data files in the VM.

import { existsSync } from "node:fs";
import { runConformance, type ConformanceResult } from "../../emu/conformance/runner.ts";
import { UserError } from "./errors.ts";

export interface ConformanceOptions {
  json?: boolean;
}

export async function conformanceCommand(paths: string[], options: ConformanceOptions): Promise<number> {
  for (const path of paths) if (!existsSync(path)) throw new UserError(`conformance: ${path}: no such file or directory`);
  const results = await runConformance(paths);
  const passed = results.filter((r) => r.passed).length;
  const failed = results.length - passed;
  if (options.json) {
    process.stdout.write(JSON.stringify({ results, passed, failed }, null, 2) + "\n");
  } else {
    for (const result of results) process.stdout.write(line(result) + "\n");
    process.stdout.write(`${passed} passed, ${failed} failed\n`);
  }
  return failed === 0 ? 0 : 1;
}

function line(result: ConformanceResult): string {
  if (!result.passed) return `FAILED ${result.name}: ${result.reason}`;
  return result.reason ? `PASSED ${result.name}: ${result.reason}` : `PASSED ${result.name}`;
}
