// `ebbflow conformance`: a line per test, the closing count, the exit code.

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { ebbflow, STACK_LINE } from "../support/cli.ts";

const SUITE = "test/conformance/bpf_conformance";

describe("ebbflow conformance", () => {
  test("passes the whole suite and says so last", async () => {
    const run = await ebbflow(["conformance", `${SUITE}/tests`]);
    expect(run.status).toBe(0);
    const lines = run.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(314);
    expect(lines.at(-1)).toBe("313 passed, 0 failed");
    expect(lines[0]).toBe("PASSED add.data");
  });

  test("reports the negative files that must fail and exits non-zero", async () => {
    const run = await ebbflow(["conformance", `${SUITE}/negative`]);
    expect(run.status).toBe(1);
    expect(run.stdout.trimEnd().split("\n").at(-1)).toBe("50 passed, 10 failed");
    expect(run.stdout).toContain("FAILED incorrect_return_value_high_bits.data: result differs");
    expect(run.stdout).toMatch(/FAILED invalid_mnemonic\.data: assembly error: .*invalid_mnemonic\.data:5: Invalid mnemonic: ldxq/);
  });

  test("prints JSON with --json", async () => {
    const run = await ebbflow(["conformance", "--json", `${SUITE}/tests/add.data`]);
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({ passed: 1, failed: 0 });
    expect(report.results[0]).toMatchObject({ name: "add.data", passed: true, expected: "0x3", actual: "0x3" });
  });

  test("names the file and line of a user's mistake, without a stack trace", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ebbflow-conformance-"));
    writeFileSync(join(dir, "bad.data"), "-- asm\nmov %r0, 1\nmov %r0, %r99\nexit\n-- result\n0x1\n");
    writeFileSync(join(dir, "jump.data"), "-- raw\n0x0000000000050005\n0x0000000000000095\n-- result\n0x0\n");
    writeFileSync(join(dir, "opcode.data"), "-- raw\n95 00 00 00 00 00 00 00\nff 00 00 00 00 00 00 00\n-- result\n0x0\n");
    writeFileSync(join(dir, "section.data"), "-- asm\nexit\n-- expect\n0x0\n");
    const run = await ebbflow(["conformance", dir]);
    expect(run.status).toBe(1);
    expect(run.stdout).toContain(`FAILED bad.data: assembly error: ${join(dir, "bad.data")}:3: Invalid register: %r99`);
    expect(run.stdout).toMatch(/FAILED jump\.data: .*jump\.data:2: Invalid instruction 0 \(ja \+5\): the target 6 lies outside the program/);
    expect(run.stdout).toMatch(/FAILED opcode\.data: .*opcode\.data:3: Invalid instruction 1 \(\.invalid 0xff\): unknown opcode 0xff/);
    expect(run.stdout).toMatch(/FAILED section\.data: .*section\.data:3: unknown section '-- expect'/);
    expect(run.stdout + run.stderr).not.toMatch(STACK_LINE);
  });

  test("refuses a path that does not exist", async () => {
    const run = await ebbflow(["conformance", "no/such/dir"]);
    expect(run.status).toBe(2);
    expect(run.stderr).toBe("ebbflow: conformance: no/such/dir: no such file or directory\n");
  });

  test("answers --version and --help", async () => {
    expect((await ebbflow(["--version"])).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    expect((await ebbflow(["--help"])).stdout).toContain("conformance");
  });
});
