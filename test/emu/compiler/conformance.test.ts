// Every program of the public bpf_conformance suite behaves as the file
// expects on both engines, and the two engines agree on r0, the executed
// instruction count and any fault message of each.

import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { type ConformanceResult, conformanceVm, listDataFiles, runDataFile } from "../../../emu/conformance/runner.ts";
import type { Vm } from "../../../emu/vm/vm.ts";

const files = listDataFiles("test/conformance/bpf_conformance/tests");

describe("bpf_conformance tests/ on both engines", () => {
  let interpreter: Vm;
  let compiled: Vm;
  beforeAll(async () => {
    interpreter = await conformanceVm("interpreter");
    compiled = await conformanceVm("compiled");
  });

  test("holds the suite's 313 programs", () => {
    expect(files).toHaveLength(313);
  });

  test.each(files.map((f) => [basename(f), f]))("%s passes compiled and interpreted alike", (_name, file) => {
    const text = readFileSync(file, "utf8");
    const run = (vm: Vm): ConformanceResult => runDataFile(vm, file, text);
    const byCompiler = run(compiled);
    expect(byCompiler.passed).toBe(true);
    // The same refusal or fault message too, naming the same instruction.
    expect(byCompiler).toEqual(run(interpreter));
  });
});
