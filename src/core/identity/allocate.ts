// Numeric identities for every label set in the cluster: the reserved ones,
// one per distinct set of pod labels (cluster scope, from 256), and one per
// CIDR prefix that policy refers to (local scope, from 16777217). Allocation
// is deterministic: label sets and prefixes are sorted, then numbered in order.

import { InventoryError } from "./errors.ts";
import { DEFAULT_CLUSTER_NAME, endpointName, type ClusterInventory, type EndpointInfo, type NamespaceInfo } from "./inventory.ts";
import { endpointIdentityLabels, labelSetKey, LABEL_SOURCE_CIDR, LABEL_SOURCE_RESERVED, type Label } from "./labels.ts";
import { comparePrefixes, formatIPv4Prefix, parseIPv4, type IPv4Prefix } from "../../util/ipv4.ts";
import {
  FIRST_CLUSTER_IDENTITY,
  FIRST_LOCAL_IDENTITY,
  LAST_CLUSTER_IDENTITY,
  LAST_LOCAL_IDENTITY,
  RESERVED_IDENTITY_LABELS,
  ReservedIdentity,
} from "./reserved.ts";

export type IdentityKind = "reserved" | "endpoint" | "cidr";

export interface Identity {
  id: number;
  kind: IdentityKind;
  /** Sorted. */
  labels: readonly Label[];
  /** The prefix of a CIDR identity (and of world: 0.0.0.0/0). */
  prefix?: IPv4Prefix;
}

export interface IdentityAllocation {
  /** Every identity, by ascending number. */
  identities: readonly Identity[];
  byId: ReadonlyMap<number, Identity>;
  /** `NAMESPACE/NAME` of each pod -> its identity. */
  byEndpoint: ReadonlyMap<string, number>;
  /** `A.B.C.D/N` of each policy prefix -> its identity (0.0.0.0/0 is world). */
  byPrefix: ReadonlyMap<string, number>;
}

/** The labels of a CIDR identity: `cidr:<prefix>` and `reserved:world`. */
export function cidrIdentityLabels(prefix: IPv4Prefix): Label[] {
  return [
    { source: LABEL_SOURCE_CIDR, key: formatIPv4Prefix(prefix), value: "" },
    { source: LABEL_SOURCE_RESERVED, key: "world", value: "" },
  ];
}

function checkInventory(inventory: ClusterInventory): Map<string, NamespaceInfo> {
  const namespaces = new Map<string, NamespaceInfo>();
  for (const namespace of inventory.namespaces) {
    if (namespaces.has(namespace.name)) {
      throw new InventoryError(`namespace ${namespace.name}`, "metadata.name", "defined twice");
    }
    namespaces.set(namespace.name, namespace);
  }
  const nodes = new Set<string>();
  const addresses = new Map<string, string>();
  const claim = (address: string, item: string, field: string): void => {
    if (parseIPv4(address) === undefined) throw new InventoryError(item, field, `"${address}" is not an IPv4 address`);
    const owner = addresses.get(address);
    if (owner !== undefined) throw new InventoryError(item, field, `${address} is already the address of ${owner}`);
    addresses.set(address, item);
  };
  for (const node of inventory.nodes) {
    const item = `node ${node.name}`;
    if (nodes.has(node.name)) throw new InventoryError(item, "name", "defined twice");
    nodes.add(node.name);
    claim(node.internalIP, item, "internalIP");
  }
  const endpoints = new Set<string>();
  for (const endpoint of inventory.endpoints) {
    const item = `pod ${endpointName(endpoint)}`;
    if (endpoints.has(endpointName(endpoint))) throw new InventoryError(item, "metadata.name", "defined twice");
    endpoints.add(endpointName(endpoint));
    if (!namespaces.has(endpoint.namespace)) {
      throw new InventoryError(item, "metadata.namespace", `namespace ${endpoint.namespace} does not exist`);
    }
    if (!nodes.has(endpoint.node)) throw new InventoryError(item, "spec.nodeName", `node ${endpoint.node} does not exist`);
    claim(endpoint.ip, item, "status.podIP");
  }
  return namespaces;
}

function labelsOf(endpoint: EndpointInfo, namespaces: Map<string, NamespaceInfo>, clusterName: string): Label[] {
  return endpointIdentityLabels(endpoint, namespaces.get(endpoint.namespace) as NamespaceInfo, clusterName);
}

/**
 * Identities for the cluster's pods and for `policyPrefixes` (the CIDR
 * prefixes that policies refer to; see `policyPrefixes` in ../policy).
 * Throws InventoryError on an inconsistent inventory.
 */
export function allocateIdentities(inventory: ClusterInventory, policyPrefixes: readonly IPv4Prefix[] = []): IdentityAllocation {
  const namespaces = checkInventory(inventory);
  const clusterName = inventory.clusterName ?? DEFAULT_CLUSTER_NAME;
  const identities: Identity[] = [];
  for (const [id, labels] of RESERVED_IDENTITY_LABELS) {
    identities.push({ id, kind: "reserved", labels, ...(id === ReservedIdentity.world ? { prefix: { address: 0, length: 0 } } : {}) });
  }

  const labelSets = new Map<string, Label[]>();
  const setOf = new Map<string, string>();
  for (const endpoint of inventory.endpoints) {
    const labels = labelsOf(endpoint, namespaces, clusterName);
    const key = labelSetKey(labels);
    setOf.set(endpointName(endpoint), key);
    labelSets.set(key, labels);
  }
  const sortedSets = [...labelSets.keys()].sort();
  if (sortedSets.length > LAST_CLUSTER_IDENTITY - FIRST_CLUSTER_IDENTITY + 1) {
    throw new InventoryError("cluster", "pods", `${sortedSets.length} distinct label sets exceed the cluster identity range`);
  }
  const idBySet = new Map<string, number>();
  sortedSets.forEach((key, index) => {
    const id = FIRST_CLUSTER_IDENTITY + index;
    idBySet.set(key, id);
    identities.push({ id, kind: "endpoint", labels: labelSets.get(key) as Label[] });
  });
  const byEndpoint = new Map<string, number>();
  for (const endpoint of inventory.endpoints) {
    const name = endpointName(endpoint);
    byEndpoint.set(name, idBySet.get(setOf.get(name) as string) as number);
  }

  const byPrefix = new Map<string, number>([["0.0.0.0/0", ReservedIdentity.world]]);
  const prefixes = [...new Map(policyPrefixes.filter((p) => p.length > 0).map((p) => [formatIPv4Prefix(p), p])).values()];
  prefixes.sort(comparePrefixes);
  if (prefixes.length > LAST_LOCAL_IDENTITY - FIRST_LOCAL_IDENTITY + 1) {
    throw new InventoryError("cluster", "policies", `${prefixes.length} CIDR prefixes exceed the local identity range`);
  }
  prefixes.forEach((prefix, index) => {
    const id = FIRST_LOCAL_IDENTITY + index;
    byPrefix.set(formatIPv4Prefix(prefix), id);
    identities.push({ id, kind: "cidr", labels: cidrIdentityLabels(prefix), prefix });
  });

  identities.sort((a, b) => a.id - b.id);
  return { identities, byId: new Map(identities.map((identity) => [identity.id, identity])), byEndpoint, byPrefix };
}
