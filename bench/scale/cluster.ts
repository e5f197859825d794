// Generated clusters for the scale benchmark: pods in groups of ten across
// three namespaces and ten nodes, one policy per group (NetworkPolicies and
// CiliumNetworkPolicies with matchExpressions in turn), five Services per
// group, and attempts whose verdicts follow from the construction: the pods
// of group g admit, on TCP 8080, only the pods of group g+1.

import { stringify } from "yaml";

export interface ClusterSize {
  pods: number;
  attempts: number;
}

const NODES = 10;
const NAMESPACES = 3;
const GROUP = 10;
const SERVICES_PER_GROUP = 5;
const PORT = 8080;

const namespaceOf = (group: number): string => `ns-${group % NAMESPACES}`;
const app = (group: number): string => `app-${group}`;
const podName = (group: number, member: number): string => `${app(group)}-${member}`;

/** Policies and Services in proportion: pods / 10 policies, pods / 2 Services. */
export function proportions(pods: number): { policies: number; services: number } {
  return { policies: Math.ceil(pods / GROUP), services: Math.ceil(pods / GROUP) * SERVICES_PER_GROUP };
}

function pod(group: number, member: number, index: number): object {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: podName(group, member), namespace: namespaceOf(group), labels: { app: app(group), tier: `tier-${member % 3}` } },
    spec: { nodeName: `node-${index % NODES}`, containers: [{ name: "app", image: "nginx", ports: [{ containerPort: PORT }] }] },
  };
}

function policy(group: number, groups: number): object {
  const peer = (group + 1) % groups;
  if (group % 2 === 0) {
    return {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: `${app(group)}-ingress`, namespace: namespaceOf(group) },
      spec: {
        podSelector: { matchLabels: { app: app(group) } },
        policyTypes: ["Ingress"],
        ingress: [
          {
            from: [
              { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": namespaceOf(peer) } }, podSelector: { matchLabels: { app: app(peer) } } },
            ],
            ports: [{ protocol: "TCP", port: PORT }],
          },
        ],
      },
    };
  }
  return {
    apiVersion: "cilium.io/v2",
    kind: "CiliumNetworkPolicy",
    metadata: { name: `${app(group)}-ingress`, namespace: namespaceOf(group) },
    spec: {
      endpointSelector: { matchExpressions: [{ key: "app", operator: "In", values: [app(group)] }] },
      ingress: [
        {
          fromEndpoints: [
            {
              matchLabels: { "k8s:io.kubernetes.pod.namespace": namespaceOf(peer) },
              matchExpressions: [
                { key: "app", operator: "In", values: [app(peer)] },
                { key: "tier", operator: "Exists" },
              ],
            },
          ],
          toPorts: [{ ports: [{ port: String(PORT), protocol: "TCP" }] }],
        },
      ],
    },
  };
}

function service(group: number, index: number): object {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: `${app(group)}-svc-${index}`, namespace: namespaceOf(group) },
    spec: { selector: { app: app(group) }, ports: [{ protocol: "TCP", port: 80 + index, targetPort: PORT }] },
  };
}

/** Attempts cycling over the groups: allowed to a pod, allowed through a Service, refused from the wrong group. */
function attempt(index: number, groups: number): object {
  const group = index % groups;
  const member = Math.floor(index / groups) % GROUP;
  const from = (offset: number) => `pod:${namespaceOf((group + offset) % groups)}/${podName((group + offset) % groups, member)}`;
  const name = `attempt ${index}`;
  switch (index % 3) {
    case 0:
      return { name, from: from(1), to: `pod:${namespaceOf(group)}/${podName(group, (member + 1) % GROUP)}`, port: PORT, expect: { verdict: "FORWARDED" } };
    case 1:
      return {
        name,
        from: from(1),
        to: `service:${namespaceOf(group)}/${app(group)}-svc-${member % SERVICES_PER_GROUP}`,
        port: 80 + (member % SERVICES_PER_GROUP),
        expect: { verdict: "FORWARDED" },
      };
    default:
      return {
        name,
        from: from(2),
        to: `pod:${namespaceOf(group)}/${podName(group, member)}`,
        port: PORT,
        expect: { verdict: "DROPPED", dropReason: "POLICY_DENIED" },
      };
  }
}

/** The objects of a cluster of `pods` pods (a multiple of ten, at least 30). */
export function clusterObjects(pods: number): object[] {
  const groups = Math.ceil(pods / GROUP);
  const objects: object[] = [];
  for (let n = 0; n < NAMESPACES; n++) objects.push({ apiVersion: "v1", kind: "Namespace", metadata: { name: `ns-${n}` } });
  for (let index = 0; index < pods; index++) objects.push(pod(Math.floor(index / GROUP), index % GROUP, index));
  for (let group = 0; group < groups; group++) objects.push(policy(group, groups));
  for (let group = 0; group < groups; group++) for (let s = 0; s < SERVICES_PER_GROUP; s++) objects.push(service(group, s));
  return objects;
}

function scenarioText(name: string, pods: number, traffic: object[]): string {
  if (pods < 30 || pods % GROUP !== 0) throw new Error(`scale: pods must be a multiple of ${GROUP}, at least 30 (got ${pods})`);
  const nodes = Array.from({ length: NODES }, (_, n) => ({ name: `node-${n}`, podCIDR: `10.${100 + n}.0.0/16`, internalIP: `192.168.10.${11 + n}` }));
  const scenario = { apiVersion: "ebbflow.io/v1alpha1", kind: "Scenario", metadata: { name }, spec: { nodes, objects: clusterObjects(pods), traffic } };
  return stringify(scenario, { lineWidth: 0 });
}

/** A scenario file's text for one size. */
export function scaleScenario({ pods, attempts }: ClusterSize): string {
  const traffic = Array.from({ length: attempts }, (_, index) => attempt(index, pods / GROUP));
  return scenarioText(`scale-${pods}-pods-${attempts}-attempts`, pods, traffic);
}

/** The pod the `pod added` scenario applies: one more member of group 0, so that group 0's policy selects it. */
export const ADDED_POD = { namespace: namespaceOf(0), name: podName(0, GROUP) };

/**
 * A cluster of `pods` pods, one attempt, then an `apply` step of one more pod
 * and an attempt to it that only its policy admits (the step took effect).
 */
export function podAddedScenario(pods: number): string {
  const added = pod(0, GROUP, pods);
  const peer = `pod:${namespaceOf(1)}/${podName(1, 0)}`;
  const traffic = [
    attempt(0, pods / GROUP),
    { apply: { objects: [added] } },
    { name: "to the added pod", from: peer, to: `pod:${ADDED_POD.namespace}/${ADDED_POD.name}`, port: PORT, expect: { verdict: "FORWARDED" } },
  ];
  return scenarioText(`scale-${pods}-pods-one-added`, pods, traffic);
}
