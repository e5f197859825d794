import { describe, expect, test } from "vitest";
import type { EndpointConfig, NodeConfig } from "../../../src/core/datapath/datapath.ts";
import { hostVariables, lxcVariables, sockVariables } from "../../../src/core/datapath/object-variables.ts";

const node: NodeConfig = { name: "n1", internalIP: "10.0.0.1", podCIDR: "10.1.0.0/24" };
const balancing: NodeConfig = { ...node, loadBalancer: { socketLB: true, hashSeed: 7, dsr: true } };
const endpoint: EndpointConfig = {
  key: "default/a",
  node: "n1",
  endpointId: 12,
  ip: "10.1.0.5",
  identity: 1000,
  ifindex: 30,
  ingressEnforced: true,
  egressEnforced: false,
};
const bytes = (...octets: number[]) => Uint8Array.from(octets);

describe("the constants set in the datapath's objects", () => {
  test("bpf_host's: the node's address in network order, the hash seed and DSR mode (0 without load balancing)", () => {
    expect(hostVariables(node)).toEqual({ node_ipv4: bytes(10, 0, 0, 1), hash_seed: 0, lb_mode_dsr: 0 });
    expect(hostVariables(balancing)).toEqual({ node_ipv4: bytes(10, 0, 0, 1), hash_seed: 7, lb_mode_dsr: 1 });
  });

  test("bpf_sock's: the hash seed", () => {
    expect(sockVariables(node)).toEqual({ hash_seed: 0 });
    expect(sockVariables(balancing)).toEqual({ hash_seed: 7 });
  });

  test("bpf_lxc's: the node's balancing and the endpoint's id, address, interface, identity and enforcement", () => {
    expect(lxcVariables(balancing, endpoint)).toEqual({
      hash_seed: 7,
      lb_mode_dsr: 1,
      endpoint_id: 12,
      endpoint_ipv4: bytes(10, 1, 0, 5),
      endpoint_ifindex: 30,
      endpoint_identity: 1000,
      policy_ingress_enforced: 1,
      policy_egress_enforced: 0,
    });
  });

  test("an address that is not IPv4 is refused", () => {
    expect(() => lxcVariables(node, { ...endpoint, ip: "10.1.0" })).toThrow("10.1.0 is not an IPv4 address");
  });
});
