// What the flow builder asks the control plane: the datapath's events carry
// numbers (identities, endpoint ids, ifindexes, policy cookies), Hubble's
// flows carry names. Hubble asks the agent's endpoint manager, ipcache,
// identity cache and link cache the same questions
// (cilium/cilium pkg/hubble/parser/getters).

export interface Workload {
  name: string;
  kind: string;
}

/** A pod known by address, on this node or another. */
export interface EndpointDetails {
  /** Cilium endpoint ID when the pod is on the node that observed the event; 0 otherwise. */
  id: number;
  /** The identity the control plane gave the pod: used when the datapath did not know it (0). */
  identity: number;
  namespace: string;
  podName: string;
  /** Absent when the pod was not made by a workload (a bare Pod). */
  workloads?: readonly Workload[];
  clusterName?: string;
}

/** A policy as Hubble names it in `*_allowed_by` / `*_denied_by` (flow.proto `Policy`). */
export interface PolicyDetails {
  name: string;
  /** "" for clusterwide kinds. */
  namespace: string;
  /** `source:key=value` labels of the rule, e.g. `k8s:io.cilium.k8s.policy.name=allow-frontend`. */
  labels: readonly string[];
  /** "NetworkPolicy", "CiliumNetworkPolicy", "CiliumClusterwideNetworkPolicy". */
  kind: string;
  revision?: number;
}

export interface FlowResolver {
  /** The pod holding `ip` (dotted IPv4 or IPv6 text); undefined for addresses that are not pods. */
  endpointByIp(ip: string): EndpointDetails | undefined;
  /** An identity's labels as `source:key=value`; undefined when the identity is not known. */
  identityLabels(identity: number): readonly string[] | undefined;
  /** The name of a network interface of the node that observed the event. */
  interfaceName(ifindex: number): string | undefined;
  /** The policies behind a policy map entry's cookie (bpf/README.md `eb_policy`); [] for cookie 0. */
  policiesByCookie(cookie: number): readonly PolicyDetails[];
}
