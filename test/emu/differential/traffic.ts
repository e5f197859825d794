// What the differential test feeds both sides: random map contents (ipcache,
// policy, conntrack, prefilter) and random frames, valid ones of every
// protocol and malformed ones, drawn from small pools of addresses and ports
// so that lookups hit as often as they miss.

import {
  ETH_P_8021Q,
  ETH_P_ARP,
  ETH_P_IP,
  ETH_P_IPV6,
  ICMP_ECHO_REPLY,
  ICMP_ECHO_REQUEST,
  IPPROTO_GRE,
  IPPROTO_ICMP,
  IPPROTO_SCTP,
  IPPROTO_TCP,
  IPPROTO_UDP,
  ethernet,
  icmpEcho,
  ipv4Address,
  ipv4Frame,
  sctpHeader,
  tcpHeader,
  udpHeader,
} from "../../bpf/frames.ts";
import type { Random } from "./random.ts";

export const ADDRESSES = [
  "10.0.1.5",
  "10.0.1.6",
  "10.0.1.9",
  "10.0.2.1",
  "10.0.2.7",
  "10.0.2.200",
  "10.0.3.7",
  "192.168.10.11",
  "192.168.10.12",
  "8.8.8.8",
  "1.1.1.1",
  "172.16.5.4",
  "0.0.0.0",
  "255.255.255.255",
];
export const IDENTITIES = [1, 2, 3, 4, 6, 1000, 1001, 1002, 1003, 16777217, 16777218];
const PORTS = [0, 1, 22, 53, 80, 443, 8080, 9090, 40000, 40001, 65535];
const TCP_FLAG_SETS = [0x02, 0x12, 0x10, 0x18, 0x11, 0x04, 0x14, 0x01, 0x00, 0x03];

const le32 = (n: number): number[] => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
const be16 = (n: number): number[] => [(n >> 8) & 0xff, n & 0xff];
const port = (random: Random): number => (random.chance(0.8) ? random.pick(PORTS) : random.below(65536));

export interface Entry {
  map: string;
  key: Uint8Array;
  value: Uint8Array;
}

/** eb_ipcache: prefixes of the pool's addresses to identities. */
export function ipcacheEntries(random: Random, count: number): Entry[] {
  return Array.from({ length: count }, () => {
    const length = random.pick([32, 32, 32, 24, 16, 8, 0]);
    const key = Uint8Array.from([...le32(32 + length), 0, 0, 0, 1, ...ipv4Address(random.pick(ADDRESSES)), ...new Array(12).fill(0)]);
    const value = Uint8Array.from([...le32(random.pick(IDENTITIES)), ...ipv4Address(random.pick(ADDRESSES)), 0, 0, 0, 0]);
    return { map: "eb_ipcache", key, value };
  });
}

/** eb_policy: allow and deny entries of every match type. */
export function policyEntries(random: Random, count: number): Entry[] {
  return Array.from({ length: count }, () => {
    const prefix = random.pick([0, 8, 8, 24, 24, 24, 8 + 1 + random.below(16)]);
    const protocol = prefix === 0 ? 0 : random.pick([IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP, IPPROTO_SCTP]);
    const dport = prefix <= 8 ? 0 : protocol === IPPROTO_ICMP ? random.pick([0, 8, 3]) << 8 : port(random);
    const key = Uint8Array.from([...le32(40 + prefix), ...le32(random.chance(0.3) ? 0 : random.pick(IDENTITIES)), random.below(2), protocol, ...be16(dport)]);
    const proxyPort = random.chance(0.05) ? 15001 : 0;
    const value = Uint8Array.from([...be16(proxyPort), random.chance(0.25) ? 1 : 0, prefix, ...le32(random.below(1 << 30))]);
    return { map: "eb_policy", key, value };
  });
}

/** eb_ct4: connections already known, in either direction and state. */
export function conntrackEntries(random: Random, count: number): Entry[] {
  return Array.from({ length: count }, () => {
    const protocol = random.pick([IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP, IPPROTO_SCTP]);
    const key = Uint8Array.from([
      ...ipv4Address(random.pick(ADDRESSES)),
      ...ipv4Address(random.pick(ADDRESSES)),
      ...be16(port(random)),
      ...be16(port(random)),
      protocol,
      random.pick([0, 0, 1, 1, 4, 8, 16]),
      0,
      0,
    ]);
    const value = new Uint8Array(48);
    const view = new DataView(value.buffer);
    view.setBigUint64(0, BigInt(random.below(100)), true);
    view.setBigUint64(8, BigInt(random.below(100_000)), true);
    view.setUint32(16, random.below(1 << 30), true);
    // RX_CLOSING, TX_CLOSING, SEEN_NON_SYN, DSR, LB_LOOPBACK.
    view.setUint16(20, random.below(32), true);
    value[24] = random.pick(TCP_FLAG_SETS);
    value[25] = random.pick(TCP_FLAG_SETS);
    view.setUint32(28, random.pick(IDENTITIES), true);
    if (random.chance(0.3)) {
      view.setUint16(22, random.pick([0, ...SERVICE_IDS, 9]), true);
      view.setUint32(32, random.pick(BACKEND_IDS), true);
      if (random.chance(0.5)) value.set([...ipv4Address(random.pick(ADDRESSES)), ...be16(port(random))], 36);
    }
    return { map: "eb_ct4", key, value };
  });
}

