// Frames longer than a page on both backends: the kernel carries one past
// BPF_PROG_TEST_RUN's 3,712 bytes over the pod's veth (MTU 65535) through
// bpf_lxc at its hook, the VM runs it whole; both give the same verdict and
// drop reason, allowed and denied by policy, leaving and entering a pod. The
// frame goes no further than the one program: no other hook reports it, and
// the sink that stopped it is gone after.

import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { KernelDatapath } from "../../backend-kernel/datapath.ts";
import { KernelMap } from "../../backend-kernel/libbpf.ts";
import { vethFrameUnavailable } from "../../backend-kernel/veth-frame.ts";
import { WasmDatapath } from "../../backend-wasm/datapath.ts";
import type { Datapath } from "../../src/core/datapath/datapath.ts";
import { replayScenario } from "../../src/core/replay/run.ts";
import { readScenario } from "../../src/core/scenario/index.ts";
import { describeWhen } from "../support/requirements.ts";
import { clusterUnavailable } from "./support-cluster.ts";

const directory = mkdtempSync(join(tmpdir(), "ebbflow-large-frames-"));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

interface Case {
  length: number;
  direction: "egress" | "ingress";
  allowed: boolean;
}

// The client may send to the server on port 80 only, the server take from the client on port 80 only.
const cases: Case[] = [3712, 3713, 9000, 64000, 65549].flatMap((length) =>
  (["egress", "ingress"] as const).flatMap((direction) => [true, false].map((allowed) => ({ length, direction, allowed }))),
);

/** A TCP SYN of `length` bytes, its source port telling the cases apart (each a new connection). */
function packetItem({ length, direction, allowed }: Case, index: number): string {
  const [at, src, dst, dport] =
    direction === "egress"
      ? ["client", "10.244.1.10", allowed ? "10.244.1.20" : "203.0.113.5", 80]
      : ["server", allowed ? "10.244.1.10" : "203.0.113.5", "10.244.1.20", 80];
  return `    - name: "${length} bytes ${direction} ${allowed ? "allowed" : "denied"}"
      at: pod:default/${at}
      direction: ${direction}
      build: {ipv4: {src: ${src}, dst: ${dst}}, tcp: {sport: ${30000 + index}, dport: ${dport}, flags: S}, payload: "${"5a".repeat(length - 54)}"}
      expect: {verdict: ${allowed ? "FORWARDED" : "DROPPED"}}
`;
}

const file = join(directory, "large-frames.yaml");
writeFileSync(
  file,
  `apiVersion: ebbflow.io/v1alpha1
kind: Scenario
metadata: {name: large-frames}
spec:
  objects:
    - {apiVersion: v1, kind: Pod, metadata: {name: client, namespace: default, labels: {app: client}}, spec: {containers: [{name: c, image: curl}]}, status: {podIP: 10.244.1.10}}
    - {apiVersion: v1, kind: Pod, metadata: {name: server, namespace: default, labels: {app: server}}, spec: {containers: [{name: web, image: nginx}]}, status: {podIP: 10.244.1.20}}
    - apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata: {name: server-from-client, namespace: default}
      spec:
        podSelector: {matchLabels: {app: server}}
        policyTypes: [Ingress]
        ingress: [{from: [{podSelector: {matchLabels: {app: client}}}], ports: [{port: 80}]}]
    - apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata: {name: client-to-server, namespace: default}
      spec:
        podSelector: {matchLabels: {app: client}}
        policyTypes: [Egress]
        egress: [{to: [{podSelector: {matchLabels: {app: server}}}], ports: [{port: 80}]}]
  packets:
${cases.map(packetItem).join("")}`,
);

/** Each packet's verdict, drop reason, hook, policies and the hooks of its events. */
async function replay(datapath: Datapath): Promise<string[]> {
  const result = await replayScenario(readScenario(file), datapath, { seed: 1 });
  return result.items.flatMap((item) =>
    item.kind === "step"
      ? []
      : [
          `${item.name}: ${item.actual.verdict} ${item.actual.dropReason ?? "-"} at ${item.actual.hook} by [${item.actual.policies}] events at [${item.events.map((e) => e.event.hook)}]`,
        ],
  );
}

describeWhen(clusterUnavailable() ?? vethFrameUnavailable(), "frames longer than a page on both backends", () => {
  let wasm: string[];
  let kernel: string[];
  let kernelDatapath: KernelDatapath;

  beforeAll(async () => {
    const wasmDatapath = await WasmDatapath.create();
    wasm = await replay(wasmDatapath).finally(() => wasmDatapath.close());
    kernelDatapath = await KernelDatapath.create();
    kernel = await replay(kernelDatapath);
  }, 120_000);

  afterAll(async () => {
    await kernelDatapath?.close();
  });

  test("the VM allows and denies each length by policy, with POLICY_DENIED at the hook that judged it", () => {
    expect(wasm).toEqual(
      cases.map(({ length, direction, allowed }) => {
        const hook = direction === "egress" ? "pod-egress" : "pod-ingress";
        const policy = direction === "egress" ? "NetworkPolicy/default/client-to-server" : "NetworkPolicy/default/server-from-client";
        const name = `${length} bytes ${direction} ${allowed ? "allowed" : "denied"}`;
        return allowed
          ? `${name}: FORWARDED - at ${hook} by [${policy}] events at [${hook},${hook}]`
          : `${name}: DROPPED POLICY_DENIED at ${hook} by [] events at [${hook},${hook}]`;
      }),
    );
  });

  test("the kernel gives every frame, through a test run or over the veth, the VM's verdict, drop reason and events", () => {
    expect(kernel).toEqual(wasm);
  });

  test("no frame went further than the program it was injected at: the node's ring buffer holds no later event", async () => {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const events = KernelMap.openPinned(join(kernelDatapath.pinRoot("node-1"), "eb_events"));
    try {
      expect(events.drainRingbuf()).toEqual([]);
    } finally {
      events.close();
    }
  });

  test("the kernel leaves no sink on the veths' ends after the injections", () => {
    const namespaces = execFileSync("ip", ["netns", "list"], { encoding: "utf8" })
      .split("\n")
      .map((line) => line.split(" ")[0])
      .filter((name) => name.startsWith(kernelDatapath.run.netnsName("")));
    expect(namespaces.length).toBeGreaterThan(0);
    for (const netns of namespaces) expect(execFileSync("ip", ["netns", "exec", netns, "nft", "list", "tables"], { encoding: "utf8" })).toBe("");
  });
});
