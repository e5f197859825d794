// The constants (`volatile const` globals, bpf/README.md) both backends set in
// the datapath's objects before loading them. Addresses are encoded as the
// backend's loader takes a 4-byte variable.

import type { EndpointConfig, NodeConfig } from "./datapath.ts";

export type AddressEncoding<Address> = (ip: string) => Address;

/** `hash_seed`: the seed of backend selection. */
const hashSeed = (node: NodeConfig) => node.loadBalancer?.hashSeed ?? 0;
/** `lb_mode_dsr` of bpf_host and bpf_lxc: 1 in DSR mode. */
const dsrMode = (node: NodeConfig) => (node.loadBalancer?.dsr ? 1 : 0);

export function hostVariables<Address>(node: NodeConfig, address: AddressEncoding<Address>) {
  return { node_ipv4: address(node.internalIP), hash_seed: hashSeed(node), lb_mode_dsr: dsrMode(node) };
}

export function sockVariables(node: NodeConfig) {
  return { hash_seed: hashSeed(node) };
}

/** One endpoint's copy of bpf_lxc, on `node`. */
export function lxcVariables<Address>(node: NodeConfig, endpoint: EndpointConfig, address: AddressEncoding<Address>) {
  return {
    hash_seed: hashSeed(node),
    lb_mode_dsr: dsrMode(node),
    endpoint_id: endpoint.endpointId,
    endpoint_ipv4: address(endpoint.ip),
    endpoint_ifindex: endpoint.ifindex,
    endpoint_identity: endpoint.identity,
    policy_ingress_enforced: endpoint.ingressEnforced ? 1 : 0,
    policy_egress_enforced: endpoint.egressEnforced ? 1 : 0,
  };
}
