// Hostile programs on both engines: long loops, long straight runs, deep
// bpf-to-bpf calls, programs past the compiler's budget. The compiled engine
// must end each as the interpreter does (same r0, same count, same typed
// fault), never in a RangeError from the host's stack.

import { afterEach, beforeAll, describe, expect, test, vi } from "vitest";
import { assemble } from "../../../emu/asm/assemble.ts";
import { MAX_COMPILED_BLOCK_SLOTS, MAX_COMPILED_BLOCKS, MAX_COMPILED_SLOTS, pastCompileBudget } from "../../../emu/compiler/budget.ts";
import { instruction } from "../../../emu/isa/instruction.ts";
import { EXIT, LDDW } from "../../../emu/isa/opcodes.ts";
import { ValidationError } from "../../../emu/validate/validate.ts";
import { VmError } from "../../../emu/vm/errors.ts";
import { ENGINES, type Engine, Vm, type VmProgram } from "../../../emu/vm/vm.ts";

const PROG_ARRAY = 3;
const u32 = (n: number) => new Uint8Array(new Uint32Array([n]).buffer);

const vms = {} as Record<Engine, Vm>;
beforeAll(async () => {
  for (const engine of ENGINES) vms[engine] = await Vm.create({ engine });
});
afterEach(() => {
  vi.restoreAllMocks();
});

/** "ok r0 after N" or the typed fault's message, on one engine. */
function outcome(vm: Vm, program: VmProgram, budget?: number): string {
  try {
    const { r0, executed } = vm.run(program, { budget });
    return `ok ${r0} after ${executed}`;
  } catch (error) {
    if (error instanceof VmError) return `${error.kind}: ${error.message}`;
    throw error;
  }
}

/** The outcome on each engine, of the same program under the same name. */
function both(source: string, budget?: number, name = "hostile"): Record<Engine, string> {
  const instructions = assemble(source);
  const result = {} as Record<Engine, string>;
  for (const engine of ENGINES) result[engine] = outcome(vms[engine], vms[engine].loadProgram(instructions, { name }), budget);
  return result;
}

const same = (expected: string) => ({ compiled: expected, interpreter: expected });

/** n times `jeq` over one `add`: 2n + 2 slots in 2n + 1 basic blocks, nested by the Relooper. */
const forwardBranches = (n: number): string =>
  "mov %r0, 0\n" + Array.from({ length: n }, (_, i) => `jeq %r0, ${i + 1}, l${i}\nadd %r0, 1\nl${i}:`).join("\n") + "\nexit";
/** Calls nested `depth` deep: the program calls f1, f1 calls f2, and so on. */
const callChain = (depth: number): string => {
  let source = "call local f1\nexit\n";
  for (let i = 1; i < depth; i++) source += `f${i}:\ncall local f${i + 1}\nexit\n`;
  return source + `f${depth}:\nmov %r0, ${depth}\nexit\n`;
};

describe("both engines on hostile programs", () => {
  test("run a loop of 10,000 iterations to the same r0 and count", () => {
    expect(both("mov %r0, 0\nmov %r1, 0\nL:\nadd %r0, 1\nadd %r1, 1\njlt %r1, 10000, L\nexit")).toEqual(same("ok 10000 after 30003"));
  });

  test("stop an endless loop at the budget with the interpreter's fault", () => {
    expect(both("mov %r0, 0\nL:\nadd %r0, 1\nja L")).toEqual(
      same("budget: hostile: instruction 2 (ja -2): instruction budget exhausted after 1000000 instructions"),
    );
  });

  test("run 10,000 straight instructions, and stop them at a budget of 5,000 on the same instruction", () => {
    const straight = "mov %r0, 0\n" + "add %r0, 1\n".repeat(10_000) + "exit";
    vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    expect(both(straight)).toEqual(same("ok 10000 after 10002"));
    expect(both(straight, 5000)).toEqual(same("budget: hostile: instruction 5000 (add %r0, 0x1): instruction budget exhausted after 5000 instructions"));
  });

  test("run 5,000 forward branches, which the compiler leaves to the interpreter", () => {
    vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    expect(both(forwardBranches(5000))).toEqual(same("ok 5000 after 10002"));
  });

  test("allow 8 nested call frames and fault on the 9th with the interpreter's call-depth error", () => {
    expect(both(callChain(7))).toEqual(same("ok 7 after 16"));
    expect(both(callChain(8))).toEqual(same("call-depth: hostile: instruction 14 (call local +1): more than 8 nested bpf-to-bpf call frames"));
  });
});

