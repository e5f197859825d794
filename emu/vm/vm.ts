// The VM as TypeScript sees it: one instance of the wasm runtime (one linear
// memory holding programs, maps, stacks, packets and contexts), programs
// validated and registered, maps created with the kernel's checks, helpers
// from the runtime or registered by the host, and runs that return r0 or
// throw a VmError naming the instruction at fault.

import { disassembleAt } from "../asm/disassemble.ts";
import { encodeInstructions, type Instruction } from "../isa/instruction.ts";
import { validate } from "../validate/validate.ts";
import { MapError } from "./errno.ts";
import { VmError, type VmFaultKind } from "./errors.ts";
import { type MapDefinition, TransferArea, VmMap } from "./maps.ts";
import { RuntimeMemory } from "./memory.ts";
import { programShape } from "./program-shape.ts";
import { adviseHugePages, type HugePages } from "./huge-pages.ts";
import type { CompiledEngine } from "../compiler/engine.ts";
import { instantiateRuntime, type RuntimeBuild, type RuntimeExports } from "./runtime.ts";
import { Fault, HelperProblem } from "../shared/faults.ts";
import { MAX_CALL_FRAMES, MAX_HELPER_ID } from "../shared/limits.ts";
import { ADDRESS_TABLE_LOAD } from "../shared/address-table.ts";
import { PseudoLoad } from "../isa/opcodes.ts";

/** A helper receives r1..r5 and returns r0. Throwing a HelperFault stops the run with a VmError. */
export type HelperFunction = (r1: bigint, r2: bigint, r3: bigint, r4: bigint, r5: bigint) => bigint;

export interface Helper {
  readonly id: number;
  readonly name: string;
  readonly call: HelperFunction;
}

/** Thrown by a host helper to stop the run; becomes a VmError at the calling instruction. */
export class HelperFault extends Error {}

export interface VmOptions {
  /** CPUs the VM pretends to have: per-CPU maps keep a value for each. Default 1. */
  cpus?: number;
  /** Seed of bpf_get_prandom_u32. */
  seed?: bigint;
  /** Which build of the runtime (tests only use "mutant"). */
  build?: RuntimeBuild;
  /** How programs run: compiled to WebAssembly at load, or by the checked interpreter (the default). */
  engine?: Engine;
  /** Told of every run that returns, with its map operations counted (ebbflow bench). */
  recorder?: RunRecorder;
}

/** Map operations a program made in one run, through the map helpers. */
export interface MapOperations {
  map: VmMap;
  lookups: number;
  updates: number;
  deletes: number;
}

/**
 * Sees each run of a VM that returns: read the run with vm.executed(),
 * vm.resultLow() and vm.mapOperations(); `ns` is its time in the engine.
 */
export interface RunRecorder {
  record(vm: Vm, program: VmProgram, ns: number): void;
}

export type Engine = "compiled" | "interpreter";
export const ENGINES: readonly Engine[] = ["compiled", "interpreter"];

export interface ProgramOptions {
  name?: string;
  /** BPF_PROG_TYPE_* number; 0 for a plain program (the conformance suite's). */
  type?: number;
  /** Registers holding a value at entry besides r10 (default r1). */
  initializedAtEntry?: readonly number[];
  /** "file.c:line: source" of an instruction, for error messages. */
  sourceOf?: (index: number) => string | undefined;
  /**
   * The lddw instructions that load an address fixed at load (a map, global
   * data) and the address each loads in this copy. Copies of an object that
   * pass the same `instructions` array share its code in the VM, its
   * validation and its compiled instance, and differ only in these addresses
   * (emu/shared/address-table.ts).
   */
  relocations?: Relocations;
}

export interface Relocations {
  /** Slots of the lddw instructions, in the order of `addresses`. */
  slots: readonly number[];
  addresses: readonly bigint[];
}

export class VmProgram {
  constructor(
    readonly id: number,
    readonly name: string,
    readonly type: number,
    /** As every copy shares them: a relocated lddw holds its entry in the address table. */
    readonly instructions: readonly Instruction[],
    readonly sourceOf: (index: number) => string | undefined,
    /** How it runs: a VM with the compiled engine leaves a program past the compiler's budget to the interpreter (emu/compiler/budget.ts). */
    readonly engine: Engine,
    private readonly relocations: Relocations | undefined,
  ) {}

