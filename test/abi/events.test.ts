// eb_events' record codec: each field at its BTF offset in host order, the
// captured bytes read up to cap_len, and what is encoded decodes back whole.

import { describe, expect, test } from "vitest";
import { eventFrame, eventRecord } from "../../src/abi/events.ts";
import {
  Direction,
  DropReason,
  EventCapture,
  EventHook,
  EventLayout,
  EventType,
  EventVerdict,
  ObservationPoint,
  PolicyMatchType,
} from "../../src/abi/generated.ts";
import { PROTOCOL_NUMBERS } from "../../src/abi/protocols.ts";
import { expectZeroOutside, fieldHex } from "./layout.ts";

const DROP = {
  timestampNs: 0x0102030405060708n,
  type: EventType.EVENT_DROP,
  subtype: DropReason.DROP_POLICY,
  verdict: EventVerdict.VERDICT_DROPPED,
  obsPoint: ObservationPoint.OBS_FROM_ENDPOINT,
  dropReason: DropReason.DROP_POLICY,
  direction: Direction.DIR_EGRESS,
  traceReason: 0,
  flags: 0,
  endpointId: 0x1234,
  dstPort: 8080,
  ifindex: 0x01020304,
  srcIdentity: 256,
  dstIdentity: 16777217,
  origLen: 74,
  capLen: 74,
  protocol: PROTOCOL_NUMBERS.TCP,
  matchType: PolicyMatchType.MATCH_L3_L4,
  policyCookie: 0xdeadbeef,
  hook: EventHook.HOOK_POD_EGRESS,
};

describe("the event record codec", () => {
  test("writes every field in host order at its offset, pad and data zero", () => {
    const bytes = eventRecord.encode(DROP);
    expect(bytes.length).toBe(EventLayout.size);
    expect(fieldHex(bytes, EventLayout, "timestamp_ns")).toBe("0807060504030201");
    expect(fieldHex(bytes, EventLayout, "type")).toBe("01");
    expect(fieldHex(bytes, EventLayout, "drop_reason")).toBe("85");
    expect(fieldHex(bytes, EventLayout, "endpoint_id")).toBe("3412");
    expect(fieldHex(bytes, EventLayout, "dst_port")).toBe("901f");
    expect(fieldHex(bytes, EventLayout, "ifindex")).toBe("04030201");
    expect(fieldHex(bytes, EventLayout, "dst_identity")).toBe("01000001");
    expect(fieldHex(bytes, EventLayout, "cap_len")).toBe("4a00");
    expect(fieldHex(bytes, EventLayout, "policy_cookie")).toBe("efbeadde");
    expect(fieldHex(bytes, EventLayout, "hook")).toBe("01");
    const fields = Object.keys(EventLayout.fields).filter((field) => field !== "pad" && field !== "data") as (keyof typeof EventLayout.fields)[];
    expectZeroOutside(bytes, EventLayout, fields);
  });

  test("decodes what it encoded", () => {
    expect(eventRecord.decode(eventRecord.encode(DROP))).toEqual(DROP);
  });
});

describe("an event's frame", () => {
  const record = eventRecord.encode(DROP);
  const frame = Uint8Array.from({ length: EventCapture.EVENT_CAPTURE_LEN }, (_, i) => i + 1);
  record.set(frame, EventLayout.fields.data.offset);

  test("is the first cap_len bytes of data, copied", () => {
    const read = eventFrame(record, 3);
    expect([...read]).toEqual([1, 2, 3]);
    read[0] = 99;
    expect(record[EventLayout.fields.data.offset]).toBe(1);
  });

  test("stops at the end of data whatever cap_len says", () => {
    expect(eventFrame(record, 0xffff)).toEqual(frame);
  });
});
