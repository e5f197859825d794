// CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy (cilium.io/v2),
// with the scoping Cilium gives their selectors (pkg/k8s/apis/cilium.io/utils):
// a namespaced policy's subject is in its namespace, and its peer selectors
// are too unless they name a namespace, namespace labels or a reserved label;
// a clusterwide policy's peer selectors select pods of any namespace.

import { NAMESPACE_LABELS_PREFIX, POD_NAMESPACE_LABEL } from "../identity/index.ts";
import { cidrPeer } from "./cidr.ts";
import { PolicyError, UnsupportedPolicyFeatureError } from "./errors.ts";
import type { CiliumNetworkPolicyObject, CiliumPeerRule, CiliumRule, LabelSelectorObject } from "./manifests.ts";
import { ANY_PROTOCOLS, icmpTerm, portProtocolNumber, portTerms } from "./ports.ts";
import {
  ENTITIES,
  formatPolicyRef,
  type Direction,
  type Enforcement,
  type Entity,
  type L4Term,
  type PeerTerm,
  type PolicyRef,
  type PolicyRule,
} from "./rule.ts";
import { parseSelector, type Requirement, type Selector } from "./selector.ts";

/** Fields of a peer rule that later issues add, and what they are. */
const UNSUPPORTED_PEER_FIELDS: readonly [keyof CiliumPeerRule, string][] = [
  ["toFQDNs", "toFQDNs (DNS-based policy)"],
  ["toServices", "toServices (service-based policy)"],
  ["fromRequires", "fromRequires"],
  ["toRequires", "toRequires"],
  ["fromNodes", "fromNodes (node selector policy)"],
  ["toNodes", "toNodes (node selector policy)"],
  ["fromGroups", "fromGroups (cloud provider groups)"],
  ["toGroups", "toGroups (cloud provider groups)"],
  ["authentication", "authentication (mutual authentication)"],
];

const UNSUPPORTED_PORT_RULE_FIELDS = ["rules", "listener", "serverNames", "originatingTLS", "terminatingTLS"] as const;

const L3_FIELDS = {
  ingress: ["fromEndpoints", "fromEntities", "fromCIDR", "fromCIDRSet"],
  egress: ["toEndpoints", "toEntities", "toCIDR", "toCIDRSet"],
} as const;

interface Scope {
  kind: "namespaced" | "clusterwide";
  namespace: string;
}

function constrainsNamespace(selector: Selector): boolean {
  return selector.requirements.some((r) => r.key === POD_NAMESPACE_LABEL || r.key.startsWith(NAMESPACE_LABELS_PREFIX) || r.source === "reserved");
}

/** A peer selector with the namespace scoping of its policy's kind. */
function scopedPeerSelector(selector: Selector, scope: Scope): Selector {
  if (constrainsNamespace(selector)) return selector;
  const scoping: Requirement =
    scope.kind === "namespaced"
      ? { source: "k8s", key: POD_NAMESPACE_LABEL, operator: "In", values: [scope.namespace] }
      : { source: "k8s", key: POD_NAMESPACE_LABEL, operator: "Exists", values: [] };
  return { requirements: [...selector.requirements, scoping] };
}

function subjectSelector(rule: CiliumRule, scope: Scope, policy: string, field: string): Selector {
  if (rule.nodeSelector !== undefined) {
    throw new UnsupportedPolicyFeatureError(policy, `${field}.nodeSelector`, "nodeSelector (host policies)");
  }
  if (rule.endpointSelector === undefined) throw new PolicyError(policy, `${field}.endpointSelector`, "is required");
  const selector = parseSelector(rule.endpointSelector, { policy, field: `${field}.endpointSelector` });
  if (scope.kind === "clusterwide") return selector;
  // Cilium replaces a user's namespace requirement with the policy's own namespace.
  const own = selector.requirements.filter((r) => r.key !== POD_NAMESPACE_LABEL);
  return { requirements: [...own, { source: "k8s", key: POD_NAMESPACE_LABEL, operator: "In", values: [scope.namespace] }] };
}

