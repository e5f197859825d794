import { describe, expect, it } from "vitest";
import { formatCompactLine, formatStampMilli } from "../../../src/core/observe/index.ts";
import { buildAll } from "./flows.ts";
import { SCENARIO_EPOCH_NS } from "./records.ts";

const flows = buildAll();

describe("the compact line of `hubble observe` (hubble/pkg/printer/printer.go)", () => {
  it("a forwarded trace: `<time>: <ns/pod:port> (ID:n) -> <ns/pod:port> (ID:n) <point> FORWARDED (<summary>)`", () => {
    expect(formatCompactLine(flows.toEndpoint)).toBe(
      "Jan  1 00:00:00.003: production/frontend:40000 (ID:12345) -> production/backend:8080 (ID:23456) to-endpoint FORWARDED (TCP Flags: SYN)",
    );
  });

  it("a reply swaps the ends, so the client stays on the left, and points `<-`", () => {
    expect(formatCompactLine(flows.replyToEndpoint)).toBe(
      "Jan  1 00:00:00.004: production/frontend:40000 (ID:12345) <- production/backend:8080 (ID:23456) to-endpoint FORWARDED (TCP Flags: SYN, ACK)",
    );
  });

  it("policy verdicts say ALLOWED or DENIED after `policy-verdict:<match> <direction>`", () => {
    expect(formatCompactLine(flows.egressAllowed)).toBe(
      "Jan  1 00:00:00.000: production/frontend:40000 (ID:12345) -> production/backend:8080 (ID:23456) policy-verdict:L3-L4 EGRESS ALLOWED (TCP Flags: SYN)",
    );
    expect(formatCompactLine(flows.ingressDenied)).toBe(
      "Jan  1 00:00:00.006: production/frontend:40000 (ID:12345) <> production/backend:8080 (ID:23456) policy-verdict:none INGRESS DENIED (TCP Flags: SYN)",
    );
  });

  it("with --print-policy-names, the policies follow the verdict", () => {
    expect(formatCompactLine(flows.egressAllowed, { policyNames: true })).toContain(
      "policy-verdict:L3-L4 EGRESS ALLOWED BY allow-frontend (CiliumNetworkPolicy) (TCP Flags: SYN)",
    );
    expect(formatCompactLine(flows.denyRule, { policyNames: true })).toBe(
      "Jan  1 00:00:00.009: 203.0.113.5:33000 (world) <> production/backend:53 (ID:23456) policy-verdict:all INGRESS DENIED BY deny-world (CiliumClusterwideNetworkPolicy) (UDP)",
    );
  });

  it("drops show the drop reason's text and `<>`, as whether they are replies is unknown", () => {
    expect(formatCompactLine(flows.policyDrop)).toBe(
      "Jan  1 00:00:00.007: production/frontend:40000 (ID:12345) <> production/backend:8080 (ID:23456) Policy denied DROPPED (TCP Flags: SYN)",
    );
    expect(formatCompactLine(flows.earlyDrop)).toBe(
      "Jan  1 00:00:00.012: production/frontend (ID:12345) <> production/backend (ID:23456) Invalid packet DROPPED (IPv4)",
    );
  });

  it("addresses that are not pods print as IPs, reserved identities by name; ICMP has no port", () => {
    expect(formatCompactLine(flows.fromNetwork)).toBe(
      "Jan  1 00:00:00.010: 203.0.113.5:33000 (world) <> production/backend:53 (ID:23456) from-network FORWARDED (UDP)",
    );
    expect(formatCompactLine(flows.pingToEndpoint)).toBe(
      "Jan  1 00:00:00.015: production/frontend (ID:12345) -> production/backend (ID:23456) to-endpoint FORWARDED (ICMPv4 EchoRequest)",
    );
  });

  it("with --print-node-name, the node follows the time", () => {
    expect(formatCompactLine(flows.toEndpoint, { nodeName: true })).toMatch(/^Jan {2}1 00:00:00\.003 \[default\/node-1\]: production\/frontend/);
  });

  it("time is Go's StampMilli in UTC: space-padded day, milliseconds truncated", () => {
    expect(formatStampMilli(SCENARIO_EPOCH_NS + 9_999_999n)).toBe("Jan  1 00:00:00.009");
    expect(formatStampMilli(SCENARIO_EPOCH_NS + 40n * 86_400_000_000_000n + 3_723_000_000_000n)).toBe("Feb 10 01:02:03.000");
  });
});