const le16 = (n: number): number[] => [n & 0xff, (n >> 8) & 0xff];
/** Service IDs 1..4; backend IDs 1..6 (0 and 7 are missing on purpose). */
const SERVICE_IDS = [1, 2, 3, 4];
const BACKEND_IDS = [0, 1, 2, 3, 4, 5, 6, 7];
const MAGLEV_TABLE_SIZE = 251;

/**
 * The load-balancing maps: frontends on the pool's addresses and ports (some
 * without backends, some with affinity, some with two scopes), backends,
 * Maglev tables naming present and missing backends (and empty slots, ID 0),
 * reverse NAT entries.
 * Affinity entries are left to the programs: whether one has expired is a
 * question of time, which the two sides do not share.
 */
export function serviceEntries(random: Random, frontends: number): Entry[] {
  const entries: Entry[] = [];
  for (let i = 0; i < frontends; i++) {
    const key = (slot: number, scope: number) =>
      Uint8Array.from([
        ...ipv4Address(random.pick(ADDRESSES)),
        ...be16(port(random)),
        ...le16(slot),
        random.pick([IPPROTO_TCP, IPPROTO_UDP, IPPROTO_SCTP]),
        scope,
        0,
        0,
      ]);
    const count = random.pick([0, 1, 2, 2]);
    // AFFINITY (0x10) on some, ROUTABLE (0x40: not a ClusterIP) on half.
    const flags = (random.chance(0.3) ? 0x10 : 0) | (random.chance(0.5) ? 0x40 : 0);
    const flags2 = random.chance(0.2) ? 0x20 : 0;
    const scope = random.chance(0.2) ? 1 : 0;
    const value = Uint8Array.from([...le32(flags ? random.pick([60, 600, 10800]) : 0), ...le16(count), ...le16(random.pick(SERVICE_IDS)), flags, flags2, 0, 0]);
    entries.push({ map: "eb_lb4_services", key: key(0, scope), value });
  }
  for (const id of BACKEND_IDS.filter((id) => id >= 1 && id <= 6)) {
    const value = Uint8Array.from([...ipv4Address(random.pick(ADDRESSES)), ...be16(port(random)), IPPROTO_TCP, 0, 0, 0, 0, 0]);
    entries.push({ map: "eb_lb4_backends", key: Uint8Array.from(le32(id)), value });
  }
  for (const id of SERVICE_IDS) {
    // struct lb4_backend_ref: backend_id, address, port, pad.
    const table = Array.from({ length: MAGLEV_TABLE_SIZE }, () => [
      ...le32(random.pick(BACKEND_IDS)),
      ...ipv4Address(random.pick(ADDRESSES)),
      ...be16(port(random)),
      0,
      0,
    ]).flat();
    entries.push({ map: "eb_lb4_maglev", key: Uint8Array.from(le16(id)), value: Uint8Array.from(table) });
    entries.push({
      map: "eb_lb4_reverse_nat",
      key: Uint8Array.from(le16(id)),
      value: Uint8Array.from([...ipv4Address(random.pick(ADDRESSES)), ...be16(port(random)), 0, 0]),
    });
  }
  return entries;
}

/** eb_prefilter4: CIDRs the XDP program denies. */
export function prefilterEntries(random: Random, count: number): Entry[] {
  return Array.from({ length: count }, () => {
    const key = Uint8Array.from([...le32(random.pick([32, 24, 16, 8])), ...ipv4Address(random.pick(ADDRESSES))]);
    return { map: "eb_prefilter4", key, value: Uint8Array.of(0) };
  });
}

export interface FrameSpec {
  src: string;
  dst: string;
}

/** A valid frame of a random protocol between src and dst. */
export function validFrame(random: Random, { src, dst }: FrameSpec): Uint8Array {
  switch (random.below(6)) {
    case 0:
    case 1:
      return ipv4Frame({ src, dst, protocol: IPPROTO_TCP }, withPayload(random, tcpHeader(port(random), port(random), random.pick(TCP_FLAG_SETS))));
    case 2:
      return ipv4Frame({ src, dst, protocol: IPPROTO_UDP }, withPayload(random, udpHeader(port(random), port(random))));
    case 3:
      return ipv4Frame(
        { src, dst, protocol: IPPROTO_ICMP },
        withPayload(random, icmpEcho(random.pick([ICMP_ECHO_REQUEST, ICMP_ECHO_REPLY, 3, 11]), random.pick([1, 7, 4242]))),
      );
    case 4:
      return ipv4Frame({ src, dst, protocol: IPPROTO_SCTP }, withPayload(random, sctpHeader(port(random), port(random))));
    default:
      return ipv4Frame({ src, dst, protocol: IPPROTO_TCP }, tcpHeader(40000 + random.below(4), random.pick([80, 443]), random.pick(TCP_FLAG_SETS)));
  }
}