function peerTerms(item: CiliumPeerRule, direction: Direction, scope: Scope, policy: string, field: string): PeerTerm[] | undefined {
  const present = L3_FIELDS[direction].filter((name) => item[name] !== undefined);
  const nonEmpty = present.filter((name) => (item[name] ?? []).length > 0);
  if (nonEmpty.length > 1) {
    throw new PolicyError(policy, `${field}.${nonEmpty[1]}`, `cannot be combined with ${nonEmpty[0]} in one rule`);
  }
  if (present.length === 0) return undefined;
  const name = nonEmpty[0] ?? present[0];
  const at = `${field}.${name}`;
  switch (name) {
    case "fromEndpoints":
    case "toEndpoints":
      return (item[name] as LabelSelectorObject[]).map((selector, index) => ({
        kind: "selector",
        selector: scopedPeerSelector(parseSelector(selector, { policy, field: `${at}[${index}]` }), scope),
      }));
    case "fromEntities":
    case "toEntities":
      return (item[name] as string[]).map((entity, index) => {
        if (!(ENTITIES as readonly string[]).includes(entity)) {
          throw new PolicyError(policy, `${at}[${index}]`, `"${entity}" is not an entity (${ENTITIES.join(", ")})`);
        }
        return { kind: "entity", entity: entity as Entity };
      });
    case "fromCIDR":
    case "toCIDR":
      return (item[name] as string[]).map((cidr, index) => cidrPeer(cidr, [], { policy, field: `${at}[${index}]` }, `${at}[${index}]`, true));
    case "fromCIDRSet":
    case "toCIDRSet":
      return (item[name] ?? []).map((set, index) => {
        const setField = `${at}[${index}]`;
        if (set.cidrGroupRef !== undefined) throw new UnsupportedPolicyFeatureError(policy, `${setField}.cidrGroupRef`, "cidrGroupRef (CiliumCIDRGroup)");
        if (set.cidrGroupSelector !== undefined) {
          throw new UnsupportedPolicyFeatureError(policy, `${setField}.cidrGroupSelector`, "cidrGroupSelector (CiliumCIDRGroup)");
        }
        return cidrPeer(set.cidr, set.except, { policy, field: setField }, `${setField}.cidr`, false);
      });
  }
}

function ciliumProtocols(protocol: string | undefined, policy: string, field: string): readonly number[] {
  if (protocol === undefined || protocol === "ANY") return ANY_PROTOCOLS;
  const number = portProtocolNumber(protocol);
  if (number !== undefined) return [number];
  if (protocol === "VRRP" || protocol === "IGMP") throw new UnsupportedPolicyFeatureError(policy, field, `protocol ${protocol}`);
  throw new PolicyError(policy, field, `"${protocol}" is not TCP, UDP, SCTP or ANY`);
}

function l4Terms(item: CiliumPeerRule, policy: string, field: string): L4Term[] | undefined {
  if (item.toPorts !== undefined && item.icmps !== undefined) {
    throw new PolicyError(policy, `${field}.icmps`, "cannot be combined with toPorts in one rule");
  }
  if (item.icmps !== undefined) {
    return item.icmps.flatMap((icmp, index) =>
      (icmp.fields ?? []).map((entry, fieldIndex) => icmpTerm(entry.family, entry.type, { policy, field: `${field}.icmps[${index}].fields[${fieldIndex}]` })),
    );
  }
  if (item.toPorts === undefined) return undefined;
  return item.toPorts.flatMap((portRule, index) => {
    const at = `${field}.toPorts[${index}]`;
    for (const name of UNSUPPORTED_PORT_RULE_FIELDS) {
      if (portRule[name] !== undefined) {
        throw new UnsupportedPolicyFeatureError(policy, `${at}.${name}`, name === "rules" ? "L7 rules (toPorts.rules)" : `toPorts.${name} (L7 proxy)`);
      }
    }
    if (portRule.ports === undefined || portRule.ports.length === 0) return [{ kind: "any" } as L4Term];
    return portRule.ports.flatMap((port, portIndex) => {
      const portField = `${at}.ports[${portIndex}]`;
      const protocols = ciliumProtocols(port.protocol, policy, `${portField}.protocol`);
      return portTerms(port.port, port.endPort, protocols, { policy, field: portField });
    });
  });
}

