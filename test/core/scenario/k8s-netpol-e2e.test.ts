// The upstream Kubernetes NetworkPolicy e2e truth tables, transcribed as
// scenario files (test/conformance/k8s-netpol-e2e/README.md), all read and
// modelled: 20 files, 1,886 connection attempts.

import { readdirSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { buildCluster, readScenario } from "../../../src/core/scenario/index.ts";

const folder = "test/conformance/k8s-netpol-e2e";
const files = readdirSync(folder)
  .filter((name) => name.endsWith(".yaml"))
  .sort();

describe("k8s-netpol-e2e scenarios", () => {
  test("all 1,886 attempts of the 20 files are read", () => {
    expect(files).toHaveLength(20);
    const attempts = files.map((file) => readScenario(`${folder}/${file}`).traffic.filter((item) => item.kind === "attempt").length);
    expect(attempts.reduce((sum, count) => sum + count, 0)).toBe(1886);
  });

  test.each(files)("%s builds a cluster whose every attempt resolves", (file) => {
    const scenario = readScenario(`${folder}/${file}`);
    const cluster = buildCluster(scenario, 1);
    expect(cluster.policies.length).toBeGreaterThan(0);
    for (const item of scenario.traffic) {
      if (item.kind === "apply") cluster.apply(item.objects);
      if (item.kind !== "attempt") continue;
      expect(cluster.resolveEndpoint(item.from).ip).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
      expect(cluster.resolveEndpoint(item.to).ip).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    }
  });

  test("the 3 x 3 model: namespaces x, y, z with pods a, b, c spread over two nodes", () => {
    const cluster = buildCluster(readScenario(`${folder}/02-default-deny-all.yaml`), 1);
    expect(cluster.namespaces.map((namespace) => namespace.name)).toEqual(["default", "kube-system", "x", "y", "z"]);
    expect(cluster.namespace("y")?.labels).toEqual({ ns: "y", "kubernetes.io/metadata.name": "y" });
    const userPods = cluster.pods.filter((pod) => pod.namespace !== "kube-system");
    expect(userPods.map((pod) => `${pod.namespace}/${pod.name} ${pod.nodeName} ${pod.ip}`)).toEqual([
      "x/a node-1 10.244.1.2",
      "x/b node-2 10.244.2.2",
      "x/c node-1 10.244.1.3",
      "y/a node-2 10.244.2.3",
      "y/b node-1 10.244.1.4",
      "y/c node-2 10.244.2.4",
      "z/a node-1 10.244.1.5",
      "z/b node-2 10.244.2.5",
      "z/c node-1 10.244.1.6",
    ]);
    expect(userPods[0].ports.filter((port) => port.name === "serve-80-udp")).toEqual([
      { container: "cont-80-udp", name: "serve-80-udp", port: 80, protocol: "UDP" },
    ]);
  });
});
