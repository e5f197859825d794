// The upstream Kubernetes NetworkPolicy e2e truth tables, replayed packet by
// packet through the real datapath in the VM: every one of the 1,886
// attempts of the shared set, and of the 3,536 of the specs it leaves out
// (k8s-netpol-e2e-more), gets the verdict Kubernetes expects.

import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { WasmDatapath } from "../../../backend-wasm/datapath.ts";
import { replayScenario } from "../../../src/core/replay/run.ts";
import { readScenario } from "../../../src/core/scenario/index.ts";

const SETS = [
  { dir: "test/conformance/k8s-netpol-e2e", attempts: 1886 },
  { dir: "test/conformance/k8s-netpol-e2e-more", attempts: 3536 },
];

describe.each(SETS)("$dir", ({ dir, attempts: expected }) => {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .sort();
  let attempts = 0;

  test.each(files)("%s: every attempt gets its expected verdict", async (file) => {
    const result = await replayScenario(readScenario(join(dir, file)), await WasmDatapath.create(), { seed: 1 });
    const failures = result.items.flatMap((item) => (item.kind !== "step" && !item.pass ? [`${item.name}: ${item.mismatches.join("; ")}`] : []));
    expect(failures).toEqual([]);
    attempts += result.passed;
  });

  test(`all ${expected.toLocaleString("en")} attempts were replayed`, () => {
    expect(attempts).toBe(expected);
  });
});
