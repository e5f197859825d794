// The policy objects as users write them (parsed JSON/YAML), in the shapes of
// networking.k8s.io/v1 NetworkPolicy and cilium.io/v2 CiliumNetworkPolicy /
// CiliumClusterwideNetworkPolicy. Fields ebbflow refuses are typed `unknown`:
// only their presence matters.

export interface LabelSelectorObject {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

export interface ObjectMeta {
  name: string;
  namespace?: string;
}

// --- networking.k8s.io/v1 NetworkPolicy

export interface NetworkPolicyPort {
  protocol?: string;
  port?: number | string;
  endPort?: number;
}

export interface NetworkPolicyPeer {
  podSelector?: LabelSelectorObject;
  namespaceSelector?: LabelSelectorObject;
  ipBlock?: { cidr: string; except?: string[] };
}

export interface NetworkPolicyObject {
  apiVersion: string;
  kind: "NetworkPolicy";
  metadata: ObjectMeta;
  spec: {
    podSelector?: LabelSelectorObject;
    policyTypes?: string[];
    ingress?: { from?: NetworkPolicyPeer[]; ports?: NetworkPolicyPort[] }[];
    egress?: { to?: NetworkPolicyPeer[]; ports?: NetworkPolicyPort[] }[];
  };
}

// --- cilium.io/v2 CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy

export interface CiliumPortProtocol {
  port?: string | number;
  endPort?: number;
  protocol?: string;
}

export interface CiliumPortRule {
  ports?: CiliumPortProtocol[];
  rules?: unknown;
  listener?: unknown;
  serverNames?: unknown;
  originatingTLS?: unknown;
  terminatingTLS?: unknown;
}

export interface CiliumIcmpRule {
  fields: { family?: string; type: number | string }[];
}

export interface CiliumCidrRule {
  cidr?: string;
  except?: string[];
  cidrGroupRef?: unknown;
  cidrGroupSelector?: unknown;
}

/** One item of ingress / ingressDeny (from*) or egress / egressDeny (to*). */
export interface CiliumPeerRule {
  fromEndpoints?: LabelSelectorObject[];
  toEndpoints?: LabelSelectorObject[];
  fromEntities?: string[];
  toEntities?: string[];
  fromCIDR?: string[];
  toCIDR?: string[];
  fromCIDRSet?: CiliumCidrRule[];
  toCIDRSet?: CiliumCidrRule[];
  toPorts?: CiliumPortRule[];
  icmps?: CiliumIcmpRule[];
  toFQDNs?: unknown;
  toServices?: unknown;
  fromRequires?: unknown;
  toRequires?: unknown;
  fromNodes?: unknown;
  toNodes?: unknown;
  fromGroups?: unknown;
  toGroups?: unknown;
  authentication?: unknown;
}

export interface CiliumRule {
  endpointSelector?: LabelSelectorObject;
  nodeSelector?: LabelSelectorObject;
  ingress?: CiliumPeerRule[];
  ingressDeny?: CiliumPeerRule[];
  egress?: CiliumPeerRule[];
  egressDeny?: CiliumPeerRule[];
  enableDefaultDeny?: { ingress?: boolean; egress?: boolean };
  description?: string;
  labels?: unknown;
}

export interface CiliumNetworkPolicyObject {
  apiVersion: string;
  kind: "CiliumNetworkPolicy" | "CiliumClusterwideNetworkPolicy";
  metadata: ObjectMeta;
  spec?: CiliumRule;
  specs?: CiliumRule[];
}

export type PolicyObject = NetworkPolicyObject | CiliumNetworkPolicyObject;
