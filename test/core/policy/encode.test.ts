import { describe, expect, test } from "vitest";
import { encodePolicyKey, encodePolicyValue, type PolicyEntry } from "../../../src/core/policy/index.ts";

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

function entry(fields: Partial<PolicyEntry>): PolicyEntry {
  return { peer: 0, direction: "ingress", protocol: 0, port: 0, portPrefixLength: 0, deny: false, proxyPort: 0, cookie: 0, policies: [], ...fields };
}

describe("eb_policy encoding (bpf/README.md, struct policy_key / policy_entry)", () => {
  test("one TCP port for a peer: prefixlen 64, sec_label LE, egress byte, protocol, dport in network order", () => {
    const e = entry({ peer: 256, direction: "egress", protocol: 6, port: 8080, portPrefixLength: 24, cookie: 3 });
    expect(hex(encodePolicyKey(e))).toBe("40000000" + "00010000" + "01" + "06" + "1f90");
    expect(hex(encodePolicyValue(e))).toBe("0000" + "00" + "18" + "03000000");
  });

  test("an L3-only entry: prefixlen 40, protocol and port 0, port_prefix_len 0", () => {
    const e = entry({ peer: 1 });
    expect(hex(encodePolicyKey(e))).toBe("28000000" + "01000000" + "00" + "00" + "0000");
    expect(hex(encodePolicyValue(e))).toBe("0000" + "00" + "00" + "00000000");
  });

  test("a protocol-wide deny for any peer: prefixlen 48, deny flag, port_prefix_len 8", () => {
    const e = entry({ protocol: 17, portPrefixLength: 8, deny: true, cookie: 258 });
    expect(hex(encodePolicyKey(e))).toBe("30000000" + "00000000" + "00" + "11" + "0000");
    expect(hex(encodePolicyValue(e))).toBe("0000" + "01" + "08" + "02010000");
  });

  test("a port block 64..79 (12 port bits) for a CIDR identity: prefixlen 60", () => {
    const e = entry({ peer: 16777217, protocol: 132, port: 64, portPrefixLength: 20 });
    expect(hex(encodePolicyKey(e))).toBe("3c000000" + "01000001" + "00" + "84" + "0040");
    expect(encodePolicyValue(e)[3]).toBe(20);
  });

  test("an ICMP echo request: the type in dport, as the datapath's policy port", () => {
    const e = entry({ peer: 2, direction: "egress", protocol: 1, port: 8, portPrefixLength: 24 });
    expect(hex(encodePolicyKey(e))).toBe("40000000" + "02000000" + "01" + "01" + "0008");
  });
});