describe("the compiler's budget", () => {
  test("takes the datapath's sizes and leaves larger programs to the interpreter, saying why", () => {
    expect(pastCompileBudget(assemble(forwardBranches(500)))).toBeUndefined();
    expect(pastCompileBudget(assemble("mov %r0, 0\n" + "add %r0, 1\n".repeat(MAX_COMPILED_SLOTS) + "exit"))).toBe(
      `${MAX_COMPILED_SLOTS + 2} instruction slots, past the compiler's ${MAX_COMPILED_SLOTS}`,
    );
    expect(pastCompileBudget(assemble(forwardBranches(MAX_COMPILED_BLOCKS / 2)))).toBe(
      `${MAX_COMPILED_BLOCKS + 1} basic blocks, past the compiler's ${MAX_COMPILED_BLOCKS}`,
    );
    // 300 lddw and an exit after a first block of two slots: the lddw's second slots count.
    expect(pastCompileBudget(assemble("mov %r0, 0\njeq %r0, 1, +0\n" + "lddw %r0, 1\n".repeat(300) + "exit"))).toBe(
      `a basic block of 601 slots at 2, past the compiler's ${MAX_COMPILED_BLOCK_SLOTS}`,
    );
  });

  test("loads and runs 100,000 lddw in both engines, the compiled one through the interpreter, and refuses past the kernel's 1,000,000 slots", () => {
    vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    const lddws = Array.from({ length: 100_000 }, (_, k) => [instruction(LDDW, { imm: k }), instruction(0)]).flat();
    const program = [...lddws, instruction(EXIT)];
    const huge = Array.from({ length: 1_000_000 }, () => instruction(0xb7)).concat(instruction(EXIT));
    for (const engine of ENGINES) {
      const loaded = vms[engine].loadProgram(program, { name: "lddw" });
      // Past the compile budget: never handed to binaryen, whose time grows faster than the program.
      expect(loaded.engine).toBe("interpreter");
      expect(outcome(vms[engine], loaded)).toBe("ok 99999 after 100001");
      expect(() => vms[engine].loadProgram(huge)).toThrow(
        new ValidationError("the program has 1000001 instruction slots, past the kernel's limit of 1000000 (BPF_COMPLEXITY_LIMIT_INSNS)", 1_000_000, "exit"),
      );
    }
  });

  test("says once per program shape on stderr that a program runs in the interpreter", async () => {
    const lines: string[] = [];
    vi.spyOn(process.stderr, "write").mockImplementation((chunk) => lines.push(String(chunk)) > 0);
    const source = "mov %r0, 7\n" + "mov %r1, 1\n".repeat(MAX_COMPILED_SLOTS) + "exit";
    const first = vms.compiled.loadProgram(assemble(source), { name: "big" });
    const other = await Vm.create({ engine: "compiled" });
    const second = other.loadProgram(assemble(source), { name: "big" });
    expect([first.engine, second.engine]).toEqual(["interpreter", "interpreter"]);
    expect(lines).toEqual([
      `ebbflow: program big runs in the interpreter: ${MAX_COMPILED_SLOTS + 2} instruction slots, past the compiler's ${MAX_COMPILED_SLOTS}\n`,
    ]);
    expect(outcome(other, second)).toBe(`ok 7 after ${MAX_COMPILED_SLOTS + 2}`);
    expect(vms.compiled.loadProgram(assemble("mov %r0, 1\nexit")).engine).toBe("compiled");
  });

  test("tail calls cross between compiled and interpreted programs with one budget and one count", () => {
    vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    const results = {} as Record<Engine, string[]>;
    for (const engine of ENGINES) {
      const vm = vms[engine];
      const table = vm.createMap({ name: "jumps", type: PROG_ARRAY, keySize: 4, valueSize: 4, maxEntries: 2, flags: 0 });
      const tailCall = (index: number) => `lddw %r2, ${table.pointer}\nmov %r3, ${index}\ncall 12\n`;
      // Compiled: tail-calls the large one. Large (interpreted): adds 5,000, then tail-calls the small one back.
      const small = vm.loadProgram(assemble(`mov %r0, 1\n${tailCall(1)}exit`), { name: "small" });
      const large = vm.loadProgram(assemble("mov %r6, 0\n" + "add %r6, 1\n".repeat(5000) + `${tailCall(0)}mov %r0, %r6\nexit`), { name: "large" });
      table.update(u32(0), u32(small.id));
      table.update(u32(1), u32(large.id));
      expect([small.engine, large.engine]).toEqual(engine === "compiled" ? ["compiled", "interpreter"] : ["interpreter", "interpreter"]);
      // The kernel's limit of 33 tail calls ends the ping-pong; both engines count the calls made on either side.
      results[engine] = [outcome(vm, small), outcome(vm, small, 60_000)];
    }
    expect(results.compiled).toEqual(results.interpreter);
    expect(results.interpreter[0]).toMatch(/^ok 5000 after \d+$/);
    expect(results.interpreter[1]).toBe("budget: large: instruction 4908 (add %r6, 0x1): instruction budget exhausted after 60000 instructions");
  });
});
