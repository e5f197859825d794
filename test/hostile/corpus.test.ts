// A small fuzz-derived corpus through `ebbflow scenario run` (issue 18): 50
// mutants of the committed scenarios, made by the fuzzer's own generator
// (bench/fuzz/scenario-mutants.ts) from a fixed seed, in every family (syntax
// damage, aliases, nesting, sizes, type confusion, hostile paths beside canary
// files). Whatever each does, the command accounts for it in its place, as a
// summary or an error object, ends (a hang fails the set-up) with exit 0, 1 or 2, and prints
// neither a stack trace nor a byte of a canary. The full run is
// `npx tsx bench/fuzz/run.ts` (README.md).

import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, expect, test } from "vitest";
import { FuzzRandom } from "../../bench/fuzz/fuzz-random.ts";
import { layCanaries, layPathFixtures, pathTargets } from "../../bench/fuzz/path-fixtures.ts";
import { scenarioMutant } from "../../bench/fuzz/scenario-mutants.ts";
import { ebbflow, STACK_LINE, type CliRun } from "../support/cli.ts";

const SEED = 18;
const COUNT = 50;
const MARKER = "ebbflow-canary-corpus";
/** Not a speed check (benchmarks measure speed): only a hang, many times a run's worth, fails the run. */
const HANG_MS = 600_000;

const bases = readdirSync("scenarios")
  .filter((name) => name.endsWith(".yaml"))
  .sort()
  .map((name) => ({ name, text: readFileSync(join("scenarios", name), "utf8") }));
const top = mkdtempSync(join(tmpdir(), "ebbflow-corpus-"));
const canaries = join(top, "canary");
const random = new FuzzRandom(SEED);
/** The first COUNT mutants of the seed. */
const mutants: ({ index: number } & ReturnType<typeof scenarioMutant>)[] = [];
for (let index = 0; mutants.length < COUNT; index++) {
  const mutant = scenarioMutant(bases, pathTargets(canaries), random, index);
  mutants.push({ index, ...mutant });
}
const fileOf = (index: number) => join(top, "work", `m-${index}`, "scenario.yaml");
let run: CliRun;
let items: Map<string, { kind: string; message?: string }>;

beforeAll(async () => {
  layCanaries(canaries, MARKER);
  for (const mutant of mutants) {
    const folder = join(top, "work", `m-${mutant.index}`);
    mkdirSync(folder, { recursive: true });
    cpSync("scenarios/captures", join(folder, "captures"), { recursive: true });
    if (mutant.family === "path") layPathFixtures(folder, canaries);
    writeFileSync(fileOf(mutant.index), mutant.bytes);
  }
  run = await ebbflow(["scenario", "run", "--output", "json", ...mutants.map((mutant) => fileOf(mutant.index))]);
  items = new Map(
    run.stdout
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line))
      .filter((item) => item.kind === "summary" || item.kind === "error")
      .map((item) => [item.file, item]),
  );
}, HANG_MS);

test("the corpus covers every family of mutants", () => {
  expect(new Set(mutants.map((mutant) => mutant.family))).toEqual(new Set(["syntax", "alias", "nesting", "size", "type", "path"]));
});

test("the run ends with exit 0, 1 or 2, no stack trace, and no canary's marker", () => {
  expect([0, 1, 2]).toContain(run.status);
  expect(run.stderr).not.toMatch(STACK_LINE);
  expect(run.stdout + run.stderr).not.toContain(MARKER);
});

test.each(mutants.map((mutant) => [`${mutant.index} ${mutant.family}: ${mutant.operator.slice(0, 60)}`, mutant.index]))(
  "mutant %s is accounted for in its place, a refusal in one line",
  (_, index) => {
    const item = items.get(fileOf(index as number));
    expect(item, "no summary or error object").toBeDefined();
    if (item!.kind === "error") expect(item!.message).toMatch(/^[^\n]+$/);
  },
);
