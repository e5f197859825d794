// The committed fixture objects are what their sources compile to: rebuilt in
// a fresh directory with the fixtures' Makefile, every object is byte-identical
// (the Makefile's -fdebug-prefix-map keeps the build directory out of them).

import { execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { commandUnavailable, describeWhen } from "../../support/requirements.ts";
import { FIXTURES } from "./fixture.ts";

const sources = readdirSync(FIXTURES).filter((name) => name.endsWith(".c"));

test("every fixture source has its object committed beside it", () => {
  const objects = new Set(readdirSync(FIXTURES).filter((name) => name.endsWith(".o")));
  expect(sources.map((name) => name.replace(/\.c$/, ".o")).filter((name) => !objects.has(name))).toEqual([]);
});

describeWhen(commandUnavailable("clang-14") ?? commandUnavailable("make"), "fixture objects rebuilt from source", () => {
  let build = "";
  afterAll(() => build && rmSync(build, { recursive: true, force: true }));

  test("clang-14 reproduces every committed object byte for byte", () => {
    build = mkdtempSync(join(tmpdir(), "ebbflow-loader-fixtures-"));
    for (const name of readdirSync(FIXTURES).filter((n) => /\.(c|h)$/.test(n) || n === "Makefile")) {
      copyFileSync(join(FIXTURES, name), join(build, name));
    }
    execFileSync("make", ["-s", "-C", build], { stdio: "pipe" });
    for (const source of sources) {
      const object = source.replace(/\.c$/, ".o");
      expect(
        Buffer.compare(readFileSync(join(build, object)), readFileSync(join(FIXTURES, object))),
        `${object} differs from its source; run make in test/fixtures/bpf`,
      ).toBe(0);
    }
  });
});
