// `ebbflow scenario run FILE|DIR...`: replays scenario files and prints, for
// every attempt, what the datapath did (scenario-report.ts). Every file runs:
// a refused one is reported and counted, and makes the exit code 2.

import { once } from "node:events";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { WasmDatapath } from "../../backend-wasm/datapath.ts";
import type { Engine } from "../../emu/vm/vm.ts";
import type { Datapath } from "../core/datapath/datapath.ts";
import { replayScenarioTo } from "../core/replay/run.ts";
import { readScenario, type Scenario } from "../core/scenario/index.ts";
import { UserError } from "../util/errors.ts";
import { checkMemory, parseByteSize } from "./max-memory.ts";
import { OUTPUT_FORMATS, reporterFor, type RunTotals } from "./scenario-report.ts";

export interface ScenarioRunOptions {
  seed: string;
  output: string;
  backend: string;
  engine: string;
  allowPath?: string[];
  shard?: string;
  maxMemory: string;
}

/**
 * The scenario files named: files as given, directories' top-level .yaml/.yml
 * files and symlinks in name order (a symlink that leaves the folder is
 * refused when it is read, not skipped).
 */
export function scenarioFiles(paths: string[]): string[] {
  return paths.flatMap((path) => {
    if (!existsSync(path)) throw new UserError(`scenario run: ${path}: no such file or directory`);
    if (!statSync(path).isDirectory()) return [path];
    return readdirSync(path, { withFileTypes: true })
      .filter((entry) => /\.ya?ml$/.test(entry.name) && (entry.isFile() || entry.isSymbolicLink()))
      .map((entry) => entry.name)
      .sort()
      .map((name) => join(path, name));
  });
}

function parseSeed(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) > Number.MAX_SAFE_INTEGER) throw new UserError(`--seed: "${text}" is not a whole number`);
  return Number(text);
}

/** --engine's names: compiled (the default for replays) or interp (the checked interpreter). */
export function parseEngine(text: string): Engine {
  if (text === "compiled") return "compiled";
  if (text === "interp") return "interpreter";
  throw new UserError(`--engine: "${text}" is not an engine (compiled, interp)`);
}

async function createDatapath(backend: string, engine: Engine): Promise<Datapath> {
  if (backend === "wasm") return WasmDatapath.create({ engine });
  if (backend === "kernel") {
    // The kernel backend's modules load only when it is chosen.
    const [{ kernelBackendUnavailable }, { topologyUnavailable }, { KernelDatapath }] = await Promise.all([
      import("../../backend-kernel/libbpf.ts"),
      import("../../backend-kernel/run.ts"),
      import("../../backend-kernel/datapath.ts"),
    ]);
    const missing = kernelBackendUnavailable() ?? topologyUnavailable();
    if (missing) throw new UserError(`--backend kernel: ${missing} (--backend wasm needs none of this)`);
    return KernelDatapath.create();
  }
  throw new UserError(`--backend: "${backend}" is not a backend (wasm, kernel)`);
}

/** `--shard i/n`: the i-th of n contiguous, equal runs of the files, in the order they were named (as Jest shards). */
export function shardOf(files: string[], shard: string | undefined): string[] {
  if (shard === undefined) return files;
  const match = /^(\d{1,6})\/(\d{1,6})$/.exec(shard);
  const [index, count] = match ? [Number(match[1]), Number(match[2])] : [0, 0];
  if (!match || count < 1 || index < 1 || index > count) throw new UserError(`--shard: "${shard}" is not i/n with 1 <= i <= n`);
  const size = Math.ceil(files.length / count);
  return files.slice((index - 1) * size, index * size);
}

/** --allow-path's folders: each must exist, and be one. */
function allowedRoots(paths: readonly string[]): readonly string[] {
  for (const path of paths) {
    if (!existsSync(path) || !statSync(path).isDirectory()) throw new UserError(`--allow-path: ${path} is not a directory`);
  }
  return paths;
}

export async function scenarioRunCommand(paths: string[], options: ScenarioRunOptions): Promise<number> {
  const seed = parseSeed(options.seed);
  const engine = parseEngine(options.engine);
  const format = OUTPUT_FORMATS.find((name) => name === options.output);
  if (format === undefined) throw new UserError(`--output: "${options.output}" is not an output format (${OUTPUT_FORMATS.join(", ")})`);
  const allowPaths = allowedRoots(options.allowPath ?? []);
  const maxMemory = parseByteSize(options.maxMemory);
  const files = shardOf(scenarioFiles(paths), options.shard);
  const reporter = reporterFor(format, {
    write: (text) => process.stdout.write(text),
    writeError: (text) => process.stderr.write(text),
    drained: async () => {
      if (process.stdout.writableNeedDrain) await once(process.stdout, "drain");
    },
  });
  const totals: RunTotals = { files: files.length, passed: 0, failed: 0, refused: 0 };
  for (const file of files) {
    // A refused file is reported in its place; the files after it still run.
    const refuse = (error: unknown) => {
      if (!(error instanceof UserError)) throw error;
      totals.refused++;
      reporter.refused(file, error);
    };
    let scenario: Scenario;
    try {
      scenario = readScenario(file, allowPaths);
      checkMemory(scenario, maxMemory);
    } catch (error) {
      refuse(error);
      continue;
    }
    const datapath = await createDatapath(options.backend, engine);
    try {
      const summary = await replayScenarioTo(scenario, datapath, { seed, flows: reporter.flows }, reporter.begin(scenario));
      totals.passed += summary.passed;
      totals.failed += summary.failed;
      await reporter.replayed(scenario, summary);
    } catch (error) {
      refuse(error);
    } finally {
      await datapath.close();
    }
  }
  reporter.finish(totals);
  if (totals.refused > 0) return 2;
  return totals.failed === 0 ? 0 : 1;
}
