// The parts of a Pod (or of a Deployment's or StatefulSet's pod template) the
// network cares about. Fields that only matter to a kubelet (images,
// resources, probes, volumes, ...) are accepted as written and not read.

import { FieldPath, MappingReader } from "../fields.ts";
import { dnsSubdomainProblem, portNameProblem } from "../names.ts";
import { refuse, refusedFeatures } from "../refused-features.ts";
import { readIPv4 } from "./policy-fields.ts";
import { readPortNumber } from "../port.ts";

export const portProtocols = ["TCP", "UDP", "SCTP"] as const;
export type PortProtocol = (typeof portProtocols)[number];

export interface ContainerPort {
  readonly container: string;
  /** Named ports are what NetworkPolicy and CiliumNetworkPolicy `port: NAME` resolve against. */
  readonly name: string | undefined;
  readonly port: number;
  readonly protocol: PortProtocol;
}

export interface PodSpec {
  readonly nodeName: string | undefined;
  readonly serviceAccountName: string;
  readonly ports: readonly ContainerPort[];
}

/** Reads `spec` of a Pod or of a pod template. */
export function readPodSpec(value: unknown, path: FieldPath): PodSpec {
  const spec = MappingReader.of(value, path);
  if (spec.boolean("hostNetwork")) refuse(spec.at("hostNetwork"), refusedFeatures.hostNetworkPods);
  const nodeName = spec.string("nodeName");
  const serviceAccountName = spec.string("serviceAccountName") ?? spec.string("serviceAccount") ?? "default";
  const containers = spec.list("containers");
  if (containers.length === 0) spec.at("containers").fail("a pod needs at least one container");
  const ports: ContainerPort[] = [];
  const portNames = new Set<string>();
  for (const { value: containerValue, path: containerPath } of [...containers, ...spec.list("initContainers")]) {
    const container = MappingReader.of(containerValue, containerPath);
    const containerName = container.requireString("name");
    for (const { value: portValue, path: portPath } of container.list("ports")) {
      const port = MappingReader.of(portValue, portPath);
      const number = readPortNumber(port.require("containerPort"), port.at("containerPort"), 1);
      if (port.has("hostPort")) readPortNumber(port.get("hostPort"), port.at("hostPort"), 1);
      const name = port.string("name");
      if (name !== undefined) {
        const problem = portNameProblem(name);
        if (problem) port.at("name").fail(problem);
        if (portNames.has(name)) port.at("name").fail(`port name "${name}" is used twice in this pod`);
        portNames.add(name);
      }
      const protocol = port.oneOf("protocol", portProtocols) ?? "TCP";
      ports.push({ container: containerName, name, port: number, protocol });
    }
  }
  if (nodeName !== undefined) {
    const problem = dnsSubdomainProblem(nodeName);
    if (problem) spec.at("nodeName").fail(problem);
  }
  return { nodeName, serviceAccountName, ports };
}

/** Reads `status.podIP` of a Pod; undefined when the status gives none. */
export function readPodIP(status: MappingReader | undefined): number | undefined {
  if (!status) return undefined;
  return status.has("podIP") ? readIPv4(status.get("podIP"), status.at("podIP")) : undefined;
}