  /** Instruction `index` as this copy runs it, with the address its lddw loads. */
  disassemble(index: number): string {
    const entry = this.relocations?.slots.indexOf(index) ?? -1;
    if (entry < 0) return disassembleAt(this.instructions, index);
    const value = this.relocations!.addresses[entry];
    const copy = [...this.instructions];
    copy[index] = { ...copy[index], imm: Number(BigInt.asIntN(32, value)) };
    copy[index + 1] = { ...copy[index + 1], imm: Number(BigInt.asIntN(32, value >> 32n)) };
    return disassembleAt(copy, index);
  }
}

/** A program's code as the VM holds it once for every copy. */
interface SharedCode {
  instructions: readonly Instruction[];
  /** The relocated slots it was made for. */
  slots: string;
  address: number;
  /** emu/vm/program-shape.ts */
  shape: string;
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

/** Program shapes the validator accepted, with the registers and helpers they were validated for. */
const validatedShapes = new Set<string>();
const VALIDATED_SHAPES = 4096;
/** The typed error's kind for each fault the runtime records. */
const FAULT_KINDS: { readonly [fault in Exclude<Fault, Fault.None>]: VmFaultKind } = {
  [Fault.Memory]: "memory",
  [Fault.Budget]: "budget",
  [Fault.CallDepth]: "call-depth",
  [Fault.Opcode]: "opcode",
  [Fault.HelperArgument]: "helper-argument",
  [Fault.UnknownHelper]: "unknown-helper",
  [Fault.TailCallInSubprogram]: "tail-call",
};

const HELPER_PROBLEMS: { readonly [problem in HelperProblem]: string } = {
  [HelperProblem.NotAMap]: "r1 is not a map the program was given",
  [HelperProblem.KeyNotReadable]: "the key pointer does not reach key_size readable bytes",
  [HelperProblem.ValueNotReadable]: "the value pointer does not reach value_size readable bytes",
  [HelperProblem.MapTypeNotAllowed]: "this helper may not be used on this map type",
  [HelperProblem.NotTheContext]: "r1 is not the program's context",
  [HelperProblem.BufferNotAccessible]: "a buffer argument lies outside the memory the program may touch",
  [HelperProblem.NotARingbufRecord]: "the pointer is not a reserved ring buffer record",
  [HelperProblem.WrongProgramType]: "this helper is not available to this program type",
  [HelperProblem.UnsupportedFlags]: "these flags (bpf_skb_adjust_room's encapsulation or decapsulation) are not supported by the VM",
  [HelperProblem.MapReadOnly]: "the map is read-only to programs (BPF_F_RDONLY_PROG)",
};

export class Vm {
  readonly memory: RuntimeMemory;
  readonly cpus: number;
  readonly engine: Engine;
  /** Whether the memory is backed by transparent huge pages, or why not. */
  readonly hugePages: HugePages;
  private readonly compiled: CompiledEngine | undefined;
  private readonly recorder: RunRecorder | undefined;
  private readonly helpers = new Map<number, Helper>();
  private readonly programs: VmProgram[] = [];
  private readonly codes = new WeakMap<readonly Instruction[], SharedCode>();
  private readonly maps: VmMap[] = [];
  private readonly transfer: TransferArea;
  private helperIds: Set<number> | undefined;
  /** helperIds as a key of the validation cache. */
  private helperKey = "";
  private helperError: unknown;
  private inputAddress = 0;
  private inputCapacity = 0;

  private constructor(
    private readonly runtime: RuntimeExports,
    options: VmOptions,
    compiled: CompiledEngine | undefined,
  ) {
    this.memory = new RuntimeMemory(runtime);
    this.hugePages = adviseHugePages(this.memory.bytes().buffer as ArrayBuffer);
    this.transfer = new TransferArea(this.memory);
    this.cpus = options.cpus ?? 1;
    this.engine = compiled ? "compiled" : "interpreter";
    this.compiled = compiled;
    this.recorder = options.recorder;
    runtime.countMapOperations(this.recorder !== undefined);
    runtime.setCpuCount(this.cpus);
    if (options.seed !== undefined) runtime.seedRandom(options.seed);
  }

