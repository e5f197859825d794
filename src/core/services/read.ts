// Services and EndpointSlices, read into service ports: each port's
// frontends (ClusterIP, NodePort on every node address, LoadBalancer ingress
// addresses, externalIPs) and its backends, from the Service's EndpointSlices
// (kubernetes.io/service-name) or, when it has none, from its selector.
//
// Kubernetes' behaviour is kept where it is documented: a selector matching
// no pod, or pods none of which is ready, make a service without backends
// (its traffic is dropped with SERVICE_BACKEND_NOT_FOUND). What can only be a
// mistake is refused, naming the file, the item and the field: a NodePort
// outside the range or already taken, a named targetPort that no selected pod
// has, a service port that no EndpointSlice port names, an EndpointSlice
// address that is no pod.

import type { Cluster, Pod } from "../model/index.ts";
import { FieldPath, MappingReader, readInteger, readString } from "../model/fields.ts";
import type { ManifestObject } from "../model/manifest.ts";
import { type ServiceAllocator, NODE_PORT_RANGE } from "./allocator.ts";
import { PodIndex } from "./pod-index.ts";
import { selectorMatches } from "../model/selector.ts";
import type { Backend, Frontend, ServicePort, ServiceProtocol } from "./types.ts";

/** Kubernetes' default sessionAffinityConfig.clientIP.timeoutSeconds. */
export const DEFAULT_AFFINITY_TIMEOUT = 10800;
const SERVICE_NAME_LABEL = "kubernetes.io/service-name";

function readerOf(object: ManifestObject): MappingReader {
  return MappingReader.of(object.body, FieldPath.root({ file: object.source.file, name: object.item, line: object.source.line }, object.body));
}

interface WrittenPort {
  readonly name: string;
  readonly port: number;
  readonly protocol: ServiceProtocol;
  readonly targetPort: number | string;
  readonly nodePort: number | undefined;
  readonly path: FieldPath;
  readonly reader: MappingReader;
}

function readPorts(spec: MappingReader): WrittenPort[] {
  return spec.list("ports").map(({ value, path }) => {
    const reader = MappingReader.of(value, path);
    const port = readInteger(reader.require("port"), reader.at("port"), 1, 65535);
    const target = reader.has("targetPort") ? reader.get("targetPort") : port;
    return {
      name: reader.string("name") ?? "",
      port,
      protocol: (reader.oneOf("protocol", ["TCP", "UDP", "SCTP"]) ?? "TCP") as ServiceProtocol,
      targetPort: typeof target === "string" ? readString(target, reader.at("targetPort")) : readInteger(target, reader.at("targetPort"), 1, 65535),
      nodePort: reader.integer("nodePort", 1, 65535),
      path,
      reader,
    };
  });
}

/** Builds every service port of the cluster; the allocator keeps what it hands out. */
export function readServicePorts(cluster: Cluster, allocator: ServiceAllocator): ServicePort[] {
  const services = cluster.services.map((object) => {
    const spec = readerOf(object).requireMapping("spec");
    return { object, spec, ports: readPorts(spec) };
  });
  const writtenIPs = new Set(services.map(({ spec }) => spec.string("clusterIP")).filter((ip): ip is string => !!ip && ip !== "None"));
  const nodePorts = assignNodePorts(services, allocator);
  const pods = cluster.pods;
  const podsByIp = new Map(pods.map((pod) => [pod.ip, pod]));
  const podIndex = new PodIndex(pods);
  const slicesByService = new Map<string, ManifestObject[]>();
  for (const slice of cluster.endpointSlices) {
    if (slice.labels[SERVICE_NAME_LABEL] === undefined) continue;
    const key = `${slice.namespace}/${slice.labels[SERVICE_NAME_LABEL]}`;
    slicesByService.set(key, [...(slicesByService.get(key) ?? []), slice]);
  }
  const result: ServicePort[] = [];
  for (const { object, spec, ports } of services) {
    const key = `${object.namespace}/${object.name}`;
    const type = spec.string("type") ?? "ClusterIP";
    const written = spec.string("clusterIP");
    if (type === "ExternalName" || written === "None") continue;
    const clusterIP = written || allocator.clusterIP(key, writtenIPs);
    const externalIPs = spec.list("externalIPs").map(({ value, path }) => readString(value, path));
    const ingress = type === "LoadBalancer" ? loadBalancerIngress(readerOf(object)) : [];
    const affinity = spec.oneOf("sessionAffinity", ["None", "ClientIP"]) === "ClientIP" ? affinityTimeout(spec) : undefined;
    const externalLocal = spec.oneOf("externalTrafficPolicy", ["Cluster", "Local"]) === "Local";
    const internalLocal = spec.oneOf("internalTrafficPolicy", ["Cluster", "Local"]) === "Local";
    const backendsOf = backendSource(slicesByService.get(key) ?? [], object, spec, podsByIp, podIndex, allocator);
    for (const port of ports) {
      const frontends: Frontend[] = [{ kind: "ClusterIP", address: clusterIP, port: port.port, protocol: port.protocol }];
      const nodePort = nodePorts.get(port);
      if (nodePort !== undefined) {
        for (const node of cluster.nodes)
          frontends.push({ kind: "NodePort", address: node.internalIP, port: nodePort, protocol: port.protocol, node: node.name });
      }
      for (const address of ingress) frontends.push({ kind: "LoadBalancer", address, port: port.port, protocol: port.protocol });
      for (const address of externalIPs) frontends.push({ kind: "ExternalIP", address, port: port.port, protocol: port.protocol });
      result.push({
        service: key,
        portName: port.name,
        frontends,
        backends: backendsOf(port),
        affinityTimeout: affinity,
        externalLocal,
        internalLocal,
      });
    }
  }
  return result;
}

