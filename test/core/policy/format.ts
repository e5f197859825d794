// Test support: policy map entries as one readable line each,
// `DIRECTION PEER PROTO:PORT/PORT_PREFIX_LEN allow|deny [POLICIES]`.

import { formatPolicyRef, type EndpointPolicy, type PolicyEntry } from "../../../src/core/policy/index.ts";
import type { Compiled } from "./model.ts";

const PROTOCOLS: Record<number, string> = { 0: "ANY", 1: "ICMP", 6: "TCP", 17: "UDP", 58: "ICMPv6", 132: "SCTP" };

export function formatEntry(entry: PolicyEntry, names: ReadonlyMap<number, string> = new Map()): string {
  const peer = names.get(entry.peer) ?? String(entry.peer);
  const l4 = `${PROTOCOLS[entry.protocol]}:${entry.port}/${entry.portPrefixLength}`;
  return `${entry.direction} ${peer} ${l4} ${entry.deny ? "deny" : "allow"} [${entry.policies.map(formatPolicyRef).join(" ")}]`;
}

/** Pod identities named by their pods (`x/a`), the rest by number. */
export function identityNames(model: Compiled): Map<number, string> {
  const names = new Map<number, string>();
  for (const [pod, id] of model.identities.byEndpoint) names.set(id, names.has(id) ? `${names.get(id)},${pod}` : pod);
  return names;
}

export function entriesOf(model: Compiled, endpoint: string): string[] {
  const policy = model.compiled.endpoints.get(endpoint) as EndpointPolicy;
  const names = identityNames(model);
  return policy.entries.map((entry) => formatEntry(entry, names));
}

export function enforcement(model: Compiled, endpoint: string): { ingress: boolean; egress: boolean } {
  const policy = model.compiled.endpoints.get(endpoint) as EndpointPolicy;
  return { ingress: policy.ingressEnforced, egress: policy.egressEnforced };
}
