// Scenario mutants through `node bin/ebbflow.js scenario run --output json`
// on one engine. To fit 2 shared cores, a child replays a batch of mutants
// (each in its own folder): the command runs every file and reports each in
// its place (a summary or an error object), which gives each mutant the exit
// code it would have alone (2 refused, 1 an expectation failed, 0 passed).
// When a batch ends otherwise (a stack trace, a hang, a signal, an exit code
// outside 0-2, output that is not one JSON object per line, the canary's
// marker), the files its output accounts for are decided, the first one it
// does not is run alone with its own timeout (that run decides it), and the
// rest of the batch runs again.

import { realpathSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../../src/util/package-root.ts";
import { outcomeOf, runChild, type ChildResult, type Outcome } from "./child.ts";
import { fixedRoots, outsideRoots, readGuardLog, type GuardEntry } from "./roots.ts";

export interface ScenarioJob {
  id: string;
  folder: string;
  file: string;
}

export interface ScenarioVerdict {
  outcome: Outcome;
  /** The marker of the canaries was printed. */
  canary: boolean;
  outside: GuardEntry[];
  /** The lone run's output, when the mutant was run alone. */
  alone?: ChildResult;
}

export interface ScenarioRunSettings {
  engine: "compiled" | "interp";
  timeoutMs: number;
  marker: string;
  cacheDir: string;
  logDir: string;
}

function child(files: readonly string[], settings: ScenarioRunSettings, log: string, timeoutMs: number): Promise<ChildResult> {
  const root = packageRoot();
  return runChild(
    process.execPath,
    [
      "--max-old-space-size=2048",
      "--import",
      join(root, "bench/fuzz/open-guard.mjs"),
      join(root, "bin/ebbflow.js"),
      "scenario",
      "run",
      "--output",
      "json",
      "--engine",
      settings.engine,
      ...files,
    ],
    { cwd: root, env: { ...process.env, EBBFLOW_FUZZ_OPEN_LOG: log, EBBFLOW_CACHE_DIR: settings.cacheDir }, timeoutMs },
  );
}

/** Each file's exit code from a batch's JSON lines, for as many files, in order, as the lines account for. */
function perFile(stdout: string, files: readonly string[]): Outcome[] {
  const outcomes: Outcome[] = [];
  for (const line of stdout.split("\n")) {
    if (line === "") continue;
    let item: { kind?: string; file?: string; failed?: number };
    try {
      item = JSON.parse(line);
    } catch {
      break;
    }
    if (item.kind !== "summary" && item.kind !== "error") continue;
    if (item.file !== files[outcomes.length]) break;
    outcomes.push(item.kind === "error" ? "exit 2" : (item.failed ?? 0) > 0 ? "exit 1" : "exit 0");
  }
  return outcomes;
}

export async function runScenarioBatch(jobs: readonly ScenarioJob[], settings: ScenarioRunSettings, batchName: string): Promise<ScenarioVerdict[]> {
  const files = jobs.map((job) => job.file);
  const reals = files.map((file) => realpathSync(file));
  const folders = jobs.map((job) => realpathSync(job.folder));
  const fixed = fixedRoots(settings.cacheDir);
  const verdicts: ScenarioVerdict[] = [];
  // The files from `first` on run in one child; those it accounts for are decided, the next one runs alone, and the rest again together.
  for (let first = 0, round = 0; first < files.length; round++) {
    const log = join(settings.logDir, `${batchName}-${settings.engine}-${round}.log`);
    const batch = await child(files.slice(first), settings, log, settings.timeoutMs * 2 + 1000 * (files.length - first));
    const outcome = outcomeOf(batch);
    const marked = batch.stdout.includes(settings.marker) || batch.stderr.includes(settings.marker);
    const clean = !marked && (outcome === "exit 0" || outcome === "exit 1" || outcome === "exit 2") && batch.stderr === "";
    const each = marked ? [] : perFile(batch.stdout, files.slice(first));
    const outside = outsideRoots(readGuardLog(log), reals.slice(first), (turn) => [...fixed, ...(turn >= 0 ? [folders[first + turn]] : folders)]);
    // What was opened before the first mutant's turn (the command's own start) goes to the first.
    each.forEach((outcome, index) =>
      verdicts.push({ outcome, canary: false, outside: [...(index === 0 ? (outside.get(-1) ?? []) : []), ...(outside.get(index) ?? [])] }),
    );
    first += each.length;
    if (clean && first === files.length) break;
    if (first === files.length) {
      // Every file accounted for, and yet the child ended badly: run the last one alone to decide it.
      verdicts.pop();
      first--;
    }
    const lone = join(settings.logDir, `${batchName}-${settings.engine}-${round}-alone.log`);
    const alone = await child([files[first]], settings, lone, settings.timeoutMs);
    const outsideAlone = outsideRoots(readGuardLog(lone), [reals[first]], () => [...fixed, folders[first]]);
    verdicts.push({
      outcome: outcomeOf(alone),
      canary: alone.stdout.includes(settings.marker) || alone.stderr.includes(settings.marker),
      outside: [...(outsideAlone.get(-1) ?? []), ...(outsideAlone.get(0) ?? [])],
      alone,
    });
    first++;
  }
  return verdicts;
}
