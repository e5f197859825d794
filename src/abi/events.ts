// eb_events (bpf/lib/events.h): the ring buffer's records, one struct event
// each: what happened to a packet, where, and its first bytes.

import { structCodec } from "./codec.ts";
import { EventLayout } from "./generated.ts";

/**
 * `struct event` but its captured bytes (eventFrame reads those). type is
 * EVENT_*, verdict VERDICT_*, obsPoint OBS_*, dropReason a DROP_* (0 when
 * not dropped), direction DIR_*, traceReason TRACE_REASON_*, flags EVENT_F_*,
 * hook HOOK_*; dstPort (host order) and protocol are what policy judged.
 */
export const eventRecord = structCodec(EventLayout, {
  timestampNs: ["timestamp_ns", "u64"],
  type: ["type", "uint"],
  subtype: ["subtype", "uint"],
  verdict: ["verdict", "uint"],
  obsPoint: ["obs_point", "uint"],
  dropReason: ["drop_reason", "uint"],
  direction: ["direction", "uint"],
  traceReason: ["trace_reason", "uint"],
  flags: ["flags", "uint"],
  endpointId: ["endpoint_id", "uint"],
  dstPort: ["dst_port", "uint"],
  ifindex: ["ifindex", "uint"],
  srcIdentity: ["src_identity", "uint"],
  dstIdentity: ["dst_identity", "uint"],
  origLen: ["orig_len", "uint"],
  capLen: ["cap_len", "uint"],
  protocol: ["proto", "uint"],
  matchType: ["match_type", "uint"],
  policyCookie: ["policy_cookie", "uint"],
  hook: ["hook", "uint"],
});
export type EventRecord = ReturnType<typeof eventRecord.decode>;

/** The frame a record captured: the first `capLen` bytes of its data (a copy), at most the whole field. */
export function eventFrame(record: Uint8Array, capLen: number): Uint8Array {
  const { offset, size } = EventLayout.fields.data;
  return record.slice(offset, offset + Math.min(capLen, size));
}
