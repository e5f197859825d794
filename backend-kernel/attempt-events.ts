// Which of a run's events belong to an attempt, and to which half of it. Real
// sockets send more than the two packets an attempt is about (the TCP ACK,
// the reset that ends it, a retransmission), and ring buffers of several
// nodes interleave: an event belongs to the attempt's request when the frame
// it carries (bpf/README.md, Events: data at 48) is that request (a SYN, an
// INIT, an echo request, or the datagram), to its reply when it is the reply
// (SYN-ACK, INIT-ACK, echo reply, the answer), and each hook reports a
// packet once: a retransmission seen again at a hook is not the attempt's.

import type { ConnectionAttempt, DatapathEvent } from "../src/core/datapath/datapath.ts";

const RECORD = { timestamp: 0, type: 8, capLen: 36, ifindex: 20, hook: 44, data: 48 } as const;
const ETH_P_IP = 0x0800;
const PROTOCOL_NUMBERS = { TCP: 6, UDP: 17, ICMP: 1, SCTP: 132 } as const;
const TCP_SYN = 0x02;
const TCP_ACK = 0x10;
const ICMP_ECHO_REPLY = 0;
const ICMP_ECHO_REQUEST = 8;
const SCTP_INIT = 1;
const SCTP_INIT_ACK = 2;
/** bpf_sock's events carry no packet. */
const HOOK_SOCKET = 6;

export type AttemptHalf = "request" | "reply";

/** An address and port the client's side of the attempt goes by: its own, or what a node's NodePort SNAT made of it. */
export interface ClientSide {
  ip: string;
  port: number;
}

export interface TimedEvent extends DatapathEvent {
  timestampNs: bigint;
}

export function timed(node: string, record: Uint8Array): TimedEvent {
  const view = new DataView(record.buffer, record.byteOffset, record.byteLength);
  return { node, record, timestampNs: view.getBigUint64(RECORD.timestamp, true) };
}

export function isDrop(event: DatapathEvent): boolean {
  return event.record[RECORD.type] === 1;
}

const ipv4 = (bytes: Uint8Array, offset: number) => Array.from(bytes.subarray(offset, offset + 4)).join(".");

/**
 * Which half of `attempt` the event's frame is, if it is one of them. Only
 * the client's side of the frame is compared: a service's translation
 * changes the other side (the backend's address and port) on the way, and
 * NodePort SNAT the client's own (`snat`: what it became, from the nodes'
 * conntrack; ICMP is never translated).
 */
export function halfOf(attempt: ConnectionAttempt, record: Uint8Array, snat: readonly ClientSide[] = []): AttemptHalf | undefined {
  const view = new DataView(record.buffer, record.byteOffset, record.byteLength);
  if (record[RECORD.hook] === HOOK_SOCKET) return "request";
  const frame = record.subarray(RECORD.data, RECORD.data + view.getUint16(RECORD.capLen, true));
  if (frame.length < 34 || ((frame[12] << 8) | frame[13]) !== ETH_P_IP) return undefined;
  const l4 = 14 + (frame[14] & 0x0f) * 4;
  if (frame[23] !== PROTOCOL_NUMBERS[attempt.protocol] || frame.length < l4 + 8) return undefined;
  const port = (offset: number) => (frame[l4 + offset] << 8) | frame[l4 + offset + 1];
  const client = (address: number, portOffset: number) =>
    attempt.protocol === "ICMP"
      ? ipv4(frame, address) === attempt.sourceIP
      : [{ ip: attempt.sourceIP, port: attempt.sourcePort }, ...snat].some((side) => ipv4(frame, address) === side.ip && port(portOffset) === side.port);
  const half: AttemptHalf | undefined = client(26, 0) ? "request" : client(30, 2) ? "reply" : undefined;
  if (!half) return undefined;
  switch (attempt.protocol) {
    case "ICMP":
      return frame[l4] === (half === "request" ? ICMP_ECHO_REQUEST : ICMP_ECHO_REPLY) && port(4) === attempt.sourcePort ? half : undefined;
    case "TCP": {
      if (frame.length < l4 + 14) return undefined;
      const wanted = half === "request" ? TCP_SYN : TCP_SYN | TCP_ACK;
      return (frame[l4 + 13] & (TCP_SYN | TCP_ACK)) === wanted ? half : undefined;
    }
    case "SCTP":
      if (frame.length < l4 + 13) return undefined;
      return frame[l4 + 12] === (half === "request" ? SCTP_INIT : SCTP_INIT_ACK) ? half : undefined;
    case "UDP":
      return half;
  }
}

/**
 * The attempt's request and reply events out of everything the nodes wrote,
 * in the order they happened, each hook's first sight of each packet only.
 */
export function attemptEvents(attempt: ConnectionAttempt, events: readonly TimedEvent[], snat: readonly ClientSide[] = []): Record<AttemptHalf, DatapathEvent[]> {
  const ordered = [...events].sort((a, b) => (a.timestampNs < b.timestampNs ? -1 : a.timestampNs > b.timestampNs ? 1 : 0));
  const result: Record<AttemptHalf, DatapathEvent[]> = { request: [], reply: [] };
  const seen = new Set<string>();
  for (const { node, record } of ordered) {
    const half = halfOf(attempt, record, snat);
    if (!half) continue;
    const view = new DataView(record.buffer, record.byteOffset, record.byteLength);
    const sighting = `${half} ${node} ${record[RECORD.hook]} ${view.getUint32(RECORD.ifindex, true)} ${record[RECORD.type]}`;
    if (seen.has(sighting)) continue;
    seen.add(sighting);
    result[half].push({ node, record });
  }
  return result;
}

/**
 * Where the request was delivered: the destination address of the last
 * frame its events carry (a service's backend once translated), undefined
 * when none carries one.
 */
export function deliveredTo(request: readonly DatapathEvent[]): string | undefined {
  for (const { record } of [...request].reverse()) {
    const view = new DataView(record.buffer, record.byteOffset, record.byteLength);
    if (record[RECORD.hook] === HOOK_SOCKET) continue;
    const frame = record.subarray(RECORD.data, RECORD.data + view.getUint16(RECORD.capLen, true));
    if (frame.length >= 34 && ((frame[12] << 8) | frame[13]) === ETH_P_IP) return ipv4(frame, 30);
  }
  return undefined;
}
