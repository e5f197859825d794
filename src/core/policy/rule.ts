// Policies of every kind, normalised into one form: rules that, for the
// endpoints their subject selects, allow or deny peers on L4 terms in one
// direction; and the enforcement each policy turns on.

import type { IPv4Prefix } from "../../util/ipv4.ts";
import { ciliumEntities } from "../model/kinds/cilium-policy.ts";
import type { Selector } from "./selector.ts";

export type PolicyKind = "NetworkPolicy" | "CiliumNetworkPolicy" | "CiliumClusterwideNetworkPolicy";

/** A policy, as Hubble names it in ingress_allowed_by / egress_allowed_by. */
export interface PolicyRef {
  kind: PolicyKind;
  /** Absent for the clusterwide kind. */
  namespace?: string;
  name: string;
}

/** `KIND/NS/NAME`, or `KIND/NAME` for clusterwide kinds. */
export function formatPolicyRef(policy: PolicyRef): string {
  return policy.namespace === undefined ? `${policy.kind}/${policy.name}` : `${policy.kind}/${policy.namespace}/${policy.name}`;
}

export type Direction = "ingress" | "egress";

/** The entities of fromEntities / toEntities (pkg/policy/api/entity.go), as the manifest reader checks them. */
export const ENTITIES = ciliumEntities;
export type Entity = (typeof ENTITIES)[number];

/** Who a rule is about, on the other side of the connection. */
export type PeerTerm =
  /** Every peer, world included: the wildcard identity 0. */
  | { kind: "any" }
  /** Every identity whose labels the selector matches. */
  | { kind: "selector"; selector: Selector }
  | { kind: "entity"; entity: Entity }
  /** Every world identity inside `prefix` and outside each of `except`. */
  | { kind: "cidr"; prefix: IPv4Prefix; except: readonly IPv4Prefix[] };

/** What a rule is about at L4. */
export type L4Term =
  /** Every protocol and port (an L3-only rule). */
  | { kind: "any" }
  /** Ports first..last of one protocol; 0..65535 is the whole protocol. */
  | { kind: "ports"; protocol: number; first: number; last: number }
  /** A named port, resolved against container ports: the endpoint's own at ingress, the peer's at egress. */
  | { kind: "named"; protocol: number; name: string }
  | { kind: "icmp"; protocol: number; type: number };

export interface PolicyRule {
  policy: PolicyRef;
  /** Where in the policy the rule is, e.g. `spec.ingress[0]`. */
  field: string;
  /** The endpoints the rule applies to. */
  subject: Selector;
  direction: Direction;
  deny: boolean;
  /** OR'ed; empty selects nothing. */
  peers: readonly PeerTerm[];
  /** OR'ed; empty selects nothing. */
  l4: readonly L4Term[];
}

/**
 * A policy that selects `subject` for `direction`: it puts those endpoints
 * under policy in that direction, and in default deny when `defaultDeny`.
 */
export interface Enforcement {
  policy: PolicyRef;
  subject: Selector;
  direction: Direction;
  defaultDeny: boolean;
}

export interface PolicyRuleSet {
  rules: readonly PolicyRule[];
  enforcements: readonly Enforcement[];
}
