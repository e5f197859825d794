// The frames the simulated cluster's peers send: a request, and the reply a
// peer gives it (TCP SYN then SYN-ACK, UDP and its answer, ICMP echo and
// reply, SCTP INIT and INIT-ACK).

import type { ConnectionAttempt } from "../src/core/datapath/datapath.ts";
import { buildFrame, type L4 } from "../src/core/packets/build.ts";
import { formatIPv4, readIPv4 } from "../src/util/ipv4.ts";

export type FlowAddress = Pick<ConnectionAttempt, "sourceIP" | "destinationIP" | "protocol" | "sourcePort" | "destinationPort">;

function l4(address: FlowAddress, reply: boolean): L4 {
  const [sport, dport] = reply ? [address.destinationPort, address.sourcePort] : [address.sourcePort, address.destinationPort];
  switch (address.protocol) {
    case "TCP":
      return reply ? { protocol: "TCP", sport, dport, flags: "SA", seq: 0x2000, ack: 0x1001 } : { protocol: "TCP", sport, dport, flags: "S" };
    case "UDP":
      return { protocol: "UDP", sport, dport };
    case "SCTP":
      return { protocol: "SCTP", sport, dport, chunk: reply ? "INIT_ACK" : "INIT" };
    case "ICMP":
      return { protocol: "ICMP", type: reply ? 0 : 8, code: 0, id: address.sourcePort };
  }
}

const PROTOCOLS: Readonly<Record<number, ConnectionAttempt["protocol"]>> = { 1: "ICMP", 6: "TCP", 17: "UDP", 132: "SCTP" };

/**
 * The addresses of a frame these peers built (after any translation): ports
 * for TCP, UDP and SCTP, the echo identifier as the source port for ICMP.
 */
export function readFlowAddress(bytes: Uint8Array): FlowAddress {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const address = (offset: number) => formatIPv4(readIPv4(bytes, offset));
  const l4 = 14 + (bytes[14] & 0x0f) * 4;
  const protocol = PROTOCOLS[bytes[23]];
  if (protocol === undefined) throw new Error(`a peer's frame has IP protocol ${bytes[23]}`);
  const icmp = protocol === "ICMP";
  return {
    sourceIP: address(26),
    destinationIP: address(30),
    protocol,
    sourcePort: view.getUint16(icmp ? l4 + 4 : l4, false),
    destinationPort: icmp ? 0 : view.getUint16(l4 + 2, false),
  };
}

/** The request from address.sourceIP to address.destinationIP. */
export function frame(address: FlowAddress): Uint8Array {
  return buildFrame({ ipv4: { src: address.sourceIP, dst: address.destinationIP }, l4: l4(address, false) });
}

/** The reply a peer sends to that request: addresses and ports swapped. */
export function replyFrame(address: FlowAddress): Uint8Array {
  return buildFrame({ ipv4: { src: address.destinationIP, dst: address.sourceIP }, l4: l4(address, true) });
}
