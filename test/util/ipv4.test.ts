import { describe, expect, it } from "vitest";
import {
  formatIPv4,
  formatIPv4Prefix,
  ipv4Bytes,
  ipv4HostWord,
  parseIPv4,
  parseIPv4Prefix,
  prefixContains,
  prefixHolds,
  readIPv4,
  requireIPv4,
} from "../../src/util/ipv4.ts";

describe("parseIPv4", () => {
  it.each(["0.0.0.0", "10.0.0.1", "255.255.255.255", "192.168.100.200"])("reads %s and formats it back", (text) => {
    expect(formatIPv4(parseIPv4(text)!)).toBe(text);
  });

  it.each([
    "010.0.0.1",
    "10.0.0",
    "1.2.3.04",
    "256.0.0.1",
    "1.2.3",
    "1.2.3.4.5",
    "1.2.3.",
    ".1.2.3",
    "1..2.3",
    "1.2.3.4 ",
    "+1.2.3.4",
    "1.2.3.-4",
    "",
    "a.b.c.d",
    "1.2.3.1000",
    "::1",
  ])("refuses %j, as Go's net/netip does", (text) => expect(parseIPv4(text)).toBeUndefined());

  it("gives the address as an unsigned 32-bit number", () => {
    expect(parseIPv4("255.0.0.1")).toBe(0xff000001);
  });
});

describe("requireIPv4", () => {
  it("throws a RangeError naming what is not an address", () => {
    expect(requireIPv4("10.0.0.1")).toBe(0x0a000001);
    expect(() => requireIPv4("10.0.0.01")).toThrow(new RangeError('"10.0.0.01" is not an IPv4 address'));
  });
});

describe("addresses in bytes", () => {
  it("are in network order", () => {
    expect([...ipv4Bytes(parseIPv4("10.1.2.3")!)]).toEqual([10, 1, 2, 3]);
    expect(readIPv4(Uint8Array.of(0, 192, 168, 0, 7), 1)).toBe(parseIPv4("192.168.0.7"));
  });

  it("read as a little-endian u32 (a __be32 field), and back", () => {
    const address = parseIPv4("10.1.2.3")!;
    expect(ipv4HostWord(address)).toBe(new DataView(ipv4Bytes(address).buffer).getUint32(0, true));
    expect(ipv4HostWord(ipv4HostWord(address))).toBe(address);
    expect(ipv4HostWord(parseIPv4("255.0.0.128")!)).toBe(0x800000ff);
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
    ["10.0.0.0/", 'prefix length "" is not 0-32'],
    ["10.0.0/8", '"10.0.0" is not an IPv4 address'],
    ["fd00::/8", "IPv6 prefixes are not supported"],
  ])("says what is wrong with %s", (text, problem) => expect(parseIPv4Prefix(text)).toBe(problem));

  it("knows which addresses a prefix holds", () => {
    const p = parseIPv4Prefix("10.244.1.0/24") as never;
    expect(prefixHolds(p, parseIPv4("10.244.1.255")!)).toBe(true);
    expect(prefixHolds(p, parseIPv4("10.244.2.0")!)).toBe(false);
  });

  it("knows which prefix contains which", () => {
    const p = (text: string) => parseIPv4Prefix(text) as never;
    expect(prefixContains(p("10.0.0.0/8"), p("10.1.0.0/16"))).toBe(true);
    expect(prefixContains(p("10.1.0.0/16"), p("10.0.0.0/8"))).toBe(false);
    expect(prefixContains(p("0.0.0.0/0"), p("192.168.0.0/24"))).toBe(true);
  });
});
