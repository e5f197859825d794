// Kubernetes NetworkPolicy, translated as Cilium translates it
// (pkg/k8s/network_policy.go): the subject is podSelector in the policy's
// namespace; a peer's podSelector selects pods of the policy's namespace,
// unless the same peer has a namespaceSelector, which selects namespaces by
// their labels (both in one peer: both must match); ipBlock is a CIDR peer;
// a missing or empty from/to is every peer; missing ports are every port; a
// missing podSelector is every pod of the namespace; missing or empty
// policyTypes default as the API server defaults them (Ingress, and Egress
// when there are egress rules). Fields written null arrive missing
// (withoutNullFields, where manifests are read).

import { NAMESPACE_LABELS_PREFIX, POD_NAMESPACE_LABEL } from "../identity/index.ts";
import { PolicyError } from "./errors.ts";
import { cidrPeer } from "./cidr.ts";
import type { NetworkPolicyObject, NetworkPolicyPeer, NetworkPolicyPort } from "./manifests.ts";
import { portProtocolNumber, portTerms } from "./ports.ts";
import { formatPolicyRef, type Direction, type Enforcement, type L4Term, type PeerTerm, type PolicyRef, type PolicyRule } from "./rule.ts";
import { parseSelector, type Requirement, type Selector } from "./selector.ts";

const K8S = "k8s";

function inNamespace(selector: Selector, namespace: string): Selector {
  return {
    requirements: [...selector.requirements, { source: K8S, key: POD_NAMESPACE_LABEL, operator: "In", values: [namespace] }],
  };
}

/** Every pod: a namespace label exists on pods only (not on world, host, CIDR identities). */
const ANY_POD: Requirement = { source: K8S, key: POD_NAMESPACE_LABEL, operator: "Exists", values: [] };

function peerTerm(peer: NetworkPolicyPeer, namespace: string, policy: string, field: string): PeerTerm {
  if (peer === null || typeof peer !== "object") throw new PolicyError(policy, field, "must be an object");
  const { podSelector, namespaceSelector, ipBlock } = peer;
  if (ipBlock !== undefined) {
    if (podSelector !== undefined || namespaceSelector !== undefined) {
      throw new PolicyError(policy, field, "ipBlock cannot be combined with podSelector or namespaceSelector");
    }
    return cidrPeer(ipBlock.cidr, ipBlock.except, { policy, field: `${field}.ipBlock` }, `${field}.ipBlock.cidr`, false);
  }
  if (podSelector === undefined && namespaceSelector === undefined) {
    throw new PolicyError(policy, field, "needs podSelector, namespaceSelector or ipBlock");
  }
  const pods = podSelector === undefined ? { requirements: [] } : parseSelector(podSelector, { policy, field: `${field}.podSelector` }, K8S);
  if (namespaceSelector === undefined) return { kind: "selector", selector: inNamespace(pods, namespace) };
  const namespaces = parseSelector(namespaceSelector, { policy, field: `${field}.namespaceSelector` }, K8S, NAMESPACE_LABELS_PREFIX);
  return { kind: "selector", selector: { requirements: [ANY_POD, ...namespaces.requirements, ...pods.requirements] } };
}

function l4Terms(ports: NetworkPolicyPort[] | undefined, policy: string, field: string): L4Term[] {
  if (ports === undefined || ports.length === 0) return [{ kind: "any" }];
  return ports.flatMap((port, index) => {
    const at = { policy, field: `${field}.ports[${index}]` };
    const protocolName = port.protocol ?? "TCP";
    const protocol = portProtocolNumber(protocolName);
    if (protocol === undefined) {
      throw new PolicyError(policy, `${at.field}.protocol`, `"${protocolName}" is not TCP, UDP or SCTP`);
    }
    return portTerms(port.port, port.endPort, [protocol], at);
  });
}

export function translateNetworkPolicy(object: NetworkPolicyObject): { rules: PolicyRule[]; enforcements: Enforcement[] } {
  const namespace = object.metadata.namespace;
  const ref: PolicyRef = { kind: "NetworkPolicy", namespace: namespace ?? "", name: object.metadata.name };
  const policy = formatPolicyRef(ref);
  if (namespace === undefined || namespace === "") throw new PolicyError(policy, "metadata.namespace", "is required");
  const spec = object.spec;
  if (spec === undefined || spec === null) throw new PolicyError(policy, "spec", "is required");
  const subject = inNamespace(parseSelector(spec.podSelector ?? {}, { policy, field: "spec.podSelector" }, K8S), namespace);

  const listedTypes = spec.policyTypes ?? [];
  const types = listedTypes.length > 0 ? listedTypes : (spec.egress ?? []).length > 0 ? ["Ingress", "Egress"] : ["Ingress"];
  types.forEach((type, index) => {
    if (type !== "Ingress" && type !== "Egress") {
      throw new PolicyError(policy, `spec.policyTypes[${index}]`, `"${type}" is not Ingress or Egress`);
    }
  });

  const rules: PolicyRule[] = [];
  const enforcements: Enforcement[] = [];
  const directions: [Direction, "Ingress" | "Egress", "from" | "to"][] = [
    ["ingress", "Ingress", "from"],
    ["egress", "Egress", "to"],
  ];
  for (const [direction, type, peersField] of directions) {
    if (!types.includes(type)) continue;
    enforcements.push({ policy: ref, subject, direction, defaultDeny: true });
    const items: { from?: NetworkPolicyPeer[]; to?: NetworkPolicyPeer[]; ports?: NetworkPolicyPort[] }[] =
      (direction === "ingress" ? spec.ingress : spec.egress) ?? [];
    items.forEach((item, index) => {
      const field = `spec.${direction}[${index}]`;
      const peerItems = item[peersField];
      const peers: PeerTerm[] =
        peerItems === undefined || peerItems.length === 0
          ? [{ kind: "any" }]
          : peerItems.map((peer, peerIndex) => peerTerm(peer, namespace, policy, `${field}.${peersField}[${peerIndex}]`));
      rules.push({ policy: ref, field, subject, direction, deny: false, peers, l4: l4Terms(item.ports, policy, field) });
    });
  }
  return { rules, enforcements };
}