  static async create(options: VmOptions = {}): Promise<Vm> {
    let vm: Vm | undefined;
    const runtime = await instantiateRuntime((id, r1, r2, r3, r4, r5) => vm!.callHostHelper(id, r1, r2, r3, r4, r5), options.build);
    let compiled: CompiledEngine | undefined;
    if (options.engine === "compiled") {
      // The compiler (and binaryen under it) loads only for a VM that compiles.
      const { CompiledEngine } = await import("../compiler/engine.ts");
      compiled = new CompiledEngine({
        exports: Object.getPrototypeOf(runtime) as WebAssembly.Exports,
        beginCompiledRun: (program, r1, r2, budget) => runtime.beginCompiledRun(program, r1, r2, budget),
        stackTop: () => runtime.stackTop(),
      });
    }
    vm = new Vm(runtime, options, compiled);
    return vm;
  }

  /** A host helper; it takes precedence over the runtime's helper of the same id. */
  registerHelper(helper: Helper): void {
    this.helpers.set(helper.id, helper);
    this.runtime.setHostHelper(helper.id, true);
    this.helperIds = undefined;
  }

  /** Helper ids a program may call: the runtime's and the host's. */
  availableHelpers(): ReadonlySet<number> {
    if (!this.helperIds) {
      this.helperIds = new Set();
      for (let id = 0; id < MAX_HELPER_ID; id++) if (this.runtime.hasHelper(id)) this.helperIds.add(id);
      this.helperKey = [...this.helperIds].join(",");
    }
    return this.helperIds;
  }

  /** Validates the program and copies it into the runtime. Throws ValidationError, or CompileError for a program the compiler fails on. */
  loadProgram(instructions: readonly Instruction[], options: ProgramOptions = {}): VmProgram {
    const relocations = options.relocations;
    const initializedAtEntry = options.initializedAtEntry ?? [1];
    const code = this.sharedCode(instructions, relocations?.slots ?? []);
    const helpers = this.availableHelpers();
    // The validator looks at no address an lddw loads: a program of a shape it accepted with these registers and helpers passes again.
    const validation = `${code.shape}:${initializedAtEntry.join(",")}:${this.helperKey}`;
    if (!validatedShapes.has(validation)) {
      validate(code.instructions, { initializedAtEntry, helpers });
      if (validatedShapes.size >= VALIDATED_SHAPES) validatedShapes.clear();
      validatedShapes.add(validation);
    }
    const type = options.type ?? 0;
    const id = this.runtime.registerProgram(code.address, instructions.length, type, this.addressTable(relocations?.addresses ?? []));
    if (id < 0) throw new Error("the VM holds too many programs");
    const name = options.name ?? "";
    const slots = relocations?.slots ?? [];
    const engine = this.compiled ? this.compiled.load(id, name, code.instructions, slots, code.shape) : "interpreter";
    const program = new VmProgram(id, name, type, code.instructions, options.sourceOf ?? (() => undefined), engine, relocations);
    this.programs[id] = program;
    return program;
  }

  /**
   * The code of `instructions` in the VM, made once per array: each
   * relocated lddw turned into a load of its address table entry.
   */
  private sharedCode(instructions: readonly Instruction[], slots: readonly number[]): SharedCode {
    const key = slots.join(",");
    const known = this.codes.get(instructions);
    if (known && known.slots === key) return known;
    const shared = [...instructions];
    slots.forEach((slot, entry) => {
      shared[slot] = { ...shared[slot], src: PseudoLoad.IMM64, imm: entry };
      shared[slot + 1] = { ...shared[slot + 1], imm: 0 };
    });
    const bytes = encodeInstructions(shared);
    for (const slot of slots) bytes[slot * 8 + 1] = (ADDRESS_TABLE_LOAD << 4) | shared[slot].dst;
    const address = this.memory.allocate(bytes.byteLength);
    this.memory.write(address, bytes);
    const code = { instructions: shared, slots: key, address, shape: programShape(bytes) };
    this.codes.set(instructions, code);
    return code;
  }

