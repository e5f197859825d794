// The objects under test and the traffic each program gets: two bpf_lxc
// endpoints sharing their node's maps, bpf_host, bpf_xdp. bpf_lxc and
// bpf_host also get service frontends on the pool's addresses, so that
// service translation, reverse NAT and NodePort SNAT run on both sides; the
// second endpoint and a second bpf_host are in DSR mode (lb_mode_dsr), and
// that bpf_host also gets frames carrying the DSR option.

import { fileURLToPath } from "node:url";
import { IPPROTO_TCP, IPPROTO_UDP, ipv4Address, ipv4Frame, tcpHeader, udpHeader } from "../../bpf/frames.ts";
import type { Group, Packet } from "./harness.ts";
import type { Random } from "./random.ts";
import {
  ADDRESSES,
  conntrackEntries,
  dsrOptionFrame,
  ipcacheEntries,
  MALFORMATIONS,
  malformedFrame,
  policyEntries,
  prefilterEntries,
  serviceEntries,
  skbContext,
  validFrame,
} from "./traffic.ts";

const object = (name: string) => fileURLToPath(new URL(`../../../bpf/${name}`, import.meta.url));

/** One frame: valid four times in five, else one of the malformations. */
function frame(random: Random, src: string, dst: string): { frame: Uint8Array; description: string } {
  if (random.chance(0.8)) return { frame: validFrame(random, { src, dst }), description: `valid ${src} -> ${dst}` };
  const kind = random.pick(MALFORMATIONS);
  return { frame: malformedFrame(random, { src, dst }, kind), description: `${kind} ${src} -> ${dst}` };
}

const ENDPOINTS = [
  { ip: "10.0.1.5", ipValue: 0x0501000a, identity: 1000, id: 7, ifindex: 5, ingress: 1, egress: 1, dsr: 0 },
  { ip: "10.0.1.6", ipValue: 0x0601000a, identity: 1001, id: 8, ifindex: 6, ingress: 0, egress: 1, dsr: 1 },
];

const LB_MAPS = ["eb_lb4_services", "eb_lb4_backends", "eb_lb4_maglev", "eb_lb4_reverse_nat", "eb_lb4_affinity"];

const LXC_PROGRAMS = ["cil_from_container", "tail_ipv4_from_container", "cil_to_container", "tail_ipv4_to_container"];

export const lxcGroup: Group = {
  name: "bpf_lxc",
  objects: ENDPOINTS.map((endpoint) => ({
    file: object("bpf_lxc.o"),
    variables: {
      hash_seed: 0x5eed,
      endpoint_id: endpoint.id,
      endpoint_ipv4: endpoint.ipValue,
      endpoint_ifindex: endpoint.ifindex,
      endpoint_identity: endpoint.identity,
      policy_ingress_enforced: endpoint.ingress,
      policy_egress_enforced: endpoint.egress,
      lb_mode_dsr: endpoint.dsr,
    },
    tailCalls: { 1: "tail_ipv4_from_container", 2: "tail_ipv4_to_container" },
    maps: ["eb_ipcache", "eb_ct4", "eb_metrics", "eb_policy", ...LB_MAPS],
  })),
  contents: (random) => [
    ...ipcacheEntries(random, 12).map((entry) => ({ object: 0, entry })),
    ...serviceEntries(random, 12).map((entry) => ({ object: 0, entry })),
    ...conntrackEntries(random, 20).map((entry) => ({ object: 0, entry })),
    ...policyEntries(random, 16).map((entry) => ({ object: 0, entry })),
    ...policyEntries(random, 16).map((entry) => ({ object: 1, entry })),
  ],
  packet(random): Packet {
    const index = random.below(ENDPOINTS.length);
    const endpoint = ENDPOINTS[index];
    const program = random.pick(LXC_PROGRAMS);
    const leaving = program.includes("from_container");
    const peer = random.pick(ADDRESSES);
    const own = random.chance(0.9) ? endpoint.ip : random.pick(ADDRESSES);
    const { frame: bytes, description } = leaving ? frame(random, own, peer) : frame(random, peer, own);
    return { object: index, program, frame: bytes, ctx: skbContext(random), description };
  },
};