function withPayload(random: Random, header: Uint8Array): Uint8Array {
  const payload = random.chance(0.5) ? random.bytes(random.below(200)) : new Uint8Array(0);
  const out = new Uint8Array(header.byteLength + payload.byteLength);
  out.set(header);
  out.set(payload, header.byteLength);
  return out;
}

export type Malformation =
  | "truncated"
  | "runt"
  | "bad-ihl"
  | "bad-version"
  | "ip-options"
  | "fragment"
  | "vlan"
  | "ipv6"
  | "ipv6-short"
  | "arp"
  | "unknown-ethertype"
  | "ieee8023"
  | "short-total-length"
  | "gre";

export const MALFORMATIONS: Malformation[] = [
  "truncated",
  "runt",
  "bad-ihl",
  "bad-version",
  "ip-options",
  "fragment",
  "vlan",
  "ipv6",
  "ipv6-short",
  "arp",
  "unknown-ethertype",
  "ieee8023",
  "short-total-length",
  "gre",
];

/** A malformed variant of a valid frame. */
export function malformedFrame(random: Random, spec: FrameSpec, kind: Malformation): Uint8Array {
  const frame = validFrame(random, spec);
  switch (kind) {
    case "truncated":
      return frame.slice(0, 14 + random.below(frame.byteLength - 14));
    case "runt":
      return frame.slice(0, random.below(14));
    case "bad-ihl": {
      const copy = frame.slice();
      copy[14] = 0x40 | random.below(5);
      return copy;
    }
    case "bad-version": {
      const copy = frame.slice();
      copy[14] = (random.pick([0, 5, 6, 15]) << 4) | 5;
      return copy;
    }
    case "ip-options": {
      const l4 = frame.slice(34);
      const ihl = 6 + random.below(10);
      return ipv4Frame({ ...spec, protocol: frame[23], ihl }, l4);
    }
    case "fragment": {
      const copy = frame.slice();
      new DataView(copy.buffer).setUint16(20, random.pick([0x2000, 0x0001, 0x2010, 0x1fff]));
      return copy;
    }
    case "vlan": {
      const tagged = new Uint8Array(frame.byteLength + 4);
      tagged.set(frame.subarray(0, 12));
      tagged.set([...be16(ETH_P_8021Q), ...be16(random.below(4096)), ...be16(ETH_P_IP)], 12);
      tagged.set(frame.subarray(14), 18);
      return tagged;
    }
    case "ipv6": {
      const header = new Uint8Array(40);
      header[0] = 0x60;
      header.set(be16(20), 4);
      header[6] = IPPROTO_TCP;
      header[7] = 64;
      const packet = new Uint8Array(60);
      packet.set(header);
      packet.set(tcpHeader(port(random), port(random), 0x02), 40);
      return ethernet(ETH_P_IPV6, packet);
    }
    case "ipv6-short":
      return ethernet(ETH_P_IPV6, random.bytes(random.below(40)));
    case "arp":
      return ethernet(ETH_P_ARP, random.bytes(28));
    case "unknown-ethertype":
      return ethernet(0x88cc, random.bytes(random.below(60)));
    case "ieee8023":
      return ethernet(random.below(0x600), random.bytes(random.below(60)));
    case "short-total-length": {
      const copy = frame.slice();
      new DataView(copy.buffer).setUint16(16, random.below(20));
      return copy;
    }
    case "gre":
      return ipv4Frame({ ...spec, protocol: IPPROTO_GRE }, random.bytes(24));
  }
}

/** A __sk_buff for ctx_in: only the fields a test run takes, with random mark, priority and cb. */
export function skbContext(random: Random): Uint8Array {
  const ctx = new Uint8Array(192);
  const view = new DataView(ctx.buffer);
  view.setUint32(8, random.chance(0.5) ? 0 : random.below(1 << 30), true);
  view.setUint32(32, random.below(8), true);
  for (let i = 0; i < 5; i++) view.setUint32(48 + 4 * i, random.chance(0.7) ? 0 : random.below(1 << 30), true);
  return ctx;
}

/** Cilium's DSR option (bpf/lib/dsr.h): type 0x9a, length 8, a frontend's port and address. */
const DSR_OPTION_TYPE = 0x9a;

/**
 * A valid frame whose IPv4 header carries the DSR option after its fixed 20
 * bytes, as a DSR load balancer sends it to a backend's node; sometimes with
 * another type or length, which is no DSR option.
 */
export function dsrOptionFrame(random: Random, spec: FrameSpec): Uint8Array {
  const frame = validFrame(random, spec);
  const l4 = frame.slice(14 + (frame[14] & 0x0f) * 4);
  const grown = ipv4Frame({ ...spec, protocol: frame[23], ihl: 7 }, l4);
  const type = random.chance(0.85) ? DSR_OPTION_TYPE : random.pick([0x1a, 0x94, 0x01]);
  const length = random.chance(0.9) ? 8 : random.pick([4, 6, 12]);
  grown.set([type, length, ...be16(port(random)), ...ipv4Address(random.pick(ADDRESSES))], 34);
  return grown;
}
