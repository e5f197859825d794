// The typical packet of the datapath benchmarks: an allowed TCP SYN leaving
// a pod through bpf_lxc's from-container, with the ipcache and policy entries
// that allow it (layouts in bpf/README.md).

import { PROTOCOL_NUMBERS } from "../src/abi/protocols.ts";
import { buildFrame } from "../src/core/packets/build.ts";
import type { EndpointConstants, NodeBalancing } from "../src/core/datapath/object-variables.ts";

/** The pod 10.0.1.5, enforcing policy both ways, on a node without load balancing (hash seed 0, no DSR). */
export const LXC_ENDPOINT: { node: NodeBalancing; endpoint: EndpointConstants } = {
  node: {},
  endpoint: { endpointId: 7, ip: "10.0.1.5", ifindex: 5, identity: 1000, ingressEnforced: true, egressEnforced: true },
};
const u32 = (n: number) => new Uint8Array(new Uint32Array([n]).buffer);
// The peer 10.0.2.9 is identity 1001; egress to it on TCP/80 is allowed.
const IPCACHE_KEY = Uint8Array.from([...u32(64), 0, 0, 0, 1, 10, 0, 2, 9, ...new Array(12).fill(0)]);
const IPCACHE_VALUE = Uint8Array.from([...u32(1001), 0, 0, 0, 0, 0, 0, 0, 0]);
const POLICY_KEY = Uint8Array.from([...u32(64), ...u32(1001), 1, PROTOCOL_NUMBERS.TCP, 0, 80]);
const POLICY_VALUE = Uint8Array.from([0, 0, 0, 24, 0, 0, 0, 0]);

/** Writes the entries that allow the packet into a loaded bpf_lxc's maps (the VM's or the kernel's). */
export function allowPacket<Object extends { map(name: string): { update(key: Uint8Array, value: Uint8Array): void } }>(lxc: Object): Object {
  lxc.map("eb_ipcache").update(IPCACHE_KEY, IPCACHE_VALUE);
  lxc.map("eb_policy").update(POLICY_KEY, POLICY_VALUE);
  return lxc;
}

export const PACKET = buildFrame({ ipv4: { src: "10.0.1.5", dst: "10.0.2.9" }, l4: { protocol: "TCP", sport: 40000, dport: 80, flags: "S" } });
