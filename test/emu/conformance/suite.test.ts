// Every program of the public bpf_conformance suite returns its expected r0 in the VM.

import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { conformanceVm, listDataFiles, runDataFile } from "../../../emu/conformance/runner.ts";
import type { Vm } from "../../../emu/vm/vm.ts";

const files = listDataFiles("test/conformance/bpf_conformance/tests");

describe("bpf_conformance tests/", () => {
  let vm: Vm;
  beforeAll(async () => {
    vm = await conformanceVm();
  });

  test("holds the suite's 313 programs", () => {
    expect(files).toHaveLength(313);
  });

  test.each(files.map((f) => [basename(f), f]))("%s returns its expected r0", (_name, file) => {
    const result = runDataFile(vm, file, readFileSync(file, "utf8"));
    expect(result.reason).toBe("");
    expect(result.passed).toBe(true);
    expect(result.actual).toBe(result.expected);
  });
});
