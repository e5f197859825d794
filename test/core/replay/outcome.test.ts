// How an attempt's outcome is read from the datapath's events: the first drop
// is the verdict, its hook and the deny rule behind it; otherwise the last
// policy that allowed it, or where the request was delivered.

import { describe, expect, test } from "vitest";
import type { DatapathEvent } from "../../../src/core/observe/event.ts";
import { outcomeOf } from "../../../src/core/replay/outcome.ts";

const base: DatapathEvent = {
  timestampNs: 0n,
  type: "trace",
  subtype: 5,
  verdict: "FORWARDED",
  obsPoint: 5,
  dropReason: 0,
  direction: "EGRESS",
  traceReason: 0,
  isReply: false,
  endpointId: 1,
  policyPort: 0,
  ifindex: 10,
  srcIdentity: 256,
  dstIdentity: 257,
  origLen: 54,
  protocol: 6,
  matchType: 0,
  policyCookie: 0,
  hook: "pod-egress",
  frame: new Uint8Array(0),
};
const event = (fields: Partial<DatapathEvent>): DatapathEvent => ({ ...base, ...fields });
const cookies = new Map([
  [7, [{ kind: "CiliumNetworkPolicy" as const, namespace: "prod", name: "allow-web" }]],
  [9, [{ kind: "CiliumClusterwideNetworkPolicy" as const, name: "deny-world" }]],
]);

describe("outcomeOf", () => {
  test("a drop event is the verdict, with its reason, its hook and the deny rule behind it", () => {
    const request = [
      event({ type: "trace" }),
      event({ type: "policy-verdict", verdict: "DROPPED", dropReason: 181, hook: "pod-ingress", policyCookie: 9 }),
      event({ type: "drop", verdict: "DROPPED", dropReason: 181, subtype: 181, hook: "pod-ingress", policyCookie: 9 }),
    ];
    expect(outcomeOf(request, [], false, cookies)).toEqual({
      verdict: "DROPPED",
      dropReason: "POLICY_DENY",
      hook: "pod-ingress",
      policies: ["CiliumClusterwideNetworkPolicy/deny-world"],
    });
  });

  test("a default deny names no policy", () => {
    const request = [event({ type: "drop", verdict: "DROPPED", dropReason: 133, subtype: 133, hook: "pod-egress" })];
    expect(outcomeOf(request, [], false, cookies)).toEqual({ verdict: "DROPPED", dropReason: "POLICY_DENIED", hook: "pod-egress", policies: [] });
  });

  test("a drop of the reply counts too", () => {
    const reply = [event({ type: "drop", verdict: "DROPPED", dropReason: 134, subtype: 134, hook: "host-ingress" })];
    expect(outcomeOf([event({})], reply, false, cookies)).toMatchObject({ verdict: "DROPPED", dropReason: "INVALID_PACKET_DROPPED", hook: "host-ingress" });
  });

  test("a forwarded attempt was decided by the last policy that allowed it", () => {
    const request = [
      event({ type: "policy-verdict", hook: "pod-egress", policyCookie: 0 }),
      event({ type: "trace", hook: "pod-egress" }),
      event({ type: "policy-verdict", hook: "pod-ingress", policyCookie: 7 }),
      event({ type: "trace", hook: "pod-ingress", subtype: 0, obsPoint: 0 }),
    ];
    expect(outcomeOf(request, [event({ isReply: true, hook: "pod-egress" })], true, cookies)).toEqual({
      verdict: "FORWARDED",
      hook: "pod-ingress",
      policies: ["CiliumNetworkPolicy/prod/allow-web"],
    });
  });

  test("without policy, it was decided where the request was delivered, not by the reply's events", () => {
    const request = [event({ hook: "pod-egress" }), event({ hook: "host-egress", endpointId: 0, isReply: undefined })];
    const reply = [event({ hook: "host-ingress", endpointId: 0, isReply: undefined }), event({ hook: "pod-ingress", isReply: true })];
    expect(outcomeOf(request, reply, true, cookies)).toEqual({ verdict: "FORWARDED", hook: "host-egress", policies: [] });
  });

  test("a request lost without any drop event is DROPPED for an unknown reason", () => {
    expect(outcomeOf([event({})], [], false, cookies)).toMatchObject({ verdict: "DROPPED", dropReason: "DROP_REASON_UNKNOWN" });
  });
});
