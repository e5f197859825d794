// Ethernet frames for feeding the datapath: IPv4 with TCP, UDP, ICMP echo or
// SCTP, and the malformed variants the datapath must refuse. Checksums are
// left 0: the datapath does not check them.

import { ipv4Bytes, requireIPv4 } from "../../src/util/ipv4.ts";

export const ETH_P_IP = 0x0800;
export const ETH_P_ARP = 0x0806;
export const ETH_P_IPV6 = 0x86dd;
export const ETH_P_8021Q = 0x8100;

export const IPPROTO_ICMP = 1;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const IPPROTO_SCTP = 132;
export const IPPROTO_GRE = 47;

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_ACK = 0x10;

/** "10.0.1.5" as its four bytes. */
export function ipv4Address(text: string): Uint8Array {
  return ipv4Bytes(requireIPv4(text));
}

export function ethernet(ethertype: number, payload: Uint8Array): Uint8Array {
  const frame = new Uint8Array(14 + payload.length);
  frame.set([0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01], 0);
  new DataView(frame.buffer).setUint16(12, ethertype);
  frame.set(payload, 14);
  return frame;
}

export interface Ipv4Options {
  src: string;
  dst: string;
  protocol: number;
  /** Header length in 32-bit words: 5, more with options, less to be malformed. */
  ihl?: number;
  /** The 16-bit flags and fragment offset field. */
  fragment?: number;
}

/** An Ethernet frame carrying an IPv4 packet around l4 (options are zeros). */
export function ipv4Frame(options: Ipv4Options, l4: Uint8Array): Uint8Array {
  const ihl = options.ihl ?? 5;
  const headerLength = Math.max(ihl, 5) * 4;
  const packet = new Uint8Array(headerLength + l4.length);
  const view = new DataView(packet.buffer);
  view.setUint8(0, 0x40 | ihl);
  view.setUint16(2, packet.length);
  view.setUint16(6, options.fragment ?? 0);
  view.setUint8(8, 64);
  view.setUint8(9, options.protocol);
  packet.set(ipv4Address(options.src), 12);
  packet.set(ipv4Address(options.dst), 16);
  packet.set(l4, headerLength);
  return ethernet(ETH_P_IP, packet);
}

export function tcpHeader(sport: number, dport: number, flags: number): Uint8Array {
  const header = new Uint8Array(20);
  const view = new DataView(header.buffer);
  view.setUint16(0, sport);
  view.setUint16(2, dport);
  view.setUint8(12, 5 << 4);
  view.setUint8(13, flags);
  return header;
}

export function udpHeader(sport: number, dport: number): Uint8Array {
  const header = new Uint8Array(8);
  const view = new DataView(header.buffer);
  view.setUint16(0, sport);
  view.setUint16(2, dport);
  view.setUint16(4, 8);
  return header;
}

/** SCTP's common header: ports, verification tag, checksum. */
export function sctpHeader(sport: number, dport: number): Uint8Array {
  const header = new Uint8Array(12);
  const view = new DataView(header.buffer);
  view.setUint16(0, sport);
  view.setUint16(2, dport);
  return header;
}

export const ICMP_ECHO_REPLY = 0;
export const ICMP_ECHO_REQUEST = 8;

export function icmpEcho(type: number, id: number): Uint8Array {
  const header = new Uint8Array(8);
  const view = new DataView(header.buffer);
  view.setUint8(0, type);
  view.setUint16(4, id);
  return header;
}
