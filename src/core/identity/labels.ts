// Cilium's labels: `source:key=value`. An identity is the sorted set of an
// endpoint's security-relevant labels (pkg/labels, pkg/labelsfilter).

import type { EndpointInfo, NamespaceInfo } from "./inventory.ts";

export interface Label {
  /** Where the label comes from: `k8s`, `reserved`, `cidr`, ... */
  source: string;
  key: string;
  /** "" for labels without a value, such as `reserved:host`. */
  value: string;
}

export const LABEL_SOURCE_K8S = "k8s";
export const LABEL_SOURCE_RESERVED = "reserved";
export const LABEL_SOURCE_CIDR = "cidr";

/** Keys Cilium adds to every pod's labels (pkg/k8s/apis/cilium.io/const.go). */
export const POD_NAMESPACE_LABEL = "io.kubernetes.pod.namespace";
export const NAMESPACE_LABELS_PREFIX = "io.cilium.k8s.namespace.labels.";
export const SERVICE_ACCOUNT_LABEL = "io.cilium.k8s.policy.serviceaccount";
export const CLUSTER_LABEL = "io.cilium.k8s.policy.cluster";
/** The label the API server puts on every namespace. */
export const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

/** `source:key=value`, or `source:key` when the value is empty, as Cilium prints labels. */
export function formatLabel(label: Label): string {
  return label.value === "" ? `${label.source}:${label.key}` : `${label.source}:${label.key}=${label.value}`;
}

function compareLabels(a: Label, b: Label): number {
  const x = formatLabel(a);
  const y = formatLabel(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export function sortLabels(labels: readonly Label[]): Label[] {
  return [...labels].sort(compareLabels);
}

/** One string per label set, equal for equal sets: what identities are allocated by. */
export function labelSetKey(labels: readonly Label[]): string {
  // Sorting the printed labels is sorting the labels (compareLabels compares them printed), each printed once.
  return labels
    .map(formatLabel)
    .sort((x, y) => (x < y ? -1 : x > y ? 1 : 0))
    .join("\n");
}

/**
 * Cilium's default label-prefix list (pkg/labelsfilter/filter.go): regexes
 * anchored at the start of the key; when an include and an exclude both
 * match, the longer match wins; a key no pattern matches is kept.
 */
const LABEL_FILTER: readonly { pattern: RegExp; include: boolean }[] = [
  { pattern: /^io\.kubernetes\.pod\.namespace/, include: true },
  { pattern: /^io\.cilium\.k8s\.namespace\.labels/, include: true },
  { pattern: /^app\.kubernetes\.io/, include: true },
  { pattern: /^io\.cilium\.k8s\.policy\.cluster/, include: true },
  { pattern: /^io\.kubernetes/, include: false },
  { pattern: /^kubernetes\.io/, include: false },
  { pattern: /^statefulset\.kubernetes\.io\/pod-name/, include: false },
  { pattern: /^apps\.kubernetes\.io\/pod-index/, include: false },
  { pattern: /^batch\.kubernetes\.io\/job-completion-index/, include: false },
  { pattern: /^.*beta\.kubernetes\.io/, include: false },
  { pattern: /^k8s\.io/, include: false },
  { pattern: /^pod-template-generation/, include: false },
  { pattern: /^pod-template-hash/, include: false },
  { pattern: /^controller-revision-hash/, include: false },
  { pattern: /^annotation\..*/, include: false },
  { pattern: /^etcd_node/, include: false },
];

/** Whether a k8s label with this key takes part in the identity. */
export function isSecurityRelevant(key: string): boolean {
  let longest = -1;
  let keep = true;
  for (const { pattern, include } of LABEL_FILTER) {
    const match = pattern.exec(key);
    if (match === null) continue;
    const length = match[0].length;
    if (length > longest || (length === longest && include)) {
      longest = length;
      keep = include;
    }
  }
  return keep;
}

function k8sLabel(key: string, value: string): Label {
  return { source: LABEL_SOURCE_K8S, key, value };
}

/** A namespace's labels with `kubernetes.io/metadata.name` set, as the API server sets it. */
export function namespaceLabels(namespace: NamespaceInfo): Record<string, string> {
  return { ...namespace.labels, [NAMESPACE_NAME_LABEL]: namespace.name };
}

/**
 * The security-relevant labels of a pod: its own labels, its namespace, its
 * namespace's labels, its service account and the cluster name, filtered and
 * sorted.
 */
export function endpointIdentityLabels(endpoint: EndpointInfo, namespace: NamespaceInfo, clusterName: string): Label[] {
  const labels: Label[] = Object.entries(endpoint.labels).map(([key, value]) => k8sLabel(key, value));
  labels.push(k8sLabel(POD_NAMESPACE_LABEL, endpoint.namespace));
  for (const [key, value] of Object.entries(namespaceLabels(namespace))) {
    labels.push(k8sLabel(NAMESPACE_LABELS_PREFIX + key, value));
  }
  labels.push(k8sLabel(SERVICE_ACCOUNT_LABEL, endpoint.serviceAccount ?? "default"));
  labels.push(k8sLabel(CLUSTER_LABEL, clusterName));
  return sortLabels(labels.filter((label) => isSecurityRelevant(label.key)));
}
