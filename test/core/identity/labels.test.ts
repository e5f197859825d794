import { describe, expect, test } from "vitest";
import { endpointIdentityLabels, formatLabel, isSecurityRelevant } from "../../../src/core/identity/index.ts";

describe("identity labels of a pod", () => {
  const namespace = { name: "production", labels: { team: "shop" } };
  const pod = {
    namespace: "production",
    name: "frontend-7c9d-x1",
    labels: { app: "frontend", "pod-template-hash": "7c9d", "app.kubernetes.io/name": "shop" },
    ip: "10.244.1.10",
    node: "node-1",
    containerPorts: [],
  };

  test("are the pod's labels, its namespace, the namespace's labels, service account and cluster, sorted", () => {
    expect(endpointIdentityLabels(pod, namespace, "default").map(formatLabel)).toEqual([
      "k8s:app.kubernetes.io/name=shop",
      "k8s:app=frontend",
      "k8s:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name=production",
      "k8s:io.cilium.k8s.namespace.labels.team=shop",
      "k8s:io.cilium.k8s.policy.cluster=default",
      "k8s:io.cilium.k8s.policy.serviceaccount=default",
      "k8s:io.kubernetes.pod.namespace=production",
    ]);
  });

  test("name the service account the pod runs as", () => {
    const labels = endpointIdentityLabels({ ...pod, serviceAccount: "shop-sa" }, namespace, "default").map(formatLabel);
    expect(labels).toContain("k8s:io.cilium.k8s.policy.serviceaccount=shop-sa");
  });

  test("leave out what Cilium's default label filter excludes", () => {
    expect(["app", "role", "app.kubernetes.io/name", "io.kubernetes.pod.namespace", "io.cilium.k8s.namespace.labels.x"].every(isSecurityRelevant)).toBe(true);
    expect(
      [
        "pod-template-hash",
        "controller-revision-hash",
        "statefulset.kubernetes.io/pod-name",
        "kubernetes.io/hostname",
        "io.kubernetes.container.name",
        "failure-domain.beta.kubernetes.io/zone",
        "k8s.io/x",
        "annotation.foo",
      ].some(isSecurityRelevant),
    ).toBe(false);
  });
});
