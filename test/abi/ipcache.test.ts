// eb_ipcache's codecs: each field at its BTF offset in its byte order, the
// rest zero, and what is encoded decodes back whole.

import { describe, expect, test } from "vitest";
import { IpcacheFamily, IpcacheKeyLayout, IpcachePrefix, IpcacheValueLayout } from "../../src/abi/generated.ts";
import { ipcacheKey, ipcacheValue } from "../../src/abi/ipcache.ts";
import { expectZeroOutside, fieldHex } from "./layout.ts";

const POD = 0x0af4010a; // 10.244.1.10
const NODE = 0xc0a80a0c; // 192.168.10.12

describe("the ipcache key codec", () => {
  const key = { prefixLength: IpcachePrefix.IPCACHE_PREFIX_BASE + 24, clusterId: 3, family: IpcacheFamily.IPCACHE_FAMILY_IPV4, address: POD };

  test("writes prefixlen and cluster_id in host order, the address in network order in addr's first word", () => {
    const bytes = ipcacheKey.encode(key);
    expect(bytes.length).toBe(IpcacheKeyLayout.size);
    expect(fieldHex(bytes, IpcacheKeyLayout, "prefixlen")).toBe("38000000");
    expect(fieldHex(bytes, IpcacheKeyLayout, "cluster_id")).toBe("0300");
    expect(fieldHex(bytes, IpcacheKeyLayout, "family")).toBe("01");
    expect(fieldHex(bytes, IpcacheKeyLayout, "addr")).toBe("0af4010a" + "00".repeat(12));
    expectZeroOutside(bytes, IpcacheKeyLayout, ["prefixlen", "cluster_id", "family", "addr"]);
  });

  test("decodes what it encoded", () => {
    expect(ipcacheKey.decode(ipcacheKey.encode(key))).toEqual(key);
  });
});

describe("the ipcache value codec", () => {
  const value = { identity: 16777217, tunnelEndpoint: NODE, encryptKey: 2, flags: 1 };

  test("writes sec_identity in host order and tunnel_endpoint in network order, pad zero", () => {
    const bytes = ipcacheValue.encode(value);
    expect(fieldHex(bytes, IpcacheValueLayout, "sec_identity")).toBe("01000001");
    expect(fieldHex(bytes, IpcacheValueLayout, "tunnel_endpoint")).toBe("c0a80a0c");
    expect(fieldHex(bytes, IpcacheValueLayout, "encrypt_key")).toBe("02");
    expect(fieldHex(bytes, IpcacheValueLayout, "flags")).toBe("01");
    expectZeroOutside(bytes, IpcacheValueLayout, ["sec_identity", "tunnel_endpoint", "encrypt_key", "flags"]);
  });

  test("decodes what it encoded", () => {
    expect(ipcacheValue.decode(ipcacheValue.encode(value))).toEqual(value);
  });
});
