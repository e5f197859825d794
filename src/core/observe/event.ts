// One record of the datapath's `eb_events` ring buffer (bpf/README.md,
// "Events"; bpf/lib/events.h), decoded into named fields.

import { eventFrame, eventRecord } from "../../abi/events.ts";
import {
  Direction,
  EventCapture,
  EventFlags,
  EventHook as HookNumber,
  EventType as EventTypeNumber,
  EventVerdict,
  ObservationPoint,
} from "../../abi/generated.ts";
import { DROP_REASONS, OBSERVATION_POINTS } from "./enums.ts";

export type EventType = "drop" | "trace" | "policy-verdict";

/** The program that wrote the event (scenario `actual.hook` names). */
export type EventHook = "pod-egress" | "pod-ingress" | "host-ingress" | "host-egress" | "xdp" | "socket";
const HOOKS: ReadonlyMap<number, EventHook> = new Map([
  [HookNumber.HOOK_POD_EGRESS, "pod-egress"],
  [HookNumber.HOOK_POD_INGRESS, "pod-ingress"],
  [HookNumber.HOOK_HOST_INGRESS, "host-ingress"],
  [HookNumber.HOOK_HOST_EGRESS, "host-egress"],
  [HookNumber.HOOK_XDP, "xdp"],
  [HookNumber.HOOK_SOCKET, "socket"],
]);

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
  [EventTypeNumber.EVENT_DROP, "drop"],
  [EventTypeNumber.EVENT_TRACE, "trace"],
  [EventTypeNumber.EVENT_POLICY_VERDICT, "policy-verdict"],
]);

const VERDICTS: ReadonlyMap<number, DatapathEvent["verdict"]> = new Map([
  [EventVerdict.VERDICT_FORWARDED, "FORWARDED"],
  [EventVerdict.VERDICT_DROPPED, "DROPPED"],
]);

const DIRECTIONS: ReadonlyMap<number, DatapathEvent["direction"]> = new Map([
  [Direction.DIR_INGRESS, "INGRESS"],
  [Direction.DIR_EGRESS, "EGRESS"],
]);

/** What the error says a field should be, from a map of the values it may hold. */
function oneOf(values: ReadonlyMap<number, string>, describe = (name: string) => name): string {
  const texts = [...values].map(([number, name]) => `${number} (${describe(name)})`);
  return `${texts.slice(0, -1).join(", ")} or ${texts[texts.length - 1]}`;
}

/**
 * Decodes one ring buffer record. `record` names it in errors (e.g.
 * `eb_events record 3`). Checks every enumerated field, so that a layout
 * change in bpf/ shows up here as an error rather than as a wrong flow.
 */
export function decodeEvent(bytes: Uint8Array, record = "event record"): DatapathEvent {
  if (bytes.length !== eventRecord.size) {
    throw new EventDecodeError(record, "length", `${bytes.length} bytes, expected ${eventRecord.size}`);
  }
  const fields = eventRecord.decode(bytes);
  const fail = (field: string, value: number, expected: string): never => {
    throw new EventDecodeError(record, field, `${value} is not ${expected}`);
  };

  const type =
    TYPES.get(fields.type) ??
    fail(
      "type",
      fields.type,
      oneOf(TYPES, (name) => name.replace("-", " ")),
    );
  const verdict = VERDICTS.get(fields.verdict) ?? fail("verdict", fields.verdict, oneOf(VERDICTS));
  const { subtype, obsPoint, dropReason } = fields;
  if (obsPoint !== ObservationPoint.OBS_NONE && !OBSERVATION_POINTS.has(obsPoint)) fail("obs_point", obsPoint, "an observation point");
  if (dropReason !== 0 && !DROP_REASONS.has(dropReason)) fail("drop_reason", dropReason, "a known drop reason");
  if (type === "drop" && (dropReason === 0 || subtype !== dropReason)) fail("subtype", subtype, `the drop reason (${dropReason})`);
  if (type === "trace" && subtype !== obsPoint) fail("subtype", subtype, `the observation point (${obsPoint})`);
  const direction = DIRECTIONS.get(fields.direction) ?? fail("direction", fields.direction, oneOf(DIRECTIONS));
  if (fields.capLen > EventCapture.EVENT_CAPTURE_LEN) fail("cap_len", fields.capLen, `at most ${EventCapture.EVENT_CAPTURE_LEN}`);
  const hook = HOOKS.get(fields.hook) ?? fail("hook", fields.hook, `${Math.min(...HOOKS.keys())}..${Math.max(...HOOKS.keys())}`);

  return {
    timestampNs: fields.timestampNs,
    type,
    subtype,
    verdict,
    obsPoint,
    dropReason,
    direction,
    traceReason: fields.traceReason,
    isReply: fields.flags & EventFlags.EVENT_F_IS_REPLY_KNOWN ? (fields.flags & EventFlags.EVENT_F_IS_REPLY) !== 0 : undefined,
    endpointId: fields.endpointId,
    policyPort: fields.dstPort,
    ifindex: fields.ifindex,
    srcIdentity: fields.srcIdentity,
    dstIdentity: fields.dstIdentity,
    origLen: fields.origLen,
    protocol: fields.protocol,
    matchType: fields.matchType,
    policyCookie: fields.policyCookie,
    hook,
    frame: eventFrame(bytes, fields.capLen),
  };
}
