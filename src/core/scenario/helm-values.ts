// The Helm values a scenario's `cilium:` block takes: the values file users
// install Cilium with (the cilium/cilium chart's values.yaml). Each known key
// path is read (the replay's datapath follows it), not used (accepted, and
// listed once in the run's summary as not used by a scenario) or refused by
// name; a value some of whose settings a scenario cannot honour is read, with
// those settings refused. A key path not here is refused as unknown.

import { refusedFeatures, type RefusedFeature } from "../model/refused-features.ts";

export type HelmValue =
  /** Read by readCilium; `refused` lists the settings refused by name (as written, after Helm's spellings). */
  | { readonly use: "read"; readonly refused?: readonly { readonly values: readonly unknown[]; readonly feature: RefusedFeature }[] }
  /** Accepted with everything under it and not read; `only`: the settings a scenario behaves as (others are refused). */
  | { readonly use: "unused"; readonly why: string; readonly only?: readonly unknown[] }
  | { readonly use: "refused"; readonly feature: RefusedFeature };

const read = (...refused: { values: unknown[]; feature: RefusedFeature }[]): HelmValue => ({ use: "read", refused });
const unused = (why: string, only?: unknown[]): HelmValue => ({ use: "unused", why, only });
const refusedWhen = (values: unknown[], feature: RefusedFeature) => ({ values, feature });

export const helmValues: Readonly<Record<string, HelmValue>> = {
  kubeProxyReplacement: read(refusedWhen([false, "false"], refusedFeatures.kubeProxy)),
  routingMode: read(refusedWhen(["tunnel"], refusedFeatures.tunnelRouting)),
  tunnelProtocol: read(),
  "loadBalancer.mode": read(refusedWhen(["hybrid"], refusedFeatures.loadBalancerHybrid)),
  "socketLB.enabled": read(),
  "socketLB.hostNamespaceOnly": read(),
  policyEnforcementMode: read(),
  "egressGateway.enabled": read(refusedWhen([true], refusedFeatures.egressGateway)),
  "encryption.enabled": read(refusedWhen([true], refusedFeatures.encryption)),
  "encryption.type": read(),
  "ipv6.enabled": read(refusedWhen([true], refusedFeatures.ipv6Cluster)),
  clustermesh: { use: "refused", feature: refusedFeatures.clusterMesh },

  k8sServiceHost: unused("the API server's address, for the agent to reach it"),
  k8sServicePort: unused("the API server's port, for the agent to reach it"),
  "ipam.mode": unused("pods take their addresses from their node's podCIDR, as with ipam.mode kubernetes", ["kubernetes"]),
  operator: unused("the operator's Deployment"),
  "hubble.enabled": unused("a scenario always records its flows"),
  "hubble.relay": unused("Hubble Relay, which serves the flows of every node"),
  "hubble.ui": unused("the Hubble UI"),
  "hubble.metrics": unused("Hubble's Prometheus metrics"),
  image: unused("the agent's container image"),
  cni: unused("how the agent installs its CNI configuration"),
  rollOutCiliumPods: unused("restarts of the agents on a configuration change"),
  resources: unused("the agent's resource requests and limits"),
  tolerations: unused("where the agent's pods are scheduled"),
  podAnnotations: unused("the agent's pod metadata"),
  podLabels: unused("the agent's pod metadata"),
  debug: unused("the agent's log level"),
  prometheus: unused("the agent's Prometheus metrics"),
};
