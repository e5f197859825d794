// Objects every cluster has without the user writing them: the `default` and
// `kube-system` namespaces, and the cluster DNS (the kube-system/kube-dns
// Service at 10.96.0.10 and its coredns pod), added when the scenario brings
// none. They are built as the manifests a cluster installer would apply.

import { readManifest, type ManifestObject } from "./manifest.ts";

export const alwaysPresentNamespaces = ["default", "kube-system"] as const;

export const kubeDnsClusterIP = "10.96.0.10";

/** Where implicit objects say they come from in messages. */
export const implicitFile = "<implicit>";

const dnsPorts = [
  { name: "dns", containerPort: 53, protocol: "UDP" },
  { name: "dns-tcp", containerPort: 53, protocol: "TCP" },
  { name: "metrics", containerPort: 9153, protocol: "TCP" },
];

export function kubeDnsObjects(): ManifestObject[] {
  const service = {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "kube-dns", namespace: "kube-system", labels: { "k8s-app": "kube-dns" } },
    spec: {
      selector: { "k8s-app": "kube-dns" },
      clusterIP: kubeDnsClusterIP,
      ports: [
        { name: "dns", port: 53, protocol: "UDP", targetPort: 53 },
        { name: "dns-tcp", port: 53, protocol: "TCP", targetPort: 53 },
      ],
    },
  };
  const deployment = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "coredns", namespace: "kube-system", labels: { "k8s-app": "kube-dns" } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { "k8s-app": "kube-dns" } },
      template: {
        metadata: { labels: { "k8s-app": "kube-dns" } },
        spec: { serviceAccountName: "coredns", containers: [{ name: "coredns", image: "registry.k8s.io/coredns/coredns:v1.12.0", ports: dnsPorts }] },
      },
    },
  };
  return [service, deployment].map((body, index) => {
    const read = readManifest(body, implicitFile, `implicit[${index}]`, 0);
    if (!("object" in read)) throw new Error("implicit objects are supported kinds");
    return read.object;
  });
}
