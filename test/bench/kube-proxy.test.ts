import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";
import { kubeProxyUnavailable } from "../../backend-kernel/kube-proxy/node.ts";
import { kubeProxyRows, type Probe } from "../../bench/kube-proxy.ts";
import type { ServicePort } from "../../src/core/services/index.ts";
import { describeWhen } from "../support/requirements.ts";

const injectPath = fileURLToPath(new URL("../../backend-kernel/addon/build/Release/ebbflow-inject", import.meta.url));

function servicePorts(count: number): ServicePort[] {
  return Array.from({ length: count }, (_, i) => ({
    service: `bench/svc-${i}`,
    portName: "",
    frontends: [{ kind: "ClusterIP", address: `10.96.0.${16 + i}`, port: 80, protocol: "TCP" }],
    backends: [0, 1].map((b) => ({
      id: 1 + 2 * i + b,
      pod: `bench/svc-${i}-${b}`,
      node: "node-1",
      address: `10.200.0.${2 * i + b}`,
      port: 8080,
      protocol: "TCP",
      terminating: false,
    })),
    affinityTimeout: undefined,
    externalLocal: false,
    internalLocal: false,
  }));
}

/** Three rounds of 200 connections, each from its own source port, spread over the services in turn. */
const probes = (count: number): Probe[][] =>
  [0, 1, 2].map((round) => Array.from({ length: 200 }, (_, i) => ({ service: i % count, sourcePort: 2000 + round * 200 + i })));

const unavailable = kubeProxyUnavailable() ?? (existsSync(injectPath) ? undefined : `ebbflow-inject is not built: npm run build:kernel`);

describeWhen(unavailable, "the services benchmark's real kube-proxy chains", () => {
  test("every probe is DNATed to one of its service's backends, spread over both, and timed beside the baseline", async () => {
    const rows = await kubeProxyRows({ counts: [4, 40], servicePorts, probes, client: "10.244.1.5" });
    expect(rows.map((row) => String(row.case).split(":")[0])).toEqual([
      "baseline, no rules",
      "0 services (kube-proxy's fixed chains, conntrack)",
      "4 services",
      "40 services",
      "ratio 40 / 4 services",
    ]);
    for (const row of rows.slice(0, 4)) expect(row.nsPerPacket).toBeGreaterThan(0);
    expect(rows[0].probes).toBe(200);
    expect(rows[0].rounds).toBe(2);
    for (const row of rows.slice(2, 4)) {
      expect(row.onFirstBackend).toBeGreaterThan(0.3);
      expect(row.onFirstBackend).toBeLessThan(0.7);
      expect(row.restoreMs).toBeGreaterThan(0);
    }
    expect(rows[3].natRules).toBe(8 + 40 * 8);
  });
});
