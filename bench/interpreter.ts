// Interpreter speed on the suite's loop-heavy program (prime.data: a trial
// division loop, 655 instructions a run), in instructions per second.
// Run: npm run bench -- interpreter

import { readFileSync } from "node:fs";
import { Bench } from "tinybench";
import { assemble } from "../emu/asm/assemble.ts";
import { parseDataFile } from "../emu/conformance/datafile.ts";
import { conformanceVm } from "../emu/conformance/runner.ts";
import type { BenchmarkReport } from "./report.ts";

const FILE = "test/conformance/bpf_conformance/tests/prime.data";

export async function interpreterBenchmark(): Promise<BenchmarkReport> {
  const vm = await conformanceVm();
  const data = parseDataFile(FILE, readFileSync(FILE, "utf8"));
  const program = vm.loadProgram(assemble(data.asm!.text), { initializedAtEntry: [1, 2] });
  const executed = vm.run(program).executed;
  const bench = new Bench({ time: 2000, warmup: true });
  bench.add("interpreter: prime.data", () => {
    vm.run(program);
  });
  await bench.run();
  const task = bench.tasks[0];
  const nsPerRun = task.result!.latency.mean * 1e6;
  return {
    name: "interpreter",
    results: [
      {
        case: "prime.data",
        instructionsPerRun: executed,
        nsPerRun,
        nsPerInstruction: nsPerRun / executed,
        instructionsPerSecond: (executed / nsPerRun) * 1e9,
        samples: task.result!.latency.samples.length,
      },
    ],
  };
}