function affinityTimeout(spec: MappingReader): number {
  const clientIP = spec.mapping("sessionAffinityConfig")?.mapping("clientIP");
  return clientIP?.integer("timeoutSeconds", 1, 86400) ?? DEFAULT_AFFINITY_TIMEOUT;
}

function loadBalancerIngress(root: MappingReader): string[] {
  const ingress = root.mapping("status")?.mapping("loadBalancer")?.list("ingress") ?? [];
  return ingress.flatMap(({ value, path }) => {
    const ip = MappingReader.of(value, path).string("ip");
    return ip === undefined ? [] : [ip];
  });
}

/** NodePorts of NodePort and LoadBalancer services: written ones checked, missing ones allocated. */
function assignNodePorts(
  services: { object: ManifestObject; spec: MappingReader; ports: WrittenPort[] }[],
  allocator: ServiceAllocator,
): Map<WrittenPort, number> {
  const assigned = new Map<WrittenPort, number>();
  /** Per protocol, each NodePort in use and who holds it. */
  const owners = new Map<ServiceProtocol, Map<number, string>>();
  const ownersOf = (protocol: ServiceProtocol) => owners.get(protocol) ?? owners.set(protocol, new Map()).get(protocol)!;
  const wanting: { owner: string; port: WrittenPort }[] = [];
  const [low, high] = NODE_PORT_RANGE;
  for (const { object, spec, ports } of services) {
    const type = spec.string("type");
    if (type !== "NodePort" && type !== "LoadBalancer") continue;
    for (const port of ports) {
      const owner = `${object.namespace}/${object.name} port ${port.name || port.port}`;
      if (port.nodePort === undefined) {
        wanting.push({ owner, port });
        continue;
      }
      if (port.nodePort < low || port.nodePort > high) {
        port.reader.at("nodePort").fail(`${port.nodePort} is outside the NodePort range ${low}-${high}`);
      }
      const other = ownersOf(port.protocol).get(port.nodePort);
      if (other) port.reader.at("nodePort").fail(`${port.nodePort}/${port.protocol} is already taken by ${other}`);
      ownersOf(port.protocol).set(port.nodePort, owner);
      assigned.set(port, port.nodePort);
    }
  }
  // Written NodePorts first, so that an allocated one never takes a port a manifest asks for.
  for (const { owner, port } of wanting) {
    const taken = ownersOf(port.protocol);
    const nodePort = allocator.nodePort(`${owner}/${port.protocol}`, new Set(taken.keys()));
    taken.set(nodePort, owner);
    assigned.set(port, nodePort);
  }
  return assigned;
}

/**
 * The backend `pod` gives each port of a Service that finds its backends by
 * selector, in the order readServicePorts lists the ports (none when the
 * selector does not take the pod); undefined for a named targetPort (whose
 * errors depend on every pod selected). What an added pod changes, in a
 * cluster without EndpointSlices.
 */
export function podBackends(service: ManifestObject, pod: Pod, allocator: ServiceAllocator): Backend[] | undefined {
  // The Service was read whole before (readServicePorts): its fields are valid.
  const selector = (service.body.spec as { selector?: Record<string, string> } | undefined)?.selector;
  if (!selector || service.namespace !== pod.namespace || !selectorMatches({ matchLabels: selector, matchExpressions: [] }, pod.labels)) return [];
  const ports = readPorts(readerOf(service).requireMapping("spec"));
  if (ports.some((port) => typeof port.targetPort !== "number")) return undefined;
  return ports.map((port) => podBackend(pod, port.targetPort as number, port.protocol, false, allocator));
}

