// Scenario replay speed on the wasm backend, on each engine: the largest
// scenario (by attempts) replayed whole, from a fresh simulated cluster each
// time, in connection attempts per second and time per attempt.
// Run: npm run bench -- replay

import { Bench } from "tinybench";
import { WasmDatapath } from "../backend-wasm/datapath.ts";
import { ENGINES } from "../emu/vm/vm.ts";
import { replayScenario } from "../src/core/replay/run.ts";
import { readScenario } from "../src/core/scenario/index.ts";
import type { BenchmarkReport } from "./report.ts";

const FILE = "test/conformance/k8s-netpol-e2e/12-stacked-policies.yaml";

export async function replayBenchmark(): Promise<BenchmarkReport> {
  const scenario = readScenario(FILE);
  const bench = new Bench({ time: 5000, warmup: true });
  let attempts = 0;
  for (const engine of ENGINES) {
    const replay = async () => replayScenario(scenario, await WasmDatapath.create({ engine }), { seed: 1 });
    const first = await replay();
    attempts = first.passed + first.failed;
    if (first.failed > 0) throw new Error(`${FILE}: ${first.failed} attempts failed on the ${engine} engine`);
    bench.add(engine, replay);
  }
  await bench.run();
  return {
    name: "replay",
    results: bench.tasks.map((task) => {
      const msPerRun = task.result!.latency.mean;
      return {
        case: FILE,
        engine: task.name,
        attempts,
        msPerReplay: msPerRun,
        usPerAttempt: (msPerRun * 1000) / attempts,
        attemptsPerSecond: (attempts / msPerRun) * 1000,
        samples: task.result!.latency.samples.length,
      };
    }),
  };
}
