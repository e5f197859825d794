// The scale of issue 19, as a user meets it: generated clusters of 100 to
// 10,000 pods (policies and Services in proportion, bench/scale/cluster.ts),
// each replayed by `ebbflow scenario run FILE` in a process of its own
// (wall time and that process's peak RSS); attempts from 1,000 to 100,000 at
// one cluster size, with the time per attempt past the cluster's set-up
// (constant when the replay is linear in attempts); and one pod added at the
// largest size (bench/scale/pod-added.ts).
// Run: npm run bench -- scale [--sizes 100,1000,10000] [--attempts 1000,10000,100000]
//        [--attempts-pods 1000] [--pod-added-at PODS|0] [--bin OTHER_CHECKOUT]
//        [--timeout SECONDS] [--baseline bench/results/scale.json]
// --bin runs another checkout's bin/ebbflow.js (built: npm run build:dist)
// on the same files, in turns with this one; an empty list ("") skips a
// part, as 0 for --pod-added-at does.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { compareWithBaseline, readBaseline } from "./scale/baseline.ts";
import { runScenario, type ChildRun } from "./scale/child.ts";
import { proportions, scaleScenario, type ClusterSize } from "./scale/cluster.ts";
import { onePodAddedMs } from "./scale/pod-added.ts";
import type { BenchmarkReport } from "./report.ts";

/** The attempts of a cluster-size row, as in the issue's table. */
const CLUSTER_ATTEMPTS = 50;

interface ScaleOptions {
  sizes: number[];
  attempts: number[];
  attemptsPods: number;
  podAddedAt: number;
  checkouts: string[];
  timeoutMs: number;
  baseline?: string;
}

function numbers(flag: string, text: string | undefined): number[] {
  if (text === "") return [];
  const values = (text ?? "").split(",").map(Number);
  if (text === undefined || values.some((value) => !Number.isInteger(value) || value < 0))
    throw new Error(`scale: ${flag}: "${text}" is not a list of whole numbers`);
  return values;
}

function parseOptions(argv: readonly string[]): ScaleOptions {
  const options: ScaleOptions = {
    sizes: [100, 1000, 10000],
    attempts: [1000, 10000, 100000],
    attemptsPods: 1000,
    podAddedAt: -1,
    checkouts: ["."],
    timeoutMs: 600_000,
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, value] = [argv[i], argv[++i]];
    if (flag === "--sizes") options.sizes = numbers(flag, value);
    else if (flag === "--attempts") options.attempts = numbers(flag, value);
    else if (flag === "--attempts-pods") [options.attemptsPods] = numbers(flag, value);
    else if (flag === "--pod-added-at") [options.podAddedAt] = numbers(flag, value);
    else if (flag === "--timeout") options.timeoutMs = numbers(flag, value)[0] * 1000;
    else if (flag === "--bin" && value) options.checkouts = [resolve(value), "."];
    else if (flag === "--baseline" && value) options.baseline = value;
    else throw new Error(`scale: unknown option ${flag}`);
  }
  if (options.podAddedAt < 0) options.podAddedAt = Math.max(...options.sizes);
  return options;
}

/** This checkout is `here`, as in bench/side-by-side.ts; another by its path. */
const label = (checkout: string) => (checkout === "." ? "here" : checkout);
const count = (n: number) => n.toLocaleString("en-US");

function clusterLabel(pods: number, attempts: number): string {
  const { policies, services } = proportions(pods);
  return `${count(pods)} pods / ${count(policies)} policies / ${count(services)} services / ${count(attempts)} attempts`;
}

/** A row's figures from one run: a stopped or failed run has none, and says why. */
function figures(run: ChildRun): Record<string, string | number> {
  if (run.failure) return { note: run.failure };
  return { wallMs: Math.round(run.wallMs), peakRssMiB: Math.round(run.peakRssMiB!) };
}

export async function scaleBenchmark(argv: readonly string[] = []): Promise<BenchmarkReport> {
  const options = parseOptions(argv);
  const dir = mkdtempSync(join(tmpdir(), "ebbflow-scale-"));
  const results: Record<string, string | number>[] = [];
  try {
    const fileFor = (size: ClusterSize): string => {
      const file = join(dir, `pods-${size.pods}-attempts-${size.attempts}.yaml`);
      writeFileSync(file, scaleScenario(size));
      return file;
    };
    /** Every checkout on one file, in turns; the wall times by checkout. */
    const runAll = async (file: string, fields: Record<string, string>, perAttempt?: (checkout: string, run: ChildRun) => number | undefined) => {
      const walls = new Map<string, ChildRun>();
      for (const checkout of options.checkouts) {
        const run = await runScenario(checkout, file, options.timeoutMs);
        walls.set(checkout, run);
        const usPerAttempt = run.failure ? undefined : perAttempt?.(checkout, run);
        results.push({
          checkout: label(checkout),
          ...fields,
          ...figures(run),
          ...(usPerAttempt === undefined ? {} : { usPerAttempt: Number(usPerAttempt.toFixed(1)) }),
        });
        console.error(`scale: ${label(checkout)}: ${fields.size}: ${run.failure ?? `${Math.round(run.wallMs)} ms`}`);
      }
      rmSync(file);
      return walls;
    };

    const clusterRuns = new Map<number, Map<string, ChildRun>>();
    for (const pods of options.sizes) {
      clusterRuns.set(pods, await runAll(fileFor({ pods, attempts: CLUSTER_ATTEMPTS }), { case: "cluster", size: clusterLabel(pods, CLUSTER_ATTEMPTS) }));
    }
    if (options.attempts.length > 0) {
      const pods = options.attemptsPods;
      // The time per attempt past the set-up: the wall time less that of the same cluster with the issue's 50 attempts.
      const base =
        clusterRuns.get(pods) ?? (await runAll(fileFor({ pods, attempts: CLUSTER_ATTEMPTS }), { case: "cluster", size: clusterLabel(pods, CLUSTER_ATTEMPTS) }));
      for (const attempts of options.attempts) {
        await runAll(fileFor({ pods, attempts }), { case: "attempts", size: `${count(pods)} pods / ${count(attempts)} attempts` }, (checkout, run) => {
          const setUp = base.get(checkout);
          return setUp && !setUp.failure ? ((run.wallMs - setUp.wallMs) * 1000) / (attempts - CLUSTER_ATTEMPTS) : undefined;
        });
      }
    }
    if (options.podAddedAt > 0) {
      // In-process, on this checkout only: its peak memory is the benchmark's own, so none is given.
      results.push({
        checkout: label("."),
        case: "pod added",
        size: `1 pod added to ${count(options.podAddedAt)} pods`,
        wallMs: Number((await onePodAddedMs(options.podAddedAt)).toFixed(1)),
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (options.baseline) {
    console.log(`# scale: beside ${options.baseline}`);
    console.table(compareWithBaseline(results, readBaseline(options.baseline)));
  }
  return { name: "scale", results };
}
