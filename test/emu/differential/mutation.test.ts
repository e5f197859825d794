// The differential test can fail: a runtime built with one helper wrong
// (bpf_skb_load_bytes reading one byte late, see emu/runtime/helpers.ts)
// must be caught by the same comparison.

import { expect, test } from "vitest";
import { kernelBackendUnavailable } from "../../../backend-kernel/libbpf.ts";
import { describeWhen, kernelUnavailable } from "../../support/requirements.ts";
import { compareGroup } from "./harness.ts";
import { hostGroup, lxcGroup } from "./groups.ts";

describeWhen(kernelUnavailable() ?? kernelBackendUnavailable(), "the differential test against a mutant runtime", () => {
  test.each([lxcGroup, hostGroup].map((g) => [g.name, g] as const))("%s differs", async (_name, group) => {
    const report = await compareGroup(group, { rounds: 1, packetsPerRound: 400, seed: 2, build: "mutant" });
    console.log(`mutation ${group.name}: ${report.differences.length} differences found`);
    expect(report.differences.length).toBeGreaterThan(0);
  });
});
