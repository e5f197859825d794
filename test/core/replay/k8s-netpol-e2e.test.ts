// The upstream Kubernetes NetworkPolicy e2e truth tables, replayed packet by
// packet through the real datapath in the VM: every one of the 1,886
// attempts gets the verdict Kubernetes expects.

import { readdirSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";
import { WasmDatapath } from "../../../backend-wasm/datapath.ts";
import { replayScenario } from "../../../src/core/replay/run.ts";
import { readScenario } from "../../../src/core/scenario/index.ts";

const DIR = "test/conformance/k8s-netpol-e2e";
const files = readdirSync(DIR).filter((f) => f.endsWith(".yaml")).sort();
let attempts = 0;

test.each(files)("%s: every attempt gets its expected verdict", async (file) => {
  const result = await replayScenario(readScenario(join(DIR, file)), await WasmDatapath.create(), { seed: 1 });
  const failures = result.items.flatMap((item) => (item.kind !== "step" && !item.pass ? [`${item.name}: ${item.mismatches.join("; ")}`] : []));
  expect(failures).toEqual([]);
  attempts += result.passed;
});

test("all 1,886 attempts were replayed", () => {
  expect(attempts).toBe(1886);
});
