// `scenario run --max-memory`: sizes as a user writes them, a bad one named
// by its flag, and a scenario past the limit refused before it is loaded, as
// a per-file error in text and JSON with exit code 2, naming the estimate
// and the limit.

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { formatByteSize, parseByteSize } from "../../src/cli/max-memory.ts";
import { ebbflow, STACK_LINE } from "../support/cli.ts";

const SCENARIO = `apiVersion: ebbflow.io/v1alpha1
kind: Scenario
metadata: {name: small}
spec:
  objects:
    - {apiVersion: v1, kind: Pod, metadata: {name: a, namespace: default}, spec: {containers: [{name: c, image: i}]}}
    - {apiVersion: v1, kind: Pod, metadata: {name: b, namespace: default}, spec: {containers: [{name: c, image: i}]}}
  traffic:
    - {name: a reaches b, from: pod:default/a, to: pod:default/b, port: 80, expect: {verdict: FORWARDED}}
`;

describe("--max-memory sizes", () => {
  test("reads MiB, GiB, fractions and plain bytes", () => {
    expect(parseByteSize("512MiB")).toBe(512 * 2 ** 20);
    expect(parseByteSize("2GiB")).toBe(2 * 2 ** 30);
    expect(parseByteSize("1.5GiB")).toBe(1.5 * 2 ** 30);
    expect(parseByteSize("1000000")).toBe(1_000_000);
  });

  test("refuses anything else, naming the flag", () => {
    for (const bad of ["", "2GB", "-1", "0", "lots", "2 GiBs"]) expect(() => parseByteSize(bad)).toThrow(/^--max-memory: /);
  });

  test("prints sizes with one decimal at most", () => {
    expect(formatByteSize(4 * 2 ** 30)).toBe("4 GiB");
    expect(formatByteSize(5.25 * 2 ** 30)).toBe("5.3 GiB");
    expect(formatByteSize(300 * 2 ** 20)).toBe("300 MiB");
  });
});

/** The small scenario with 200 more pods: about 12.5 MiB more (estimate.ts). */
const BIGGER = SCENARIO.replace(
  "  traffic:",
  Array.from(
    { length: 200 },
    (_, n) => `    - {apiVersion: v1, kind: Pod, metadata: {name: p${n}, namespace: default}, spec: {containers: [{name: c, image: i}]}}\n`,
  ).join("") + "  traffic:",
);

describe("ebbflow scenario run --max-memory", () => {
  const dir = mkdtempSync(join(tmpdir(), "ebbflow-max-memory-"));
  const file = join(dir, "small.yaml");
  const bigger = join(dir, "bigger.yaml");
  writeFileSync(file, SCENARIO);
  writeFileSync(bigger, BIGGER);

  test("runs a scenario under the limit", async () => {
    const run = await ebbflow(["scenario", "run", "--max-memory", "4GiB", file]);
    expect(run.status).toBe(0);
  });

  test("refuses a scenario past the limit, naming the estimate, its counts and the limit, and runs the next file", async () => {
    const run = await ebbflow(["scenario", "run", "--max-memory", "110MiB", bigger, file]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(
      /bigger\.yaml: the scenario needs about [\d.]+ MiB \(202 pods, 0 policy rules, 0 service ports, 1 nodes, 1 attempts\), past --max-memory 110 MiB/,
    );
    expect(run.stderr).not.toMatch(STACK_LINE);
    expect(run.stdout).toMatch(/2 files: 1 passed, 0 failed, 1 refused/);
  });

  test("refuses it as a JSON error item", async () => {
    const run = await ebbflow(["scenario", "run", "-o", "json", "--max-memory", "1MiB", file]);
    expect(run.status).toBe(2);
    const [line] = run.stdout
      .trimEnd()
      .split("\n")
      .map((text) => JSON.parse(text));
    expect(line).toMatchObject({ kind: "error", file, message: expect.stringContaining("past --max-memory 1 MiB") });
  });

  test("refuses a bad size, naming the flag", async () => {
    const run = await ebbflow(["scenario", "run", "--max-memory", "lots", file]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('--max-memory: "lots" is not a size');
    expect(run.stderr).not.toMatch(STACK_LINE);
  });
});
