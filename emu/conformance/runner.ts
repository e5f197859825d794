// Runs bpf_conformance .data files through the assembler, the validator and
// the VM, and says for each whether the VM behaved as the file expects.
//
// A file with `-- result` passes when the program runs and returns that r0.
// A file with `-- error` passes when ebbflow refuses it (a malformed file, an
// assembly or validation error, or a fault at run time) and, when the expected
// text is not empty, ebbflow's message contains it.

import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { assembleWithLines, AsmError } from "../asm/assemble.ts";
import { decodeInstructions, encodeInstructions, type Instruction } from "../isa/instruction.ts";
import { ValidationError } from "../validate/validate.ts";
import { VmError } from "../vm/errors.ts";
import { CompileError } from "../compiler/errors.ts";
import { type Engine, Vm } from "../vm/vm.ts";
import { DataFileError, parseDataFile, type DataFile } from "./datafile.ts";

export interface ConformanceResult {
  file: string;
  name: string;
  passed: boolean;
  /** Why: the refusal or fault message, or what differed. */
  reason: string;
  expected?: string;
  actual?: string;
  /** Instructions executed, when the program ran. */
  executed?: number;
}

/** Helper 5 of the suite returns its first argument. */
export const CONFORMANCE_HELPERS = [{ id: 5, name: "identity", call: (r1: bigint) => r1 }];

/** The conformance convention: r1 = input memory, r2 = its length, both set at entry. */
const ENTRY_REGISTERS = [1, 2];

const hex = (n: bigint): string => `0x${n.toString(16)}`;

export async function conformanceVm(engine: Engine = "interpreter"): Promise<Vm> {
  const vm = await Vm.create({ engine });
  for (const helper of CONFORMANCE_HELPERS) vm.registerHelper(helper);
  return vm;
}

export function listDataFiles(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .filter((name) => name.endsWith(".data"))
    .sort()
    .map((name) => join(path, name));
}

export async function runConformance(paths: string[], engine: Engine = "interpreter"): Promise<ConformanceResult[]> {
  const vm = await conformanceVm(engine);
  return paths.flatMap(listDataFiles).map((file) => runDataFile(vm, file, readFileSync(file, "utf8")));
}

export function runDataFile(vm: Vm, file: string, text: string): ConformanceResult {
  const name = basename(file);
  const declaresError = /^--\s*error\s*$/m.test(text);
  const refused = (message: string, expectedText: string | undefined): ConformanceResult => {
    if (expectedText === undefined && !declaresError) return { file, name, passed: false, reason: message };
    const matches = !expectedText || message.includes(expectedText);
    return {
      file,
      name,
      passed: matches,
      reason: matches ? `refused as expected: ${message}` : `refused, but the message lacks '${expectedText}': ${message}`,
      expected: expectedText,
      actual: message,
    };
  };
  let data: DataFile;
  try {
    data = parseDataFile(file, text);
  } catch (error) {
    // A malformed file cannot state an expectation we can trust; when it declares an error, the refusal is the pass.
    if (error instanceof DataFileError) return refused(error.message, declaresError ? "" : undefined);
    throw error;
  }
  let program: Instruction[];
  let lines: number[];
  try {
    ({ program, lines } = instructionsOf(data));
  } catch (error) {
    if (error instanceof DataFileError) return refused(`assembly error: ${error.message}`, data.error);
    throw error;
  }
  if (program.length === 0) return refused(`empty program: ${file} has no instructions`, data.error);
  try {
    const loaded = vm.loadProgram(program, { initializedAtEntry: ENTRY_REGISTERS });
    const run = vm.run(loaded, { memory: data.memory });
    if (data.error !== undefined) {
      return { file, name, passed: false, reason: `expected an error but the program returned ${hex(run.r0)}`, executed: run.executed };
    }
    if (data.result === undefined) {
      return { file, name, passed: false, reason: "the file states no -- result", actual: hex(run.r0), executed: run.executed };
    }
    const passed = run.r0 === data.result;
    return {
      file,
      name,
      passed,
      reason: passed ? "" : `result differs: expected ${hex(data.result)}, got ${hex(run.r0)}`,
      expected: hex(data.result),
      actual: hex(run.r0),
      executed: run.executed,
    };
  } catch (error) {
    if (error instanceof ValidationError) return refused(`${file}:${lines[error.index]}: ${error.message}`, data.error);
    if (error instanceof VmError) return refused(`${file}:${lines[error.index]}: fault at ${error.message}`, data.error);
    if (error instanceof CompileError) return { file, name, passed: false, reason: error.message };
    throw error;
  }
}

interface SourcedProgram {
  program: Instruction[];
  /** The file line of each instruction slot. */
  lines: number[];
}

/** The program of a file: its raw words, else its assembly. When both are given they must agree. */
function instructionsOf(data: DataFile): SourcedProgram {
  const assembled = data.asm ? assembleAt(data) : undefined;
  if (!data.raw) return assembled ?? { program: [], lines: [] };
  if (data.raw.bytes.byteLength % 8 !== 0) {
    throw new DataFileError(data.file, data.raw.firstLine, `-- raw holds ${data.raw.bytes.byteLength} bytes, not whole 8-byte instructions`);
  }
  const raw = decodeInstructions(data.raw.bytes);
  if (assembled && !sameBytes(encodeInstructions(assembled.program), data.raw.bytes)) {
    throw new DataFileError(data.file, data.raw.firstLine, "-- raw and -- asm encode different programs");
  }
  return { program: raw, lines: data.raw.lines };
}

function assembleAt(data: DataFile): SourcedProgram {
  const asm = data.asm!;
  try {
    const { instructions, lines } = assembleWithLines(asm.text);
    return { program: instructions, lines: lines.map((line) => asm.firstLine + line - 1) };
  } catch (error) {
    if (error instanceof AsmError) throw new DataFileError(data.file, asm.firstLine + error.line - 1, error.message);
    throw error;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && a.every((byte, i) => byte === b[i]);
}
