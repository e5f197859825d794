// The typical packet of the datapath benchmarks: an allowed TCP SYN leaving
// a pod through bpf_lxc's from-container, with the ipcache and policy entries
// that allow it, encoded as the control plane encodes them.

import { PROTOCOL_NUMBERS } from "../src/abi/protocols.ts";
import { encodeIpcacheKey, encodeIpcacheValue } from "../src/core/identity/ipcache.ts";
import { buildFrame } from "../src/core/packets/build.ts";
import { encodePolicyKey, encodePolicyValue } from "../src/core/policy/entry.ts";
import { requireIPv4 } from "../src/util/ipv4.ts";
import type { EndpointConstants, NodeBalancing } from "../src/core/datapath/object-variables.ts";

/** The pod 10.0.1.5, enforcing policy both ways, on a node without load balancing (hash seed 0, no DSR). */
export const LXC_ENDPOINT: { node: NodeBalancing; endpoint: EndpointConstants } = {
  node: {},
  endpoint: { endpointId: 7, ip: "10.0.1.5", ifindex: 5, identity: 1000, ingressEnforced: true, egressEnforced: true },
};
// The peer 10.0.2.9 is identity 1001; egress to it on TCP/80 is allowed.
const PEER = { prefix: { address: requireIPv4("10.0.2.9"), length: 32 }, identity: 1001, tunnelEndpoint: 0 };
const IPCACHE_KEY = encodeIpcacheKey(PEER.prefix);
const IPCACHE_VALUE = encodeIpcacheValue(PEER);
const ALLOW_HTTP = {
  peer: PEER.identity,
  direction: "egress",
  protocol: PROTOCOL_NUMBERS.TCP,
  port: 80,
  portPrefixLength: 24,
  deny: false,
  proxyPort: 0,
  cookie: 0,
} as const;
const POLICY_KEY = encodePolicyKey(ALLOW_HTTP);
const POLICY_VALUE = encodePolicyValue(ALLOW_HTTP);

/** Writes the entries that allow the packet into a loaded bpf_lxc's maps (the VM's or the kernel's). */
export function allowPacket<Object extends { map(name: string): { update(key: Uint8Array, value: Uint8Array): void } }>(lxc: Object): Object {
  lxc.map("eb_ipcache").update(IPCACHE_KEY, IPCACHE_VALUE);
  lxc.map("eb_policy").update(POLICY_KEY, POLICY_VALUE);
  return lxc;
}

export const PACKET = buildFrame({ ipv4: { src: "10.0.1.5", dst: "10.0.2.9" }, l4: { protocol: "TCP", sport: 40000, dport: 80, flags: "S" } });
