// `ebbflow scenario run`: the README's main command, its JSON output against
// the result schema, byte-identical output for a seed, failures explained by
// their flows, and mistakes named without a stack trace.

import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, test } from "vitest";
import { ebbflow, STACK_LINE } from "../support/cli.ts";

const SCHEMA = JSON.parse(readFileSync("test/fixtures/scenario-result.schema.json", "utf8"));

const FAILING = `apiVersion: ebbflow.io/v1alpha1
kind: Scenario
metadata: {name: wrong-expectation}
spec:
  objects:
    - {apiVersion: v1, kind: Pod, metadata: {name: a, namespace: default, labels: {app: a}}, spec: {containers: [{name: c, image: i}]}}
    - {apiVersion: v1, kind: Pod, metadata: {name: b, namespace: default, labels: {app: b}}, spec: {containers: [{name: c, image: i}]}}
  traffic:
    - name: a reaches b
      from: pod:default/a
      to: pod:default/b
      port: 80
      expect: {verdict: DROPPED}
`;

describe("ebbflow scenario run", () => {
  test("passes every file in scenarios/ (the README's main command)", async () => {
    const run = await ebbflow(["scenario", "run", "scenarios/"]);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout.trimEnd().split("\n").at(-1)).toMatch(/^\d+ files: \d+ passed, 0 failed, 0 refused$/);
  });

  test("writes JSON lines that follow scenario-result.schema.json, each attempt with flows, policies and hook", async () => {
    const run = await ebbflow(["scenario", "run", "--output", "json", "scenarios/"]);
    expect(run.status).toBe(0);
    const validate = new Ajv2020({ strict: false }).compile(SCHEMA);
    const lines = run.stdout
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(lines.length).toBeGreaterThan(100);
    for (const line of lines) {
      expect(validate(line), JSON.stringify(validate.errors)).toBe(true);
      if (line.kind === "attempt" || line.kind === "packet") {
        expect(line.flows.length).toBeGreaterThan(0);
        expect(line.actual).toHaveProperty("hook");
        expect(line.actual).toHaveProperty("policies");
      }
    }
    expect(lines.filter((l) => l.kind === "summary").every((l) => l.failed === 0)).toBe(true);
  });

  test("gives byte-identical output for a seed in separate processes, whatever the time zone and locale", async () => {
    const args = ["scenario", "run", "--output", "json", "--seed", "7", "scenarios/multi-node.yaml", "scenarios/policy-applied-mid-traffic.yaml"];
    const first = await ebbflow(args);
    const second = await ebbflow(args, { env: { TZ: "America/New_York", LANG: "de_DE.UTF-8", LC_ALL: "de_DE.UTF-8" } });
    expect(first.status).toBe(0);
    expect(second.stdout).toBe(first.stdout);
    const otherSeed = await ebbflow(["scenario", "run", "--output", "json", "--seed", "8", "scenarios/multi-node.yaml"]);
    expect(otherSeed.stdout).not.toBe(first.stdout.split("\n").slice(0, otherSeed.stdout.split("\n").length).join("\n"));
  });

  test("explains a failed expectation with the flows of the attempt and exits 1", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ebbflow-scenario-"));
    writeFileSync(join(dir, "wrong.yaml"), FAILING);
    const run = await ebbflow(["scenario", "run", join(dir, "wrong.yaml")]);
    expect(run.status).toBe(1);
    expect(run.stdout).toContain("FAIL a reaches b: FORWARDED at pod-ingress");
    expect(run.stdout).toContain("verdict: expected DROPPED, got FORWARDED");
    expect(run.stdout).toMatch(/default\/a:\d+ \(ID:\d+\) -> default\/b:80 \(ID:\d+\) to-endpoint FORWARDED \(TCP Flags: SYN\)/);
    expect(run.stdout.trimEnd().split("\n").at(-1)).toBe("1 files: 0 passed, 1 failed, 0 refused");
  });

  test.each([
    [
      ["scenario", "run", "test/fixtures/scenarios-bad/port-out-of-range.yaml"],
      /^ebbflow: test\/fixtures\/scenarios-bad\/port-out-of-range\.yaml:\d+: traffic\[0\] "[^"]+": field "port": 70000 is out of range 1-65535\n$/,
    ],
    [["scenario", "run", "no/such.yaml"], /^ebbflow: scenario run: no\/such\.yaml: no such file or directory\n$/],
    [["scenario", "run", "--seed", "x", "scenarios/"], /^ebbflow: --seed: "x" is not a whole number\n$/],
    [["scenario", "run", "--output", "xml", "scenarios/"], /^ebbflow: --output: "xml" is not an output format \(text, json, junit\)\n$/],
  ])("refuses %j with one line and no stack trace", async (args, message) => {
    const run = await ebbflow(args);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr + run.stdout).not.toMatch(STACK_LINE);
  });
});
