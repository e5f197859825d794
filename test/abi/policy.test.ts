// eb_policy's codecs: each field at its BTF offset in its byte order, and
// what is encoded decodes back whole.

import { describe, expect, test } from "vitest";
import { PolicyDirection, PolicyEntryFlags, PolicyEntryLayout, PolicyKeyLayout, PolicyPrefix } from "../../src/abi/generated.ts";
import { policyKey, policyValue } from "../../src/abi/policy.ts";
import { PROTOCOL_NUMBERS } from "../../src/abi/protocols.ts";
import { expectZeroOutside, fieldHex } from "./layout.ts";

describe("the policy key codec", () => {
  const key = {
    prefixLength: PolicyPrefix.POLICY_FULL_PREFIX,
    peer: 256,
    direction: PolicyDirection.POLICY_EGRESS,
    protocol: PROTOCOL_NUMBERS.TCP,
    port: 8080,
  };

  test("writes prefixlen and sec_label in host order, dport in network order", () => {
    const bytes = policyKey.encode(key);
    expect(bytes.length).toBe(PolicyKeyLayout.size);
    expect(fieldHex(bytes, PolicyKeyLayout, "prefixlen")).toBe("40000000");
    expect(fieldHex(bytes, PolicyKeyLayout, "sec_label")).toBe("00010000");
    expect(fieldHex(bytes, PolicyKeyLayout, "egress")).toBe("01");
    expect(fieldHex(bytes, PolicyKeyLayout, "protocol")).toBe("06");
    expect(fieldHex(bytes, PolicyKeyLayout, "dport")).toBe("1f90");
    expectZeroOutside(bytes, PolicyKeyLayout, ["prefixlen", "sec_label", "egress", "protocol", "dport"]);
  });

  test("decodes what it encoded", () => {
    expect(policyKey.decode(policyKey.encode(key))).toEqual(key);
  });
});

describe("the policy value codec", () => {
  const value = { proxyPort: 15001, flags: PolicyEntryFlags.POLICY_F_DENY, portPrefixLength: 20, cookie: 0x0102 };

  test("writes proxy_port in network order, cookie in host order", () => {
    const bytes = policyValue.encode(value);
    expect(fieldHex(bytes, PolicyEntryLayout, "proxy_port")).toBe("3a99");
    expect(fieldHex(bytes, PolicyEntryLayout, "flags")).toBe("01");
    expect(fieldHex(bytes, PolicyEntryLayout, "port_prefix_len")).toBe("14");
    expect(fieldHex(bytes, PolicyEntryLayout, "cookie")).toBe("02010000");
    expectZeroOutside(bytes, PolicyEntryLayout, ["proxy_port", "flags", "port_prefix_len", "cookie"]);
  });

  test("decodes what it encoded", () => {
    expect(policyValue.decode(policyValue.encode(value))).toEqual(value);
  });
});
