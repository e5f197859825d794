import { describe, expect, it } from "vitest";
import { decodeEvent, EventDecodeError } from "../../../src/core/observe/index.ts";
import { eventRecord, ethernet, ipv4, tcp, FRONTEND_IP, BACKEND_IP } from "./records.ts";

describe("decodeEvent reads a 168-byte eb_events record as bpf/README.md lays it out", () => {
  const frame = ethernet(0x0800, ipv4(FRONTEND_IP, BACKEND_IP, 6, tcp(40000, 8080, 0x02)));

  it("reads every field at its offset", () => {
    const bytes = eventRecord({
      timestampNs: 0x0102030405060708n,
      type: 5,
      verdict: 2,
      obsPoint: 5,
      dropReason: 181,
      direction: 2,
      traceReason: 0,
      flags: 0x2,
      endpointId: 0x1234,
      dstPort: 8080,
      ifindex: 0x01020304,
      srcIdentity: 12345,
      dstIdentity: 16777217,
      proto: 6,
      matchType: 2,
      policyCookie: 0xdeadbeef,
      hook: 1,
      frame,
    });
    expect(decodeEvent(bytes)).toEqual({
      timestampNs: 0x0102030405060708n,
      type: "policy-verdict",
      subtype: 0,
      verdict: "DROPPED",
      obsPoint: 5,
      dropReason: 181,
      direction: "EGRESS",
      traceReason: 0,
      isReply: false,
      endpointId: 0x1234,
      policyPort: 8080,
      ifindex: 0x01020304,
      srcIdentity: 12345,
      dstIdentity: 16777217,
      origLen: frame.length,
      protocol: 6,
      matchType: 2,
      policyCookie: 0xdeadbeef,
      hook: "pod-egress",
      frame,
    });
  });

  it("keeps only cap_len bytes of the frame", () => {
    const long = ethernet(0x0800, ipv4(FRONTEND_IP, BACKEND_IP, 17, new Array(200).fill(0)));
    const event = decodeEvent(eventRecord({ type: 4, subtype: 0, verdict: 1, obsPoint: 0, direction: 1, hook: 2, frame: long }));
    expect(event.origLen).toBe(long.length);
    expect(event.frame).toEqual(long.subarray(0, 120));
  });

  it("reads is_reply only when the program says it knows it", () => {
    const trace = (flags: number) => decodeEvent(eventRecord({ type: 4, subtype: 0, verdict: 1, obsPoint: 0, direction: 1, hook: 2, flags })).isReply;
    expect(trace(0)).toBeUndefined();
    expect(trace(0x1)).toBeUndefined();
    expect(trace(0x2)).toBe(false);
    expect(trace(0x3)).toBe(true);
  });

  it("names each hook", () => {
    const hooks = [1, 2, 3, 4, 5, 6].map(
      (hook) => decodeEvent(eventRecord({ type: 1, subtype: 133, dropReason: 133, verdict: 2, obsPoint: 5, direction: 2, hook })).hook,
    );
    expect(hooks).toEqual(["pod-egress", "pod-ingress", "host-ingress", "host-egress", "xdp", "socket"]);
  });

  describe("refuses a record that breaks the layout, naming the record and the field", () => {
    const good = { type: 1, subtype: 133, dropReason: 133, verdict: 2, obsPoint: 5, direction: 2, hook: 1 };
    const cases: [string, Uint8Array, string][] = [
      ["a short record", new Uint8Array(160), "eb_events record 4: length: 160 bytes, expected 168"],
      ["an unknown type", eventRecord({ ...good, type: 2 }), "eb_events record 4: type: 2 is not 1 (drop), 4 (trace) or 5 (policy verdict)"],
      ["a verdict of 0", eventRecord({ ...good, verdict: 0 }), "eb_events record 4: verdict: 0 is not 1 (FORWARDED) or 2 (DROPPED)"],
      ["an unknown observation point", eventRecord({ ...good, obsPoint: 42 }), "eb_events record 4: obs_point: 42 is not an observation point"],
      ["an unknown drop reason", eventRecord({ ...good, subtype: 99, dropReason: 99 }), "eb_events record 4: drop_reason: 99 is not a known drop reason"],
      ["a drop whose subtype is not its reason", eventRecord({ ...good, subtype: 134 }), "eb_events record 4: subtype: 134 is not the drop reason (133)"],
      ["a direction of 3", eventRecord({ ...good, direction: 3 }), "eb_events record 4: direction: 3 is not 1 (INGRESS) or 2 (EGRESS)"],
      ["an unknown hook", eventRecord({ ...good, hook: 9 }), "eb_events record 4: hook: 9 is not 1..6"],
    ];
    it.each(cases)("%s", (_name, bytes, message) => {
      expect(() => decodeEvent(bytes, "eb_events record 4")).toThrow(EventDecodeError);
      expect(() => decodeEvent(bytes, "eb_events record 4")).toThrow(message);
    });

    it("a cap_len beyond the capture", () => {
      const bytes = eventRecord(good);
      new DataView(bytes.buffer).setUint16(36, 121, true);
      expect(() => decodeEvent(bytes)).toThrow("event record: cap_len: 121 is not at most 120");
    });
  });
});
