// Frames from headers: Ethernet, IPv4 (with its checksum), then TCP, UDP,
// SCTP or ICMP. Used for a scenario's `packets: build:` and for the requests
// and replies of attempts (backend-wasm's peers).

import { PROTOCOL_NUMBERS } from "../../abi/protocols.ts";
import { requireIPv4, writeIPv4 } from "../../util/ipv4.ts";

export type L4 =
  | { protocol: "TCP"; sport: number; dport: number; flags: string; seq?: number; ack?: number }
  | { protocol: "UDP"; sport: number; dport: number }
  | { protocol: "SCTP"; sport: number; dport: number; chunk?: "INIT" | "INIT_ACK" }
  | { protocol: "ICMP"; type: number; code: number; id?: number; sequence?: number };

export interface FrameHeaders {
  ipv4: { src: string; dst: string; ttl?: number };
  l4: L4;
  payload?: Uint8Array;
}

const ETH_P_IP = 0x0800;
const ETH_HLEN = 14;
const IPV4_HEADER = 20;
/** The most an IPv4 packet holds, header included: its total length's largest value. */
const IPV4_MAX_LENGTH = 0xffff;
/**
 * The largest frame either backend's datapath carries: an IPv4 packet of
 * 65,535 bytes behind its Ethernet header, which is what a veth of the
 * largest MTU (ETH_MAX_MTU, 65,535) takes, and what GRO makes of a TCP flow
 * at most (without BIG TCP).
 */
export const MAX_FRAME_BYTES = ETH_HLEN + IPV4_MAX_LENGTH;
const SOURCE_MAC = [0x02, 0, 0, 0, 0, 0x01];
const DESTINATION_MAC = [0x02, 0, 0, 0, 0, 0x02];
/** tcpdump's flag letters. */
const TCP_FLAG_BITS: Record<string, number> = { F: 0x01, S: 0x02, R: 0x04, P: 0x08, A: 0x10, U: 0x20, E: 0x40, C: 0x80 };

export function tcpFlagBits(flags: string): number {
  let bits = 0;
  for (const letter of flags) {
    const bit = TCP_FLAG_BITS[letter];
    if (bit === undefined) throw new RangeError(`"${letter}" is not a TCP flag (F S R P A U E C)`);
    bits |= bit;
  }
  return bits;
}

/** The ones' complement sum over 16-bit words, complemented (RFC 1071). */
export function internetChecksum(bytes: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < bytes.length; i += 2) sum += (bytes[i] << 8) | (bytes[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function l4Bytes(l4: L4): Uint8Array {
  switch (l4.protocol) {
    case "TCP": {
      const header = new Uint8Array(20);
      const view = new DataView(header.buffer);
      view.setUint16(0, l4.sport);
      view.setUint16(2, l4.dport);
      view.setUint32(4, l4.seq ?? 0x1000);
      view.setUint32(8, l4.ack ?? 0);
      header[12] = 5 << 4;
      header[13] = tcpFlagBits(l4.flags);
      view.setUint16(14, 64240);
      return header;
    }
    case "UDP": {
      const header = new Uint8Array(8);
      const view = new DataView(header.buffer);
      view.setUint16(0, l4.sport);
      view.setUint16(2, l4.dport);
      return header;
    }
    case "SCTP": {
      const header = new Uint8Array(12 + 20);
      const view = new DataView(header.buffer);
      const ack = l4.chunk === "INIT_ACK";
      view.setUint16(0, l4.sport);
      view.setUint16(2, l4.dport);
      view.setUint32(4, ack ? 0x11111111 : 0);
      header[12] = ack ? 2 : 1;
      view.setUint16(14, 20);
      view.setUint32(16, ack ? 0x22222222 : 0x11111111);
      view.setUint32(20, 65536);
      view.setUint16(24, 1);
      view.setUint16(26, 1);
      return header;
    }
    case "ICMP": {
      const header = new Uint8Array(8);
      const view = new DataView(header.buffer);
      header[0] = l4.type;
      header[1] = l4.code;
      view.setUint16(4, l4.id ?? 0);
      view.setUint16(6, l4.sequence ?? 1);
      return header;
    }
  }
}

/** The length of the frame buildFrame makes of these headers. */
export function builtFrameLength(headers: FrameHeaders): number {
  return ETH_HLEN + IPV4_HEADER + l4Bytes(headers.l4).length + (headers.payload?.length ?? 0);
}

export function buildFrame(headers: FrameHeaders): Uint8Array {
  const payload = headers.payload ?? new Uint8Array(0);
  const l4 = l4Bytes(headers.l4);
  const length = ETH_HLEN + IPV4_HEADER + l4.length + payload.length;
  // The IPv4 total length could not say more: it would wrap.
  if (length > MAX_FRAME_BYTES) throw new RangeError(`a frame of ${length} bytes holds an IPv4 packet longer than ${IPV4_MAX_LENGTH} bytes`);
  const out = new Uint8Array(length);
  out.set(DESTINATION_MAC, 0);
  out.set(SOURCE_MAC, 6);
  const view = new DataView(out.buffer);
  view.setUint16(12, ETH_P_IP);
  const ip = out.subarray(14, 34);
  ip[0] = 0x45;
  view.setUint16(16, 20 + l4.length + payload.length);
  view.setUint16(20, 0x4000); // don't fragment
  ip[8] = headers.ipv4.ttl ?? 64;
  ip[9] = PROTOCOL_NUMBERS[headers.l4.protocol];
  writeIPv4(ip, 12, requireIPv4(headers.ipv4.src));
  writeIPv4(ip, 16, requireIPv4(headers.ipv4.dst));
  view.setUint16(24, internetChecksum(ip));
  out.set(l4, 34);
  out.set(payload, 34 + l4.length);
  const transport = out.subarray(34);
  if (headers.l4.protocol === "UDP") view.setUint16(38, transport.length);
  if (headers.l4.protocol === "ICMP") view.setUint16(36, internetChecksum(transport));
  return out;
}
