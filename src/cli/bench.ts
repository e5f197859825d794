// `ebbflow bench TARGET`: what the datapath's programs cost, per program and
// path, so that a user's CI catches a regression in their BPF code. TARGET is
// a scenario (replayed on the wasm backend; a path is what the program
// returned) or a BPF object with a capture of packets (each tc or XDP
// program run on each packet; a path is the packet). For each: instructions
// executed per packet (deterministic: the same on every run and machine), map
// operations per packet by map, and time per packet (only reported: it is the
// machine's). `--baseline FILE` compares with a saved `-o json` result and
// fails past `--threshold` percent more instructions or map operations.

import { existsSync, readFileSync } from "node:fs";
import { WasmDatapath } from "../../backend-wasm/datapath.ts";
import { LoaderError } from "../../emu/loader/errors.ts";
import { loadObject } from "../../emu/loader/object.ts";
import { VmError } from "../../emu/vm/errors.ts";
import { loadIntoVm, ObjectLoadError, PinnedMaps } from "../../emu/vm/object.ts";
import { PROGRAM_TYPE, testRunSkb, testRunXdp, TestRunError } from "../../emu/vm/test-run.ts";
import { type RunRecorder, Vm, type VmProgram } from "../../emu/vm/vm.ts";
import { TcAction, XdpAction } from "../abi/generated.ts";
import { readPcapFrames } from "../core/packets/pcap.ts";
import { replayScenario } from "../core/replay/run.ts";
import { readScenario } from "../core/scenario/index.ts";
import { UserError } from "../util/errors.ts";
import { parseEngine } from "./scenario.ts";

export interface BenchOptions {
  packets?: string;
  program?: string[];
  engine: string;
  repeat?: string;
  output: string;
  baseline?: string;
  threshold: string;
}

export interface MapOperationCounts {
  lookups: number;
  updates: number;
  deletes: number;
}

/** One program on one path, averaged over its packets. */
export interface BenchRow {
  program: string;
  path: string;
  packets: number;
  instructionsPerPacket: number;
  /** By map name; maps of the same name (one per pod) add up. */
  mapOperationsPerPacket: Record<string, MapOperationCounts>;
  nsPerPacket: number;
}

/** The `-o json` output, which is also the baseline format. */
export interface BenchResult {
  ebbflowBench: 1;
  target: string;
  engine: string;
  rows: BenchRow[];
}

const RINGBUF = 27;
const ROW_FIELDS = ["program", "path", "packets", "instructionsPerPacket", "mapOperationsPerPacket", "nsPerPacket"] as const;

/** Sums every run by program and path. */
class BenchRecorder implements RunRecorder {
  private readonly sums = new Map<
    string,
    { program: string; path: string; packets: number; instructions: number; ns: number; maps: Map<string, MapOperationCounts> }
  >();
  /** The path of the next runs; undefined: name it by the return code. */
  path: string | undefined;
  /** Off for warm-up runs (V8 compiles wasm functions on their first call). */
  recording = true;

  record(vm: Vm, program: VmProgram, ns: number): void {
    if (!this.recording) return;
    const path = this.path ?? returnCodeName(program.type, vm.resultLow());
    const key = `${program.name}\0${path}`;
    let sum = this.sums.get(key);
    if (!sum) this.sums.set(key, (sum = { program: program.name, path, packets: 0, instructions: 0, ns: 0, maps: new Map() }));
    sum.packets++;
    sum.instructions += vm.executed();
    sum.ns += ns;
    for (const { map, lookups, updates, deletes } of vm.mapOperations()) {
      const counts = sum.maps.get(map.name) ?? { lookups: 0, updates: 0, deletes: 0 };
      counts.lookups += lookups;
      counts.updates += updates;
      counts.deletes += deletes;
      sum.maps.set(map.name, counts);
    }
  }

