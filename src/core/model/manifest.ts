// One Kubernetes or Cilium object as the user wrote it, checked by kind.
// Supported kinds are kept (with their typed pod specs where they make pods);
// well-known kinds ebbflow has no use for are ignored, to be listed once in
// the run's summary; a kind misspelt inside a known API group is an error.

import { FieldPath, MappingReader, withoutNullFields, type Item } from "./fields.ts";
import { dnsLabelProblem, dnsSubdomainProblem } from "./names.ts";
import { readLabelSelector, readLabels, selectorMatches, type Labels } from "./selector.ts";
import type { SourceLocation } from "./source.ts";
import { readPodIP, readPodSpec, type PodSpec } from "./kinds/pod-spec.ts";
import { checkNetworkPolicySpec } from "./kinds/network-policy.ts";
import { checkCiliumPolicy } from "./kinds/cilium-policy.ts";
import { checkEndpointSlice, checkServiceAnnotations, checkServiceSpec, checkServiceStatus } from "./kinds/service.ts";
import { refuse, refusedFeatures } from "./refused-features.ts";

/** The kinds ebbflow reads, with their API version and whether they live in a namespace. */
export const supportedKinds = {
  Namespace: { apiVersion: "v1", namespaced: false },
  Pod: { apiVersion: "v1", namespaced: true },
  Service: { apiVersion: "v1", namespaced: true },
  Deployment: { apiVersion: "apps/v1", namespaced: true },
  StatefulSet: { apiVersion: "apps/v1", namespaced: true },
  EndpointSlice: { apiVersion: "discovery.k8s.io/v1", namespaced: true },
  NetworkPolicy: { apiVersion: "networking.k8s.io/v1", namespaced: true },
  CiliumNetworkPolicy: { apiVersion: "cilium.io/v2", namespaced: true },
  CiliumClusterwideNetworkPolicy: { apiVersion: "cilium.io/v2", namespaced: false },
} as const;

export type SupportedKind = keyof typeof supportedKinds;
export type PolicyKind = "NetworkPolicy" | "CiliumNetworkPolicy" | "CiliumClusterwideNetworkPolicy";

/** Kinds of the API groups above that carry nothing for the network model: ignored, not refused. */
const ignoredKinds: Record<string, readonly string[]> = {
  v1: [
    "ConfigMap",
    "Secret",
    "ServiceAccount",
    "Endpoints",
    "PersistentVolumeClaim",
    "PersistentVolume",
    "LimitRange",
    "ResourceQuota",
    "Node",
    "ReplicationController",
    "Event",
    "PodTemplate",
  ],
  "apps/v1": ["DaemonSet", "ReplicaSet", "ControllerRevision"],
  "networking.k8s.io/v1": ["Ingress", "IngressClass"],
  "discovery.k8s.io/v1": [],
  "cilium.io/v2": [
    "CiliumNode",
    "CiliumEndpoint",
    "CiliumIdentity",
    "CiliumLocalRedirectPolicy",
    "CiliumEnvoyConfig",
    "CiliumClusterwideEnvoyConfig",
    "CiliumLoadBalancerIPPool",
    "CiliumCIDRGroup",
    "CiliumBGPClusterConfig",
    "CiliumBGPPeerConfig",
    "CiliumBGPAdvertisement",
    "CiliumBGPNodeConfigOverride",
    "CiliumNodeConfig",
  ],
  "cilium.io/v2alpha1": [
    "CiliumL2AnnouncementPolicy",
    "CiliumBGPPeeringPolicy",
    "CiliumPodIPPool",
    "CiliumEndpointSlice",
    "CiliumLoadBalancerIPPool",
    "CiliumCIDRGroup",
    "CiliumNodeConfig",
    "CiliumBGPClusterConfig",
    "CiliumBGPPeerConfig",
    "CiliumBGPAdvertisement",
    "CiliumGatewayClassConfig",
  ],
};

interface ObjectCommon {
  readonly apiVersion: string;
  readonly name: string;
  /** The object's namespace (`default` when the manifest gives none); undefined for cluster-scoped kinds. */
  readonly namespace: string | undefined;
  readonly labels: Labels;
  /** The object exactly as written, plain data; `locationOf(body, ...)` gives the lines of its fields. */
  readonly body: Readonly<Record<string, unknown>>;
  readonly source: SourceLocation;
  /** How errors name it, e.g. `objects[2] Pod "x/a"`. */
  readonly item: string;
}

export interface PodTemplate {
  readonly labels: Labels;
  readonly spec: PodSpec;
}

export type ManifestObject =
  | (ObjectCommon & { readonly kind: "Pod"; readonly template: PodTemplate; readonly podIP: number | undefined })
  | (ObjectCommon & { readonly kind: "Deployment" | "StatefulSet"; readonly template: PodTemplate; readonly replicas: number })
  | (ObjectCommon & { readonly kind: "Namespace" | "Service" | "EndpointSlice" | PolicyKind });

export interface IgnoredObject {
  readonly kind: string;
  readonly apiVersion: string;
  readonly source: SourceLocation;
}

export type ReadManifest = { readonly object: ManifestObject } | { readonly ignored: IgnoredObject };

