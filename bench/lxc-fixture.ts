// The typical packet of the datapath benchmarks: an allowed TCP SYN leaving
// a pod through bpf_lxc's from-container, with the ipcache and policy entries
// that allow it (layouts in bpf/README.md).

import { buildFrame } from "../src/core/packets/build.ts";
import { IPPROTO_TCP } from "../src/core/policy/rule.ts";

export const LXC = "bpf/bpf_lxc.o";
export const LXC_VARIABLES = {
  endpoint_id: 7,
  endpoint_ipv4: 0x0501000a,
  endpoint_ifindex: 5,
  endpoint_identity: 1000,
  policy_ingress_enforced: 1,
  policy_egress_enforced: 1,
};
export const u32 = (n: number) => new Uint8Array(new Uint32Array([n]).buffer);
// The peer 10.0.2.9 is identity 1001; egress to it on TCP/80 is allowed.
export const IPCACHE_KEY = Uint8Array.from([...u32(64), 0, 0, 0, 1, 10, 0, 2, 9, ...new Array(12).fill(0)]);
export const IPCACHE_VALUE = Uint8Array.from([...u32(1001), 0, 0, 0, 0, 0, 0, 0, 0]);
export const POLICY_KEY = Uint8Array.from([...u32(64), ...u32(1001), 1, IPPROTO_TCP, 0, 80]);
export const POLICY_VALUE = Uint8Array.from([0, 0, 0, 24, 0, 0, 0, 0]);
export const PACKET = buildFrame({ ipv4: { src: "10.0.1.5", dst: "10.0.2.9" }, l4: { protocol: "TCP", sport: 40000, dport: 80, flags: "S" } });
