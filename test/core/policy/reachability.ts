// Test support: whether a new connection between two addresses passes the
// policy maps, reasoned the way the datapath decides (bpf/README.md): the
// source pod's egress map, then the destination pod's ingress map, each only
// when enforced, with peers resolved through the ipcache by longest prefix.

import type { ClusterInventory, IpcacheEntry } from "../../../src/core/identity/index.ts";
import { decidePolicy, type CompiledPolicies, type PolicyDecision } from "../../../src/core/policy/index.ts";
import { parseIPv4, prefixHolds } from "../../../src/util/ipv4.ts";

export interface Outcome {
  verdict: "FORWARDED" | "DROPPED";
  dropReason?: "POLICY_DENIED" | "POLICY_DENY";
  /** The decisions taken: egress at the source pod, ingress at the destination pod. */
  decisions: PolicyDecision[];
}

export function identityOf(ipcache: readonly IpcacheEntry[], ip: string): number {
  const address = parseIPv4(ip) as number;
  let best: IpcacheEntry | undefined;
  for (const entry of ipcache) {
    if (prefixHolds(entry.prefix, address) && (best === undefined || entry.prefix.length > best.prefix.length)) best = entry;
  }
  return best?.identity ?? 2;
}

/** `from` and `to` are `NS/NAME` of pods or bare IPv4 addresses outside the cluster. */
export function reach(
  inventory: ClusterInventory,
  compiled: CompiledPolicies,
  ipcacheOf: (node: string) => readonly IpcacheEntry[],
  from: string,
  to: string,
  protocol: number,
  port: number,
): Outcome {
  const pod = (name: string) => inventory.endpoints.find((e) => `${e.namespace}/${e.name}` === name);
  const source = pod(from);
  const destination = pod(to);
  const decisions: PolicyDecision[] = [];
  const steps: [typeof source, "egress" | "ingress", string][] = [
    [source, "egress", destination?.ip ?? to],
    [destination, "ingress", source?.ip ?? from],
  ];
  for (const [endpoint, direction, peerAddress] of steps) {
    if (endpoint === undefined) continue;
    const policy = compiled.endpoints.get(`${endpoint.namespace}/${endpoint.name}`);
    if (policy === undefined) throw new Error(`no policy for ${endpoint.name}`);
    if (!(direction === "egress" ? policy.egressEnforced : policy.ingressEnforced)) continue;
    const peer = identityOf(ipcacheOf(endpoint.node), peerAddress);
    const decision = decidePolicy(policy.entries, peer, direction, protocol, port);
    decisions.push(decision);
    if (decision.verdict !== "allowed") {
      return { verdict: "DROPPED", dropReason: decision.verdict === "denied" ? "POLICY_DENY" : "POLICY_DENIED", decisions };
    }
  }
  return { verdict: "FORWARDED", decisions };
}
