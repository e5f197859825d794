// What identities and the ipcache are computed from: plain data about the
// cluster, independent of how it was read (manifests, the Kubernetes API).

export type ContainerProtocol = "TCP" | "UDP" | "SCTP";

export interface ContainerPortInfo {
  /** The port's name (an IANA_SVC_NAME), when it has one: what named ports in policies refer to. */
  name?: string;
  containerPort: number;
  protocol: ContainerProtocol;
}

export interface NamespaceInfo {
  name: string;
  /** The namespace's labels; `kubernetes.io/metadata.name` is set to the name, as the API server does. */
  labels: Readonly<Record<string, string>>;
}

export interface EndpointInfo {
  namespace: string;
  name: string;
  labels: Readonly<Record<string, string>>;
  /** The pod's IPv4 address. */
  ip: string;
  /** The node the pod runs on. */
  node: string;
  /** spec.serviceAccountName; Kubernetes gives a pod without one the account `default`. */
  serviceAccount?: string;
  containerPorts: readonly ContainerPortInfo[];
}

export interface NodeInfo {
  name: string;
  /** The node's IPv4 address. */
  internalIP: string;
  /** The node's pod CIDR (IPv4). */
  podCIDR: string;
}

export interface ClusterInventory {
  /** Cilium's `cluster-name`; Cilium's default is `default`. */
  clusterName?: string;
  namespaces: readonly NamespaceInfo[];
  endpoints: readonly EndpointInfo[];
  nodes: readonly NodeInfo[];
}

export const DEFAULT_CLUSTER_NAME = "default";

/** The name an endpoint is known by everywhere in the control plane: `NAMESPACE/NAME`. */
export function endpointName(endpoint: Pick<EndpointInfo, "namespace" | "name">): string {
  return `${endpoint.namespace}/${endpoint.name}`;
}
