// Pods added and removed, computed as only theirs when nothing else depends
// on them (as Cilium's agent handles an endpoint of an existing identity):
// the pod's label set already has an identity, which another pod keeps when
// one is removed, so no identity is renumbered and no selector's identities
// change; a pod with the same identity and container ports already has the
// policy the new one gets; the Services that select the pod by labels gain or
// lose its backend. Anything else (a new label set, a relabelled pod, an
// EndpointSlice, a named targetPort) is computed again for the whole cluster.

import type { ClusterState } from "./cluster-state.ts";
import { DEFAULT_CLUSTER_NAME, endpointIdentityLabels, endpointName, type EndpointInfo, labelSetKey } from "../identity/index.ts";
import type { Cluster, ManifestObject, Pod } from "../model/index.ts";
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

/** What the control plane keeps to judge pod changes without scanning the cluster; made again by every full sync. */
export class EndpointIndex {
  private readonly identityOfLabels = new Map<string, number>();
  private readonly members = new Map<number, Set<string>>();
  private readonly infos = new Map<string, EndpointInfo>();
  private readonly addresses = new Set<string>();
  /** Services by the first pair of their selector (a Service takes a pod only if the pod has it), with their place in the cluster's order. */
  private readonly servicesByLabel = new Map<string, { service: ManifestObject; position: number }[]>();
  /** Each Service's ports, by their place in the state's list. */
  private readonly ports = new Map<string, number[]>();
  /** The Services each pod is a backend of. */
  private readonly backendOf = new Map<string, Set<string>>();

  constructor(state: Omit<ClusterState, "endpoints">, services: readonly ManifestObject[]) {
    for (const info of state.inventory.endpoints) this.add(info, state.identities.byEndpoint.get(endpointName(info))!);
    for (const identity of state.identities.identities) if (identity.kind === "endpoint") this.identityOfLabels.set(labelSetKey(identity.labels), identity.id);
    for (const node of state.inventory.nodes) this.addresses.add(node.internalIP);
    services.forEach((service, position) => {
      const selector = (service.body.spec as { selector?: Record<string, unknown> } | undefined)?.selector;
      if (!selector) return;
      // An empty selector takes every pod of the namespace (as readServicePorts reads it).
      const [first] = Object.entries(selector);
      const key = first ? labelKey(service.namespace ?? "", first[0], String(first[1])) : labelKey(service.namespace ?? "", "", "");
      const list = this.servicesByLabel.get(key) ?? [];
      list.push({ service, position });
      this.servicesByLabel.set(key, list);
    });
    state.services.forEach((port, position) => {
      const list = this.ports.get(port.service) ?? [];
      list.push(position);
      this.ports.set(port.service, list);
      for (const backend of port.backends) this.addBackend(backend.pod, port.service);
    });
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
    const key = endpointName(info);
    this.infos.delete(key);
    this.addresses.delete(info.ip);
    this.members.get(identity)?.delete(key);
    this.backendOf.delete(key);
  }

  addBackend(pod: string, service: string): void {
    const services = this.backendOf.get(pod) ?? new Set();
    services.add(service);
    this.backendOf.set(pod, services);
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

  /** The Services whose selector may take `pod`, in the cluster's order. */
  candidateServices(pod: Pod): ManifestObject[] {
    const pairs = [...Object.entries(pod.labels), ["", ""]];
    const found = pairs.flatMap(([key, value]) => this.servicesByLabel.get(labelKey(pod.namespace, key, value)) ?? []);
    return found.sort((a, b) => a.position - b.position).map((each) => each.service);
  }

  portsOf(service: string): readonly number[] {
    return this.ports.get(service) ?? [];
  }

  servicesOf(pod: string): ReadonlySet<string> {
    return this.backendOf.get(pod) ?? new Set();
  }
}

const labelKey = (namespace: string, key: string, value: string) => `${namespace}\0${key}\0${value}`;

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
      // The identity must keep a pod, or the identities after it would be renumbered.
      const identity = previous.identities.byEndpoint.get(key)!;
      const leaving = removed.filter((other) => previous.identities.byEndpoint.get(endpointName(other)) === identity).length + 1;
      if (index.membersOf(identity).size <= leaving) return undefined;
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
  const services = servicesAfter(previous.services, index, cluster, added, removed, allocator);
  if (!services) return undefined;

  // The control plane's own state, changed in place: copying 10,000 entries would be most of what a pod costs.
  const byEndpoint = previous.identities.byEndpoint as Map<string, number>;
  const policies = previous.policies.endpoints as Map<string, EndpointPolicy>;
  const removedKeys = new Set(removed.map(endpointName));
  for (const info of removed) {
    const key = endpointName(info);
    index.remove(info, byEndpoint.get(key)!);
    byEndpoint.delete(key);
    policies.delete(key);
  }
  for (const { info, identity, policy } of added) {
    byEndpoint.set(endpointName(info), identity);
    policies.set(endpointName(info), policy);
    index.add(info, identity);
  }
  for (const [pod, gainedServices] of services.gained) for (const service of gainedServices) index.addBackend(pod, service);
  const kept = removedKeys.size > 0 ? previous.inventory.endpoints.filter((info) => !removedKeys.has(endpointName(info))) : previous.inventory.endpoints;
  const endpoints = [...kept, ...added.map((a) => a.info)];
  return {
    added,
    removed,
    services: services.changed,
    state: {
      inventory: { ...previous.inventory, endpoints },
      identities: previous.identities,
      policies: previous.policies,
      services: services.ports,
    },
  };
}

/** The service ports with the added pods' backends appended (cluster order) and the removed pods' taken out. */
function servicesAfter(
  ports: readonly ServicePort[],
  index: EndpointIndex,
  cluster: Cluster,
  added: PodChanges["added"],
  removed: readonly EndpointInfo[],
  allocator: ServiceAllocator,
): { ports: ServicePort[]; changed: Set<string>; gained: Map<string, string[]> } | undefined {
  /** Per Service, each added pod's backend of each port; and the pods. */
  const backendsOf = new Map<string, ServicePort["backends"][]>();
  const gained = new Map<string, string[]>();
  for (const { info } of added) {
    const pod = cluster.pod(info.namespace, info.name)!;
    for (const service of index.candidateServices(pod)) {
      const key = `${service.namespace}/${service.name}`;
      const backends = podBackends(service, pod, allocator);
      if (backends === undefined) return undefined;
      if (backends.length === 0) continue;
      backendsOf.set(key, [...(backendsOf.get(key) ?? []), backends]);
      gained.set(endpointName(info), [...(gained.get(endpointName(info)) ?? []), key]);
    }
  }
  const gone = new Set(removed.map(endpointName));
  const changed = new Set([...removed.flatMap((info) => [...index.servicesOf(endpointName(info))]), ...backendsOf.keys()]);
  const result = [...ports];
  for (const service of changed) {
    index.portsOf(service).forEach((position, k) => {
      const port = ports[position];
      const more = backendsOf.get(service)?.map((backends) => backends[k]) ?? [];
      result[position] = { ...port, backends: [...port.backends.filter((backend) => !gone.has(backend.pod)), ...more] };
    });
  }
  return { ports: result, changed, gained };
}
