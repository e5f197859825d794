// Security identities and the ipcache (issue 5, item 2).
//
// Public interface:
//   ClusterInventory, NamespaceInfo, EndpointInfo, NodeInfo, ContainerPortInfo  the input: plain data
//   allocateIdentities(inventory, policyPrefixes): IdentityAllocation
//       reserved identities (ReservedIdentity: host 1, world 2, ... ingress 8),
//       one identity per distinct set of security-relevant pod labels (256...),
//       one CIDR identity per policy prefix (16777217...); deterministic
//   buildIpcache(inventory, identities, localNode): IpcacheEntry[]
//   encodeIpcacheKey(prefix), encodeIpcacheValue(entry)  the exact eb_ipcache bytes
//   endpointIdentityLabels, formatLabel, isSecurityRelevant  Cilium's labels
//   InventoryError  a mistake in the inventory: item and field

export * from "./allocate.ts";
export * from "./errors.ts";
export * from "./inventory.ts";
export * from "./ipcache.ts";
export * from "./labels.ts";
export * from "./reserved.ts";
