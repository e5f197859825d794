// The VM's helpers are the kernel's, helper by helper: every program of the
// helpers fixture (test/fixtures/vm/helpers.c), on at least 10,000 packets
// each whose payload carries the helpers' arguments, gives the same return
// codes, packets, ring buffer records and map contents in the kernel
// (BPF_PROG_TEST_RUN) and in the VM. Ground rules: GROUND-RULES.md; the VM
// has as many CPUs as the kernel, since the programs ask per-CPU maps about
// CPUs by number.

import { execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { expect, test } from "vitest";
import { kernelBackendUnavailable } from "../../../backend-kernel/libbpf.ts";
import { commandUnavailable, describeWhen, kernelUnavailable } from "../../support/requirements.ts";
import { compareGroup } from "./harness.ts";
import { HELPER_PROGRAMS, HELPERS_OBJECT, helpersGroup } from "./helper-groups.ts";
import { cpuCount } from "./sides.ts";

const MINIMUM_PER_PROGRAM = 10_000;
const ROUNDS = 10;
const PACKETS_PER_ROUND = Math.ceil((MINIMUM_PER_PROGRAM * HELPER_PROGRAMS.length) / ROUNDS);

describeWhen(kernelUnavailable() ?? kernelBackendUnavailable(), "the VM's helpers against the kernel's, packet by packet", () => {
  test("helpers", { timeout: 600_000 }, async () => {
    const report = await compareGroup(helpersGroup(), { rounds: ROUNDS, packetsPerRound: PACKETS_PER_ROUND, seed: 3, cpus: cpuCount() });
    for (const program of HELPER_PROGRAMS) {
      console.log(
        `differential helpers/${program}: ${report.compared.get(program) ?? 0} packets compared, ` +
          `${report.refused.get(program) ?? 0} refused alike by both test runs`,
      );
    }
    console.log(`differential helpers: ${report.differences.length} differences`);
    expect(report.differences.slice(0, 3)).toEqual([]);
    for (const program of HELPER_PROGRAMS) {
      expect(report.compared.get(program) ?? 0, program).toBeGreaterThanOrEqual(MINIMUM_PER_PROGRAM);
    }
  });
});

// The helpers that resize the packet move its region and the context's
// pointers in the runtime: the compiled engine must see them as the
// interpreter does.
describeWhen(kernelUnavailable() ?? kernelBackendUnavailable(), "the compiled engine's packet-resizing helpers against the kernel's", () => {
  test("adjust_room", { timeout: 600_000 }, async () => {
    const report = await compareGroup(helpersGroup(["adjust_room"]), { rounds: 5, packetsPerRound: 2000, seed: 5, cpus: cpuCount(), engine: "compiled" });
    console.log(
      `differential (compiled) helpers/adjust_room: ${report.compared.get("adjust_room") ?? 0} packets compared, ${report.differences.length} differences`,
    );
    expect(report.differences.slice(0, 3)).toEqual([]);
    expect(report.compared.get("adjust_room") ?? 0).toBeGreaterThanOrEqual(MINIMUM_PER_PROGRAM);
  });
});

describeWhen(commandUnavailable("clang-14") ?? commandUnavailable("make"), "the helpers fixture rebuilt from source", () => {
  test("clang-14 reproduces the committed helpers.o byte for byte", () => {
    const build = mkdtempSync(join(tmpdir(), "ebbflow-vm-fixtures-"));
    try {
      for (const name of ["helpers.c", "Makefile"]) copyFileSync(join(dirname(HELPERS_OBJECT), name), join(build, name));
      execFileSync("make", ["-s", "-C", build], { stdio: "pipe" });
      const rebuilt = readFileSync(join(build, "helpers.o"));
      expect(Buffer.compare(rebuilt, readFileSync(HELPERS_OBJECT)), "helpers.o differs from helpers.c; run make -C test/fixtures/vm").toBe(0);
    } finally {
      rmSync(build, { recursive: true, force: true });
    }
  });
});
