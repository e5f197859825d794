// Every bad scenario file of the tests, given to `ebbflow scenario run`: exit
// code 2 and one line naming the file, the line, the item and the field,
// never a stack trace. (The exact messages are specified in
// test/core/scenario/bad-input.test.ts.)

import { readdirSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, expect, test, vi } from "vitest";
import { main } from "../../src/cli/main.ts";

const DIR = "test/fixtures/scenarios-bad";
const files = readdirSync(DIR)
  .filter((f) => f.endsWith(".yaml"))
  .sort();
let stderr: string;
let stdout: string;

beforeEach(() => {
  stderr = "";
  stdout = "";
  vi.spyOn(process.stderr, "write").mockImplementation((chunk) => ((stderr += String(chunk)), true));
  vi.spyOn(process.stdout, "write").mockImplementation((chunk) => ((stdout += String(chunk)), true));
});
afterEach(() => vi.restoreAllMocks());

test("there are at least 30 of them", () => {
  expect(files.length).toBeGreaterThanOrEqual(30);
});

test.each(files)("%s is refused with one line naming the file and line", async (file) => {
  const code = await main(["node", "ebbflow", "scenario", "run", join(DIR, file)]);
  expect(code).toBe(2);
  expect(stdout).toBe("1 files: 0 passed, 0 failed, 1 refused\n");
  expect(stderr).toMatch(/^ebbflow: test\/fixtures\/scenarios-bad\/[^\n]*:\d+: [^\n]+\n$/);
  expect(stderr).not.toMatch(/\n\s+at /);
});