function podBackend(pod: Pod, port: number, protocol: ServiceProtocol, terminating: boolean, allocator: ServiceAllocator): Backend {
  return {
    id: allocator.backendId(`${pod.ip}:${port}/${protocol}`),
    pod: `${pod.namespace}/${pod.name}`,
    node: pod.nodeName,
    address: pod.ip,
    port,
    protocol,
    terminating,
  };
}

/** How a Service's ports find their backends: its EndpointSlices, else its selector. */
function backendSource(
  slices: readonly ManifestObject[],
  service: ManifestObject,
  spec: MappingReader,
  podsByIp: ReadonlyMap<string, Pod>,
  podIndex: PodIndex,
  allocator: ServiceAllocator,
): (port: WrittenPort) => Backend[] {
  const backend = (pod: Pod, port: number, protocol: ServiceProtocol, terminating: boolean): Backend => podBackend(pod, port, protocol, terminating, allocator);
  if (slices.length > 0) {
    const read = slices.map((slice) => readSlice(slice, podsByIp));
    return (port) => {
      const matching = read.flatMap((slice) =>
        slice.ports.filter((p) => p.name === port.name && p.protocol === port.protocol).map((p) => ({ slice, port: p.port })),
      );
      if (matching.length === 0) {
        port.path.fail(`no port named "${port.name}" (${port.protocol}) in the Service's EndpointSlices (${slices.map((s) => s.name).join(", ")})`);
      }
      return matching.flatMap(({ slice, port: target }) =>
        slice.endpoints.filter((e) => e.ready || e.serving).map((e) => backend(e.pod, target, port.protocol, !e.ready)),
      );
    };
  }
  const selector = spec.has("selector") ? (spec.get("selector") as Record<string, string>) : undefined;
  if (!selector) return () => [];
  const pods = podIndex.selected(service.namespace as string, selector);
  return (port) => {
    if (typeof port.targetPort === "number") return pods.map((pod) => backend(pod, port.targetPort as number, port.protocol, false));
    const named = pods.flatMap((pod) => {
      const container = pod.ports.find((p) => p.name === port.targetPort && p.protocol === port.protocol);
      return container ? [backend(pod, container.port, port.protocol, false)] : [];
    });
    if (pods.length > 0 && named.length === 0) {
      port.reader
        .at("targetPort")
        .fail(`no pod selected by the Service has a ${port.protocol} container port named "${port.targetPort}" (pods: ${pods.map((p) => p.name).join(", ")})`);
    }
    return named;
  };
}

interface SliceEndpoint {
  readonly pod: Pod;
  readonly ready: boolean;
  readonly serving: boolean;
}

interface ReadSlice {
  readonly name: string;
  readonly endpoints: SliceEndpoint[];
  readonly ports: { name: string; port: number; protocol: ServiceProtocol }[];
}

/** An EndpointSlice's endpoints (conditions as discovery.k8s.io/v1 defines them) and ports. */
function readSlice(slice: ManifestObject, podsByIp: ReadonlyMap<string, Pod>): ReadSlice {
  const root = readerOf(slice);
  const endpoints = root.list("endpoints").map(({ value, path }) => {
    const endpoint = MappingReader.of(value, path);
    const [address] = endpoint.list("addresses");
    const ip = readString(address.value, address.path);
    const pod = podsByIp.get(ip);
    if (pod === undefined) return address.path.fail(`no pod has IP ${ip} (an EndpointSlice's addresses must be pods of the cluster)`);
    const conditions = endpoint.mapping("conditions");
    // An unset ready means ready; serving defaults to ready; terminating to false.
    const ready = conditions?.boolean("ready") ?? true;
    const serving = conditions?.boolean("serving") ?? ready;
    const terminating = conditions?.boolean("terminating") ?? false;
    return { pod, ready: ready && !terminating, serving };
  });
  const ports = root.list("ports").map(({ value, path }) => {
    const port = MappingReader.of(value, path);
    return {
      name: port.string("name") ?? "",
      port: readInteger(port.require("port"), port.at("port"), 1, 65535),
      protocol: (port.oneOf("protocol", ["TCP", "UDP", "SCTP"]) ?? "TCP") as ServiceProtocol,
    };
  });
  return { name: slice.name, endpoints, ports };
}
