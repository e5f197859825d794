// The ipcache of one node: which identity each address or prefix has, encoded
// for the datapath's `eb_ipcache` LPM trie (bpf/README.md, bpf/lib/ipcache.h).

import { IpcacheFamily, IpcachePrefix } from "../../abi/generated.ts";
import { ipcacheKey, ipcacheValue } from "../../abi/ipcache.ts";
import type { IdentityAllocation } from "./allocate.ts";
import { InventoryError } from "./errors.ts";
import { endpointName, type ClusterInventory } from "./inventory.ts";
import { ReservedIdentity } from "./reserved.ts";
import { comparePrefixes, formatIPv4Prefix, hostPrefix, parseIPv4, type IPv4Prefix } from "../../util/ipv4.ts";

export type IpcacheSource = "endpoint" | "host" | "remote-node" | "cidr";

export interface IpcacheEntry {
  prefix: IPv4Prefix;
  identity: number;
  /** The address of the node hosting a pod of another node; 0 for everything else (as Cilium lists it). */
  tunnelEndpoint: number;
  source: IpcacheSource;
  /** `NAMESPACE/NAME` of a pod, or the name of a node. */
  owner?: string;
}

function address(text: string, item: string, field: string): number {
  const value = parseIPv4(text);
  if (value === undefined) throw new InventoryError(item, field, `"${text}" is not an IPv4 address`);
  return value;
}

/**
 * The ipcache as `localNode` sees it: every pod's address (its identity; the
 * hosting node as tunnel endpoint when that is another node), every node's
 * address (host for the local node, remote-node for the others) and every
 * CIDR prefix policy refers to (its CIDR identity). A pod or node address
 * wins over a /32 policy prefix of the same address, as in Cilium. Sorted by
 * address, shorter prefixes first.
 */
export function buildIpcache(inventory: ClusterInventory, identities: IdentityAllocation, localNode: string): IpcacheEntry[] {
  const nodeAddress = new Map<string, number>();
  for (const node of inventory.nodes) nodeAddress.set(node.name, address(node.internalIP, `node ${node.name}`, "internalIP"));
  if (!nodeAddress.has(localNode)) throw new InventoryError(`node ${localNode}`, "name", "is not a node of the cluster");

  const entries = new Map<string, IpcacheEntry>();
  for (const [name, internalIP] of nodeAddress) {
    const local = name === localNode;
    const prefix = hostPrefix(internalIP);
    entries.set(formatIPv4Prefix(prefix), {
      prefix,
      identity: local ? ReservedIdentity.host : ReservedIdentity.remoteNode,
      tunnelEndpoint: 0,
      source: local ? "host" : "remote-node",
      owner: name,
    });
  }
  for (const endpoint of inventory.endpoints) {
    const name = endpointName(endpoint);
    const identity = identities.byEndpoint.get(name);
    if (identity === undefined) throw new InventoryError(`pod ${name}`, "metadata.name", "has no identity: allocate identities for this inventory");
    const prefix = hostPrefix(address(endpoint.ip, `pod ${name}`, "status.podIP"));
    entries.set(formatIPv4Prefix(prefix), {
      prefix,
      identity,
      tunnelEndpoint: endpoint.node === localNode ? 0 : (nodeAddress.get(endpoint.node) ?? 0),
      source: "endpoint",
      owner: name,
    });
  }
  for (const identity of identities.identities) {
    if (identity.kind !== "cidr" || identity.prefix === undefined) continue;
    const key = formatIPv4Prefix(identity.prefix);
    if (entries.has(key)) continue;
    entries.set(key, { prefix: identity.prefix, identity: identity.id, tunnelEndpoint: 0, source: "cidr" });
  }
  return [...entries.values()].sort((a, b) => comparePrefixes(a.prefix, b.prefix));
}

/** The `eb_ipcache` key of an IPv4 prefix in this cluster (cluster_id 0): the LPM prefix counts the key's bits before the address. */
export function encodeIpcacheKey(prefix: IPv4Prefix): Uint8Array {
  return ipcacheKey.encode({
    prefixLength: IpcachePrefix.IPCACHE_PREFIX_BASE + prefix.length,
    clusterId: 0,
    family: IpcacheFamily.IPCACHE_FAMILY_IPV4,
    address: prefix.address,
  });
}

/** The `eb_ipcache` value of an entry: no encryption, no flags. */
export function encodeIpcacheValue(entry: Pick<IpcacheEntry, "identity" | "tunnelEndpoint">): Uint8Array {
  return ipcacheValue.encode({ identity: entry.identity, tunnelEndpoint: entry.tunnelEndpoint, encryptKey: 0, flags: 0 });
}
