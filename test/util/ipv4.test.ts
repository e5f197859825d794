import { describe, expect, it } from "vitest";
import { formatIPv4, formatIPv4Prefix, ipv4Bytes, parseIPv4, parseIPv4Prefix, prefixContains, readIPv4 } from "../../src/util/ipv4.ts";

describe("parseIPv4", () => {
  it.each(["0.0.0.0", "10.0.0.1", "255.255.255.255", "192.168.100.200"])("reads %s and formats it back", (text) => {
    expect(formatIPv4(parseIPv4(text)!)).toBe(text);
  });

  it.each(["010.0.0.1", "1.2.3.04", "256.0.0.1", "1.2.3", "1.2.3.4.5", "1.2.3.", ".1.2.3", "1..2.3", "1.2.3.4 ", "+1.2.3.4", "1.2.3.-4", "", "a.b.c.d", "1.2.3.1000", "::1"])(
    "refuses %j, as Go's net/netip does",
    (text) => expect(parseIPv4(text)).toBeUndefined(),
  );

  it("gives the address as an unsigned 32-bit number", () => {
    expect(parseIPv4("255.0.0.1")).toBe(0xff000001);
  });
});

describe("addresses in bytes", () => {
  it("are in network order", () => {
    expect([...ipv4Bytes(parseIPv4("10.1.2.3")!)]).toEqual([10, 1, 2, 3]);
    expect(readIPv4(Uint8Array.of(0, 192, 168, 0, 7), 1)).toBe(parseIPv4("192.168.0.7"));
  });
});

describe("parseIPv4Prefix", () => {
  it("clears host bits, as net.ParseCIDR does", () => {
    expect(formatIPv4Prefix(parseIPv4Prefix("10.1.2.3/8") as never)).toBe("10.0.0.0/8");
  });

  it("takes a bare address as a /32 only when asked", () => {
    expect(parseIPv4Prefix("10.0.0.1")).toBe("expected an IPv4 prefix a.b.c.d/n");
    expect(parseIPv4Prefix("10.0.0.1", { bareAddressIsHost: true })).toEqual({ address: parseIPv4("10.0.0.1"), length: 32 });
  });

  it.each([
    ["010.0.0.0/8", '"010.0.0.0" is not an IPv4 address'],
    ["10.0.0.0/33", 'prefix length "33" is not 0-32'],
    ["10.0.0.0/08", 'prefix length "08" is not 0-32'],
    ["fd00::/8", "IPv6 prefixes are not supported"],
  ])("says what is wrong with %s", (text, problem) => expect(parseIPv4Prefix(text)).toBe(problem));

  it("knows which prefix contains which", () => {
    const p = (text: string) => parseIPv4Prefix(text) as never;
    expect(prefixContains(p("10.0.0.0/8"), p("10.1.0.0/16"))).toBe(true);
    expect(prefixContains(p("10.1.0.0/16"), p("10.0.0.0/8"))).toBe(false);
    expect(prefixContains(p("0.0.0.0/0"), p("192.168.0.0/24"))).toBe(true);
  });
});
