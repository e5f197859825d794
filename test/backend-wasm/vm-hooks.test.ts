// The simulated node's hooks hold what the loaders attached, as the kernel's
// do: the cluster runs the program at a hook, replaced in place by a reload,
// and nothing once the attachment is closed.

import { describe, expect, test } from "vitest";
import { attachEndpoint, loadEndpoint } from "../../src/core/datapath/endpoint-loader.ts";
import type { EndpointConfig, NodeConfig } from "../../src/core/datapath/datapath.ts";
import { attachNode, DEVICE_IFINDEX, loadNode } from "../../src/core/datapath/node-loader.ts";
import { PinnedMaps } from "../../emu/vm/object.ts";
import { Vm } from "../../emu/vm/vm.ts";
import { VmHooks } from "../../backend-wasm/vm-hooks.ts";
import { VmObjects } from "../../backend-wasm/vm-objects.ts";

const node: NodeConfig = { name: "n1", internalIP: "10.0.0.1", podCIDR: "10.1.0.0/24", loadBalancer: { socketLB: true, hashSeed: 7, dsr: false } };
const endpoint: EndpointConfig = {
  key: "default/a",
  node: "n1",
  endpointId: 12,
  ip: "10.1.0.5",
  identity: 1000,
  ifindex: 7,
  ingressEnforced: true,
  egressEnforced: true,
};
const fromContainer = { kind: "tc", ifindex: 7, direction: "ingress" } as const;

async function simulatedNode() {
  const vm = await Vm.create({ engine: "interpreter" });
  const objects = new VmObjects(vm, new PinnedMaps());
  return { objects, hooks: new VmHooks(), loaded: loadNode(objects, node) };
}

describe("a simulated node's hooks", () => {
  test("hold the programs the node loader attached at the device and the cgroup", async () => {
    const { hooks, loaded } = await simulatedNode();
    attachNode(hooks, loaded, node, DEVICE_IFINDEX);
    expect(hooks.at({ kind: "tc", ifindex: DEVICE_IFINDEX, direction: "ingress" })).toBe(loaded.host.program("cil_from_netdev"));
    expect(hooks.at({ kind: "tc", ifindex: DEVICE_IFINDEX, direction: "egress" })).toBe(loaded.host.program("cil_to_netdev"));
    expect(hooks.at({ kind: "xdp", ifindex: DEVICE_IFINDEX })).toBe(loaded.xdp.program("cil_xdp_entry"));
    expect(hooks.at({ kind: "cgroup", attachType: "cgroup_udp4_recvmsg" })).toBe(loaded.sock.program("cil_sock4_recvmsg"));
    expect(hooks.at({ kind: "tc", ifindex: 7, direction: "ingress" })).toBeUndefined();
  });

  test("without socket LB, nothing is attached at the cgroup", async () => {
    const { hooks, loaded } = await simulatedNode();
    attachNode(hooks, loaded, { ...node, loadBalancer: undefined }, DEVICE_IFINDEX);
    expect(hooks.at({ kind: "cgroup", attachType: "cgroup_inet4_connect" })).toBeUndefined();
  });

  test("a reload replaces the endpoint's programs in place, and closing the old attachment leaves the new one", async () => {
    const { objects, hooks } = await simulatedNode();
    const first = loadEndpoint(objects, { node, endpoint });
    const firstAttachments = attachEndpoint(hooks, first, endpoint.ifindex);
    const second = loadEndpoint(objects, { node, endpoint, previous: first });
    const secondAttachments = attachEndpoint(hooks, second, endpoint.ifindex);
    expect(hooks.at(fromContainer)).toBe(second.program("cil_from_container"));
    for (const attachment of firstAttachments) attachment.close();
    expect(hooks.at(fromContainer)).toBe(second.program("cil_from_container"));
    for (const attachment of secondAttachments) attachment.close();
    expect(hooks.at(fromContainer)).toBeUndefined();
    expect(hooks.at({ kind: "tc", ifindex: 7, direction: "egress" })).toBeUndefined();
  });
});
