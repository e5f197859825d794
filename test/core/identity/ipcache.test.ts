import { describe, expect, test } from "vitest";
import { allocateIdentities, buildIpcache, encodeIpcacheKey, encodeIpcacheValue, type ClusterInventory } from "../../../src/core/identity/index.ts";
import { formatIPv4, formatIPv4Prefix, parseIPv4, parseIPv4Prefix, type IPv4Prefix } from "../../../src/util/ipv4.ts";

const inventory: ClusterInventory = {
  namespaces: [{ name: "x", labels: {} }],
  nodes: [
    { name: "node-1", internalIP: "192.168.10.11", podCIDR: "10.244.1.0/24" },
    { name: "node-2", internalIP: "192.168.10.12", podCIDR: "10.244.2.0/24" },
  ],
  endpoints: [
    { namespace: "x", name: "a", labels: { pod: "a" }, ip: "10.244.1.10", node: "node-1", containerPorts: [] },
    { namespace: "x", name: "b", labels: { pod: "b" }, ip: "10.244.2.10", node: "node-2", containerPorts: [] },
  ],
};

const prefix = (text: string) => parseIPv4Prefix(text) as IPv4Prefix;
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

describe("the ipcache of a node", () => {
  const identities = allocateIdentities(inventory, [prefix("203.0.113.0/24"), prefix("203.0.113.128/25"), prefix("10.244.2.10/32")]);

  test("maps pods to their identity, its own address to host, other nodes to remote-node, policy prefixes to CIDR identities", () => {
    const rows = buildIpcache(inventory, identities, "node-1").map(
      (e) => `${formatIPv4Prefix(e.prefix)} ${e.identity} ${formatIPv4(e.tunnelEndpoint)} ${e.source}`,
    );
    expect(rows).toEqual([
      "10.244.1.10/32 256 0.0.0.0 endpoint",
      "10.244.2.10/32 257 192.168.10.12 endpoint", // the pod wins over the /32 policy prefix
      "192.168.10.11/32 1 0.0.0.0 host",
      "192.168.10.12/32 6 0.0.0.0 remote-node",
      "203.0.113.0/24 16777218 0.0.0.0 cidr",
      "203.0.113.128/25 16777219 0.0.0.0 cidr",
    ]);
  });

  test("is seen from each node: the other node's address is host there", () => {
    const node2 = buildIpcache(inventory, identities, "node-2");
    expect(node2.find((e) => e.owner === "node-2")?.identity).toBe(1);
    expect(node2.find((e) => e.owner === "node-1")?.identity).toBe(6);
    expect(node2.find((e) => e.owner === "x/a")?.tunnelEndpoint).toBe(parseIPv4("192.168.10.11"));
  });

  test("refuses a node that is not in the cluster", () => {
    expect(() => buildIpcache(inventory, identities, "node-9")).toThrow(/node node-9: name: is not a node of the cluster/);
  });
});

describe("eb_ipcache encoding (bpf/README.md)", () => {
  test("key: prefixlen 32+N (LE), cluster_id 0, pad, family 1, address, 12 zero bytes", () => {
    expect(hex(encodeIpcacheKey(prefix("10.244.1.0/24")))).toBe("38000000" + "0000" + "00" + "01" + "0af40100" + "00".repeat(12));
    expect(hex(encodeIpcacheKey(prefix("10.244.1.10/32")))).toBe("40000000" + "0000" + "00" + "01" + "0af4010a" + "00".repeat(12));
  });

  test("value: sec_identity (LE), tunnel_endpoint (network order), encrypt_key, flags, pad", () => {
    expect(hex(encodeIpcacheValue({ identity: 16777217, tunnelEndpoint: parseIPv4("192.168.10.12") as number }))).toBe(
      "01000001" + "c0a80a0c" + "00" + "00" + "0000",
    );
    expect(encodeIpcacheValue({ identity: 256, tunnelEndpoint: 0 })).toHaveLength(12);
  });
});
