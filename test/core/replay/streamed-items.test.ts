// replayScenarioTo hands each item out as it is replayed, the same items a
// collected replay returns; with `flows: "failed"` a passing item carries no
// flows and a failing one the very flows (UUIDs included) of a full replay.

import { describe, expect, test } from "vitest";
import { WasmDatapath } from "../../../backend-wasm/datapath.ts";
import { replayScenario, replayScenarioTo, type ReplayItem, type ReplayOptions } from "../../../src/core/replay/run.ts";
import { parseScenario } from "../../../src/core/scenario/index.ts";

const SCENARIO = parseScenario(
  `apiVersion: ebbflow.io/v1alpha1
kind: Scenario
metadata: {name: mixed}
spec:
  objects:
    - {apiVersion: v1, kind: Pod, metadata: {name: a, namespace: default, labels: {app: a}}, spec: {containers: [{name: c, image: i}]}}
    - {apiVersion: v1, kind: Pod, metadata: {name: b, namespace: default, labels: {app: b}}, spec: {containers: [{name: c, image: i}]}}
  traffic:
    - {name: passes, from: pod:default/a, to: pod:default/b, port: 80, expect: {verdict: FORWARDED}}
    - {name: fails, from: pod:default/b, to: pod:default/a, port: 80, expect: {verdict: DROPPED}}
    - wait: 1s
    - {name: passes again, from: pod:default/a, to: pod:default/b, port: 81, repeat: 2, expect: {verdict: FORWARDED}}
    - {name: fails again, from: pod:default/b, to: pod:default/a, port: 81, expect: {verdict: DROPPED}}
`,
  "mixed.yaml",
);

async function streamed(options: ReplayOptions): Promise<{ items: ReplayItem[]; passed: number; failed: number }> {
  const datapath = await WasmDatapath.create();
  try {
    const items: ReplayItem[] = [];
    const summary = await replayScenarioTo(SCENARIO, datapath, options, { push: (item) => items.push(item) });
    return { items, passed: summary.passed, failed: summary.failed };
  } finally {
    await datapath.close();
  }
}

describe("replayScenarioTo", () => {
  test("hands out the items a collected replay returns, in order, and counts them", async () => {
    const datapath = await WasmDatapath.create();
    const collected = await replayScenario(SCENARIO, datapath, { seed: 1 });
    await datapath.close();
    const run = await streamed({ seed: 1 });
    expect(run.items).toEqual(collected.items);
    expect([run.passed, run.failed]).toEqual([3, 2]);
  });

  test('with flows: "failed", builds the flows of failing items only, as a full replay numbers them', async () => {
    const all = await streamed({ seed: 1, flows: "all" });
    const failedOnly = await streamed({ seed: 1, flows: "failed" });
    const attempts = (items: ReplayItem[]) => items.filter((item) => item.kind !== "step");
    for (const [full, lean] of attempts(all.items).map((item, n) => [item, attempts(failedOnly.items)[n]])) {
      expect(full.flows.length).toBeGreaterThan(0);
      expect(lean.flows).toEqual(full.pass ? [] : full.flows);
    }
  });
});
