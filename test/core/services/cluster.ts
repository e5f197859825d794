// A cluster from manifests written inline, for the services tests.

import { Cluster, type ManifestObject } from "../../../src/core/model/index.ts";
import { readManifestText } from "../../../src/core/scenario/manifest-files.ts";

export const twoNodes = [
  { name: "node-1", podCIDR: "10.244.1.0/24", internalIP: "192.168.10.11" },
  { name: "node-2", podCIDR: "10.244.2.0/24", internalIP: "192.168.10.12" },
];

export function clusterOf(text: string, file = "services.yaml"): Cluster {
  const into = { objects: [] as ManifestObject[], ignored: [] };
  readManifestText(text, file, into);
  return new Cluster({ nodes: twoNodes, objects: into.objects, seed: 1 });
}

/** Pods web-0 (node-1, 10.244.1.10) and web-1 (node-2, 10.244.2.10) with a named port http 8080. */
export const webPods = `
apiVersion: v1
kind: Pod
metadata: {name: web-0, namespace: shop, labels: {app: web}}
spec: {nodeName: node-1, containers: [{name: web, image: nginx, ports: [{name: http, containerPort: 8080}]}]}
status: {podIP: 10.244.1.10}
---
apiVersion: v1
kind: Pod
metadata: {name: web-1, namespace: shop, labels: {app: web}}
spec: {nodeName: node-2, containers: [{name: web, image: nginx, ports: [{name: http, containerPort: 8080}]}]}
status: {podIP: 10.244.2.10}
`;
