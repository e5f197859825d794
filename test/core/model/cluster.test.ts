// The cluster model: nodes and their address plan, namespaces, pods expanded
// from workloads, the implicit cluster DNS, and apply/delete as kubectl does.

import { describe, expect, test } from "vitest";
import { Cluster, InputError, parseEndpoint, type Endpoint, type ManifestObject } from "../../../src/core/model/index.ts";
import { readManifestText } from "../../../src/core/scenario/manifest-files.ts";

function manifests(text: string): ManifestObject[] {
  const into = { objects: [] as ManifestObject[], ignored: [] };
  readManifestText(text, "cluster.yaml", into);
  return into.objects;
}

const twoNodes = [{ name: "node-1" }, { name: "node-2" }];
const endpoint = (text: string) => parseEndpoint(text) as Endpoint;

const app = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: nginx, ports: [{containerPort: 80, name: http}]}]}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: shop}
spec:
  selector: {matchLabels: {app: db}}
  replicas: 2
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: db, image: postgres}]}
---
apiVersion: v1
kind: Pod
metadata: {name: pinned, namespace: shop}
spec: {nodeName: node-2, containers: [{name: c, image: busybox}]}
status: {podIP: 10.244.2.50}
`;

describe("nodes", () => {
  test("one node-1 by default, with 10.244.1.0/24 and 192.168.10.11", () => {
    const cluster = new Cluster({ nodes: [{ name: "node-1" }], objects: [], seed: 1 });
    expect(cluster.nodes.map(({ name, podCIDR, internalIP }) => ({ name, podCIDR, internalIP }))).toEqual([
      { name: "node-1", podCIDR: "10.244.1.0/24", internalIP: "192.168.10.11" },
    ]);
  });

  test("absent addresses are allocated around the ones written", () => {
    const cluster = new Cluster({ nodes: [{ name: "a" }, { name: "b", podCIDR: "10.244.1.0/24", internalIP: "192.168.10.11" }], objects: [], seed: 1 });
    expect(cluster.nodes.map((node) => `${node.name} ${node.podCIDR} ${node.internalIP}`)).toEqual([
      "a 10.244.2.0/24 192.168.10.12",
      "b 10.244.1.0/24 192.168.10.11",
    ]);
  });
});

describe("pods", () => {
  const cluster = () => new Cluster({ nodes: twoNodes, objects: manifests(app), seed: 7 });

  test("a Deployment's replicas are NAME-HASH-SUFFIX with the template's labels and pod-template-hash", () => {
    const pods = cluster().pods.filter((pod) => pod.owner.name === "web");
    expect(pods).toHaveLength(3);
    const hash = pods[0].labels["pod-template-hash"];
    for (const pod of pods) {
      expect(pod.name).toMatch(new RegExp(`^web-${hash}-[bcdfghjklmnpqrstvwxz2456789]{5}$`));
      expect(pod.labels).toEqual({ app: "web", "pod-template-hash": hash });
      expect(pod.ports).toEqual([{ container: "web", name: "http", port: 80, protocol: "TCP" }]);
    }
    expect(new Set(pods.map((pod) => pod.name)).size).toBe(3);
  });

  test("names depend on the seed only: the same seed names the same pods", () => {
    expect(cluster().pods.map((pod) => pod.name)).toEqual(cluster().pods.map((pod) => pod.name));
    const otherSeed = new Cluster({ nodes: twoNodes, objects: manifests(app), seed: 8 });
    expect(otherSeed.pods[0].name).not.toBe(cluster().pods[0].name);
  });

  test("a StatefulSet's pods are NAME-0..N-1", () => {
    const pods = cluster().pods.filter((pod) => pod.owner.kind === "StatefulSet");
    expect(pods.map((pod) => pod.name)).toEqual(["db-0", "db-1"]);
    expect(pods[1].labels["statefulset.kubernetes.io/pod-name"]).toBe("db-1");
  });

  test("pods are spread round-robin, take IPs in order from .2, and written IPs are kept", () => {
    expect(cluster().pods.map((pod) => `${pod.namespace}/${pod.owner.name} ${pod.nodeName} ${pod.ip}`)).toEqual([
      "shop/web node-1 10.244.1.2",
      "shop/web node-2 10.244.2.2",
      "shop/web node-1 10.244.1.3",
      "shop/db node-2 10.244.2.3",
      "shop/db node-1 10.244.1.4",
      "shop/pinned node-2 10.244.2.50",
      "kube-system/coredns node-2 10.244.2.4",
    ]);
  });

  test("deployment: resolves to the first replica", () => {
    const model = cluster();
    const resolved = model.resolveEndpoint(endpoint("deployment:shop/web"));
    expect(resolved).toMatchObject({ kind: "pod", ip: "10.244.1.2" });
  });
});

describe("namespaces and the cluster DNS", () => {
  test("default and kube-system always exist; a namespace used but not declared is created with its name label", () => {
    const cluster = new Cluster({ nodes: twoNodes, objects: manifests(app), seed: 1 });
    expect(cluster.namespaces.map((namespace) => [namespace.name, namespace.implicit, namespace.labels])).toEqual([
      ["default", true, { "kubernetes.io/metadata.name": "default" }],
      ["kube-system", true, { "kubernetes.io/metadata.name": "kube-system" }],
      ["shop", true, { "kubernetes.io/metadata.name": "shop" }],
    ]);
  });

  test("kube-system/kube-dns at 10.96.0.10 and a coredns pod are added when the scenario has none", () => {
    const cluster = new Cluster({ nodes: [{ name: "node-1" }], objects: [], seed: 1 });
    expect(cluster.services.map((service) => `${service.namespace}/${service.name}`)).toEqual(["kube-system/kube-dns"]);
    expect((cluster.services[0].body.spec as { clusterIP: string }).clusterIP).toBe("10.96.0.10");
    expect(cluster.pods.map((pod) => [pod.namespace, pod.owner.name, pod.labels["k8s-app"]])).toEqual([["kube-system", "coredns", "kube-dns"]]);
  });
});

describe("apply and delete", () => {
  test("apply replaces by kind/namespace/name; pods keep their IPs; scaling down removes replicas", () => {
    const cluster = new Cluster({ nodes: twoNodes, objects: manifests(app), seed: 1 });
    const before = cluster.pods.filter((pod) => pod.owner.name === "web").map((pod) => `${pod.name} ${pod.ip}`);
    cluster.apply(manifests(app.replace("replicas: 3", "replicas: 2")));
    expect(cluster.pods.filter((pod) => pod.owner.name === "web").map((pod) => `${pod.name} ${pod.ip}`)).toEqual(before.slice(0, 2));
  });

  test("delete removes an object and its pods; deleting a namespace takes its contents; an IP is not reused", () => {
    const cluster = new Cluster({ nodes: twoNodes, objects: manifests(app), seed: 1 });
    cluster.delete([{ kind: "StatefulSet", namespace: "shop", name: "db" }]);
    expect(cluster.pods.some((pod) => pod.owner.name === "db")).toBe(false);
    cluster.apply(manifests(app).filter((object) => object.kind === "StatefulSet"));
    expect(cluster.pod("shop", "db-0")?.ip).toBe("10.244.1.5"); // db-1 held .4 on node-1: not handed out again
    cluster.delete([{ kind: "Namespace", namespace: undefined, name: "shop" }]);
    expect(cluster.pods.map((pod) => pod.namespace)).toEqual(["kube-system"]);
    expect(() => cluster.delete([{ kind: "Pod", namespace: "shop", name: "pinned" }])).toThrow("Pod shop/pinned does not exist");
  });

  test("a pod cannot move to another node or change its IP", () => {
    const cluster = new Cluster({ nodes: twoNodes, objects: manifests(app), seed: 1 });
    expect(() => cluster.apply(manifests(app.replace("nodeName: node-2", "nodeName: node-1")))).toThrow(InputError);
  });
});
