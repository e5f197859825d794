// decidePolicy replays the datapath's lookup (bpf/lib/policy.h) over the
// compiled entries: which entry decided, and Hubble's match type.

import { describe, expect, test } from "vitest";
import { decidePolicy, MatchType, type PolicyEntry } from "../../../src/core/policy/index.ts";

function entry(peer: number, protocol: number, port: number, portPrefixLength: number, deny = false): PolicyEntry {
  return { peer, direction: "ingress", protocol, port, portPrefixLength, deny, proxyPort: 0, cookie: 0, policies: [] };
}

describe("the deciding entry", () => {
  test("nothing matches: default deny, match type none", () => {
    expect(decidePolicy([entry(300, 6, 80, 24)], 301, "ingress", 6, 80)).toEqual({ verdict: "default-denied", matchType: MatchType.none });
  });

  test("the peer's own longest match wins over its shorter entries", () => {
    const exact = entry(300, 6, 80, 24);
    const decision = decidePolicy([entry(300, 0, 0, 0), entry(300, 6, 0, 8), exact], 300, "ingress", 6, 80);
    expect(decision).toEqual({ verdict: "allowed", entry: exact, matchType: MatchType.l3L4 });
  });

  test("an any-peer entry wins only when it is more specific, or a deny", () => {
    const l3 = entry(300, 0, 0, 0);
    const l4 = entry(0, 6, 80, 24);
    expect(decidePolicy([l3, l4], 300, "ingress", 6, 80)).toMatchObject({ entry: l4, matchType: MatchType.l4Only });
    expect(decidePolicy([l3, l4], 300, "ingress", 6, 81)).toMatchObject({ entry: l3, matchType: MatchType.l3Only });
    const anyDeny = entry(0, 6, 0, 8, true);
    expect(decidePolicy([entry(300, 6, 80, 24), anyDeny], 300, "ingress", 6, 80)).toMatchObject({
      verdict: "denied",
      entry: anyDeny,
      matchType: MatchType.protoOnly,
    });
  });

  test("the peer's own deny decides at once", () => {
    const deny = entry(300, 6, 0, 8, true);
    expect(decidePolicy([deny, entry(0, 6, 80, 24)], 300, "ingress", 6, 80)).toEqual({ verdict: "denied", entry: deny, matchType: MatchType.l3Proto });
  });

  test("a port block matches the ports under its prefix only; direction must agree", () => {
    const block = entry(0, 17, 64, 20);
    expect(decidePolicy([block], 9, "ingress", 17, 79).verdict).toBe("allowed");
    expect(decidePolicy([block], 9, "ingress", 17, 80).verdict).toBe("default-denied");
    expect(decidePolicy([block], 9, "ingress", 6, 70).verdict).toBe("default-denied");
    expect(decidePolicy([block], 9, "egress", 17, 70).verdict).toBe("default-denied");
    expect(decidePolicy([entry(0, 0, 0, 0)], 9, "ingress", 1, 8)).toMatchObject({ verdict: "allowed", matchType: MatchType.all });
  });
});
