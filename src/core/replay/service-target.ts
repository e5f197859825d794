// `to: service:NS/NAME` in a scenario: which frontend of the Service a client
// uses, and where its packets first go. A pod or a node uses the ClusterIP;
// a host outside the cluster uses a LoadBalancer ingress address, else an
// externalIP (both delivered to the first node, as a load balancer or a
// route would), else the NodePort of the first node.

import type { Place } from "../datapath/datapath.ts";
import type { Cluster } from "../model/index.ts";
import { type Frontend, type FrontendKind, type ServicePort } from "../services/index.ts";

export interface ServiceTarget {
  readonly frontend: Frontend;
  readonly place: Place;
}

const FROM_OUTSIDE: readonly FrontendKind[] = ["LoadBalancer", "ExternalIP", "NodePort"];

/**
 * The frontend of `service` (NS/NAME) for the service port `port`/`protocol`;
 * `clientNode` is the node of an in-cluster client, undefined for a world one.
 * Undefined when the service has no such frontend (headless, ExternalName, or
 * nothing reachable from outside).
 */
export function serviceTarget(
  ports: readonly ServicePort[],
  cluster: Cluster,
  service: string,
  port: number,
  protocol: string,
  clientNode: string | undefined,
): ServiceTarget | undefined {
  const servicePort = ports.find((each) => each.service === service && each.frontends[0]?.port === port && each.frontends[0]?.protocol === protocol);
  if (!servicePort) return undefined;
  const firstNode = cluster.nodes[0].name;
  if (clientNode !== undefined) {
    const frontend = servicePort.frontends.find((each) => each.kind === "ClusterIP")!;
    return { frontend, place: { kind: "world", ip: frontend.address, via: clientNode } };
  }
  for (const kind of FROM_OUTSIDE) {
    const frontend = servicePort.frontends.find((each) => each.kind === kind && (kind !== "NodePort" || each.node === firstNode));
    if (frontend) return { frontend, place: { kind: "node", node: frontend.node ?? firstNode } };
  }
  return undefined;
}