  rows(): BenchRow[] {
    const perPacket = (n: number, packets: number) => Math.round((n / packets) * 1000) / 1000;
    return [...this.sums.values()]
      .map(({ program, path, packets, instructions, ns, maps }) => ({
        program,
        path,
        packets,
        instructionsPerPacket: perPacket(instructions, packets),
        mapOperationsPerPacket: Object.fromEntries(
          [...maps.entries()]
            .sort(([a], [b]) => (a < b ? -1 : 1))
            .map(([name, c]) => [
              name,
              { lookups: perPacket(c.lookups, packets), updates: perPacket(c.updates, packets), deletes: perPacket(c.deletes, packets) },
            ]),
        ),
        nsPerPacket: Math.round(ns / packets),
      }))
      .sort((a, b) => (a.program === b.program ? (a.path < b.path ? -1 : 1) : a.program < b.program ? -1 : 1));
  }
}

/** Return codes by value under the kernel's names: enum tc_action says TC_ACTION_*, as linux/pkt_cls.h #defines TC_ACT_*. */
const TC_RETURNS = namesByValue(TcAction, (name) => name.replace(/^TC_ACTION_/, "TC_ACT_"));
const XDP_RETURNS = namesByValue(XdpAction, (name) => name);

function namesByValue(values: Readonly<Record<string, number>>, kernelName: (name: string) => string): Record<number, string> {
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [value, kernelName(name)]));
}

function returnCodeName(type: number, retval: number): string {
  const names = type === PROGRAM_TYPE.XDP ? XDP_RETURNS : type === PROGRAM_TYPE.SCHED_CLS || type === PROGRAM_TYPE.SCHED_ACT ? TC_RETURNS : {};
  return names[retval] ?? `return ${retval}`;
}

function whole(flag: string, text: string, least: number): number {
  if (!/^\d+$/.test(text) || Number(text) < least) throw new UserError(`${flag}: "${text}" is not a whole number of at least ${least}`);
  return Number(text);
}

async function benchScenario(file: string, options: BenchOptions, repeat: number, recorder: BenchRecorder): Promise<void> {
  if (options.packets) throw new UserError("bench: --packets goes with a BPF object; a scenario brings its own traffic");
  const scenario = readScenario(file);
  for (let i = -1; i < repeat; i++) {
    recorder.recording = i >= 0;
    const datapath = await WasmDatapath.create({ engine: parseEngine(options.engine), recorder });
    try {
      await replayScenario(scenario, datapath, { seed: 1 });
    } finally {
      await datapath.close();
    }
  }
}

async function benchObject(file: string, options: BenchOptions, repeat: number, recorder: BenchRecorder): Promise<void> {
  if (!options.packets) throw new UserError(`bench: ${file}: a BPF object needs --packets FILE.pcap`);
  if (!existsSync(options.packets)) throw new UserError(`bench: --packets: ${options.packets}: no such file`);
  const frames = readPcapFrames(new Uint8Array(readFileSync(options.packets)), options.packets);
  if (frames.length === 0) throw new UserError(`bench: --packets: ${options.packets} holds no packets`);
  const vm = await Vm.create({ engine: parseEngine(options.engine), recorder });
  let object;
  try {
    object = loadIntoVm(vm, loadObject(new Uint8Array(readFileSync(file)), file), { pins: new PinnedMaps() });
  } catch (error) {
    if (error instanceof LoaderError || error instanceof ObjectLoadError) throw new UserError(`bench: ${error.message}`);
    throw error;
  }
  const runnable = (program: VmProgram) =>
    program.type === PROGRAM_TYPE.XDP || program.type === PROGRAM_TYPE.SCHED_CLS || program.type === PROGRAM_TYPE.SCHED_ACT;
  const names = options.program ?? [...object.programs.values()].filter(runnable).map((program) => program.name);
  const programs = names.map((name) => {
    const program = object.programs.get(name);
    if (!program) throw new UserError(`bench: ${file}: no program named ${name} (there are: ${[...object.programs.keys()].join(", ")})`);
    if (!runnable(program)) throw new UserError(`bench: ${file}: program ${name} is not a tc or XDP program`);
    return program;
  });
  const ringBuffers = [...object.maps.values()].filter((map) => map.definition.type === RINGBUF);
  for (const program of programs) {
    frames.forEach((frame, index) => {
      recorder.path = `packet ${index + 1}`;
      for (let i = -1; i < repeat; i++) {
        recorder.recording = i >= 0;
        try {
          if (program.type === PROGRAM_TYPE.XDP) testRunXdp(vm, program, { data: frame });
          else testRunSkb(vm, program, { data: frame });
        } catch (error) {
          if (error instanceof TestRunError) throw new UserError(`bench: ${options.packets}: packet ${index + 1}: ${error.message}`);
          // A fault the kernel's verifier would have kept from loading (a corrupted object can carry one): the program's, on this packet.
          if (error instanceof VmError) throw new UserError(`bench: ${file}: ${options.packets}: packet ${index + 1}: ${error.message}`);
          throw error;
        }
        for (const map of ringBuffers) map.drain();
      }
    });
  }
}

