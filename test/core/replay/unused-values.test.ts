// The Helm values a scenario does not use reach the run's result, each once,
// for the summary to list beside the ignored kinds.

import { expect, test } from "vitest";
import { WasmDatapath } from "../../../backend-wasm/datapath.ts";
import { replayScenario } from "../../../src/core/replay/run.ts";
import { readScenario } from "../../../src/core/scenario/index.ts";

test("a run's result lists the cilium values its scenario does not use, in the order written", async () => {
  const datapath = await WasmDatapath.create();
  const result = await replayScenario(readScenario("scenarios/services-socket-lb-host-namespace-only.yaml"), datapath, { seed: 1 });
  await datapath.close();
  expect(result.unusedValues).toEqual([
    "cilium.k8sServiceHost",
    "cilium.k8sServicePort",
    "cilium.ipam.mode",
    "cilium.hubble.enabled",
    "cilium.hubble.relay",
    "cilium.hubble.ui",
    "cilium.operator",
  ]);
  expect(result.ignored).toEqual([]);
});
