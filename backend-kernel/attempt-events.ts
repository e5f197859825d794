// Which of a run's events belong to an attempt, and to which half of it. Real
// sockets send more than the two packets an attempt is about (the TCP ACK,
// the reset that ends it, a retransmission), and ring buffers of several
// nodes interleave: an event belongs to the attempt's request when the frame
// it carries (struct event's data, bpf/README.md Events) is that request (a SYN, an
// INIT, an echo request, or the datagram), to its reply when it is the reply
// (SYN-ACK, INIT-ACK, echo reply, the answer), and each hook reports a
// packet once: a retransmission seen again at a hook is not the attempt's.

import { EventHook, EventLayout, EventType } from "../src/abi/generated.ts";
import { PROTOCOL_NUMBERS } from "../src/abi/protocols.ts";
import { StructBytes } from "../src/abi/struct.ts";
import type { ConnectionAttempt, DatapathEvent } from "../src/core/datapath/datapath.ts";
import { formatIPv4, readIPv4 } from "../src/util/ipv4.ts";

const ETH_P_IP = 0x0800;
const TCP_SYN = 0x02;
const TCP_ACK = 0x10;
const ICMP_ECHO_REPLY = 0;
const ICMP_ECHO_REQUEST = 8;
const SCTP_INIT = 1;
const SCTP_INIT_ACK = 2;

export type AttemptHalf = "request" | "reply";

/** An address and port the client's side of the attempt goes by: its own, or what a node's NodePort SNAT made of it. */
export interface ClientSide {
  ip: string;
  port: number;
}

export interface TimedEvent extends DatapathEvent {
  timestampNs: bigint;
}

const eventOf = (record: Uint8Array) => new StructBytes(EventLayout, record);

export function timed(node: string, record: Uint8Array): TimedEvent {
  return { node, record, timestampNs: eventOf(record).getBigInt("timestamp_ns") };
}

export function isDrop(event: DatapathEvent): boolean {
  return eventOf(event.record).get("type") === EventType.EVENT_DROP;
}

/** Whether bpf_lxc of endpoint `endpointId` wrote the event at `hook`. */
export function isEndpointEvent(record: Uint8Array, hook: EventHook, endpointId: number): boolean {
  const event = eventOf(record);
  return event.get("hook") === hook && event.get("endpoint_id") === endpointId;
}

/** The frame an event carries; undefined for bpf_sock's events, which carry none. */
function frameOf(record: Uint8Array): Uint8Array | undefined {
  const event = eventOf(record);
  if (event.get("hook") === EventHook.HOOK_SOCKET) return undefined;
  const start = EventLayout.fields.data.offset;
  return record.subarray(start, start + event.get("cap_len"));
}

const ipv4 = (bytes: Uint8Array, offset: number) => formatIPv4(readIPv4(bytes, offset));

/**
 * Which half of `attempt` the event's frame is, if it is one of them. Only
 * the client's side of the frame is compared: a service's translation
 * changes the other side (the backend's address and port) on the way, and
 * NodePort SNAT the client's own (`snat`: what it became, from the nodes'
 * conntrack; ICMP is never translated).
 */
export function halfOf(attempt: ConnectionAttempt, record: Uint8Array, snat: readonly ClientSide[] = []): AttemptHalf | undefined {
  const frame = frameOf(record);
  if (!frame) return "request";
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
export function attemptEvents(
  attempt: ConnectionAttempt,
  events: readonly TimedEvent[],
  snat: readonly ClientSide[] = [],
): Record<AttemptHalf, DatapathEvent[]> {
  const ordered = [...events].sort((a, b) => (a.timestampNs < b.timestampNs ? -1 : a.timestampNs > b.timestampNs ? 1 : 0));
  const result: Record<AttemptHalf, DatapathEvent[]> = { request: [], reply: [] };
  const seen = new Set<string>();
  for (const { node, record } of ordered) {
    const half = halfOf(attempt, record, snat);
    if (!half) continue;
    const event = eventOf(record);
    const sighting = `${half} ${node} ${event.get("hook")} ${event.get("ifindex")} ${event.get("type")}`;
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
    const frame = frameOf(record);
    if (frame && frame.length >= 34 && ((frame[12] << 8) | frame[13]) === ETH_P_IP) return ipv4(frame, 30);
  }
  return undefined;
}