  /** A copy's load-time addresses, where the runtime finds them by program id (0: none). */
  private addressTable(addresses: readonly bigint[]): number {
    if (addresses.length === 0) return 0;
    const address = this.memory.allocate(addresses.length * 8);
    const view = this.memory.view();
    addresses.forEach((value, entry) => view.setBigUint64(address + entry * 8, value, true));
    return address;
  }

  /** Creates a map; throws MapError with the kernel's errno for a definition the kernel refuses. */
  createMap(definition: MapDefinition): VmMap {
    const { type, keySize, valueSize, maxEntries, flags } = definition;
    const result = Number(this.runtime.mapCreate(type, keySize, valueSize, maxEntries, flags));
    if (result < 0) throw new MapError(-result, definition.name, "create");
    const map = new VmMap(this.runtime, this.memory, this.transfer, result, definition);
    this.maps[result] = map;
    return map;
  }

  setClock(ns: bigint): void {
    this.runtime.setClock(ns);
  }

  setCpu(cpu: number): void {
    this.runtime.setCurrentCpu(cpu);
  }

  /** What bpf_trace_printk wrote since the last call. */
  drainTrace(): string {
    const text = new TextDecoder().decode(this.memory.read(this.runtime.traceBufferAddress(), Number(this.runtime.traceLength.value)));
    this.runtime.clearTrace();
    return text;
  }

  /** Runs a plain program in the conformance suite's convention: r1 = input memory, r2 = its length. */
  run(program: VmProgram, input: RunInput = {}): RunResult {
    const data = input.memory ?? new Uint8Array(0);
    const address = data.byteLength > 0 ? this.placeInput(data) : 0;
    this.runtime.clearRegions();
    if (data.byteLength > 0) this.runtime.addRegion(address, data.byteLength, true, 0);
    this.runtime.setRun(0, 0, 0, program.type);
    this.execute(program, address, data.byteLength, input.budget);
    return { r0: this.result(), executed: this.executed(), memory: this.memory.read(address, data.byteLength) };
  }

  /**
   * Runs a program whose regions and context the caller has declared (see
   * test-run.ts), with r1 and r2 set. Read the outcome with result(),
   * resultLow() and executed(): nothing is allocated on this path.
   */
  execute(program: VmProgram, r1: number, r2 = 0, budget = DEFAULT_BUDGET): void {
    this.runtime.clearFault();
    this.helperError = undefined;
    if (this.recorder) this.runtime.clearMapOperations();
    const start = this.recorder ? performance.now() : 0;
    try {
      if (this.compiled) this.compiled.run(program.id, r1, r2, budget);
      else this.runtime.interpret(program.id, r1, r2, budget);
    } catch (trap) {
      throw this.explain(trap);
    }
    if (this.recorder) this.recorder.record(this, program, (performance.now() - start) * 1e6);
  }

  /** The map operations of the last run; only counted for a VM created with a recorder. */
  mapOperations(): MapOperations[] {
    const operations: MapOperations[] = [];
    const view = this.memory.view();
    const entries = this.runtime.mapOperationEntries();
    for (let i = 0; i < this.runtime.countedMaps.value; i++) {
      const at = entries + i * 16;
      const map = this.maps[view.getUint32(at, true)];
      operations.push({ map, lookups: view.getUint32(at + 4, true), updates: view.getUint32(at + 8, true), deletes: view.getUint32(at + 12, true) });
    }
    if (this.runtime.uncountedOperations.value > 0) throw new Error("a run operated on more maps than the runtime counts (64)");
    return operations;
  }

  /** r0 of the last run. */
  result(): bigint {
    return this.compiled ? this.runtime.compiledResult.value : this.runtime.result.value;
  }

  /** The low 32 bits of r0 of the last run (a test run's retval). */
  resultLow(): number {
    return this.compiled ? this.runtime.compiledResultLow() : this.runtime.resultLow();
  }

  /** Instructions the last run executed. */
  executed(): number {
    return this.compiled ? this.runtime.compiledExecuted() : this.runtime.executed.value;
  }

