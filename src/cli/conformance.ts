// `ebbflow conformance DIR|FILE...`: runs bpf_conformance .data files in the VM.

import { existsSync } from "node:fs";
import { runConformance, type ConformanceResult } from "../../emu/conformance/runner.ts";
import { type Engine } from "../../emu/vm/vm.ts";
import { UserError } from "../util/errors.ts";

export interface ConformanceOptions {
  json?: boolean;
  /** "compiled" (the default) or "interp". */
  engine?: string;
}

/** The engine names the command line accepts. */
const ENGINE_NAMES: Record<string, Engine> = { compiled: "compiled", interp: "interpreter" };

export async function conformanceCommand(paths: string[], options: ConformanceOptions): Promise<number> {
  const engine = ENGINE_NAMES[options.engine ?? "compiled"];
  if (!engine) throw new UserError(`conformance: --engine ${options.engine}: expected one of ${Object.keys(ENGINE_NAMES).join(", ")}`);
  for (const path of paths) if (!existsSync(path)) throw new UserError(`conformance: ${path}: no such file or directory`);
  const results = await runConformance(paths, engine);
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
