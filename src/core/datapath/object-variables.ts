// The constants (`volatile const` globals, bpf/README.md) both backends set in
// the datapath's objects before loading them. Addresses are 4 bytes in
// network order, as the objects keep them and as both loaders take them.

import { ipv4Bytes, parseIPv4 } from "../../util/ipv4.ts";
import type { EndpointConfig, LoadBalancerConfig, NodeConfig } from "./datapath.ts";

/** A constant's value: a number at the variable's size, or its bytes. */
export type VariableValue = number | Uint8Array;
export type ObjectVariables = Readonly<Record<string, VariableValue>>;

/** What of a node bpf_lxc's constants hold (the CNI plugin has no more of it). */
export interface NodeBalancing {
  loadBalancer?: Pick<LoadBalancerConfig, "hashSeed" | "dsr">;
}

/** What of an endpoint bpf_lxc's constants hold. */
export type EndpointConstants = Pick<EndpointConfig, "endpointId" | "ip" | "ifindex" | "identity" | "ingressEnforced" | "egressEnforced">;

/** `hash_seed`: the seed of backend selection. */
const hashSeed = (node: NodeBalancing) => node.loadBalancer?.hashSeed ?? 0;
/** `lb_mode_dsr` of bpf_host and bpf_lxc: 1 in DSR mode. */
const dsrMode = (node: NodeBalancing) => (node.loadBalancer?.dsr ? 1 : 0);

function addressBytes(ip: string): Uint8Array {
  const address = parseIPv4(ip);
  if (address === undefined) throw new RangeError(`${ip} is not an IPv4 address`);
  return ipv4Bytes(address);
}

export function hostVariables(node: NodeConfig): ObjectVariables {
  return { node_ipv4: addressBytes(node.internalIP), hash_seed: hashSeed(node), lb_mode_dsr: dsrMode(node) };
}

export function sockVariables(node: NodeConfig): ObjectVariables {
  return { hash_seed: hashSeed(node) };
}

/** One endpoint's copy of bpf_lxc, on `node`. */
export function lxcVariables(node: NodeBalancing, endpoint: EndpointConstants): ObjectVariables {
  return {
    hash_seed: hashSeed(node),
    lb_mode_dsr: dsrMode(node),
    endpoint_id: endpoint.endpointId,
    endpoint_ipv4: addressBytes(endpoint.ip),
    endpoint_ifindex: endpoint.ifindex,
    endpoint_identity: endpoint.identity,
    policy_ingress_enforced: endpoint.ingressEnforced ? 1 : 0,
    policy_egress_enforced: endpoint.egressEnforced ? 1 : 0,
  };
}
