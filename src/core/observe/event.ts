// One record of the datapath's `eb_events` ring buffer (bpf/README.md,
// "Events"; bpf/lib/events.h), decoded into named fields.

import { DROP_REASONS, MessageType, OBSERVATION_POINTS } from "./enums.ts";

export const EVENT_RECORD_SIZE = 168;
export const EVENT_DATA_OFFSET = 48;
export const EVENT_CAPTURE_LEN = 120;

export type EventType = "drop" | "trace" | "policy-verdict";

/** The program that wrote the event (scenario `actual.hook` names). */
export type EventHook = "pod-egress" | "pod-ingress" | "host-ingress" | "host-egress" | "xdp" | "socket";
const HOOKS: readonly EventHook[] = ["pod-egress", "pod-ingress", "host-ingress", "host-egress", "xdp", "socket"];

/** Observation point of events written at the socket hooks, which see no packet. */
export const OBS_POINT_SOCKET = 255;

export interface DatapathEvent {
  /** bpf_ktime_get_ns() when the event was written: the node's monotonic clock. */
  timestampNs: bigint;
  type: EventType;
  /** drop: the reason; trace: the observation point; verdict: 0. */
  subtype: number;
  verdict: "FORWARDED" | "DROPPED";
  /** Monitor numbering: 0 to-endpoint, 5 from-endpoint, 10 from-network, 11 to-network, 255 socket. */
  obsPoint: number;
  /** Positive drop code; 0 when not dropped. */
  dropReason: number;
  direction: "INGRESS" | "EGRESS";
  /** Monitor trace reason: 0 new, 1 established, 2 reply, 5 unknown. */
  traceReason: number;
  /** Absent when the program cannot know (drops, host traces). */
  isReply: boolean | undefined;
  /** The local endpoint (bpf_lxc); 0 elsewhere. */
  endpointId: number;
  /** The port (or ICMP type) policy judged; verdict events only. */
  policyPort: number;
  ifindex: number;
  srcIdentity: number;
  dstIdentity: number;
  /** The frame's length. */
  origLen: number;
  /** L4 protocol policy judged; verdict events only. */
  protocol: number;
  /** Policy match type (verdicts, and drops that policy decided). */
  matchType: number;
  /** Cookie of the policy entry that decided; 0 when none. */
  policyCookie: number;
  hook: EventHook;
  /** The frame's first bytes (at most 120). */
  frame: Uint8Array;
}

/** A record that does not follow bpf/README.md's layout: names the record and the field. */
export class EventDecodeError extends Error {
  constructor(
    readonly record: string,
    readonly field: string,
    detail: string,
  ) {
    super(`${record}: ${field}: ${detail}`);
    this.name = "EventDecodeError";
  }
}

const TYPES: ReadonlyMap<number, EventType> = new Map([
  [MessageType.drop, "drop"],
  [MessageType.trace, "trace"],
  [MessageType.policyVerdict, "policy-verdict"],
]);

const IS_REPLY = 0x1;
const IS_REPLY_KNOWN = 0x2;

/**
 * Decodes one ring buffer record. `record` names it in errors (e.g.
 * `eb_events record 3`). Checks every enumerated field, so that a layout
 * change in bpf/ shows up here as an error rather than as a wrong flow.
 */
export function decodeEvent(bytes: Uint8Array, record = "event record"): DatapathEvent {
  if (bytes.length !== EVENT_RECORD_SIZE) {
    throw new EventDecodeError(record, "length", `${bytes.length} bytes, expected ${EVENT_RECORD_SIZE}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fail = (field: string, value: number, expected: string): never => {
    throw new EventDecodeError(record, field, `${value} is not ${expected}`);
  };

  const type = TYPES.get(bytes[8]) ?? fail("type", bytes[8], "1 (drop), 4 (trace) or 5 (policy verdict)");
  const subtype = bytes[9];
  const verdictByte = bytes[10];
  if (verdictByte !== 1 && verdictByte !== 2) fail("verdict", verdictByte, "1 (FORWARDED) or 2 (DROPPED)");
  const obsPoint = bytes[11];
  if (obsPoint !== OBS_POINT_SOCKET && !OBSERVATION_POINTS.has(obsPoint)) fail("obs_point", obsPoint, "an observation point");
  const dropReason = bytes[12];
  if (dropReason !== 0 && !DROP_REASONS.has(dropReason)) fail("drop_reason", dropReason, "a known drop reason");
  if (type === "drop" && (dropReason === 0 || subtype !== dropReason)) fail("subtype", subtype, `the drop reason (${dropReason})`);
  if (type === "trace" && subtype !== obsPoint) fail("subtype", subtype, `the observation point (${obsPoint})`);
  const directionByte = bytes[13];
  if (directionByte !== 1 && directionByte !== 2) fail("direction", directionByte, "1 (INGRESS) or 2 (EGRESS)");
  const flags = bytes[15];
  const capLen = view.getUint16(36, true);
  if (capLen > EVENT_CAPTURE_LEN) fail("cap_len", capLen, `at most ${EVENT_CAPTURE_LEN}`);
  const hook = HOOKS[bytes[44] - 1] ?? fail("hook", bytes[44], "1..6");

  return {
    timestampNs: view.getBigUint64(0, true),
    type,
    subtype,
    verdict: verdictByte === 1 ? "FORWARDED" : "DROPPED",
    obsPoint,
    dropReason,
    direction: directionByte === 1 ? "INGRESS" : "EGRESS",
    traceReason: bytes[14],
    isReply: flags & IS_REPLY_KNOWN ? (flags & IS_REPLY) !== 0 : undefined,
    endpointId: view.getUint16(16, true),
    policyPort: view.getUint16(18, true),
    ifindex: view.getUint32(20, true),
    srcIdentity: view.getUint32(24, true),
    dstIdentity: view.getUint32(28, true),
    origLen: view.getUint32(32, true),
    protocol: bytes[38],
    matchType: bytes[39],
    policyCookie: view.getUint32(40, true),
    hook,
    frame: bytes.slice(EVENT_DATA_OFFSET, EVENT_DATA_OFFSET + capLen),
  };
}
