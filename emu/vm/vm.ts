// The VM as TypeScript sees it: one instance of the wasm runtime, programs
// validated and copied into its memory, helpers registered by id, and runs
// that return r0 or throw a VmError naming the instruction at fault.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { disassembleAt } from "../asm/disassemble.ts";
import { encodeInstructions, type Instruction } from "../isa/instruction.ts";
import { validate } from "../validate/validate.ts";
import { packageRoot } from "../../src/util/package-root.ts";
import { VmError } from "./errors.ts";
import { instantiate } from "../runtime/build/runtime.js";

type Runtime = Awaited<ReturnType<typeof instantiate>>;

/** A helper receives r1..r5 and returns r0. Throwing a HelperFault stops the run with a VmError. */
export type HelperFunction = (r1: bigint, r2: bigint, r3: bigint, r4: bigint, r5: bigint) => bigint;

export interface Helper {
  readonly id: number;
  readonly name: string;
  readonly call: HelperFunction;
}

/** Thrown by a helper to stop the run; becomes a VmError at the calling instruction. */
export class HelperFault extends Error {}

export interface LoadedProgram {
  readonly instructions: readonly Instruction[];
  /** Address of the instruction words in the runtime's memory. */
  readonly address: number;
}

export interface RunInput {
  /** The input memory; r1 points at it and r2 holds its length (r1 = 0 when absent). */
  memory?: Uint8Array;
  /** Instruction budget for this run. */
  budget?: number;
}

export interface RunResult {
  r0: bigint;
  /** Instructions executed. */
  executed: number;
  /** The input memory after the run (stores included). */
  memory: Uint8Array;
}

export const DEFAULT_BUDGET = 1_000_000;

const FAULT_KINDS = ["memory", "budget", "call-depth", "opcode"] as const;

let compiledRuntime: WebAssembly.Module | undefined;

function runtimeModule(): WebAssembly.Module {
  compiledRuntime ??= new WebAssembly.Module(readFileSync(join(packageRoot(), "emu/runtime/build/runtime.wasm")));
  return compiledRuntime;
}

export class Vm {
  private readonly helpers = new Map<number, Helper>();
  private inputAddress = 0;
  private inputCapacity = 0;
  private helperError: unknown;

  private constructor(private runtime: Runtime) {}

  static async create(): Promise<Vm> {
    let vm: Vm | undefined;
    const runtime = await instantiate(runtimeModule(), {
      env: {},
      host: {
        callHelper: (id: number, r1: bigint, r2: bigint, r3: bigint, r4: bigint, r5: bigint): bigint =>
          vm!.callHelper(id, r1, r2, r3, r4, r5),
      },
    });
    vm = new Vm(runtime);
    return vm;
  }

  registerHelper(helper: Helper): void {
    this.helpers.set(helper.id, helper);
  }

  get helperIds(): ReadonlySet<number> {
    return new Set(this.helpers.keys());
  }

  /** Validates the program and copies it into the runtime. Throws ValidationError. */
  load(instructions: readonly Instruction[], initializedAtEntry: readonly number[] = [1]): LoadedProgram {
    validate(instructions, { initializedAtEntry, helpers: this.helperIds });
    const bytes = encodeInstructions(instructions);
    const address = this.runtime.allocate(bytes.byteLength);
    this.bytes().set(bytes, address);
    return { instructions, address };
  }

  run(program: LoadedProgram, input: RunInput = {}): RunResult {
    const data = input.memory ?? new Uint8Array(0);
    const budget = input.budget ?? DEFAULT_BUDGET;
    const address = data.byteLength > 0 ? this.placeInput(data) : 0;
    this.runtime.clearRegions();
    if (data.byteLength > 0) this.runtime.addRegion(BigInt(address), BigInt(address + data.byteLength), true);
    this.runtime.clearFault();
    this.helperError = undefined;
    let r0: bigint;
    try {
      r0 = this.runtime.interpret(program.address, 0, BigInt(address), BigInt(data.byteLength), BigInt(budget));
    } catch (trap) {
      throw this.explain(program, trap);
    }
    return {
      r0,
      executed: Number(this.runtime.executed.value),
      memory: this.bytes().slice(address, address + data.byteLength),
    };
  }

  private placeInput(data: Uint8Array): number {
    if (data.byteLength > this.inputCapacity) {
      if (this.inputCapacity > 0) this.runtime.release(this.inputAddress);
      this.inputCapacity = Math.max(data.byteLength, 4096);
      this.inputAddress = this.runtime.allocate(this.inputCapacity);
    }
    this.bytes().set(data, this.inputAddress);
    return this.inputAddress;
  }

  private bytes(): Uint8Array {
    return new Uint8Array(this.runtime.memory.buffer);
  }

  private callHelper(id: number, r1: bigint, r2: bigint, r3: bigint, r4: bigint, r5: bigint): bigint {
    const helper = this.helpers.get(id);
    if (!helper) throw (this.helperError = new HelperFault(`call to unknown helper ${id}`));
    try {
      return helper.call(r1, r2, r3, r4, r5);
    } catch (error) {
      throw (this.helperError = error);
    }
  }

  private explain(program: LoadedProgram, trap: unknown): unknown {
    const at = (index: number): string => disassembleAt(program.instructions, index);
    if (this.helperError !== undefined) {
      const index = this.runtime.helperPc.value;
      const error = this.helperError;
      if (!(error instanceof HelperFault)) return error;
      return new VmError("helper", index, at(index), error.message);
    }
    const kind = FAULT_KINDS[this.runtime.faultKind.value - 1];
    if (!kind) return trap;
    const index = this.runtime.faultPc.value;
    switch (kind) {
      case "memory": {
        const access = this.runtime.faultWrite.value ? "write" : "read";
        const address = this.runtime.faultAddress.value;
        return new VmError(kind, index, at(index), `${access} of ${this.runtime.faultSize.value} bytes at 0x${address.toString(16)} is outside the memory the program may touch`);
      }
      case "budget":
        return new VmError(kind, index, at(index), `instruction budget exhausted after ${this.runtime.executed.value} instructions`);
      case "call-depth":
        return new VmError(kind, index, at(index), "more than 8 nested bpf-to-bpf call frames");
      case "opcode":
        return new VmError(kind, index, at(index), "invalid opcode");
    }
  }
}

