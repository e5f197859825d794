// Everything a user may write that ebbflow does not do yet, in one list, each
// with the work that will add it. Such input is refused with the file, the
// item and the feature: never accepted and silently ignored. To add a feature,
// delete its entry here and let the compiler show the checks to remove.

import type { FieldPath } from "./fields.ts";

export interface RefusedFeature {
  /** What the user wrote, as they would name it. */
  readonly feature: string;
  /** The issue that adds it, or why it is not planned. */
  readonly comesWith: string;
}

const services = "issue 6, kube-proxy replacement";
const l7Proxy = "the L7 proxy issue, not yet filed";
const fqdnPolicy = "the DNS proxy and FQDN policy issue, not yet filed";
const tunnel = "the tunnel routing issue, not yet filed";
const egressGateway = "the egress gateway issue, not yet filed";
const encryption = "the transparent encryption issue, not yet filed";
const clusterMesh = "the cluster mesh issue, not yet filed";
const kubeProxy = "the kube-proxy datapath issue, not yet filed";
const notPlanned = "no planned issue";

export const refusedFeatures = {
  l7Rules: { feature: "L7 rules (toPorts.rules: http, dns, kafka, l7)", comesWith: l7Proxy },
  tlsInspection: { feature: "TLS interception (terminatingTLS, originatingTLS, serverNames) and listener redirection", comesWith: l7Proxy },
  httpAttempts: { feature: "HTTP requests in traffic (http:)", comesWith: l7Proxy },
  httpStatus: { feature: "expect.httpStatus", comesWith: l7Proxy },
  toFQDNs: { feature: "toFQDNs", comesWith: fqdnPolicy },
  dnsAttempts: { feature: "DNS requests in traffic (dns:)", comesWith: fqdnPolicy },
  dnsRcode: { feature: "expect.dnsRcode", comesWith: fqdnPolicy },
  fqdnTargets: { feature: "targets by DNS name (fqdn:)", comesWith: fqdnPolicy },
  toServices: { feature: "toServices", comesWith: services },
  loadBalancerHybrid: { feature: "cilium.loadBalancer.mode: hybrid (DSR for TCP, SNAT for UDP)", comesWith: notPlanned },
  tunnelRouting: { feature: "cilium.routingMode: tunnel", comesWith: tunnel },
  egressGateway: { feature: "cilium.egressGateway.enabled: true", comesWith: egressGateway },
  egressGatewayPolicy: { feature: "CiliumEgressGatewayPolicy", comesWith: egressGateway },
  encryption: { feature: "cilium.encryption.enabled: true", comesWith: encryption },
  hostPolicies: { feature: "host policies (nodeSelector)", comesWith: notPlanned },
  nodePeers: { feature: "fromNodes / toNodes", comesWith: notPlanned },
  groups: { feature: "fromGroups / toGroups (cloud security groups)", comesWith: notPlanned },
  cidrGroups: { feature: "CIDR groups (cidrGroupRef, cidrGroupSelector)", comesWith: notPlanned },
  requires: { feature: "fromRequires / toRequires (deprecated by Cilium)", comesWith: notPlanned },
  authentication: { feature: "mutual authentication (authentication)", comesWith: notPlanned },
  hostNetworkPods: { feature: "hostNetwork pods", comesWith: notPlanned },
  ipv6: { feature: "IPv6 addresses", comesWith: notPlanned },
  ipv6Cluster: { feature: "cilium.ipv6.enabled: true", comesWith: notPlanned },
  // Without the replacement Cilium still balances ClusterIP in bpf_lxc (cilium/cilium#10651) while kube-proxy's rules take NodePort and externalIPs: a second service datapath.
  kubeProxy: { feature: "cilium.kubeProxyReplacement: false (kube-proxy beside Cilium)", comesWith: kubeProxy },
  clusterMesh: { feature: "cilium.clustermesh (cluster mesh)", comesWith: clusterMesh },
  globalServices: { feature: "the Service annotation service.cilium.io/global (cluster mesh global services)", comesWith: clusterMesh },
  kubeApiserverEntity: { feature: "the kube-apiserver entity (no scenario endpoint carries its identity)", comesWith: notPlanned },
} as const satisfies Record<string, RefusedFeature>;

export function refusalMessage(feature: RefusedFeature): string {
  return feature.comesWith === notPlanned
    ? `not supported by ebbflow: ${feature.feature}`
    : `not supported yet: ${feature.feature} (comes with ${feature.comesWith})`;
}

export function refuse(path: FieldPath, feature: RefusedFeature): never {
  path.fail(refusalMessage(feature));
}