function peerRule(
  item: CiliumPeerRule,
  direction: Direction,
  deny: boolean,
  context: { ref: PolicyRef; policy: string; subject: Selector; scope: Scope },
  field: string,
): PolicyRule {
  const { ref, policy, subject, scope } = context;
  if (item === null || typeof item !== "object") throw new PolicyError(policy, field, "must be an object");
  for (const [name, feature] of UNSUPPORTED_PEER_FIELDS) {
    if (item[name] !== undefined) throw new UnsupportedPolicyFeatureError(policy, `${field}.${name}`, feature);
  }
  const peers = peerTerms(item, direction, scope, policy, field);
  const l4 = l4Terms(item, policy, field);
  // No L3 field: any peer on the given ports; neither L3 nor L4 (`{}`): nothing.
  return {
    policy: ref,
    field,
    subject,
    direction,
    deny,
    peers: peers ?? (l4 === undefined ? [] : [{ kind: "any" }]),
    l4: l4 ?? [{ kind: "any" }],
  };
}

export function translateCiliumPolicy(object: CiliumNetworkPolicyObject): { rules: PolicyRule[]; enforcements: Enforcement[] } {
  const clusterwide = object.kind === "CiliumClusterwideNetworkPolicy";
  const namespace = object.metadata.namespace;
  const ref: PolicyRef = clusterwide
    ? { kind: object.kind, name: object.metadata.name }
    : { kind: object.kind, namespace: namespace ?? "", name: object.metadata.name };
  const policy = formatPolicyRef(ref);
  if (!clusterwide && (namespace === undefined || namespace === "")) {
    throw new PolicyError(policy, "metadata.namespace", "is required");
  }
  const scope: Scope = { kind: clusterwide ? "clusterwide" : "namespaced", namespace: namespace ?? "" };
  const specs: [CiliumRule, string][] = [];
  if (object.spec !== undefined) specs.push([object.spec, "spec"]);
  (object.specs ?? []).forEach((spec, index) => specs.push([spec, `specs[${index}]`]));
  if (specs.length === 0) throw new PolicyError(policy, "spec", "needs spec or specs");

  const rules: PolicyRule[] = [];
  const enforcements: Enforcement[] = [];
  for (const [spec, field] of specs) {
    const subject = subjectSelector(spec, scope, policy, field);
    const context = { ref, policy, subject, scope };
    const lists: [Direction, boolean, "ingress" | "ingressDeny" | "egress" | "egressDeny"][] = [
      ["ingress", false, "ingress"],
      ["ingress", true, "ingressDeny"],
      ["egress", false, "egress"],
      ["egress", true, "egressDeny"],
    ];
    let anyRule = false;
    const touched = new Set<Direction>();
    for (const [direction, deny, list] of lists) {
      const items = spec[list] ?? [];
      items.forEach((item, index) => rules.push(peerRule(item, direction, deny, context, `${field}.${list}[${index}]`)));
      if (items.length > 0) {
        anyRule = true;
        touched.add(direction);
      }
    }
    if (!anyRule) throw new PolicyError(policy, field, "has no ingress, ingressDeny, egress or egressDeny rules");
    for (const direction of touched) {
      const flag = spec.enableDefaultDeny?.[direction];
      if (flag !== undefined && typeof flag !== "boolean") {
        throw new PolicyError(policy, `${field}.enableDefaultDeny.${direction}`, "must be true or false");
      }
      enforcements.push({ policy: ref, subject, direction, defaultDeny: flag ?? true });
    }
  }
  return { rules, enforcements };
}