/** Reads a baseline, refusing anything that is not an `ebbflow bench -o json` result with a message naming the field. */
export function readBaseline(file: string): BenchResult {
  if (!existsSync(file)) throw new UserError(`bench: --baseline: ${file}: no such file`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch {
    throw new UserError(`bench: --baseline: ${file}: not JSON (write baselines with ebbflow bench -o json)`);
  }
  const fail = (where: string, what: string): never => {
    throw new UserError(`bench: --baseline: ${file}: ${where}: ${what} (write baselines with ebbflow bench -o json)`);
  };
  const record = (value: unknown, where: string): Record<string, unknown> =>
    typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : fail(where, "expected an object");
  const top = record(parsed, "the file");
  if (top.ebbflowBench !== 1) fail("ebbflowBench", "expected 1");
  if (!Array.isArray(top.rows)) fail("rows", "expected a list");
  (top.rows as unknown[]).forEach((value, index) => {
    const row = record(value, `rows[${index}]`);
    for (const field of ROW_FIELDS) if (!(field in row)) fail(`rows[${index}]`, `missing ${field}`);
    if (typeof row.program !== "string" || typeof row.path !== "string") fail(`rows[${index}]`, "program and path must be strings");
    for (const field of ["packets", "instructionsPerPacket", "nsPerPacket"] as const) {
      if (typeof row[field] !== "number") fail(`rows[${index}].${field}`, "expected a number");
    }
    for (const [map, value] of Object.entries(record(row.mapOperationsPerPacket, `rows[${index}].mapOperationsPerPacket`))) {
      const counts = record(value, `rows[${index}].mapOperationsPerPacket.${map}`);
      for (const field of ["lookups", "updates", "deletes"]) {
        if (typeof counts[field] !== "number") fail(`rows[${index}].mapOperationsPerPacket.${map}.${field}`, "expected a number");
      }
    }
  });
  return top as unknown as BenchResult;
}

const totalOperations = (row: BenchRow): number => Object.values(row.mapOperationsPerPacket).reduce((sum, c) => sum + c.lookups + c.updates + c.deletes, 0);

const change = (now: number, before: number): number => (before === 0 ? (now === 0 ? 0 : Infinity) : ((now - before) / before) * 100);

export interface Comparison {
  program: string;
  path: string;
  /** Percent changes from the baseline; undefined where the row is new or gone. */
  instructions?: number;
  mapOperations?: number;
  time?: number;
  verdict: "ok" | "regressed" | "new" | "gone";
}

/** Rows compared with a baseline: a row regresses past `threshold` percent more instructions or map operations, or when its path is gone. */
export function compare(result: BenchResult, baseline: BenchResult, threshold: number): Comparison[] {
  const key = (row: BenchRow) => `${row.program}\0${row.path}`;
  const before = new Map(baseline.rows.map((row) => [key(row), row]));
  const comparisons: Comparison[] = result.rows.map((row) => {
    const old = before.get(key(row));
    if (!old) return { program: row.program, path: row.path, verdict: "new" };
    before.delete(key(row));
    const instructions = change(row.instructionsPerPacket, old.instructionsPerPacket);
    const mapOperations = change(totalOperations(row), totalOperations(old));
    const time = change(row.nsPerPacket, old.nsPerPacket);
    return {
      program: row.program,
      path: row.path,
      instructions,
      mapOperations,
      time,
      verdict: instructions > threshold || mapOperations > threshold ? "regressed" : "ok",
    };
  });
  for (const old of before.values()) comparisons.push({ program: old.program, path: old.path, verdict: "gone" });
  return comparisons;
}

function formatTable(result: BenchResult, comparisons: Comparison[] | undefined): string {
  const percent = (n: number | undefined) => (n === undefined ? "" : `${n >= 0 ? "+" : ""}${n.toFixed(1)}%`);
  const operations = (row: BenchRow) =>
    Object.entries(row.mapOperationsPerPacket)
      .map(([name, c]) => `${name} ${[c.lookups && `${c.lookups}L`, c.updates && `${c.updates}U`, c.deletes && `${c.deletes}D`].filter(Boolean).join(" ")}`)
      .join(", ");
  const header = ["PROGRAM", "PATH", "PACKETS", "INSNS/PKT", "NS/PKT", "MAP OPS/PKT (L lookup, U update, D delete)"];
  const lines = result.rows.map((row) => [
    row.program,
    row.path,
    String(row.packets),
    String(row.instructionsPerPacket),
    String(row.nsPerPacket),
    operations(row),
  ]);
  if (comparisons) {
    header.splice(5, 0, "INSNS", "MAP OPS", "TIME", "VERDICT");
    const byKey = new Map(comparisons.map((c) => [`${c.program}\0${c.path}`, c]));
    result.rows.forEach((row, index) => {
      const c = byKey.get(`${row.program}\0${row.path}`)!;
      lines[index].splice(5, 0, percent(c.instructions), percent(c.mapOperations), percent(c.time), c.verdict);
    });
    for (const c of comparisons.filter((c) => c.verdict === "gone")) lines.push([c.program, c.path, "", "", "", "", "", "", "gone", ""]);
  }
  const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => line[column].length)));
  const format = (cells: string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column]))
      .join("  ")
      .trimEnd();
  return [format(header), ...lines.map(format)].join("\n") + "\n";
}

