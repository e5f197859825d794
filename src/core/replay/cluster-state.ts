// What the control plane holds for a cluster after a sync or a change, and
// what replay reads from it (identities for flows, Services for targets).

import type { EndpointConfig } from "../datapath/datapath.ts";
import type { ClusterInventory, IdentityAllocation } from "../identity/index.ts";
import type { CompiledPolicies } from "../policy/index.ts";
import type { ServicePort } from "../services/index.ts";

export interface ClusterState {
  inventory: ClusterInventory;
  identities: IdentityAllocation;
  policies: CompiledPolicies;
  endpoints: ReadonlyMap<string, EndpointConfig>;
  services: readonly ServicePort[];
}
