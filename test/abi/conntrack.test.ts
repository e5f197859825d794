// eb_ct4's codecs: every field of ct_key and ct_entry at the offset BTF
// gives it, in its byte order, the padding zero, and each value back whole.

import { describe, expect, test } from "vitest";
import { ctEntry, ctKey } from "../../src/abi/conntrack.ts";
import { CtEntryFlags, CtEntryLayout, CtKeyLayout, IpProtocol, type StructLayout, TupleFlags } from "../../src/abi/generated.ts";

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
const CLIENT = 0x0a000105; // 10.0.1.5
const BACKEND = 0xc0a80a02; // 192.168.10.2

/** The bytes of `field` in `bytes`, as hex. */
function fieldHex<F extends string>(layout: StructLayout<F>, bytes: Uint8Array, field: F): string {
  const { offset, size } = layout.fields[field];
  return hex(bytes.subarray(offset, offset + size));
}

function expectPaddingZero(layout: StructLayout, bytes: Uint8Array, padding: readonly string[]): void {
  const named = new Set(
    Object.entries(layout.fields)
      .filter(([name]) => !padding.includes(name))
      .flatMap(([, { offset, size }]) => Array.from({ length: size }, (_, i) => offset + i)),
  );
  for (let i = 0; i < bytes.length; i++) if (!named.has(i)) expect(bytes[i], `padding byte ${i}`).toBe(0);
}

describe("the conntrack key codec", () => {
  const key = {
    destinationAddress: BACKEND,
    sourceAddress: CLIENT,
    destinationPort: 8080,
    sourcePort: 40000,
    protocol: IpProtocol.IP_PROTOCOL_TCP,
    flags: TupleFlags.TUPLE_F_NODEPORT,
  };

  test("puts addresses and ports in network order at their BTF offsets, and zeroes the padding", () => {
    const bytes = ctKey.encode(key);
    expect(bytes.length).toBe(CtKeyLayout.size);
    expect(fieldHex(CtKeyLayout, bytes, "daddr")).toBe("c0a80a02");
    expect(fieldHex(CtKeyLayout, bytes, "saddr")).toBe("0a000105");
    expect(fieldHex(CtKeyLayout, bytes, "dport")).toBe("1f90");
    expect(fieldHex(CtKeyLayout, bytes, "sport")).toBe("9c40");
    expect(fieldHex(CtKeyLayout, bytes, "nexthdr")).toBe("06");
    expect(fieldHex(CtKeyLayout, bytes, "flags")).toBe("08");
    expectPaddingZero(CtKeyLayout, bytes, ["pad"]);
  });

  test("decodes what it encoded", () => {
    expect(ctKey.decode(ctKey.encode(key))).toEqual(key);
  });
});

describe("the conntrack entry codec", () => {
  const entry = {
    packets: 0x0102030405060708n,
    bytes: 0xfffffffffffffffen,
    lifetime: 21600,
    flags: CtEntryFlags.CT_F_SEEN_NON_SYN | CtEntryFlags.CT_F_DSR,
    revNatIndex: 65535,
    txFlagsSeen: 0x12,
    rxFlagsSeen: 0x10,
    sourceIdentity: 1000,
    backendId: 0xfffffffe,
    natAddress: CLIENT,
    natPort: 40000,
  };

  test("puts host-order fields little-endian and the NAT address and port in network order at their BTF offsets", () => {
    const bytes = ctEntry.encode(entry);
    expect(bytes.length).toBe(CtEntryLayout.size);
    expect(fieldHex(CtEntryLayout, bytes, "packets")).toBe("0807060504030201");
    expect(fieldHex(CtEntryLayout, bytes, "bytes")).toBe("feffffffffffffff");
    expect(fieldHex(CtEntryLayout, bytes, "lifetime")).toBe("60540000");
    expect(fieldHex(CtEntryLayout, bytes, "flags")).toBe("0c00");
    expect(fieldHex(CtEntryLayout, bytes, "rev_nat_index")).toBe("ffff");
    expect(fieldHex(CtEntryLayout, bytes, "tx_flags_seen")).toBe("12");
    expect(fieldHex(CtEntryLayout, bytes, "rx_flags_seen")).toBe("10");
    expect(fieldHex(CtEntryLayout, bytes, "src_sec_id")).toBe("e8030000");
    expect(fieldHex(CtEntryLayout, bytes, "backend_id")).toBe("feffffff");
    expect(fieldHex(CtEntryLayout, bytes, "nat_addr")).toBe("0a000105");
    expect(fieldHex(CtEntryLayout, bytes, "nat_port")).toBe("9c40");
    expectPaddingZero(CtEntryLayout, bytes, ["pad", "pad2", "pad3"]);
  });

  test("decodes what it encoded", () => {
    expect(ctEntry.decode(ctEntry.encode(entry))).toEqual(entry);
  });

  test("refuses bytes of another size", () => {
    expect(() => ctEntry.decode(new Uint8Array(CtKeyLayout.size))).toThrow(/48-byte struct was given 16 bytes/);
  });
});