/** `kind/namespace/name`, or `kind/name` for cluster-scoped kinds: the identity apply and delete use. */
export function objectKey(kind: string, namespace: string | undefined, name: string): string {
  return namespace === undefined ? `${kind}/${name}` : `${kind}/${namespace}/${name}`;
}

/**
 * Checks one manifest. `where` names its place (`objects[2]`, `document 3`)
 * and `file` the file it is in; the kind and name are added to the item's name
 * as soon as they are known.
 */
export function readManifest(value: unknown, file: string, where: string, line: number): ReadManifest {
  const item: Item = { file, name: where, line };
  const object = MappingReader.of(value, FieldPath.root(item, value));
  const apiVersion = object.requireString("apiVersion");
  const kind = object.requireString("kind");
  const source = { file, line };

  if (kind === "CiliumEgressGatewayPolicy" && apiVersion.startsWith("cilium.io/")) {
    refuse(object.at("kind"), refusedFeatures.egressGatewayPolicy);
  }
  const supported = Object.hasOwn(supportedKinds, kind) ? supportedKinds[kind as SupportedKind] : undefined;
  if (!supported) {
    const known = ignoredKinds[apiVersion];
    if (known === undefined || known.includes(kind)) return { ignored: { kind, apiVersion, source } };
    const here = Object.entries(supportedKinds)
      .filter(([, entry]) => entry.apiVersion === apiVersion)
      .map(([name]) => name);
    throw object.at("kind").error(`unknown kind "${kind}" in ${apiVersion} (supported: ${here.join(", ")}; ignored: ${known.join(", ") || "none"})`);
  }
  if (apiVersion !== supported.apiVersion) {
    object.at("apiVersion").fail(`${kind} is ${supported.apiVersion}, not ${JSON.stringify(apiVersion)}`);
  }

  const metadata = object.requireMapping("metadata");
  if (!metadata.has("name") && metadata.has("generateName")) metadata.at("generateName").fail("generateName is not supported: give the object a name");
  const name = metadata.requireString("name");
  const nameProblem = kind === "Namespace" ? dnsLabelProblem(name) : dnsSubdomainProblem(name);
  if (nameProblem) metadata.at("name").fail(nameProblem);
  let namespace: string | undefined;
  if (supported.namespaced) {
    namespace = metadata.string("namespace") ?? "default";
    const namespaceProblem = dnsLabelProblem(namespace);
    if (namespaceProblem) metadata.at("namespace").fail(namespaceProblem);
  } else if (metadata.has("namespace")) {
    metadata.at("namespace").fail(`${kind} is cluster-scoped and has no namespace`);
  }
  const named: Item = { file, name: `${where} ${kind} "${namespace === undefined ? name : `${namespace}/${name}`}"`, line };
  const body = withoutNullFields(object.value);
  // As kubectl does, a namespaced object without a namespace gets "default" in its own metadata.
  if (namespace !== undefined) (body.metadata as Record<string, unknown>).namespace = namespace;
  const root = MappingReader.of(body, FieldPath.root(named, body));
  const namedMetadata = root.requireMapping("metadata");
  const labels = namedMetadata.has("labels") ? readLabels(namedMetadata.get("labels"), namedMetadata.at("labels")) : {};
  if (namedMetadata.has("annotations")) MappingReader.of(namedMetadata.get("annotations"), namedMetadata.at("annotations"));
  const common = { apiVersion, name, namespace, labels, body, source, item: named.name };

  switch (kind as SupportedKind) {
    case "Pod": {
      const spec = readPodSpec(root.require("spec"), root.at("spec"));
      const podIP = readPodIP(root.mapping("status"));
      return { object: { ...common, kind: "Pod", template: { labels, spec }, podIP } };
    }
    case "Deployment":
    case "StatefulSet": {
      const spec = root.requireMapping("spec");
      const replicas = spec.integer("replicas", 0, 1000) ?? 1;
      const selector = readLabelSelector(spec.require("selector"), spec.at("selector"));
      const template = spec.requireMapping("template");
      const templateMetadata = template.requireMapping("metadata");
      const templateLabels = templateMetadata.has("labels") ? readLabels(templateMetadata.get("labels"), templateMetadata.at("labels")) : {};
      if (!selectorMatches(selector, templateLabels)) spec.at("selector").fail("does not match the template's labels");
      const podSpec = readPodSpec(template.require("spec"), template.at("spec"));
      return { object: { ...common, kind: kind as "Deployment" | "StatefulSet", template: { labels: templateLabels, spec: podSpec }, replicas } };
    }
    case "Service":
      checkServiceAnnotations(namedMetadata);
      checkServiceSpec(root.requireMapping("spec"));
      checkServiceStatus(root.mapping("status"));
      return { object: { ...common, kind: "Service" } };
    case "EndpointSlice":
      checkEndpointSlice(root);
      return { object: { ...common, kind: "EndpointSlice" } };
    case "NetworkPolicy":
      checkNetworkPolicySpec(root.requireMapping("spec"));
      return { object: { ...common, kind: "NetworkPolicy" } };
    case "CiliumNetworkPolicy":
    case "CiliumClusterwideNetworkPolicy":
      checkCiliumPolicy(root);
      return { object: { ...common, kind: kind as PolicyKind } };
    case "Namespace":
      return { object: { ...common, kind: "Namespace" } };
  }
}
