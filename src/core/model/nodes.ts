// Nodes and their address plan: a podCIDR and an internal IP per node, taken
// from the scenario or allocated in order (10.244.N.0/24 and 192.168.10.(10+N)
// for the N-th node, skipping what the user already took).

import type { FieldPath } from "./fields.ts";
import { reservedAddressProblem, reservedPrefixProblem } from "./reserved-addresses.ts";
import { formatIPv4, formatIPv4Prefix, parseIPv4, parseIPv4Prefix, prefixHolds, type IPv4Prefix } from "../../util/ipv4.ts";

export interface NodeInput {
  readonly name: string;
  readonly podCIDR?: string;
  readonly internalIP?: string;
  /** Where each field is written, for errors; absent for the default node. */
  readonly paths?: Readonly<Record<"name" | "podCIDR" | "internalIP", FieldPath>>;
}

export interface Node {
  readonly name: string;
  /** 1-based position in the scenario. */
  readonly index: number;
  /** e.g. "10.244.1.0/24". */
  readonly podCIDR: string;
  readonly internalIP: string;
  /** Kubernetes node labels as a kubelet sets them. */
  readonly labels: Readonly<Record<string, string>>;
}

export const defaultNodes: readonly NodeInput[] = [{ name: "node-1" }];

export interface PlannedNode extends Node {
  readonly cidr: IPv4Prefix;
  readonly address: number;
}

function fail(input: NodeInput, field: "name" | "podCIDR" | "internalIP", problem: string): never {
  throw input.paths ? input.paths[field].error(problem) : new Error(`node "${input.name}": ${problem}`);
}

/** Checks the nodes' names and addresses and fills in what is absent. */
export function planNodes(inputs: readonly NodeInput[]): PlannedNode[] {
  const names = new Set<string>();
  const given = inputs.map((input) => {
    if (names.has(input.name)) fail(input, "name", `node "${input.name}" is declared twice`);
    names.add(input.name);
    const cidr = input.podCIDR === undefined ? undefined : parseIPv4Prefix(input.podCIDR);
    if (typeof cidr === "string") fail(input, "podCIDR", cidr);
    const reservedCidr = cidr && reservedPrefixProblem(cidr);
    if (reservedCidr) fail(input, "podCIDR", `${formatIPv4Prefix(cidr)} overlaps ${reservedCidr}: no pod can have such an address`);
    const address = input.internalIP === undefined ? undefined : parseIPv4(input.internalIP);
    const reserved = address === undefined ? undefined : reservedAddressProblem(address);
    if (reserved) fail(input, "internalIP", `${formatIPv4(address as number)} is in ${reserved}: a node cannot have it as its address`);
    return { input, cidr: cidr as IPv4Prefix | undefined, address };
  });
  const overlaps = (a: IPv4Prefix, b: IPv4Prefix) => prefixHolds(a, b.address) || prefixHolds(b, a.address);
  const takenCidrs = given.flatMap((node) => (node.cidr ? [node.cidr] : []));
  given.forEach((node, index) => {
    const other = given.findIndex((candidate, at) => at < index && candidate.cidr && node.cidr && overlaps(candidate.cidr, node.cidr));
    if (other >= 0) fail(node.input, "podCIDR", `${formatIPv4Prefix(node.cidr as IPv4Prefix)} overlaps node "${given[other].input.name}"'s podCIDR`);
  });

  let nextCidr = 1;
  let nextAddress = 1;
  const planned: PlannedNode[] = [];
  given.forEach((node, index) => {
    let cidr = node.cidr;
    while (!cidr) {
      const candidate = { address: ((10 << 24) | (244 << 16) | (nextCidr << 8)) >>> 0, length: 24 };
      nextCidr++;
      if (!takenCidrs.some((taken) => overlaps(taken, candidate))) cidr = candidate;
    }
    let address = node.address;
    while (address === undefined) {
      const candidate = ((192 << 24) | (168 << 16) | (10 << 8) | (10 + nextAddress)) >>> 0;
      nextAddress++;
      if (!given.some((other) => other.address === candidate)) address = candidate;
    }
    const clash = planned.find((other) => other.address === address);
    if (clash) fail(node.input, "internalIP", `${formatIPv4(address)} is already node "${clash.name}"'s internal IP`);
    const inside = [...planned.map((other) => other.cidr), cidr].findIndex((other) => prefixHolds(other, address as number));
    if (inside >= 0) fail(node.input, "internalIP", `${formatIPv4(address)} is inside a podCIDR`);
    planned.push({
      name: node.input.name,
      index: index + 1,
      cidr,
      address,
      podCIDR: formatIPv4Prefix(cidr),
      internalIP: formatIPv4(address),
      labels: { "kubernetes.io/hostname": node.input.name, "kubernetes.io/os": "linux" },
    });
  });
  return planned;
}
