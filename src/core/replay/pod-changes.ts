// Pods added and removed, computed as only theirs when nothing else depends
// on them (as Cilium's agent handles an endpoint of an existing identity):
// the pod's label set already has an identity, which another pod keeps when
// one is removed, so no identity is renumbered and no selector's identities
// change; a pod with the same identity and container ports already has the
// policy the new one gets; the Services that select the pod by labels gain or
// lose its backend. Anything else (a new label set, a relabelled pod, an
// EndpointSlice, a named targetPort) is computed again for the whole cluster.

import type { ClusterState } from "./control-plane.ts";
import { DEFAULT_CLUSTER_NAME, endpointIdentityLabels, endpointName, type EndpointInfo, labelSetKey } from "../identity/index.ts";
import type { Cluster, Pod } from "../model/index.ts";
import type { EndpointPolicy } from "../policy/index.ts";
import { podBackends, type ServiceAllocator, type ServicePort } from "../services/index.ts";

export interface PodChanges {
  added: { info: EndpointInfo; identity: number; policy: EndpointPolicy }[];
  removed: EndpointInfo[];
  /** Services whose backends changed. */
  services: ReadonlySet<string>;
  /** The cluster's state after the changes (endpoints' configs aside: the control plane allocates them). */
  state: Omit<ClusterState, "endpoints">;
}

export function endpointInfo(pod: Pod): EndpointInfo {
  return {
    namespace: pod.namespace,
    name: pod.name,
    labels: pod.labels,
    ip: pod.ip,
    node: pod.nodeName,
    serviceAccount: pod.serviceAccountName,
    containerPorts: pod.ports.map((port) => ({ name: port.name, containerPort: port.port, protocol: port.protocol })),
  };
}

/** What the control plane keeps to judge pod changes without scanning the cluster. */
export class EndpointIndex {
  private readonly identityOfLabels = new Map<string, number>();
  private readonly members = new Map<number, Set<string>>();
  private readonly infos = new Map<string, EndpointInfo>();
  private readonly addresses = new Set<string>();

  constructor(state: Omit<ClusterState, "endpoints">) {
    for (const info of state.inventory.endpoints) this.add(info, state.identities.byEndpoint.get(endpointName(info))!);
    for (const identity of state.identities.identities) if (identity.kind === "endpoint") this.identityOfLabels.set(labelSetKey(identity.labels), identity.id);
    for (const node of state.inventory.nodes) this.addresses.add(node.internalIP);
  }

  add(info: EndpointInfo, identity: number): void {
    const key = endpointName(info);
    this.infos.set(key, info);
    this.addresses.add(info.ip);
    let members = this.members.get(identity);
    if (!members) this.members.set(identity, (members = new Set()));
    members.add(key);
  }

  remove(info: EndpointInfo, identity: number): void {
    this.infos.delete(endpointName(info));
    this.addresses.delete(info.ip);
    this.members.get(identity)?.delete(endpointName(info));
  }

  info(key: string): EndpointInfo | undefined {
    return this.infos.get(key);
  }

  identityOf(labelSet: string): number | undefined {
    return this.identityOfLabels.get(labelSet);
  }

  membersOf(identity: number): ReadonlySet<string> {
    return this.members.get(identity) ?? new Set();
  }

  inUse(address: string): boolean {
    return this.addresses.has(address);
  }
}

const samePorts = (a: EndpointInfo, b: EndpointInfo) => JSON.stringify(a.containerPorts) === JSON.stringify(b.containerPorts);
const sameInfo = (a: EndpointInfo, b: EndpointInfo) =>
  a.ip === b.ip && a.node === b.node && a.serviceAccount === b.serviceAccount && JSON.stringify(a.labels) === JSON.stringify(b.labels) && samePorts(a, b);

/**
 * The changes of the pods `keys` (added, changed or removed in `cluster`
 * since `previous`) when they are only the pods' own; undefined when the
 * cluster must be computed again. Updates `index` only when it answers.
 */
