// The compiled engine of a VM: programs compiled to wasm modules that share
// the runtime's memory and run state, a table of them by program id (tail
// calls go through it), and a run that crosses into wasm once per packet
// with numbers only: r0 and the counts stay in the runtime's globals.

import { type Instruction } from "../isa/instruction.ts";
import { compileProgram } from "./compile.ts";
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
] as const;

/** The runtime instance's functions the engine calls itself. */
export interface CompiledRuntime {
  readonly exports: WebAssembly.Exports;
  beginCompiledRun(program: number, r1: number, r2: number, budget: number): void;
  stackTop(): number;
}

export class CompiledEngine {
  private readonly table = new WebAssembly.Table({ element: "anyfunc", initial: 0 });
  private readonly runs: (() => void)[] = [];
  private readonly imports: WebAssembly.Imports;

  constructor(private readonly runtime: CompiledRuntime) {
    const rt: Record<string, WebAssembly.ExportValue> = {};
    for (const name of RUNTIME_IMPORTS) {
      const value = runtime.exports[name];
      if (value === undefined) throw new Error(`the VM's runtime lacks ${name}: rebuild it (npm run build:runtime)`);
      rt[name] = value;
    }
    this.imports = { rt, vm: { [Imported.programs]: this.table } };
  }

  /** Compiles program `id` (already validated) and makes it the target of tail calls to that id. */
  load(id: number, instructions: readonly Instruction[]): void {
    const bytes = compileProgram(instructions, { stackTop: this.runtime.stackTop() });
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), this.imports);
    if (this.table.length <= id) this.table.grow(id + 1 - this.table.length);
    this.table.set(id, instance.exports[Exported.main] as () => void);
    this.runs[id] = instance.exports[Exported.run] as () => void;
  }

  /** Runs program `id` and the tail calls it makes; traps as the interpreter does on a fault. */
  run(id: number, r1: number, r2: number, budget: number): void {
    this.runtime.beginCompiledRun(id, r1, r2, budget);
    this.runs[id]();
  }
}
