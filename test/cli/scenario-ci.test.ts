// `ebbflow scenario run` in a user's CI: every file of a directory runs even
// when one in the middle is refused; the refusal is reported in its place in
// each output format and counted; junit output is valid against the committed
// JUnit schema; --shard splits a suite into disjoint parts that cover it.

import { execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { beforeAll, describe, expect, test } from "vitest";
import { ebbflow, STACK_LINE } from "../support/cli.ts";
import { commandUnavailable, describeWhen } from "../support/requirements.ts";

const SCHEMA = JSON.parse(readFileSync("test/fixtures/scenario-result.schema.json", "utf8"));
const XSD = "test/fixtures/junit/junit-10.xsd";
const REFUSED = "b-refused.yaml";
let suite: string;

beforeAll(() => {
  suite = mkdtempSync(join(tmpdir(), "ebbflow-ci-"));
  copyFileSync("scenarios/seed-default-deny-all.yaml", join(suite, "a-deny-all.yaml"));
  copyFileSync("test/fixtures/scenarios-bad/port-out-of-range.yaml", join(suite, REFUSED));
  copyFileSync("scenarios/multi-node.yaml", join(suite, "c-multi-node.yaml"));
});

describe("a directory with a refused file in the middle", () => {
  test("text: every other file runs, the refusal goes to stderr in one line, the summary counts it, exit 2", async () => {
    const run = await ebbflow(["scenario", "run", suite]);
    expect(run.status).toBe(2);
    expect(run.stdout).toContain(`${join(suite, "a-deny-all.yaml")}: seed-default-deny-all`);
    expect(run.stdout).toContain(`${join(suite, "c-multi-node.yaml")}: multi-node`);
    expect(run.stdout.trimEnd().split("\n").at(-1)).toMatch(/^3 files: \d+ passed, 0 failed, 1 refused$/);
    expect(run.stderr).toMatch(new RegExp(`^ebbflow: ${join(suite, REFUSED)}:\\d+: traffic\\[0\\] "[^"]+": field "port": 70000 is out of range 1-65535\\n$`));
    expect(run.stderr).not.toMatch(STACK_LINE);
  });

  test("json: the refusal is an error object in its place, valid against the result schema", async () => {
    const run = await ebbflow(["scenario", "run", "--output", "json", suite]);
    expect(run.status).toBe(2);
    expect(run.stderr).toBe("");
    const lines = run.stdout
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line));
    const validate = new Ajv2020({ strict: false }).compile(SCHEMA);
    for (const line of lines) expect(validate(line), JSON.stringify(validate.errors)).toBe(true);
    const files = lines.filter((line) => line.kind === "summary" || line.kind === "error").map((line) => [line.kind, line.file]);
    expect(files).toEqual([
      ["summary", join(suite, "a-deny-all.yaml")],
      ["error", join(suite, REFUSED)],
      ["summary", join(suite, "c-multi-node.yaml")],
    ]);
    const error = lines.find((line) => line.kind === "error");
    expect(error).toMatchObject({ line: expect.any(Number), item: expect.stringMatching(/^traffic\[0\] /), field: "port" });
  });
});

describeWhen(commandUnavailable("xmllint"), "junit output (xmllint, Debian's libxml2-utils)", () => {
  test("is valid against the committed JUnit schema: a test case per attempt, the refused file an error, a failure with its flows", async () => {
    copyFileSync("scenarios/seed-default-deny-all.yaml", join(suite, "d-wrong.yaml"));
    const wrong = readFileSync(join(suite, "d-wrong.yaml"), "utf8")
      .replace("name: seed-default-deny-all", "name: wrong")
      .replace("{verdict: DROPPED, dropReason: POLICY_DENIED, hook: pod-egress}", "{verdict: FORWARDED}");
    writeFileSync(join(suite, "d-wrong.yaml"), wrong);
    const run = await ebbflow(["scenario", "run", "--output", "junit", suite]);
    expect(run.status).toBe(2);
    const report = join(suite, "report.xml");
    writeFileSync(report, run.stdout);
    expect(execFileSync("xmllint", ["--noout", "--schema", XSD, report], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] })).toBe("");
    expect(run.stdout).toMatch(/<testsuites name="ebbflow scenario run" tests="\d+" failures="1" errors="1">/);
    expect(run.stdout).toMatch(
      /<testcase name="[^"]+" classname="refused">\n\s*<error type="refused" message="[^"]*field &quot;port&quot;: 70000 is out of range 1-65535"\/>/,
    );
    expect(run.stdout).toMatch(/<failure type="attempt" message="verdict: expected FORWARDED, got DROPPED&#10;flows:&#10; [^"]*Policy denied DROPPED/);
  });

  test("a document the schema refuses is refused (the check can fail)", () => {
    const broken = join(suite, "broken.xml");
    writeFileSync(broken, '<?xml version="1.0"?>\n<testsuites><testsuite name="x"><testcase/></testsuite></testsuites>\n');
    expect(() => execFileSync("xmllint", ["--noout", "--schema", XSD, broken], { stdio: "ignore" })).toThrow();
  });
});

describe("--shard i/n", () => {
  test("splits the files into disjoint parts, in order, that together are the whole run", async () => {
    const all = await ebbflow(["scenario", "run", "--output", "json", "scenarios/"]);
    const filesOf = (stdout: string) =>
      stdout
        .trimEnd()
        .split("\n")
        .map((line) => JSON.parse(line))
        .filter((line) => line.kind === "summary")
        .map((line) => line.file);
    const parts = await Promise.all([1, 2, 3].map((index) => ebbflow(["scenario", "run", "--output", "json", "--shard", `${index}/3`, "scenarios/"])));
    const shards = parts.map((part) => filesOf(part.stdout));
    for (const shard of shards) expect(shard.length).toBeGreaterThan(0);
    expect(shards.flat()).toEqual(filesOf(all.stdout));
  });

  test.each(["0/3", "4/3", "1/0", "1", "a/b", "1/3/5"])("refuses %s in one line", async (shard) => {
    const run = await ebbflow(["scenario", "run", "--shard", shard, "scenarios/"]);
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(`ebbflow: --shard: "${shard}" is not i/n with 1 <= i <= n\n`);
  });
});
