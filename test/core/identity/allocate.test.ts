import { describe, expect, test } from "vitest";
import { allocateIdentities, formatLabel, InventoryError, type ClusterInventory } from "../../../src/core/identity/index.ts";
import { parseIPv4Prefix, type IPv4Prefix } from "../../../src/util/ipv4.ts";

const inventory: ClusterInventory = {
  namespaces: [
    { name: "x", labels: { ns: "x" } },
    { name: "y", labels: { ns: "y" } },
  ],
  nodes: [{ name: "node-1", internalIP: "192.168.10.11", podCIDR: "10.244.1.0/24" }],
  endpoints: [
    { namespace: "y", name: "web-1", labels: { app: "web" }, ip: "10.244.1.12", node: "node-1", containerPorts: [] },
    { namespace: "x", name: "web-1", labels: { app: "web" }, ip: "10.244.1.10", node: "node-1", containerPorts: [] },
    { namespace: "x", name: "web-2", labels: { app: "web", "pod-template-hash": "abc" }, ip: "10.244.1.11", node: "node-1", containerPorts: [] },
    { namespace: "x", name: "db", labels: { app: "db" }, ip: "10.244.1.13", node: "node-1", containerPorts: [] },
  ],
};

const prefix = (text: string) => parseIPv4Prefix(text) as IPv4Prefix;

describe("identity allocation", () => {
  test("gives pods with the same security-relevant labels one identity, numbered from 256 in label order", () => {
    const { byEndpoint } = allocateIdentities(inventory);
    expect(Object.fromEntries(byEndpoint)).toEqual({ "y/web-1": 258, "x/web-1": 257, "x/web-2": 257, "x/db": 256 });
  });

  test("is deterministic: the order of the inventory does not matter", () => {
    const reversed = { ...inventory, endpoints: [...inventory.endpoints].reverse() };
    expect(allocateIdentities(reversed).identities).toEqual(allocateIdentities(inventory).identities);
  });

  test("a namespace label is part of the identity: changing it changes the pod's identity", () => {
    const before = allocateIdentities(inventory);
    const relabelled = { ...inventory, namespaces: [{ name: "x", labels: { ns: "x", env: "prod" } }, inventory.namespaces[1]] };
    const after = allocateIdentities(relabelled);
    const labels = after.byId.get(after.byEndpoint.get("x/db") as number)?.labels.map(formatLabel);
    expect(labels).toContain("k8s:io.cilium.k8s.namespace.labels.env=prod");
    expect(labels).toContain("k8s:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name=x");
    expect(after.byId.get(after.byEndpoint.get("y/web-1") as number)?.labels).toEqual(before.byId.get(before.byEndpoint.get("y/web-1") as number)?.labels);
    expect(after.byEndpoint.get("x/db")).not.toBe(undefined);
    expect(after.byId.get(after.byEndpoint.get("x/db") as number)?.labels).not.toEqual(before.byId.get(before.byEndpoint.get("x/db") as number)?.labels);
  });

  test("gives each policy prefix a local CIDR identity from 16777217, sorted by address; 0.0.0.0/0 is world", () => {
    const allocation = allocateIdentities(inventory, [prefix("203.0.113.0/24"), prefix("10.0.0.0/8"), prefix("203.0.113.0/24"), prefix("0.0.0.0/0")]);
    expect(Object.fromEntries(allocation.byPrefix)).toEqual({ "0.0.0.0/0": 2, "10.0.0.0/8": 16777217, "203.0.113.0/24": 16777218 });
    expect(allocation.byId.get(16777218)?.labels.map(formatLabel)).toEqual(["cidr:203.0.113.0/24", "reserved:world"]);
  });

  test("lists the reserved identities first", () => {
    expect(allocateIdentities(inventory).identities.map((i) => i.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 256, 257, 258]);
  });

  test("refuses an inventory whose pod names a missing namespace, a missing node, or a taken address", () => {
    const bad = (endpoint: Partial<ClusterInventory["endpoints"][number]>) => () =>
      allocateIdentities({ ...inventory, endpoints: [{ ...inventory.endpoints[0], ...endpoint }] });
    expect(bad({ namespace: "nowhere" })).toThrow(new InventoryError("pod nowhere/web-1", "metadata.namespace", "namespace nowhere does not exist"));
    expect(bad({ node: "node-9" })).toThrow(/pod y\/web-1: spec.nodeName: node node-9 does not exist/);
    expect(bad({ ip: "192.168.10.11" })).toThrow(/pod y\/web-1: status.podIP: 192.168.10.11 is already the address of node node-1/);
    expect(bad({ ip: "10.244.1.300" })).toThrow(/status.podIP: "10.244.1.300" is not an IPv4 address/);
  });
});