export function podChanges(
  previous: ClusterState,
  index: EndpointIndex,
  cluster: Cluster,
  keys: ReadonlySet<string>,
  allocator: ServiceAllocator,
): PodChanges | undefined {
  if (cluster.endpointSlices.length > 0) return undefined;
  const namespaces = new Map(previous.inventory.namespaces.map((namespace) => [namespace.name, namespace]));
  const added: PodChanges["added"] = [];
  const removed: EndpointInfo[] = [];
  for (const key of keys) {
    const slash = key.indexOf("/");
    const pod = cluster.pod(key.slice(0, slash), key.slice(slash + 1));
    const before = index.info(key);
    const now = pod && endpointInfo(pod);
    if (before && now) {
      if (sameInfo(before, now)) continue;
      return undefined;
    }
    if (before) {
      const identity = previous.identities.byEndpoint.get(key)!;
      if (index.membersOf(identity).size - removed.filter((r) => previous.identities.byEndpoint.get(endpointName(r)) === identity).length <= 1)
        return undefined;
      removed.push(before);
      continue;
    }
    if (!now) continue;
    const namespace = namespaces.get(now.namespace);
    if (!namespace || index.inUse(now.ip) || added.some((a) => a.info.ip === now.ip) || previous.identities.byPrefix.has(`${now.ip}/32`)) return undefined;
    const identity = index.identityOf(labelSetKey(endpointIdentityLabels(now, namespace, previous.inventory.clusterName ?? DEFAULT_CLUSTER_NAME)));
    if (identity === undefined) return undefined;
    const sibling = [...index.membersOf(identity)].map((member) => index.info(member)!).find((member) => samePorts(member, now));
    if (!sibling) return undefined;
    const policy = { ...previous.policies.endpoints.get(endpointName(sibling))!, endpoint: key };
    added.push({ info: now, identity, policy });
  }
  const services = servicesAfter(previous.services, cluster, added, removed, allocator);
  if (!services) return undefined;

  const removedKeys = new Set(removed.map(endpointName));
  const byEndpoint = new Map(previous.identities.byEndpoint);
  const policies = new Map(previous.policies.endpoints);
  for (const key of removedKeys) (byEndpoint.delete(key), policies.delete(key));
  for (const { info, identity, policy } of added) (byEndpoint.set(endpointName(info), identity), policies.set(endpointName(info), policy));
  for (const info of removed) index.remove(info, previous.identities.byEndpoint.get(endpointName(info))!);
  for (const { info, identity } of added) index.add(info, identity);
  const endpoints = [...previous.inventory.endpoints.filter((info) => !removedKeys.has(endpointName(info))), ...added.map((a) => a.info)];
  return {
    added,
    removed,
    services: services.changed,
    state: {
      inventory: { ...previous.inventory, endpoints },
      identities: { ...previous.identities, byEndpoint },
      policies: { ...previous.policies, endpoints: policies },
      services: services.ports,
    },
  };
}

/** The service ports with the added pods' backends appended (cluster order) and the removed pods' taken out. */
function servicesAfter(
  ports: readonly ServicePort[],
  cluster: Cluster,
  added: PodChanges["added"],
  removed: readonly EndpointInfo[],
  allocator: ServiceAllocator,
): { ports: ServicePort[]; changed: Set<string> } | undefined {
  const gained = new Map<string, ServicePort["backends"][]>();
  for (const { info } of added) {
    const pod = cluster.pod(info.namespace, info.name)!;
    for (const service of cluster.services) {
      const key = `${service.namespace}/${service.name}`;
      const backends = podBackends(service, false, pod, allocator);
      if (backends === undefined) return undefined;
      if (backends.length === 0) continue;
      const list = gained.get(key) ?? [];
      list.push(backends);
      gained.set(key, list);
    }
  }
  const gone = new Set(removed.map(endpointName));
  const changed = new Set<string>();
  const portIndex = new Map<string, number>();
  const result = ports.map((port) => {
    const position = portIndex.get(port.service) ?? 0;
    portIndex.set(port.service, position + 1);
    const lost = gone.size > 0 && port.backends.some((backend) => gone.has(backend.pod));
    const more = gained.get(port.service)?.map((backends) => backends[position]) ?? [];
    if (!lost && more.length === 0) return port;
    changed.add(port.service);
    return { ...port, backends: [...port.backends.filter((backend) => !gone.has(backend.pod)), ...more] };
  });
  return { ports: result, changed };
}
