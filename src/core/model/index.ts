// The cluster model: Kubernetes and Cilium objects as checked plain data, and
// the cluster they make (nodes with their address plan, namespaces with the
// labels the API server adds, pods expanded from their workloads with their
// IPs, Services, EndpointSlices and policies).
//
//   new Cluster({nodes, objects, seed})  (or buildCluster in ../scenario)
//     .nodes .namespaces .pods .services .endpointSlices .policies .objects .ignoredKinds
//     .pod(ns, name) .namespace(name) .node(name)
//     .apply(objects)  create or replace by kind/namespace/name, as kubectl apply
//     .delete(refs)    delete (a Namespace takes its contents with it)
//     .resolveEndpoint(parseEndpoint("pod:ns/name")) -> pod, node or world, with its IP
//   readManifest(value, file, where, line)   one object, checked by kind
//   readLabelSelector / selectorMatches      label selectors
//   locationOf(value, key)                   the file and line any YAML-read value came from
//   InputError                               FILE:LINE: ITEM: field "FIELD": PROBLEM
//
// Policies are kept as written (`body`), checked against the kinds' schemas;
// their meaning is compiled in ../policy.

export {
  Cluster,
  UnresolvedEndpoint,
  type ClusterInput,
  type Namespace,
  type ObjectRef,
  type Pod,
  type PolicyObject,
  type ResolvedEndpoint,
} from "./cluster.ts";
export { type ClusterChanges } from "./changes.ts";
export { formatEndpoint, parseEndpoint, type Endpoint, type EndpointKind } from "./endpoint.ts";
export { FieldPath, MappingReader, withoutNullFields, type Item } from "./fields.ts";
export { kubeDnsClusterIP } from "./implicit-objects.ts";
export {
  objectKey,
  readManifest,
  supportedKinds,
  type IgnoredObject,
  type ManifestObject,
  type PodTemplate,
  type PolicyKind,
  type SupportedKind,
} from "./manifest.ts";
export { defaultNodes, type Node, type NodeInput } from "./nodes.ts";
export {
  readLabelSelector,
  readLabels,
  selectorMatches,
  selectorOperators,
  type LabelSelector,
  type Labels,
  type SelectorOperator,
  type SelectorRequirement,
} from "./selector.ts";
export { InputError, locationOf, type SourceLocation } from "./source.ts";
export type { ContainerPort, PodSpec, PortProtocol } from "./kinds/pod-spec.ts";
