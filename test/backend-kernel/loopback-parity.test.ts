// A pod's traffic to its own address or into 127.0.0.0/8 stays on its own lo
// (no program sees it, every peer answers), and socketLB.hostNamespaceOnly
// keeps pods' sockets out of bpf_sock: on both backends alike, each attempt
// as its scenario expects.

import { join } from "node:path";
import { expect, test } from "vitest";
import { KernelDatapath } from "../../backend-kernel/datapath.ts";
import { WasmDatapath } from "../../backend-wasm/datapath.ts";
import type { Datapath } from "../../src/core/datapath/datapath.ts";
import { replayScenario } from "../../src/core/replay/run.ts";
import { readScenario } from "../../src/core/scenario/index.ts";
import { describeWhen } from "../support/requirements.ts";
import { clusterUnavailable, outcomes } from "./support-cluster.ts";

const root = join(import.meta.dirname, "../..");
const loopback = "scenarios/loopback/pod-loopback-and-own-address.yaml";
const hostNamespaceOnly = "scenarios/services-socket-lb-host-namespace-only.yaml";

/** Every attempt's pass and flow count, on one backend. */
async function replay(file: string, datapath: Datapath) {
  try {
    const result = await replayScenario(readScenario(join(root, file)), datapath, { seed: 1 });
    return result.items.flatMap((item) => (item.kind === "step" ? [] : [{ name: item.name, pass: item.pass, flows: item.flows.length }]));
  } finally {
    await datapath.close();
  }
}

test("on the wasm backend, traffic to the pod's own address or 127.0.0.0/8 passes with no flow, and the policy still drops the rest", async () => {
  const items = await replay(loopback, await WasmDatapath.create());
  expect(items.every((item) => item.pass)).toBe(true);
  expect(items.map((item) => item.flows > 0)).toEqual([true, false, false, false, false, false, false, false, false]);
});

describeWhen(clusterUnavailable(), "the kernel backend, beside the wasm backend", () => {
  test.each([loopback, hostNamespaceOnly])("%s: every attempt passes, with the same outcome on both", async (file) => {
    const kernel = await replay(file, await KernelDatapath.create());
    expect(kernel.every((item) => item.pass)).toBe(true);
    expect(await outcomes(join(root, file), await KernelDatapath.create())).toEqual(await outcomes(join(root, file), await WasmDatapath.create()));
  });
});
