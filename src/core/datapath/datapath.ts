// The Datapath interface: everything the control plane asks of a backend.
// The control plane computes identities, the ipcache, policy and flows once,
// in src/core; a backend (backend-wasm: the VM over a simulated cluster;
// backend-kernel: libbpf over network namespaces) only loads the datapath's
// objects, keeps their maps as it is told, carries traffic through the
// programs at their hooks, and hands back the events the programs wrote.

export interface NodeConfig {
  name: string;
  internalIP: string;
  podCIDR: string;
  /** Service load balancing; without it, socket LB is off and the hash seed is 0. */
  loadBalancer?: LoadBalancerConfig;
}

export interface LoadBalancerConfig {
  /** bpf_sock at the pods' connect/sendmsg/recvmsg (cilium `socketLB.enabled`). */
  socketLB: boolean;
  /**
   * cilium `socketLB.hostNamespaceOnly`: the pods' sockets are in no cgroup
   * bpf_sock is attached to, so only the node's own processes are translated
   * (pods' service traffic is balanced per packet by bpf_lxc). Absent: false.
   */
  hostNamespaceOnly?: boolean;
  /** `hash_seed` of every object: the seed of backend selection. */
  hashSeed: number;
  /** cilium `loadBalancer.mode: dsr`: `lb_mode_dsr` of bpf_host and bpf_lxc (bpf/lib/dsr.h). */
  dsr: boolean;
}

/** One pod's interface and the copy of bpf_lxc on it, with its constants. */
export interface EndpointConfig {
  /** "NAMESPACE/NAME". */
  key: string;
  node: string;
  /** Cilium's endpoint id (16 bits). */
  endpointId: number;
  ip: string;
  identity: number;
  /** The host side of the pod's veth. */
  ifindex: number;
  ingressEnforced: boolean;
  egressEnforced: boolean;
}

/** Whose map: a node's shared (pinned) map, or one endpoint's own. */
export type MapOwner = { node: string } | { endpoint: string };

export interface MapEntry {
  key: Uint8Array;
  value: Uint8Array;
}

/** A difference to a map's entries: keys written (added or changed) and keys removed. */
export interface MapChange {
  set: readonly MapEntry[];
  remove: readonly Uint8Array[];
}

/** Where traffic starts or ends. */
export type Place =
  | { kind: "pod"; endpoint: string }
  | { kind: "node"; node: string }
  /** A host outside the cluster; `via` is the node whose device it is reached through. */
  | { kind: "world"; ip: string; via: string };

export type Protocol = "TCP" | "UDP" | "ICMP" | "SCTP";

/** One connection: a request that must reach `to`, and its reply that must come back to `from`. */
export interface ConnectionAttempt {
  from: Place;
  to: Place;
  sourceIP: string;
  destinationIP: string;
  protocol: Protocol;
  /** For ICMP, the echo identifier. */
  sourcePort: number;
  /** Unused for ICMP. */
  destinationPort: number;
}

/** An event record as the datapath wrote it to a node's ring buffer (layout: bpf/README.md). */
export interface DatapathEvent {
  node: string;
  record: Uint8Array;
}

export interface AttemptObservation {
  /** The reply reached the source (TCP: the SYN-ACK; UDP and ICMP: the answer). */
  completed: boolean;
  /** The address of the peer that answered (a service's backend, after translation); absent when none did. */
  answeredBy?: string;
  /** The events the request caused, in the order written. */
  events: DatapathEvent[];
  /** The events the reply caused (none when the request did not arrive). */
  replyEvents: DatapathEvent[];
}

export interface PacketInjection {
  endpoint: string;
  /** "egress": the frame leaves the pod (from-container); "ingress": it enters it (to-container). */
  direction: "egress" | "ingress";
  frame: Uint8Array;
}

export interface InjectionObservation {
  /** The program's return code (tc: TC_ACT_OK 0, TC_ACT_SHOT 2, ...). */
  retval: number;
  events: DatapathEvent[];
}

export interface Datapath {
  readonly backend: "wasm" | "kernel";
  addNode(node: NodeConfig): Promise<void>;
  /** Loads the endpoint's bpf_lxc; called again for an existing key, it reloads it with the new constants. */
  setEndpoint(endpoint: EndpointConfig): Promise<void>;
  removeEndpoint(key: string): Promise<void>;
  /** Makes a map hold exactly these entries. */
  syncMap(owner: MapOwner, map: string, entries: readonly MapEntry[]): Promise<void>;
  /** Writes `change.set` and deletes `change.remove` (a missing key is no error); the other entries stay. */
  changeMap(owner: MapOwner, map: string, change: MapChange): Promise<void>;
  attempt(attempt: ConnectionAttempt): Promise<AttemptObservation>;
  inject(injection: PacketInjection): Promise<InjectionObservation>;
  /** Moves the datapath's clock (bpf_ktime_get_ns) forward. */
  advanceClock(nanoseconds: bigint): void;
  close(): Promise<void>;
}
