// A pod's traffic to its own address or into 127.0.0.0/8 stays on its own lo,
// as on a real node: both backends carry it there (no program sees it, the
// source answers itself), and the replay refuses it, since Hubble would show
// no flow and no policy can change it. socketLB.hostNamespaceOnly keeps pods'
// sockets out of bpf_sock on both backends alike.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { parseDocument } from "yaml";
import { KernelDatapath } from "../../backend-kernel/datapath.ts";
import { WasmDatapath } from "../../backend-wasm/datapath.ts";
import type { Datapath } from "../../src/core/datapath/datapath.ts";
import { replayScenario } from "../../src/core/replay/run.ts";
import { readScenario } from "../../src/core/scenario/index.ts";
import { describeWhen } from "../support/requirements.ts";
import { clusterUnavailable, outcomes } from "./support-cluster.ts";

const root = join(import.meta.dirname, "../..");
const fixture = join(root, "test/fixtures/pod-loopback.yaml");
const hostNamespaceOnly = "scenarios/services-socket-lb-host-namespace-only.yaml";
const folder = mkdtempSync(join(tmpdir(), "ebbflow-loopback-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const LOOPBACK = [
  ["the pod reaches itself", "10.244.1.20 to 10.244.1.20"],
  ["the pod reaches its own address", "10.244.1.20 to 10.244.1.20"],
  ["the pod reaches 127.0.0.1 over TCP", "10.244.1.20 to 127.0.0.1"],
  ["the pod reaches a resolver on 127.0.0.53 over UDP", "10.244.1.20 to 127.0.0.53"],
  ["the pod pings 127.0.0.1", "10.244.1.20 to 127.0.0.1"],
  ["the pod reaches itself through its own Service, translated by bpf_sock", "10.244.1.20 to 10.244.1.20 (the backend bpf_sock chose)"],
  ["the pod reaches itself through its own Service over UDP", "10.244.1.20 to 10.244.1.20 (the backend bpf_sock chose)"],
  ["the node reaches 127.0.0.1", "192.168.10.11 to 127.0.0.1"],
] as const;

/** The fixture with only its first attempt (the policy dropping traffic to another pod) and the one named. */
function withAttempt(name: string): string {
  const document = parseDocument(readFileSync(fixture, "utf8"));
  const traffic = document.getIn(["spec", "traffic"]) as { items: { get(key: string): unknown }[] };
  traffic.items = traffic.items.filter((item, index) => index === 0 || item.get("name") === name);
  const file = join(folder, `${LOOPBACK.findIndex(([each]) => each === name)}.yaml`);
  writeFileSync(file, document.toString());
  return file;
}

async function refusal(file: string, datapath: Datapath): Promise<string> {
  try {
    await replayScenario(readScenario(file), datapath, { seed: 1 });
    return "replayed";
  } catch (error) {
    return (error as Error).message;
  } finally {
    await datapath.close();
  }
}

const expected = (address: string) =>
  `field "to": the connection from ${address} stays on the source's own loopback, as on a real node: no BPF program sees it and Hubble records no flow, so no policy can change it and there is nothing to check`;

describe("on the wasm backend, traffic that stays on the source's loopback", () => {
  test.each(LOOPBACK)("%s: completes with no program run, and the replay refuses it", async (name, address) => {
    expect(await refusal(withAttempt(name), await WasmDatapath.create())).toContain(expected(address));
  });
});

describeWhen(clusterUnavailable(), "the kernel backend, beside the wasm backend", () => {
  test.each(LOOPBACK)("%s: completes over the pod's lo, and the replay refuses it", async (name, address) => {
    expect(await refusal(withAttempt(name), await KernelDatapath.create())).toContain(expected(address));
  });

  test(`${hostNamespaceOnly}: every attempt passes, with the same outcome on both`, async () => {
    const file = join(root, hostNamespaceOnly);
    expect(await outcomes(file, await KernelDatapath.create())).toEqual(await outcomes(file, await WasmDatapath.create()));
  });
});
