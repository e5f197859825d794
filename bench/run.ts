// Runs the benchmarks named on the command line (all when none), prints a
// table each and writes bench/results/<name>.json. Options after the names
// (from the first `--...`) go to the benchmarks (scale reads them).
// Run: npm run bench [-- interpreter ... [--option value ...]]
// (through tsx, from the sources: the benchmarks are a dev tool, not part of the build)

import { mkdirSync, writeFileSync } from "node:fs";
import { compilerBenchmark } from "./compiler.ts";
import { datapathBenchmark } from "./datapath.ts";
import { interpreterBenchmark } from "./interpreter.ts";
import { kernelBenchmark } from "./kernel.ts";
import { replayBenchmark } from "./replay.ts";
import { scaleBenchmark } from "./scale.ts";
import { servicesBenchmark } from "./services.ts";
import { startupBenchmark } from "./startup.ts";
import type { BenchmarkReport } from "./report.ts";

const benchmarks: Record<string, (options: readonly string[]) => Promise<BenchmarkReport>> = {
  interpreter: interpreterBenchmark,
  datapath: datapathBenchmark,
  replay: replayBenchmark,
  compiler: compilerBenchmark,
  services: servicesBenchmark,
  kernel: kernelBenchmark,
  startup: startupBenchmark,
  scale: scaleBenchmark,
};

const argv = process.argv.slice(2);
const firstOption = argv.findIndex((arg) => arg.startsWith("--"));
const names = firstOption < 0 ? argv : argv.slice(0, firstOption);
const options = firstOption < 0 ? [] : argv.slice(firstOption);
for (const name of names) {
  if (!(name in benchmarks)) {
    console.error(`bench: unknown benchmark '${name}' (known: ${Object.keys(benchmarks).join(", ")})`);
    process.exit(2);
  }
}
mkdirSync("bench/results", { recursive: true });
for (const name of names.length > 0 ? names : Object.keys(benchmarks)) {
  const report = await benchmarks[name](options);
  console.log(`# ${report.name}`);
  console.table(report.results);
  writeFileSync(`bench/results/${report.name}.json`, JSON.stringify({ ...report, node: process.version, date: new Date().toISOString() }, null, 2) + "\n");
}
