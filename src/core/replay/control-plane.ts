// The control plane for one cluster: from the model (pods, namespaces,
// nodes, policies) to what the datapath must hold (identities in each node's
// ipcache, each endpoint's constants and policy map), pushed to a Datapath
// as differences whenever the model changes. Services become each node's
// load-balancing maps (src/core/services).

import type { Datapath, EndpointConfig, MapEntry } from "../datapath/datapath.ts";
import {
  allocateIdentities,
  buildIpcache,
  type ClusterInventory,
  encodeIpcacheKey,
  encodeIpcacheValue,
  type IdentityAllocation,
  type IpcacheEntry,
} from "../identity/index.ts";
import { type Cluster, type ClusterChanges, InputError } from "../model/index.ts";
import {
  compilePolicies,
  type CompiledPolicies,
  encodePolicyKey,
  encodePolicyValue,
  parsePolicies,
  PolicyError,
  type PolicyObject,
  policyPrefixes,
  type PolicyEnforcementMode,
} from "../policy/index.ts";
import { encodeLoadBalancer, LoadBalancerCache, nodeLoadBalancer, readServicePorts, ServiceAllocator, type ServicePort } from "../services/index.ts";
import { MapMirror } from "./map-mirror.ts";

/** The first ifindex of pod interfaces on a node (lo is 1, the device 2). */
const FIRST_POD_IFINDEX = 10;

export interface ClusterState {
  inventory: ClusterInventory;
  identities: IdentityAllocation;
  policies: CompiledPolicies;
  endpoints: ReadonlyMap<string, EndpointConfig>;
  services: readonly ServicePort[];
}

export interface ControlPlaneOptions {
  /** The run's seed: Maglev tables, allocated ClusterIPs and NodePorts, the datapath's hash_seed. */
  seed: number;
  socketLB: boolean;
  /** cilium `socketLB.hostNamespaceOnly`. */
  socketLBHostNamespaceOnly?: boolean;
  /** cilium `loadBalancer.mode: dsr` (default snat). */
  dsr?: boolean;
}

export function inventoryOf(cluster: Cluster): ClusterInventory {
  return {
    namespaces: cluster.namespaces.map((ns) => ({ name: ns.name, labels: ns.labels })),
    nodes: cluster.nodes.map((node) => ({ name: node.name, internalIP: node.internalIP, podCIDR: node.podCIDR })),
    endpoints: cluster.pods.map((pod) => ({
      namespace: pod.namespace,
      name: pod.name,
      labels: pod.labels,
      ip: pod.ip,
      node: pod.nodeName,
      serviceAccount: pod.serviceAccountName,
      containerPorts: pod.ports.map((port) => ({ name: port.name, containerPort: port.port, protocol: port.protocol })),
    })),
  };
}

/** The cluster's policies as rules; a policy's mistake is reported at its place in the user's files. */
function policyRules(cluster: Cluster) {
  try {
    return parsePolicies(cluster.policies.map((policy) => policy.body as unknown as PolicyObject));
  } catch (error) {
    if (!(error instanceof PolicyError)) throw error;
    const written = cluster.policies.find((p) => [p.kind, p.namespace, p.name].filter(Boolean).join("/") === error.policy);
    if (!written) throw error;
    throw new InputError(written.source.file, written.source.line, written.item, error.field, error.detail);
  }
}

export class ControlPlane {
  private readonly endpointIds = new Map<string, number>();
  private readonly ifindexes = new Map<string, number>();
  private readonly nextIfindex = new Map<string, number>();
  private state: ClusterState | undefined;
  private cluster: Cluster | undefined;
  private readonly allocator: ServiceAllocator;
  private readonly mirror: MapMirror;
  private readonly loadBalancers = new LoadBalancerCache();
  /** eb_ipcache keys and values already encoded, by prefix and by identity and tunnel endpoint. */
  private readonly ipcacheKeys = new Map<string, Uint8Array>();
  private readonly ipcacheValues = new Map<string, Uint8Array>();

  constructor(
    private readonly datapath: Datapath,
    private readonly enforcementMode: PolicyEnforcementMode,
    private readonly options: ControlPlaneOptions = { seed: 1, socketLB: true },
  ) {
    this.allocator = new ServiceAllocator(options.seed);
    this.mirror = new MapMirror(datapath);
  }

  /** The allocator of service numbers (ClusterIPs, NodePorts, IDs) of this run. */
  get serviceAllocator(): ServiceAllocator {
    return this.allocator;
  }

  get current(): ClusterState {
    if (!this.state) throw new Error("the control plane has not synced a cluster yet");
    return this.state;
  }

