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
import { byBackendId, LoadBalancerCache, loadBalancerParts, readServicePorts, ServiceAllocator, type ServicePort } from "../services/index.ts";
import type { ClusterState } from "./cluster-state.ts";
import { MapMirror } from "./map-mirror.ts";
import { EndpointIndex, endpointInfo, type PodChanges, podChanges } from "./pod-changes.ts";
import { hostPrefix, type IPv4Prefix, parseIPv4 } from "../../util/ipv4.ts";

/** The first ifindex of pod interfaces on a node (lo is 1, the device 2). */
const FIRST_POD_IFINDEX = 10;

export type { ClusterState };

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
    endpoints: cluster.pods.map(endpointInfo),
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
  private index: EndpointIndex | undefined;

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
   * Cluster.delete report; a node agent's watch events the same): pods
   * added or removed alone touch only what depends on them (pod-changes.ts);
   * anything else computes the state again, and only what differs is pushed.
   */
  async apply(changes: ClusterChanges): Promise<ClusterState> {
    if (!this.cluster || !this.state || !this.index) throw new Error("the control plane has not synced a cluster yet");
    if (changes.pods.size + changes.namespaces.size + changes.policies.size + changes.services.size === 0) return this.current;
    if (changes.namespaces.size + changes.policies.size + changes.services.size === 0) {
      const pods = podChanges(this.state, this.index, this.cluster, changes.pods, this.allocator);
      if (pods) return this.applyPods(pods);
    }
    return this.sync(this.cluster);
  }

  private async applyPods({ added, removed, services, state }: PodChanges): Promise<ClusterState> {
    const endpoints = this.current.endpoints as Map<string, EndpointConfig>;
    const ipcacheRemove: Uint8Array[] = [];
    for (const info of removed) {
      const key = `${info.namespace}/${info.name}`;
      endpoints.delete(key);
      await this.datapath.removeEndpoint(key);
      this.mirror.forgetEndpoint(key);
      ipcacheRemove.push(this.ipcacheKey(hostPrefix(parseIPv4(info.ip)!)));
    }
    for (const { info, identity, policy } of added) {
      const key = `${info.namespace}/${info.name}`;
      const config = this.endpointConfig(key, info.node, info.ip, identity, policy);
      endpoints.set(key, config);
      this.mirror.forgetEndpoint(key);
      await this.datapath.setEndpoint(config);
    }
    const changedPorts = state.services.filter((port) => services.has(port.service));
    const nodes = this.cluster!.nodes;
    const nodeAddress = (name: string) => parseIPv4(nodes.find((each) => each.name === name)!.internalIP)!;
    for (const node of nodes) {
      // As buildIpcache has it: the hosting node as tunnel endpoint when that is another node.
      const set = added.map(({ info, identity }) =>
        this.ipcacheEntry({
          prefix: hostPrefix(parseIPv4(info.ip)!),
          identity,
          tunnelEndpoint: info.node === node.name ? 0 : nodeAddress(info.node),
          source: "endpoint",
        }),
      );
      await this.mirror.patch({ node: node.name }, "eb_ipcache", set, ipcacheRemove);
      const parts = loadBalancerParts(changedPorts, node.name, this.allocator, this.options.seed, this.loadBalancers);
      for (const [map, byService] of Object.entries(parts)) {
        // A Service whose ports are all gone from the node's maps keeps an empty part.
        for (const service of services) if (!byService.has(service)) byService.set(service, []);
        await this.mirror.replaceParts({ node: node.name }, map, byService);
      }
    }
    for (const { info, policy } of added) {
      const entries = policy.entries.map((entry) => ({ key: encodePolicyKey(entry), value: encodePolicyValue(entry) }));
      await this.mirror.push({ endpoint: `${info.namespace}/${info.name}` }, "eb_policy", entries);
    }
    this.state = { ...state, endpoints };
    return this.state;
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
      endpoints.set(key, this.endpointConfig(key, pod.nodeName, pod.ip, identities.byEndpoint.get(key)!, policies.endpoints.get(key)!));
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
      const parts = loadBalancerParts(services, node.name, this.allocator, this.options.seed, this.loadBalancers);
      for (const [map, byService] of Object.entries(parts)) {
        await this.mirror.pushParts({ node: node.name }, map, byService, map === "eb_lb4_backends" ? byBackendId : undefined);
      }
    }
    for (const [key, policy] of policies.endpoints) {
      const entries = policy.entries.map((entry) => ({ key: encodePolicyKey(entry), value: encodePolicyValue(entry) }));
      await this.mirror.push({ endpoint: key }, "eb_policy", entries);
    }
    this.state = { inventory, identities, policies, endpoints, services };
    this.index = new EndpointIndex(this.state, cluster.services);
    return this.state;
  }

  private endpointConfig(
    key: string,
    node: string,
    ip: string,
    identity: number,
    policy: { ingressEnforced: boolean; egressEnforced: boolean },
  ): EndpointConfig {
    return {
      key,
      node,
      endpointId: this.endpointId(key),
      ip,
      identity,
      ifindex: this.ifindex(key, node),
      ingressEnforced: policy.ingressEnforced,
      egressEnforced: policy.egressEnforced,
    };
  }

  private ipcacheKey(prefix: IPv4Prefix): Uint8Array {
    const text = `${prefix.address}/${prefix.length}`;
    let key = this.ipcacheKeys.get(text);
    if (key === undefined) this.ipcacheKeys.set(text, (key = encodeIpcacheKey(prefix)));
    return key;
  }

  private ipcacheEntry(entry: IpcacheEntry): MapEntry {
    const key = this.ipcacheKey(entry.prefix);
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
