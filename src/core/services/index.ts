// The services layer (kube-proxy replacement): Services and EndpointSlices
// -> service ports (read.ts) -> each node's load-balancing maps (lb-maps.ts),
// with Maglev tables (maglev.ts) under the run's seed.
//
//   const allocator = new ServiceAllocator(seed);
//   const ports = readServicePorts(cluster, allocator);
//   const entries = encodeLoadBalancer(nodeLoadBalancer(ports, "node-1", allocator, seed));

export { ServiceAllocator, NODE_PORT_RANGE } from "./allocator.ts";
export { hash3Words, hashString } from "./hash.ts";
export { maglevTable, MAGLEV_TABLE_SIZE, type MaglevBackend } from "./maglev.ts";
export { DEFAULT_AFFINITY_TIMEOUT, podBackends, readServicePorts } from "./read.ts";
export {
  encodeBackendValue,
  byBackendId,
  encodeLoadBalancer,
  encodeServiceKey,
  encodeServiceValue,
  LoadBalancerCache,
  loadBalancerParts,
  nodeLoadBalancer,
  SCOPE,
  SERVICE_FLAGS,
  SERVICE_FLAGS2,
  type NodeLoadBalancer,
  type ServiceEntry,
} from "./lb-maps.ts";
export { type Backend, type Frontend, type FrontendKind, formatFrontend, selectableBackends, type ServicePort, type ServiceProtocol } from "./types.ts";
export { formatLbList } from "./list.ts";