export async function benchCommand(target: string, options: BenchOptions): Promise<number> {
  if (options.output !== "table" && options.output !== "json") throw new UserError(`--output: "${options.output}" is not an output format (table, json)`);
  const threshold = Number(options.threshold);
  if (!/^\d+(\.\d+)?$/.test(options.threshold)) throw new UserError(`--threshold: "${options.threshold}" is not a percentage`);
  const baseline = options.baseline === undefined ? undefined : readBaseline(options.baseline);
  if (!existsSync(target)) throw new UserError(`bench: ${target}: no such file`);
  const recorder = new BenchRecorder();
  const isScenario = /\.ya?ml$/.test(target);
  const repeat = whole("--repeat", options.repeat ?? (isScenario ? "1" : "100"), 1);
  if (isScenario) await benchScenario(target, options, repeat, recorder);
  else await benchObject(target, options, repeat, recorder);
  const result: BenchResult = { ebbflowBench: 1, target, engine: parseEngine(options.engine), rows: recorder.rows() };
  const comparisons = baseline && compare(result, baseline, threshold);
  if (options.output === "json") process.stdout.write(JSON.stringify(result, null, 2) + "\n");
  else process.stdout.write(formatTable(result, comparisons));
  if (!comparisons) return 0;
  const failures = comparisons.filter((c) => c.verdict === "regressed" || c.verdict === "gone");
  for (const c of failures) {
    const why =
      c.verdict === "gone"
        ? "the path is no longer taken"
        : `instructions ${c.instructions!.toFixed(1)}%, map operations ${c.mapOperations!.toFixed(1)}% (threshold ${threshold}%)`;
    process.stderr.write(`ebbflow bench: regression: ${c.program} (${c.path}): ${why}\n`);
  }
  return failures.length > 0 ? 1 : 0;
}
