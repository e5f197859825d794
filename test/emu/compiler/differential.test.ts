// The compiled engine is the interpreter, only faster: random valid programs
// (random-programs.ts) on random input memory, under random budgets, give the
// same r0, instruction count and memory, or the same fault at the same
// instruction, in both engines.

import fc from "fast-check";
import { beforeAll, describe, expect, test } from "vitest";
import { CONFORMANCE_HELPERS } from "../../../emu/conformance/runner.ts";
import { type Instruction } from "../../../emu/isa/instruction.ts";
import { VmError } from "../../../emu/vm/errors.ts";
import { type Engine, Vm } from "../../../emu/vm/vm.ts";
import { randomProgram } from "./random-programs.ts";

type Outcome = { r0: bigint; executed: number; memory: string } | { fault: string; kind: string; index: number };

async function vmOf(engine: Engine): Promise<Vm> {
  const vm = await Vm.create({ engine, seed: 7n });
  for (const helper of CONFORMANCE_HELPERS) vm.registerHelper(helper);
  return vm;
}

function outcome(vm: Vm, program: Instruction[], input: Uint8Array, budget: number): Outcome {
  const loaded = vm.loadProgram(program, { initializedAtEntry: [1, 2] });
  try {
    const run = vm.run(loaded, { memory: input, budget });
    return { r0: run.r0, executed: run.executed, memory: Buffer.from(run.memory).toString("hex") };
  } catch (error) {
    if (error instanceof VmError) return { fault: error.message, kind: error.kind, index: error.index };
    throw error;
  }
}

describe("compiled and interpreted runs of random programs", () => {
  let interpreter: Vm;
  let compiled: Vm;
  beforeAll(async () => {
    interpreter = await vmOf("interpreter");
    compiled = await vmOf("compiled");
  });

  test("agree on r0, executed instructions, memory and faults", () => {
    const kinds = new Map<string, number>();
    fc.assert(
      fc.property(randomProgram, fc.integer({ min: 1, max: 4000 }), ({ program, input }, budget) => {
        const expected = outcome(interpreter, program, input, budget);
        const actual = outcome(compiled, program, input, budget);
        const kind = "kind" in expected ? expected.kind : "exit";
        kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
        expect(actual).toEqual(expected);
      }),
      { numRuns: 300, seed: 20260801 },
    );
    console.log(`random programs by outcome: ${[...kinds].map(([k, n]) => `${k} ${n}`).join(", ")}`);
    // The generator reaches normal exits and the faults both engines must place alike.
    expect(kinds.get("exit")).toBeGreaterThan(80);
    expect(kinds.get("memory")).toBeGreaterThan(10);
    expect(kinds.get("budget")).toBeGreaterThan(10);
  });
});