  /** Declares a region the next run may touch (the packet, or a context with its access mask). */
  declareRegion(address: number, length: number, writable: boolean, mask = 0): void {
    if (!this.runtime.addRegion(address, length, writable, mask)) {
      throw new Error("too many memory regions declared for one run");
    }
  }

  clearRegions(): void {
    this.runtime.clearRegions();
  }

  /** Sets the run's context pointer, packet bounds and program type before execute(). */
  setRunContext(context: number, packetStart: number, packetEnd: number, programType: number): void {
    this.runtime.setRun(context, packetStart, packetEnd, programType);
  }

  /** After setRunContext: the memory [floor, ceiling) around the packet that bpf_skb_adjust_room may grow it into. */
  setPacketRoom(floor: number, ceiling: number): void {
    this.runtime.setPacketRoom(floor, ceiling);
  }

  /** What bpf_get_socket_cookie returns in the next run. */
  setSocketCookie(cookie: bigint): void {
    this.runtime.setSocketCookie(cookie);
  }

  /** The target bpf_redirect() recorded in the last run. */
  redirect(): { ifindex: number; flags: bigint } {
    return { ifindex: this.runtime.redirectIfindex.value, flags: this.runtime.redirectFlags.value };
  }

  /** Wasm memory in use, in bytes. */
  memoryBytes(): number {
    return this.runtime.memory.buffer.byteLength;
  }

  private placeInput(data: Uint8Array): number {
    if (data.byteLength > this.inputCapacity) {
      if (this.inputCapacity > 0) this.memory.release(this.inputAddress, this.inputCapacity);
      this.inputCapacity = Math.max(data.byteLength, 4096);
      this.inputAddress = this.memory.allocate(this.inputCapacity);
    }
    this.memory.write(this.inputAddress, data);
    return this.inputAddress;
  }

  private callHostHelper(id: number, r1: bigint, r2: bigint, r3: bigint, r4: bigint, r5: bigint): bigint {
    const helper = this.helpers.get(id);
    if (!helper) throw (this.helperError = new HelperFault(`call to unknown helper ${id}`));
    try {
      return helper.call(r1, r2, r3, r4, r5);
    } catch (error) {
      throw (this.helperError = error);
    }
  }

  private explain(trap: unknown): unknown {
    // A compiled run may have handed the program at fault to the interpreter (emu/runtime/compiled.ts compiledInterpret).
    const compiled = this.compiled !== undefined && !this.runtime.compiledInInterpreter.value;
    const program = this.programs[compiled ? this.runtime.compiledProgram.value : this.runtime.currentProgram.value];
    const error = (kind: VmError["kind"], index: number, detail: string): VmError =>
      new VmError(kind, program.name, index, program.disassemble(index), detail, program.sourceOf(index));
    if (this.helperError !== undefined) {
      if (!(this.helperError instanceof HelperFault)) return this.helperError;
      return error("helper", compiled ? this.runtime.compiledHelperPc.value : this.runtime.helperPc.value, this.helperError.message);
    }
    const kind = FAULT_KINDS[this.runtime.faultKind.value as Exclude<Fault, Fault.None>];
    if (!kind) return trap;
    const index = this.runtime.faultPc.value;
    const detail = this.runtime.faultDetail.value;
    switch (kind) {
      case "memory": {
        const access = this.runtime.faultWrite.value ? "write" : "read";
        const address = this.runtime.faultAddress.value;
        return error(
          kind,
          index,
          `${access} of ${this.runtime.faultSize.value} bytes at 0x${address.toString(16)} is outside the memory the program may touch`,
        );
      }
      case "budget":
        return error(kind, index, `instruction budget exhausted after ${this.executed()} instructions`);
      case "call-depth":
        return error(kind, index, `more than ${MAX_CALL_FRAMES} nested bpf-to-bpf call frames`);
      case "opcode":
        return error(kind, index, "invalid opcode");
      case "helper-argument":
        return error(kind, index, HELPER_PROBLEMS[detail as HelperProblem] ?? `invalid helper argument (${detail})`);
      case "unknown-helper":
        return error(kind, index, `call to unknown helper ${detail}`);
      case "tail-call":
        return error(kind, index, "a tail call from inside a bpf-to-bpf subprogram is not supported");
    }
  }
}
