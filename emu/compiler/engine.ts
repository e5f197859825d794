// The compiled engine of a VM: programs compiled to wasm modules that share
// the runtime's memory and run state, a table of them by program id (tail
// calls go through it), and a run that crosses into wasm once per packet
// with numbers only: r0 and the counts stay in the runtime's globals.
// Copies of a program share one instance: a cluster's hundredth copy of
// bpf_lxc only points its table slot at the instance made for the first, and
// reads its own maps through its address table (emu/shared/address-table.ts);
// a fresh VM replaying the same scenario instantiates the module compiled
// before (module-cache.ts).

import { type Instruction } from "../isa/instruction.ts";
import { pastCompileBudget } from "./budget.ts";
import { CompileError } from "./errors.ts";
import { compiledModule } from "./module-cache.ts";
import { Exported, Imported } from "./names.ts";

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
  Imported.addresses,
  Imported.packetLo,
  Imported.packetHi,
  Imported.contextLo,
  Imported.contextBytes,
  Imported.contextTable,
  Imported.pageKinds,
] as const;

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

/** A program's entry points: `main` for tail calls into it, `run` for a run that starts with it. */
interface EntryPoints {
  main: () => void;
  run: () => void;
  engine: "compiled" | "interpreter";
}

export class CompiledEngine {
  private readonly table = new WebAssembly.Table({ element: "anyfunc", initial: 0 });
  private readonly runs: (() => void)[] = [];
  /** The instance of each program shape in this VM. */
  private readonly instances = new Map<string, EntryPoints>();
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
    let entry = this.instances.get(shape);
    if (!entry) this.instances.set(shape, (entry = this.entryPoints(name, instructions, relocated, shape)));
    this.place(id, entry);
    return entry.engine;
  }

  private entryPoints(name: string, instructions: readonly Instruction[], relocated: readonly number[], shape: string): EntryPoints {
    const refusal = pastCompileBudget(instructions);
    if (refusal) {
      if (!told.has(shape)) {
        told.add(shape);
        process.stderr.write(`ebbflow: ${name ? `program ${name}` : "a program"} runs in the interpreter: ${refusal}\n`);
      }
      const interpret = this.runtime.exports[INTERPRET] as () => void;
      return { main: interpret, run: interpret, engine: "interpreter" };
    }
    let module: WebAssembly.Module;
    try {
      module = compiledModule(instructions, relocated, shape, this.runtime.stackTop());
    } catch (error) {
      throw new CompileError(name, error instanceof Error ? error.message : String(error));
    }
    const instance = new WebAssembly.Instance(module, { rt: this.rt, vm: { [Imported.programs]: this.table } });
    return { main: instance.exports[Exported.main] as () => void, run: instance.exports[Exported.run] as () => void, engine: "compiled" };
  }

  private place(id: number, { main, run }: EntryPoints): void {
    // Doubling: a cluster loads tens of thousands of programs, one by one.
    if (this.table.length <= id) this.table.grow(Math.max(id + 1, 2 * this.table.length) - this.table.length);
    this.table.set(id, main);
    this.runs[id] = run;
  }

  /** Runs program `id` and the tail calls it makes; traps as the interpreter does on a fault. */
  run(id: number, r1: number, r2: number, budget: number): void {
    this.runtime.beginCompiledRun(id, r1, r2, budget);
    this.runs[id]();
  }
}
