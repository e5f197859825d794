// The compiled engine of a VM: programs compiled to wasm modules that share
// the runtime's memory and run state, a table of them by program id (tail
// calls go through it), and a run that crosses into wasm once per packet
// with numbers only: r0 and the counts stay in the runtime's globals.
// A cluster's hundredth copy of bpf_lxc, or a fresh VM replaying the same
// scenario, only instantiates the module compiled for the first
// (module-cache.ts).

import { type Instruction } from "../isa/instruction.ts";
import { pastCompileBudget } from "./budget.ts";
import { CompileError } from "./errors.ts";
import { compiledModule } from "./module-cache.ts";
import { addressGlobal, Exported, Imported } from "./names.ts";

/** The runtime exports compiled code imports (emu/runtime/compiled.ts), as the raw wasm instance has them. */
const RUNTIME_IMPORTS = [
  Imported.memory,
  Imported.remaining,
  Imported.result,
  Imported.arg1,
  Imported.arg2,
  Imported.tailTarget,
  Imported.checked,
  Imported.budgetFault,
  Imported.enterCall,
  Imported.leaveCall,
  Imported.helper,
  Imported.tailCall,
  Imported.packetLo,
  Imported.packetHi,
  Imported.contextLo,
  Imported.contextBytes,
  Imported.contextTable,
  Imported.pageKinds,
] as const;

/** The value an lddw loads: its two immediates. */
function lddwValue(instructions: readonly Instruction[], slot: number): bigint {
  return (BigInt(instructions[slot + 1].imm) << 32n) | BigInt(instructions[slot].imm >>> 0);
}

/** The runtime's entry for a program the compiler leaves to the interpreter (emu/runtime/compiled.ts). */
const INTERPRET = "compiledInterpret";

/** Shapes of programs already said to run in the interpreter: each is said once per process, not once per copy. */
const told = new Set<string>();

/** The runtime instance's functions the engine calls itself. */
export interface CompiledRuntime {
  readonly exports: WebAssembly.Exports;
  beginCompiledRun(program: number, r1: number, r2: number, budget: number): void;
  stackTop(): number;
}

export class CompiledEngine {
  private readonly table = new WebAssembly.Table({ element: "anyfunc", initial: 0 });
  private readonly runs: (() => void)[] = [];
  private readonly rt: Record<string, WebAssembly.ExportValue>;

  constructor(private readonly runtime: CompiledRuntime) {
    const rt: Record<string, WebAssembly.ExportValue> = {};
    for (const name of RUNTIME_IMPORTS) {
      const value = runtime.exports[name];
      if (value === undefined) throw new Error(`the VM's runtime lacks ${name}: rebuild it (npm run build:runtime)`);
      rt[name] = value;
    }
    this.rt = rt;
    if (typeof runtime.exports[INTERPRET] !== "function") throw new Error(`the VM's runtime lacks ${INTERPRET}: rebuild it (npm run build:runtime)`);
  }

  /**
   * Compiles program `id` (already validated), or takes the module of an
   * earlier program of the same shape, and makes it the target of tail calls
   * to that id. `relocated`: the slots of lddw instructions that load a
   * load-time address; `shape`: emu/vm/program-shape.ts. A program past the
   * compiler's budget (budget.ts) runs in the interpreter, which is said
   * once on stderr. Returns the engine the program runs in; throws
   * CompileError when compiling fails.
   */
  load(id: number, name: string, instructions: readonly Instruction[], relocated: readonly number[], shape: string): "compiled" | "interpreter" {
    const refusal = pastCompileBudget(instructions);
    if (refusal) {
      if (!told.has(shape)) {
        told.add(shape);
        process.stderr.write(`ebbflow: ${name ? `program ${name}` : "a program"} runs in the interpreter: ${refusal}\n`);
      }
      this.place(id, this.runtime.exports[INTERPRET] as () => void, this.runtime.exports[INTERPRET] as () => void);
      return "interpreter";
    }
    let module: WebAssembly.Module;
    try {
      module = compiledModule(instructions, relocated, shape, this.runtime.stackTop());
    } catch (error) {
      throw new CompileError(name, error instanceof Error ? error.message : String(error));
    }
    const vm: Record<string, WebAssembly.ExportValue | bigint> = { [Imported.programs]: this.table };
    relocated.forEach((slot, k) => (vm[addressGlobal(k)] = lddwValue(instructions, slot)));
    const instance = new WebAssembly.Instance(module, { rt: this.rt, vm: vm as WebAssembly.ModuleImports });
    this.place(id, instance.exports[Exported.main] as () => void, instance.exports[Exported.run] as () => void);
    return "compiled";
  }

  /** `main`: what a tail call to program `id` runs; `run`: what a run of it starts with. */
  private place(id: number, main: () => void, run: () => void): void {
    if (this.table.length <= id) this.table.grow(id + 1 - this.table.length);
    this.table.set(id, main);
    this.runs[id] = run;
  }

  /** Runs program `id` and the tail calls it makes; traps as the interpreter does on a fault. */
  run(id: number, r1: number, r2: number, budget: number): void {
    this.runtime.beginCompiledRun(id, r1, r2, budget);
    this.runs[id]();
  }
}
