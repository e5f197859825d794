// negative/ is how the upstream suite proves that a runner can fail. Each file's
// expected outcome is listed here, with a piece of the reason, so that a wrong
// acceptance cannot hide.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { conformanceVm, runDataFile } from "../../../emu/conformance/runner.ts";
import type { Vm } from "../../../emu/vm/vm.ts";

const DIR = "test/conformance/bpf_conformance/negative";

/** File -> [passes, a piece of the reason]. */
const expected: Record<string, [boolean, string]> = {
  // No `-- error` section: the runner must report these FAILED, each with its reason.
  "empty.data": [false, "empty program"],
  "empty_instructions.data": [false, "empty program"],
  "incorrect_return_value_high_bits.data": [false, "result differs: expected 0x8977665544332211, got 0x8877665544332211"],
  "invalid_imm32_dec_range.data": [false, "assembly error"],
  "invalid_imm32_hex_range.data": [false, "assembly error"],
  "invalid_label.data": [false, "Invalid label: NOT_A_LABEL"],
  "invalid_mnemonic.data": [false, "Invalid mnemonic: ldxq"],
  "invalid_offset.data": [false, "Invalid memory operand"],
  "invalid_offset_range.data": [false, "Invalid offset: 65536"],
  "invalid_operand_count.data": [false, "Invalid number of operands for lddw"],
  // An `-- error` section whose text ebbflow's message must contain.
  "invalid_register.data": [true, "Invalid register"],
  "invalid_lock.data": [true, "Invalid number of operands for lock"],
  "invalid_lock2.data": [true, "Invalid number of operands for lock"],
  // A malformed file: refused with an error naming the unknown section.
  "invalid_unknown_directive.data": [true, "unknown section '-- Unknown directive'"],
  // A valid instruction that reads r0 before anything writes it: refused, as the kernel verifier refuses it.
  "error.data": [true, "reads r0, which is not written on every path"],
};

// The 45 unused-* files set a field their opcode does not use: any validation error.
const UNUSED_FIELD = /unused (dst|src|offset|imm) field must be 0|selects no variant/;

const files = readdirSync(DIR)
  .filter((f) => f.endsWith(".data"))
  .sort();

describe("bpf_conformance negative/", () => {
  let vm: Vm;
  beforeAll(async () => {
    vm = await conformanceVm();
  });

  test("holds 60 files: 45 unused-field encodings and the 15 listed here", () => {
    expect(files).toHaveLength(60);
    expect(files.filter((f) => f.startsWith("unused-"))).toHaveLength(45);
    expect(files.filter((f) => !f.startsWith("unused-")).sort()).toEqual(Object.keys(expected).sort());
  });

  test.each(files)("%s has its expected outcome", (name) => {
    const result = runDataFile(vm, join(DIR, name), readFileSync(join(DIR, name), "utf8"));
    if (name.startsWith("unused-")) {
      expect(result.passed).toBe(true);
      expect(result.reason).toMatch(UNUSED_FIELD);
      return;
    }
    const [passes, reason] = expected[name];
    expect(result.passed).toBe(passes);
    expect(result.reason).toContain(reason);
  });

  test("49 encoding and syntax errors are refused, error.data too, and 10 are reported FAILED", () => {
    const results = files.map((name) => runDataFile(vm, join(DIR, name), readFileSync(join(DIR, name), "utf8")));
    expect(results.filter((r) => r.passed)).toHaveLength(50);
    expect(results.filter((r) => !r.passed)).toHaveLength(10);
  });
});