const HOST_MAPS = ["eb_ipcache", "eb_ct4", "eb_metrics", ...LB_MAPS];

/** A NodePort on the node's address, TCP and UDP, routable, with two backend slots: where DSR inserts its option. */
const NODE_PORT = { address: "192.168.10.11", port: 30080 };
const le = (n: number, bytes: number) => Array.from({ length: bytes }, (_, i) => (n >>> (8 * i)) & 0xff);

function nodePortEntries(random: Random) {
  return [IPPROTO_TCP, IPPROTO_UDP].flatMap((protocol) => {
    const key = (slot: number) =>
      Uint8Array.from([...ipv4Address(NODE_PORT.address), NODE_PORT.port >> 8, NODE_PORT.port & 0xff, ...le(slot, 2), protocol, 0, 0, 0]);
    const serviceId = random.pick([1, 2, 3, 4]);
    return [
      { object: 0, entry: { map: "eb_lb4_services", key: key(0), value: Uint8Array.from([...le(0, 4), ...le(2, 2), ...le(serviceId, 2), 0x42, 0, 0, 0]) } },
    ];
  });
}

/** A TCP segment (a SYN more often than not) or a UDP datagram to the NodePort. */
function nodePortFrame(random: Random): Uint8Array {
  const src = random.pick(ADDRESSES);
  const sport = 40000 + random.below(8);
  return random.chance(0.5)
    ? ipv4Frame({ src, dst: NODE_PORT.address, protocol: IPPROTO_TCP }, tcpHeader(sport, NODE_PORT.port, random.pick([0x02, 0x02, 0x10, 0x12])))
    : ipv4Frame({ src, dst: NODE_PORT.address, protocol: IPPROTO_UDP }, udpHeader(sport, NODE_PORT.port));
}

export const hostGroup: Group = {
  name: "bpf_host",
  objects: [0, 1].map((dsr) => ({ file: object("bpf_host.o"), variables: { node_ipv4: 0x0b0aa8c0, hash_seed: 0x5eed, lb_mode_dsr: dsr }, maps: HOST_MAPS })),
  contents: (random) => [
    ...ipcacheEntries(random, 16).map((entry) => ({ object: 0, entry })),
    ...conntrackEntries(random, 12).map((entry) => ({ object: 0, entry })),
    ...serviceEntries(random, 12).map((entry) => ({ object: 0, entry })),
    ...nodePortEntries(random),
  ],
  packet(random): Packet {
    const program = random.pick(["cil_from_netdev", "cil_to_netdev"]);
    const dsr = random.below(2);
    const [src, dst] = [random.pick(ADDRESSES), random.pick(ADDRESSES)];
    const choice = random.below(10);
    const { frame: bytes, description } =
      choice < 2 && dsr
        ? { frame: dsrOptionFrame(random, { src, dst }), description: `DSR option ${src} -> ${dst}` }
        : choice < 4
          ? { frame: nodePortFrame(random), description: "to the NodePort" }
          : frame(random, src, dst);
    return { object: dsr, program, frame: bytes, ctx: skbContext(random), description: `${dsr ? "dsr" : "snat"} ${description}` };
  },
};

export const xdpGroup: Group = {
  name: "bpf_xdp",
  objects: [{ file: object("bpf_xdp.o"), variables: {}, maps: ["eb_prefilter4", "eb_ipcache", "eb_metrics"] }],
  contents: (random) => [
    ...prefilterEntries(random, 6).map((entry) => ({ object: 0, entry })),
    ...ipcacheEntries(random, 8).map((entry) => ({ object: 0, entry })),
  ],
  packet(random): Packet {
    const { frame: bytes, description } = frame(random, random.pick(ADDRESSES), random.pick(ADDRESSES));
    return { object: 0, program: "cil_xdp_entry", frame: bytes, description };
  },
};
