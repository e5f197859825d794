// Flow records for the events of one connection and its failures, built
// from hand-made records: shared by the flow, compact-line and metrics tests.

import { decodeEvent, FlowBuilder, type FlowRecord } from "../../../src/core/observe/index.ts";
import {
  BACKEND_IDENTITY,
  BACKEND_IP,
  ethernet,
  eventRecord,
  fakeResolver,
  FRONTEND_IDENTITY,
  FRONTEND_IP,
  icmp,
  ipv4,
  type RecordFields,
  SCENARIO_EPOCH_NS,
  tcp,
  udp,
  WORLD_IP,
} from "./records.ts";

const SYN = ethernet(0x0800, ipv4(FRONTEND_IP, BACKEND_IP, 6, tcp(40000, 8080, 0x02)));
const SYN_ACK = ethernet(0x0800, ipv4(BACKEND_IP, FRONTEND_IP, 6, tcp(8080, 40000, 0x12)));
const FROM_WORLD = ethernet(0x0800, ipv4(WORLD_IP, BACKEND_IP, 17, udp(33000, 53)));

/** Each event, by what it shows. */
export const EVENTS = {
  /** frontend's egress policy allows the SYN (entry of ALLOW_POLICY, L3-L4). */
  egressAllowed: {
    type: 5,
    verdict: 1,
    obsPoint: 5,
    direction: 2,
    flags: 0x2,
    endpointId: 101,
    dstPort: 8080,
    ifindex: 7,
    srcIdentity: FRONTEND_IDENTITY,
    dstIdentity: BACKEND_IDENTITY,
    proto: 6,
    matchType: 2,
    policyCookie: 1,
    hook: 1,
    frame: SYN,
  },
  /** The SYN leaves frontend. */
  fromEndpoint: {
    type: 4,
    subtype: 5,
    verdict: 1,
    obsPoint: 5,
    direction: 2,
    traceReason: 0,
    flags: 0x2,
    endpointId: 101,
    ifindex: 7,
    srcIdentity: FRONTEND_IDENTITY,
    dstIdentity: BACKEND_IDENTITY,
    hook: 1,
    frame: SYN,
  },
  /** The SYN reaches backend. */
  toEndpoint: {
    type: 4,
    subtype: 0,
    verdict: 1,
    obsPoint: 0,
    direction: 1,
    traceReason: 0,
    flags: 0x2,
    endpointId: 102,
    ifindex: 9,
    srcIdentity: FRONTEND_IDENTITY,
    dstIdentity: BACKEND_IDENTITY,
    hook: 2,
    frame: SYN,
  },
  /** The SYN-ACK reaches frontend: a reply, so its direction flips to EGRESS. */
  replyToEndpoint: {
    type: 4,
    subtype: 0,
    verdict: 1,
    obsPoint: 0,
    direction: 2,
    traceReason: 2,
    flags: 0x3,
    endpointId: 101,
    ifindex: 7,
    srcIdentity: BACKEND_IDENTITY,
    dstIdentity: FRONTEND_IDENTITY,
    hook: 2,
    frame: SYN_ACK,
  },
  /** backend's ingress policy has no entry for frontend: default deny. */
  ingressDenied: {
    type: 5,
    verdict: 2,
    obsPoint: 0,
    dropReason: 133,
    direction: 1,
    flags: 0x2,
    endpointId: 102,
    dstPort: 8080,
    ifindex: 9,
    srcIdentity: FRONTEND_IDENTITY,
    dstIdentity: BACKEND_IDENTITY,
    proto: 6,
    hook: 2,
    frame: SYN,
  },
  /** ... and the drop that follows it. */
  policyDrop: {
    type: 1,
    subtype: 133,
    verdict: 2,
    obsPoint: 0,
    dropReason: 133,
    direction: 1,
    endpointId: 102,
    ifindex: 9,
    srcIdentity: FRONTEND_IDENTITY,
    dstIdentity: BACKEND_IDENTITY,
    hook: 2,
    frame: SYN,
  },
  /** A deny rule of DENY_POLICY refuses world at backend's ingress. */
  denyRule: {
    type: 5,
    verdict: 2,
    obsPoint: 0,
    dropReason: 181,
    direction: 1,
    flags: 0x2,
    endpointId: 102,
    dstPort: 53,
    ifindex: 9,
    srcIdentity: 2,
    dstIdentity: BACKEND_IDENTITY,
    proto: 17,
    matchType: 4,
    policyCookie: 2,
    hook: 2,
    frame: FROM_WORLD,
  },
  /** The node's device sees a packet from the world: no conntrack, no endpoint. */
  fromNetwork: {
    type: 4,
    subtype: 10,
    verdict: 1,
    obsPoint: 10,
    direction: 1,
    traceReason: 5,
    ifindex: 2,
    srcIdentity: 2,
    dstIdentity: BACKEND_IDENTITY,
    hook: 3,
    frame: FROM_WORLD,
  },
  /** A malformed IPv4 header dropped before the peer is known (identity 0). */
  earlyDrop: {
    type: 1,
    subtype: 134,
    verdict: 2,
    obsPoint: 5,
    dropReason: 134,
    direction: 2,
    endpointId: 101,
    ifindex: 7,
    srcIdentity: FRONTEND_IDENTITY,
    dstIdentity: 0,
    hook: 1,
    frame: ethernet(0x0800, ipv4(FRONTEND_IP, BACKEND_IP, 6, tcp(40000, 8080, 2), { ihl: 3 })),
  },
  /** A socket connect to a service without backends: no packet at all. */
  socketDrop: { type: 1, subtype: 158, verdict: 2, obsPoint: 255, dropReason: 158, direction: 2, srcIdentity: FRONTEND_IDENTITY, hook: 6 },
  /** An ICMP echo request forwarded to backend. */
  pingToEndpoint: {
    type: 4,
    subtype: 0,
    verdict: 1,
    obsPoint: 0,
    direction: 1,
    traceReason: 0,
    flags: 0x2,
    endpointId: 102,
    ifindex: 9,
    srcIdentity: FRONTEND_IDENTITY,
    dstIdentity: BACKEND_IDENTITY,
    hook: 2,
    frame: ethernet(0x0800, ipv4(FRONTEND_IP, BACKEND_IP, 1, icmp(8, 0))),
  },
} satisfies Record<string, RecordFields>;

export type EventName = keyof typeof EVENTS;

/** One builder, one flow per event in EVENTS' order, 1.5 ms apart from the scenario epoch. */
export function buildAll(seed = 1): Record<EventName, FlowRecord> {
  const builder = new FlowBuilder({ nodeName: "default/node-1", seed, resolver: fakeResolver });
  const names = Object.keys(EVENTS) as EventName[];
  return Object.fromEntries(
    names.map((name, i) => [name, builder.build(decodeEvent(eventRecord(EVENTS[name])), SCENARIO_EPOCH_NS + BigInt(i) * 1_500_000n)]),
  ) as Record<EventName, FlowRecord>;
}
