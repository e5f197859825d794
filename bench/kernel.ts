// The kernel backend next to the wasm backend on the largest scenario: time
// to set up its cluster (namespaces, veths, programs loaded and attached, or
// the simulated cluster), and connection attempts per second once set up.
// Run (root): npm run bench -- kernel

import { Bench } from "tinybench";
import { KernelDatapath } from "../backend-kernel/datapath.ts";
import { WasmDatapath } from "../backend-wasm/datapath.ts";
import type { Datapath } from "../src/core/datapath/datapath.ts";
import { replayScenario } from "../src/core/replay/run.ts";
import { readScenario } from "../src/core/scenario/index.ts";
import type { BenchmarkReport } from "./report.ts";

const FILE = "test/conformance/k8s-netpol-e2e/12-stacked-policies.yaml";

/** The datapath with the time its attempt() calls took, summed. */
function timed(datapath: Datapath): { datapath: Datapath; attemptMs: () => number } {
  let total = 0;
  const attempt = datapath.attempt.bind(datapath);
  datapath.attempt = async (request) => {
    const start = performance.now();
    const observation = await attempt(request);
    total += performance.now() - start;
    return observation;
  };
  return { datapath, attemptMs: () => total };
}

export async function kernelBenchmark(): Promise<BenchmarkReport> {
  const scenario = readScenario(FILE);
  const setupOnly = { ...scenario, traffic: [], packets: [] };
  const backends: Record<string, () => Promise<Datapath>> = { wasm: () => WasmDatapath.create(), kernel: () => KernelDatapath.create() };
  const bench = new Bench({ time: 3000, iterations: 5, warmup: true });
  const attemptTimes = new Map<string, number[]>();
  let attempts = 0;
  for (const [name, create] of Object.entries(backends)) {
    const replay = async (which: typeof scenario) => {
      const { datapath, attemptMs } = timed(await create());
      try {
        const result = await replayScenario(which, datapath, { seed: 1 });
        if (which.traffic.length > 0) attemptTimes.set(name, [...(attemptTimes.get(name) ?? []), attemptMs()]);
        return result;
      } finally {
        await datapath.close();
      }
    };
    const first = await replay(scenario);
    attempts = first.passed + first.failed;
    if (first.failed > 0) throw new Error(`${FILE}: ${first.failed} attempts failed on the ${name} backend`);
    bench.add(`${name} set-up`, () => replay(setupOnly).then(() => undefined));
    bench.add(`${name} replay`, () => replay(scenario).then(() => undefined));
  }
  await bench.run();
  const mean = (task: string) => bench.tasks.find((t) => t.name === task)!.result!.latency.mean;
  return {
    name: "kernel",
    results: Object.keys(backends).map((backend) => {
      const times = attemptTimes.get(backend)!;
      const attemptsMs = times.reduce((a, b) => a + b, 0) / times.length;
      return {
        case: FILE,
        backend,
        attempts,
        setupMs: mean(`${backend} set-up`),
        replayMs: mean(`${backend} replay`),
        attemptsPerSecond: (attempts / attemptsMs) * 1000,
        usPerAttempt: (attemptsMs * 1000) / attempts,
      };
    }),
  };
}
