// The frames the simulated cluster's peers send: Ethernet and IPv4 (with its
// header checksum) around TCP, UDP, ICMP echo or SCTP, for a request and for
// the reply a peer gives it.

import type { Protocol } from "../src/core/datapath/datapath.ts";

export interface FlowAddress {
  sourceIP: string;
  destinationIP: string;
  protocol: Protocol;
  /** ICMP: the echo identifier. */
  sourcePort: number;
  destinationPort: number;
}

const ETH_P_IP = 0x0800;
const PROTOCOL_NUMBER: Record<Protocol, number> = { ICMP: 1, TCP: 6, UDP: 17, SCTP: 132 };
const SOURCE_MAC = [0x02, 0, 0, 0, 0, 0x01];
const DESTINATION_MAC = [0x02, 0, 0, 0, 0, 0x02];
const TCP_SYN = 0x02;
const TCP_ACK = 0x10;
const ICMP_ECHO_REQUEST = 8;
const ICMP_ECHO_REPLY = 0;
const SCTP_INIT = 1;
const SCTP_INIT_ACK = 2;

function ipv4Bytes(text: string): number[] {
  return text.split(".").map(Number);
}

/** The ones' complement sum over 16-bit words, complemented (RFC 1071). */
function internetChecksum(bytes: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < bytes.length; i += 2) sum += (bytes[i] << 8) | (bytes[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function l4Header(address: FlowAddress, reply: boolean): Uint8Array {
  const sport = address.sourcePort;
  const dport = address.destinationPort;
  switch (address.protocol) {
    case "TCP": {
      const header = new Uint8Array(20);
      const view = new DataView(header.buffer);
      view.setUint16(0, sport);
      view.setUint16(2, dport);
      view.setUint32(4, reply ? 0x2000 : 0x1000);
      view.setUint32(8, reply ? 0x1001 : 0);
      header[12] = 5 << 4;
      header[13] = reply ? TCP_SYN | TCP_ACK : TCP_SYN;
      view.setUint16(14, 64240);
      return header;
    }
    case "UDP": {
      const header = new Uint8Array(12);
      const view = new DataView(header.buffer);
      view.setUint16(0, sport);
      view.setUint16(2, dport);
      view.setUint16(4, header.length);
      header.set([0x65, 0x62, 0x62, 0x66], 8); // "ebbf"
      return header;
    }
    case "ICMP": {
      const header = new Uint8Array(12);
      const view = new DataView(header.buffer);
      header[0] = reply ? ICMP_ECHO_REPLY : ICMP_ECHO_REQUEST;
      view.setUint16(4, sport);
      view.setUint16(6, 1);
      view.setUint16(2, internetChecksum(header));
      return header;
    }
    case "SCTP": {
      const header = new Uint8Array(12 + 20);
      const view = new DataView(header.buffer);
      view.setUint16(0, sport);
      view.setUint16(2, dport);
      view.setUint32(4, reply ? 0x11111111 : 0);
      header[12] = reply ? SCTP_INIT_ACK : SCTP_INIT;
      view.setUint16(14, 20);
      view.setUint32(16, reply ? 0x22222222 : 0x11111111);
      view.setUint32(20, 65536);
      view.setUint16(24, 1);
      view.setUint16(26, 1);
      return header;
    }
  }
}

/** A frame from address.sourceIP:sourcePort to address.destinationIP:destinationPort. */
export function frame(address: FlowAddress, reply = false): Uint8Array {
  const l4 = l4Header(address, reply);
  const out = new Uint8Array(14 + 20 + l4.length);
  out.set(DESTINATION_MAC, 0);
  out.set(SOURCE_MAC, 6);
  new DataView(out.buffer).setUint16(12, ETH_P_IP);
  const ip = out.subarray(14, 34);
  const view = new DataView(out.buffer, 14, 20);
  ip[0] = 0x45;
  view.setUint16(2, 20 + l4.length);
  view.setUint16(6, 0x4000); // don't fragment
  ip[8] = 64;
  ip[9] = PROTOCOL_NUMBER[address.protocol];
  ip.set(ipv4Bytes(address.sourceIP), 12);
  ip.set(ipv4Bytes(address.destinationIP), 16);
  view.setUint16(10, internetChecksum(ip));
  out.set(l4, 34);
  return out;
}

/** The reply a peer sends to a request of `address`: addresses and ports swapped. */
export function replyFrame(address: FlowAddress): Uint8Array {
  const swapped: FlowAddress =
    address.protocol === "ICMP"
      ? { ...address, sourceIP: address.destinationIP, destinationIP: address.sourceIP }
      : {
          ...address,
          sourceIP: address.destinationIP,
          destinationIP: address.sourceIP,
          sourcePort: address.destinationPort,
          destinationPort: address.sourcePort,
        };
  return frame(swapped, true);
}