  /**
   * Brings the datapath to the cluster after `changes` (what Cluster.apply and
   * Cluster.delete report; a node agent's watch events the same): the state
   * is computed again from the model and only what differs is pushed.
   */
  async apply(changes: ClusterChanges): Promise<ClusterState> {
    if (!this.cluster) throw new Error("the control plane has not synced a cluster yet");
    if (changes.pods.size + changes.namespaces.size + changes.policies.size + changes.services.size === 0) return this.current;
    return this.sync(this.cluster);
  }

  /** Computes the cluster's state and brings the datapath to it, pushing only what differs from what it holds. */
  async sync(cluster: Cluster): Promise<ClusterState> {
    const previous = this.state;
    this.cluster = cluster;
    const loadBalancer = {
      socketLB: this.options.socketLB,
      hostNamespaceOnly: this.options.socketLBHostNamespaceOnly ?? false,
      hashSeed: this.options.seed >>> 0,
      dsr: this.options.dsr ?? false,
    };
    if (!previous) for (const node of cluster.nodes) await this.datapath.addNode({ ...node, loadBalancer });
    const inventory = inventoryOf(cluster);
    const rules = policyRules(cluster);
    const identities = allocateIdentities(inventory, policyPrefixes(rules));
    const policies = compilePolicies(rules, inventory, identities, { policyEnforcementMode: this.enforcementMode, allowLocalhost: "always" });
    const services = readServicePorts(cluster, this.allocator);
    const endpoints = new Map<string, EndpointConfig>();
    for (const pod of cluster.pods) {
      const key = `${pod.namespace}/${pod.name}`;
      const policy = policies.endpoints.get(key)!;
      endpoints.set(key, {
        key,
        node: pod.nodeName,
        endpointId: this.endpointId(key),
        ip: pod.ip,
        identity: identities.byEndpoint.get(key)!,
        ifindex: this.ifindex(key, pod.nodeName),
        ingressEnforced: policy.ingressEnforced,
        egressEnforced: policy.egressEnforced,
      });
    }
    for (const key of previous?.endpoints.keys() ?? []) {
      if (endpoints.has(key)) continue;
      await this.datapath.removeEndpoint(key);
      this.mirror.forgetEndpoint(key);
    }
    for (const [key, config] of endpoints) {
      const before = previous?.endpoints.get(key);
      if (before && sameEndpoint(before, config)) continue;
      if (!before) this.mirror.forgetEndpoint(key);
      await this.datapath.setEndpoint(config);
    }
    for (const node of cluster.nodes) {
      const entries: MapEntry[] = buildIpcache(inventory, identities, node.name).map((entry) => this.ipcacheEntry(entry));
      await this.mirror.push({ node: node.name }, "eb_ipcache", entries);
      const lbMaps = encodeLoadBalancer(nodeLoadBalancer(services, node.name, this.allocator, this.options.seed, this.loadBalancers), this.loadBalancers);
      for (const [map, lbEntries] of Object.entries(lbMaps)) await this.mirror.push({ node: node.name }, map, lbEntries);
    }
    for (const [key, policy] of policies.endpoints) {
      const entries = policy.entries.map((entry) => ({ key: encodePolicyKey(entry), value: encodePolicyValue(entry) }));
      await this.mirror.push({ endpoint: key }, "eb_policy", entries);
    }
    this.state = { inventory, identities, policies, endpoints, services };
    return this.state;
  }

  private ipcacheEntry(entry: IpcacheEntry): MapEntry {
    const prefix = `${entry.prefix.address}/${entry.prefix.length}`;
    let key = this.ipcacheKeys.get(prefix);
    if (key === undefined) this.ipcacheKeys.set(prefix, (key = encodeIpcacheKey(entry.prefix)));
    const target = `${entry.identity}/${entry.tunnelEndpoint}`;
    let value = this.ipcacheValues.get(target);
    if (value === undefined) this.ipcacheValues.set(target, (value = encodeIpcacheValue(entry)));
    return { key, value };
  }

  /** Endpoint ids are Cilium's: small numbers, kept for a pod's life. */
  private endpointId(key: string): number {
    let id = this.endpointIds.get(key);
    if (id === undefined) this.endpointIds.set(key, (id = this.endpointIds.size + 1));
    return id;
  }

  private ifindex(key: string, node: string): number {
    let index = this.ifindexes.get(key);
    if (index === undefined) {
      index = this.nextIfindex.get(node) ?? FIRST_POD_IFINDEX;
      this.nextIfindex.set(node, index + 1);
      this.ifindexes.set(key, index);
    }
    return index;
  }
}

function sameEndpoint(a: EndpointConfig, b: EndpointConfig): boolean {
  return (
    a.key === b.key &&
    a.node === b.node &&
    a.endpointId === b.endpointId &&
    a.ip === b.ip &&
    a.identity === b.identity &&
    a.ifindex === b.ifindex &&
    a.ingressEnforced === b.ingressEnforced &&
    a.egressEnforced === b.egressEnforced
  );
}
