// The frames the simulated cluster's peers send: a request, and the reply a
// peer gives it (TCP SYN then SYN-ACK, UDP and its answer, ICMP echo and
// reply, SCTP INIT and INIT-ACK).

import type { ConnectionAttempt } from "../src/core/datapath/datapath.ts";
import { buildFrame, type L4 } from "../src/core/packets/build.ts";

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

/** The request from address.sourceIP to address.destinationIP. */
export function frame(address: FlowAddress): Uint8Array {
  return buildFrame({ ipv4: { src: address.sourceIP, dst: address.destinationIP }, l4: l4(address, false) });
}

/** The reply a peer sends to that request: addresses and ports swapped. */
export function replyFrame(address: FlowAddress): Uint8Array {
  return buildFrame({ ipv4: { src: address.destinationIP, dst: address.sourceIP }, l4: l4(address, true) });
}
