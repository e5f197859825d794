// `ebbflow scenario run FILE|DIR...`: replays scenario files and prints, for
// every attempt, what the datapath did: compact lines in the manner of
// `hubble observe` (the flows of every failed expectation), or with
// `--output json` newline-delimited JSON (../shared/scenario-result.schema.json).

import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { WasmDatapath } from "../../backend-wasm/datapath.ts";
import type { Engine } from "../../emu/vm/vm.ts";
import type { Datapath } from "../core/datapath/datapath.ts";
import { encodeFlowRecord, formatCompactLine } from "../core/observe/index.ts";
import { replayScenario, type ReplayItem, type ReplayResult } from "../core/replay/run.ts";
import { formatEndpoint } from "../core/model/index.ts";
import { readScenario, type Scenario } from "../core/scenario/index.ts";
import { UserError } from "../util/errors.ts";

export interface ScenarioRunOptions {
  seed: string;
  output: string;
  backend: string;
  engine: string;
}

/** The scenario files named: files as given, directories' top-level .yaml/.yml files in name order. */
export function scenarioFiles(paths: string[]): string[] {
  return paths.flatMap((path) => {
    if (!existsSync(path)) throw new UserError(`scenario run: ${path}: no such file or directory`);
    if (!statSync(path).isDirectory()) return [path];
    return readdirSync(path)
      .filter((name) => /\.ya?ml$/.test(name) && statSync(join(path, name)).isFile())
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

/** One line of JSON with the flows written byte for byte as Hubble writes them. */
function jsonLine(fields: Record<string, unknown>, flows?: string[]): string {
  const head = JSON.stringify(fields);
  return flows === undefined ? head : `${head.slice(0, -1)},"flows":[${flows.join(",")}]}`;
}

function jsonLines(scenario: Scenario, result: ReplayResult): string[] {
  const base = { scenario: scenario.name, file: scenario.file };
  const lines = result.items.map((item: ReplayItem) => {
    if (item.kind === "step") return jsonLine({ kind: "step", ...base, [item.step]: item.detail });
    const expected = { ...item.expected, policy: item.expected.policy?.text, backend: item.expected.backend && formatEndpoint(item.expected.backend) };
    return jsonLine(
      { kind: item.kind, ...base, name: item.name, expected, actual: item.actual, pass: item.pass },
      item.flows.map(encodeFlowRecord),
    );
  });
  lines.push(jsonLine({ kind: "summary", ...base, passed: result.passed, failed: result.failed, ignored: result.ignored }));
  return lines;
}

function textLines(scenario: Scenario, result: ReplayResult): string[] {
  const lines = [`${scenario.file}: ${scenario.name}`];
  for (const item of result.items) {
    if (item.kind === "step") {
      lines.push(`  step ${item.step} ${typeof item.detail === "string" ? item.detail : JSON.stringify(item.detail)}`);
      continue;
    }
    const { actual } = item;
    const why = actual.policies.length > 0 ? `, ${actual.verdict === "DROPPED" ? "denied" : "allowed"} by ${actual.policies.join(", ")}` : "";
    const reason = actual.dropReason ? ` ${actual.dropReason}` : "";
    const backend = actual.backend ? `, answered by ${actual.backend}` : "";
    lines.push(`  ${item.pass ? "PASS" : "FAIL"} ${item.name}: ${actual.verdict}${reason} at ${actual.hook}${backend}${why}`);
    if (!item.pass) {
      for (const mismatch of item.mismatches) lines.push(`       ${mismatch}`);
      lines.push("       flows:");
      for (const flow of item.flows) lines.push(`         ${formatCompactLine(flow)}`);
    }
  }
  const ignored = result.ignored.length > 0 ? ` (ignored kinds: ${result.ignored.join(", ")})` : "";
  lines.push(`  ${result.passed} passed, ${result.failed} failed${ignored}`);
  return lines;
}

export async function scenarioRunCommand(paths: string[], options: ScenarioRunOptions): Promise<number> {
  const seed = parseSeed(options.seed);
  const engine = parseEngine(options.engine);
  if (options.output !== "text" && options.output !== "json") throw new UserError(`--output: "${options.output}" is not an output format (text, json)`);
  const files = scenarioFiles(paths);
  let passed = 0;
  let failed = 0;
  for (const file of files) {
    const scenario = readScenario(file);
    const datapath = await createDatapath(options.backend, engine);
    try {
      const result = await replayScenario(scenario, datapath, { seed });
      passed += result.passed;
      failed += result.failed;
      const lines = options.output === "json" ? jsonLines(scenario, result) : textLines(scenario, result);
      process.stdout.write(lines.join("\n") + "\n");
    } finally {
      await datapath.close();
    }
  }
  if (options.output === "text") process.stdout.write(`${files.length} files: ${passed} passed, ${failed} failed\n`);
  return failed === 0 ? 0 : 1;
}
