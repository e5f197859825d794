// The hostile-input fuzzer (issue 18): mutated scenario files through
// `ebbflow scenario run` and mutated BPF objects through the VM's loader, on
// both engines, each child with a timeout and its file opens logged. Prints
// the counts by class and writes every finding's reproducer under --out.
// Run (after npm run build:dist): npx tsx bench/fuzz/run.ts --scenarios 2000 --elf 2000 --seed 1
// Deterministic: the same seed writes the same mutants.

import { appendFileSync, copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { packageRoot } from "../../src/util/package-root.ts";
import { outcomeOf, runChild, type Outcome } from "./child.ts";
import { elfMutant } from "./elf-mutants.ts";
import { runElfBatch, type ElfVerdict } from "./elf-run.ts";
import { FuzzRandom } from "./fuzz-random.ts";
import { layCanaries, layPathFixtures, pathTargets, pcap } from "./path-fixtures.ts";
import { inPool } from "./pool.ts";
import { fixedRoots, outsideRoots, readGuardLog } from "./roots.ts";
import { elfClass, printTable, writeFinding, type Tally } from "./report.ts";
import { scenarioMutant, type BaseScenario, type ScenarioFamily } from "./scenario-mutants.ts";
import { runScenarioBatch, type ScenarioJob, type ScenarioVerdict } from "./scenario-run.ts";

const { values } = parseArgs({
  options: {
    scenarios: { type: "string", default: "2000" },
    elf: { type: "string", default: "2000" },
    seed: { type: "string", default: "1" },
    out: { type: "string" },
    timeout: { type: "string", default: "20" },
    jobs: { type: "string", default: "2" },
    batch: { type: "string", default: "10" },
    "cli-sample": { type: "string", default: "50" },
    "interp-refused-sample": { type: "string" },
    reuse: { type: "boolean", default: false },
  },
});
const number = (name: keyof typeof values) => {
  const text = String(values[name]);
  if (!/^\d+$/.test(text)) throw new Error(`fuzz: --${name}: "${text}" is not a whole number`);
  return Number(text);
};
const seed = number("seed");
const timeoutMs = number("timeout") * 1000;
const jobs = Math.max(1, number("jobs"));
const batchSize = Math.max(1, number("batch"));
const root = packageRoot();
if (!existsSync(join(root, "dist/src/cli/main.js"))) throw new Error("fuzz: ebbflow is not built (no dist/): run npm run build:dist");

const out = resolve(values.out ?? join(tmpdir(), `ebbflow-fuzz-${seed}`));
// --reuse keeps the mutants a run with the same seed wrote (they are the same bytes), and saves writing them again.
if (!values.reuse) rmSync(out, { recursive: true, force: true });
for (const folder of ["canary", "work", "elf", "logs", "findings"]) mkdirSync(join(out, folder), { recursive: true });
// One line per input and engine as it is decided, so that a run stopped early still has its counts.
const results = join(out, "results.jsonl");
const record = (line: object) => appendFileSync(results, JSON.stringify(line) + "\n");
const random = new FuzzRandom(seed);
const marker = `ebbflow-canary-${seed}-${random.int(0, 0xffffff).toString(16)}`;
const canaries = join(out, "canary");
layCanaries(canaries, marker);
// A cache of its own, seeded from the package's: mutated programs compile into it, not into node_modules.
const cacheDir = join(out, "cache");
const packageCache = join(root, "node_modules/.cache/ebbflow/compiled");
if (existsSync(packageCache)) cpSync(packageCache, cacheDir, { recursive: true });
else mkdirSync(cacheDir, { recursive: true });
const started = Date.now();
const elapsed = () => `${Math.round((Date.now() - started) / 1000)} s`;

// The guard's positive control: a scenario allowed (--allow-path) to read a canary must be counted, or a count of 0 means nothing.
{
  const folder = join(out, "control");
  mkdirSync(folder, { recursive: true });
  const file = join(folder, "scenario.yaml");
  writeFileSync(file, "apiVersion: ebbflow.io/v1alpha1\nkind: Scenario\nmetadata: {name: control}\nspec:\n  files: [../canary/secret.yaml]\n");
  const log = join(out, "logs", "control.log");
  await runChild(
    process.execPath,
    ["--import", join(root, "bench/fuzz/open-guard.mjs"), join(root, "bin/ebbflow.js"), "scenario", "run", "--allow-path", canaries, file],
    {
      cwd: root,
      env: { ...process.env, EBBFLOW_FUZZ_OPEN_LOG: log, EBBFLOW_CACHE_DIR: cacheDir },
      timeoutMs,
    },
  );
  const seen = outsideRoots(readGuardLog(log), [realpathSync(file)], () => [...fixedRoots(cacheDir), realpathSync(folder)]).get(0) ?? [];
  if (!seen.some((entry) => entry.kind === "read" && entry.real === realpathSync(join(canaries, "secret.yaml")))) {
    throw new Error("fuzz: the open guard did not count a read of a canary outside the roots: its counts would mean nothing");
  }
  console.log(`open guard: a read outside the roots is counted (${seen.length} entries in the control run)`);
}

const count = (tally: Tally, row: string, column: string) => {
  const line = tally.get(row) ?? new Map<string, number>();
  line.set(column, (line.get(column) ?? 0) + 1);
  tally.set(row, line);
};
let findings = 0;

// ---- ELF mutants

// A stream of its own: the scenario mutants stay the same whatever --elf is.
const elfRandom = new FuzzRandom(seed + 0x5eed);
const objectBases = ["bpf_lxc.o", "bpf_host.o", "bpf_xdp.o", "bpf_sock.o"].map((name) => ({
  name,
  bytes: new Uint8Array(readFileSync(join(root, "bpf", name))),
}));
const elfJobs: { file: string; family: string; operator: string; base: string }[] = [];
for (let index = 0; index < number("elf"); index++) {
  const mutant = elfMutant(elfRandom.pick(objectBases), elfRandom, index);
  const file = join(out, "elf", `e-${String(index).padStart(5, "0")}.o`);
  writeFileSync(file, mutant.bytes);
  elfJobs.push({ file, family: mutant.family, operator: mutant.operator, base: mutant.base });
}
console.log(`${elfJobs.length} ELF mutants under ${out}/elf (${elapsed()})`);
const elfBatches: (typeof elfJobs)[] = [];
for (let at = 0; at < elfJobs.length; at += batchSize * 5) elfBatches.push(elfJobs.slice(at, at + batchSize * 5));
const elfVerdicts: ElfVerdict[] = (
  await inPool(
    elfBatches.map(
      (batch, index) => () =>
        runElfBatch(
          batch.map((job) => job.file),
          timeoutMs,
          cacheDir,
          join(out, "logs", `elf-${String(index).padStart(4, "0")}.log`),
        ),
    ),
    jobs,
    (done) => done % 5 === 0 && console.log(`  ELF: ${done}/${elfBatches.length} batches (${elapsed()})`),
  )
).flat();
const elfTally: Tally = new Map();
const elfFamilies: Tally = new Map();
elfVerdicts.forEach((verdict, index) => {
  const job = elfJobs[index];
  record({ input: basename(job.file), verdict });
  const reads = verdict.outside.filter((entry) => entry.kind === "read");
  for (const engine of ["compiled", "interpreter"] as const) {
    const outcome = elfClass(verdict, engine);
    count(elfTally, `ELF ${engine}`, outcome);
    count(elfFamilies, `${job.family} (${engine})`, outcome);
  }
  if (reads.length > 0) count(elfTally, "ELF (both)", "read outside roots");
  const bad = verdict.kind !== "done" || Object.values(verdict.results).some((result) => result.stage === "untyped");
  if (bad || reads.length > 0) {
    findings++;
    writeFinding(join(out, "findings"), basename(job.file, ".o"), {
      kind: reads.length > 0 ? "read outside roots" : verdict.kind === "done" ? "stack trace" : verdict.kind,
      input: job.file,
      command: `echo '["${job.file}"]' > /tmp/one.json && node bench/fuzz/elf-worker.mjs /tmp/one.json 0`,
      summary: `${job.family}: ${job.operator} (base ${job.base})`,
      stdout: verdict.kind === "done" ? JSON.stringify(verdict.results, null, 2) : "",
      stderr: verdict.kind === "done" ? "" : verdict.detail,
      outside: verdict.outside,
    });
  }
});

// ---- scenario mutants

const baseFolders = [join(root, "scenarios"), resolve(root, "../shared/conformance/k8s-netpol-e2e")].filter((folder) => existsSync(folder));
const bases: BaseScenario[] = baseFolders.flatMap((folder) =>
  readdirSync(folder)
    .filter((name) => name.endsWith(".yaml") && name !== "README.md")
    .sort()
    .map((name) => ({ name: `${basename(folder)}/${name}`, text: readFileSync(join(folder, name), "utf8") })),
);
const targets = pathTargets(canaries);
const scenarioJobs: (ScenarioJob & { family: ScenarioFamily; operator: string; base: string })[] = [];
for (let index = 0; index < number("scenarios"); index++) {
  const mutant = scenarioMutant(bases, targets, random, index);
  const id = `s-${String(index).padStart(5, "0")}`;
  const folder = join(out, "work", id);
  if (!existsSync(join(folder, "scenario.yaml"))) {
    rmSync(folder, { recursive: true, force: true });
    mkdirSync(folder);
    cpSync(join(root, "scenarios/captures"), join(folder, "captures"), { recursive: true });
    if (mutant.family === "path") layPathFixtures(folder, canaries);
    writeFileSync(join(folder, "scenario.yaml"), mutant.bytes);
  }
  scenarioJobs.push({ id, folder, file: join(folder, "scenario.yaml"), family: mutant.family, operator: mutant.operator, base: mutant.base });
}
console.log(`${scenarioJobs.length} scenario mutants from ${bases.length} bases under ${out}/work (${elapsed()})`);

const scenarioTally: Tally = new Map();
const scenarioFamilies: Tally = new Map();
/**
 * The mutants the interpreter replays: all of them, or with
 * --interp-refused-sample N those the compiled run did not refuse and N of
 * the refused ones. `scenario run` reads and checks a file (readScenario)
 * before it creates the datapath of either engine, so a refused file takes
 * the same path on both: the sample confirms it at a fraction of the time.
 */
function interpJobs(refused: ReadonlySet<number>): number[] {
  const all = scenarioJobs.map((_, index) => index);
  if (values["interp-refused-sample"] === undefined) return all;
  const sample = number("interp-refused-sample");
  const list = all.filter((index) => refused.has(index));
  const chosen = new Set(Array.from({ length: Math.min(sample, list.length) }, (_, i) => list[Math.floor((i * list.length) / sample)]));
  return all.filter((index) => !refused.has(index) || chosen.has(index));
}
const refusedCompiled = new Set<number>();
for (const engine of ["compiled", "interp"] as const) {
  const chosen = engine === "compiled" ? scenarioJobs.map((_, index) => index) : interpJobs(refusedCompiled);
  const batches: number[][] = [];
  for (let at = 0; at < chosen.length; at += batchSize) batches.push(chosen.slice(at, at + batchSize));
  const settings = { engine, timeoutMs, marker, cacheDir, logDir: join(out, "logs") };
  const verdicts = await inPool(
    batches.map((batch, index) => async () => {
      const decided = await runScenarioBatch(
        batch.map((job) => scenarioJobs[job]),
        settings,
        `scenario-${engine}-${String(index).padStart(4, "0")}`,
      );
      decided.forEach((verdict, i) =>
        record({ input: scenarioJobs[batch[i]].id, engine, outcome: verdict.outcome, canary: verdict.canary, outside: verdict.outside }),
      );
      return decided;
    }),
    jobs,
    (done) => done % 20 === 0 && console.log(`  scenarios, ${engine}: ${done}/${batches.length} batches (${elapsed()})`),
  );
  verdicts.flat().forEach((verdict: ScenarioVerdict, position) => {
    const index = chosen[position];
    const job = scenarioJobs[index];
    if (engine === "compiled" && verdict.outcome === "exit 2") refusedCompiled.add(index);
    const row = `scenario ${engine}`;
    count(scenarioTally, row, verdict.outcome);
    count(scenarioFamilies, `${job.family} (${engine})`, verdict.outcome);
    const reads = verdict.outside.filter((entry) => entry.kind === "read");
    if (reads.length > 0) count(scenarioTally, row, "read outside roots");
    if (verdict.outside.length > reads.length) count(scenarioTally, row, "stat outside roots");
    if (verdict.canary) count(scenarioTally, row, "canary in output");
    const bad: Outcome[] = ["stack trace", "hang", "signal", "exit other"];
    if (bad.includes(verdict.outcome) || reads.length > 0 || verdict.canary) {
      findings++;
      writeFinding(join(out, "findings"), `${job.id}-${engine}`, {
        kind: verdict.canary ? "canary in output" : reads.length > 0 ? "read outside roots" : verdict.outcome,
        input: job.folder,
        command: `node --import ./bench/fuzz/open-guard.mjs bin/ebbflow.js scenario run --output json --engine ${engine} ${job.file}`,
        summary: `${job.family}: ${job.operator} (base ${job.base})`,
        stdout: verdict.alone?.stdout ?? "",
        stderr: verdict.alone?.stderr ?? "",
        outside: verdict.outside,
      });
    }
  });
}

// ---- the same objects through the command a user runs on one: ebbflow bench OBJECT --packets

const packets = join(out, "packets.pcap");
const frame = Buffer.from("ffffffffffff00000000000108004500002800010000400600000af4010a0af402149c40005000000001000000005002200000000000", "hex");
writeFileSync(packets, pcap([frame]));
copyFileSync(join(root, "scenarios/captures/vlan-tagged.pcap"), join(out, "vlan-tagged.pcap"));
// Every object whose programs faulted in the VM (bench does not catch a fault of a run), and an even spread of the rest.
const faulted = elfVerdicts.flatMap((verdict, index) =>
  verdict.kind === "done" && Object.values(verdict.results).some((result) => result.stage === "ran" && result.faults > 0) ? [index] : [],
);
const spread = Array.from({ length: Math.min(number("cli-sample"), elfJobs.length) }, (_, i) => Math.floor((i * elfJobs.length) / number("cli-sample")));
const sample = [...new Set([...faulted.slice(0, 40), ...spread])].sort((a, b) => a - b);
const cliTally: Tally = new Map();
await inPool(
  sample.flatMap((index) =>
    (["compiled", "interp"] as const).map((engine) => async () => {
      const args = [join(root, "bin/ebbflow.js"), "bench", elfJobs[index].file, "--packets", packets, "--repeat", "1", "--engine", engine];
      const result = await runChild(process.execPath, args, { cwd: root, env: { ...process.env, EBBFLOW_CACHE_DIR: cacheDir }, timeoutMs });
      const outcome = outcomeOf(result);
      count(cliTally, `ebbflow bench ${engine}`, outcome);
      if (!["exit 0", "exit 1", "exit 2"].includes(outcome)) {
        findings++;
        writeFinding(join(out, "findings"), `${basename(elfJobs[index].file, ".o")}-bench-${engine}`, {
          kind: outcome,
          input: elfJobs[index].file,
          command: `node bin/ebbflow.js bench ${elfJobs[index].file} --packets ${packets} --repeat 1 --engine ${engine}`,
          summary: `${elfJobs[index].family}: ${elfJobs[index].operator} (base ${elfJobs[index].base})`,
          stdout: result.stdout,
          stderr: result.stderr,
          outside: [],
        });
      }
    }),
  ),
  jobs,
);

const table = printTable([scenarioTally, scenarioFamilies, elfTally, elfFamilies, cliTally]);
console.log(table);
console.log(`${findings} findings under ${join(out, "findings")} (${elapsed()}); seed ${seed}, canary marker ${marker}`);
writeFileSync(join(out, "summary.txt"), `${table}\n${findings} findings; seed ${seed}; ${elapsed()}\n`);
