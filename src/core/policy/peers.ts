// Peer terms -> the identities they select.

import { ReservedIdentity, type IdentityAllocation } from "../identity/index.ts";
import { prefixContains } from "../../util/ipv4.ts";
import type { Entity, PeerTerm } from "./rule.ts";
import { selectorMatches } from "./selector.ts";

/** Every pod, the host and the other reserved identities inside the cluster: all but world. */
const CLUSTER_RESERVED = [
  ReservedIdentity.host,
  ReservedIdentity.unmanaged,
  ReservedIdentity.health,
  ReservedIdentity.init,
  ReservedIdentity.remoteNode,
  ReservedIdentity.kubeApiserver,
  ReservedIdentity.ingress,
];

function worldIdentities(identities: IdentityAllocation): number[] {
  return [ReservedIdentity.world, ...identities.identities.filter((i) => i.kind === "cidr").map((i) => i.id)];
}

function entityIdentities(entity: Entity, identities: IdentityAllocation): number[] {
  switch (entity) {
    case "all":
      return [0];
    case "world":
    case "world-ipv4": // an IPv4-only cluster: IPv4's world is world
      return worldIdentities(identities);
    case "world-ipv6":
      return [ReservedIdentity.worldIpv6];
    case "cluster":
      return [...CLUSTER_RESERVED, ...identities.identities.filter((i) => i.kind === "endpoint").map((i) => i.id)];
    case "host":
      return [ReservedIdentity.host];
    case "remote-node":
      return [ReservedIdentity.remoteNode, ReservedIdentity.kubeApiserver];
    case "kube-apiserver":
      return [ReservedIdentity.kubeApiserver];
    case "init":
      return [ReservedIdentity.init];
    case "health":
      return [ReservedIdentity.health];
    case "unmanaged":
      return [ReservedIdentity.unmanaged];
    case "ingress":
      return [ReservedIdentity.ingress];
    case "none":
      return [];
  }
}

/**
 * The identities a peer term selects; [0] for any peer. A CIDR term selects
 * world-scoped identities only (world and CIDR identities): never a pod or
 * node inside the prefix, as in Cilium.
 */
export function peerIdentities(term: PeerTerm, identities: IdentityAllocation): number[] {
  switch (term.kind) {
    case "any":
      return [0];
    case "selector":
      return identities.identities.filter((i) => selectorMatches(term.selector, i.labels)).map((i) => i.id);
    case "entity":
      return entityIdentities(term.entity, identities);
    case "cidr":
      return identities.identities
        .filter(
          (i) =>
            i.prefix !== undefined && prefixContains(term.prefix, i.prefix) && !term.except.some((except) => prefixContains(except, i.prefix as typeof except)),
        )
        .map((i) => i.id);
  }
}
