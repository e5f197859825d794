// Reserved security identities and the numeric ranges of allocated ones
// (Cilium's pkg/identity/numericidentity.go, bpf/lib/identity.h).

import { ReservedIdentity as DatapathIdentity } from "../../abi/generated.ts";
import { LABEL_SOURCE_RESERVED, type Label } from "./labels.ts";

/** In policy map keys: any peer. In events: not (yet) known. */
export const IDENTITY_ANY = DatapathIdentity.IDENTITY_ANY;

/** Cilium's reserved identities; the datapath itself knows unknown, host and world (enum reserved_identity). */
export const ReservedIdentity = {
  unknown: DatapathIdentity.IDENTITY_UNKNOWN,
  host: DatapathIdentity.IDENTITY_HOST,
  world: DatapathIdentity.IDENTITY_WORLD,
  unmanaged: 3,
  health: 4,
  init: 5,
  remoteNode: 6,
  kubeApiserver: 7,
  ingress: 8,
  worldIpv4: 9,
  worldIpv6: 10,
} as const;

/** Cluster-wide identities allocated from label sets (cluster ID 0). */
export const FIRST_CLUSTER_IDENTITY = 256;
export const LAST_CLUSTER_IDENTITY = 65535;
/** Node-local identities (scope 1 << 24): CIDR prefixes referenced by policy. */
export const LOCAL_IDENTITY_SCOPE = 1 << 24;
export const FIRST_LOCAL_IDENTITY = LOCAL_IDENTITY_SCOPE + 1;
export const LAST_LOCAL_IDENTITY = LOCAL_IDENTITY_SCOPE + (1 << 16) - 1;

function reserved(...names: string[]): Label[] {
  return names.map((key) => ({ source: LABEL_SOURCE_RESERVED, key, value: "" }));
}

/**
 * The reserved identities a single-stack IPv4 cluster uses, with their labels.
 * world-ipv4 (9) and world-ipv6 (10) exist only in dual-stack clusters, where
 * they replace world (2); this datapath is IPv4-only, so world is 2.
 */
export const RESERVED_IDENTITY_LABELS: ReadonlyMap<number, readonly Label[]> = new Map([
  [ReservedIdentity.host, reserved("host")],
  [ReservedIdentity.world, reserved("world")],
  [ReservedIdentity.unmanaged, reserved("unmanaged")],
  [ReservedIdentity.health, reserved("health")],
  [ReservedIdentity.init, reserved("init")],
  [ReservedIdentity.remoteNode, reserved("remote-node")],
  [ReservedIdentity.kubeApiserver, reserved("kube-apiserver", "remote-node")],
  [ReservedIdentity.ingress, reserved("ingress")],
]);

/** World as the datapath counts it: world itself and every CIDR identity. */
export function identityIsWorld(id: number): boolean {
  return (
    id === ReservedIdentity.world ||
    id === ReservedIdentity.worldIpv4 ||
    id === ReservedIdentity.worldIpv6 ||
    (id >= FIRST_LOCAL_IDENTITY && id <= LAST_LOCAL_IDENTITY)
  );
}
