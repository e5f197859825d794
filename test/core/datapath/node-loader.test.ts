import { describe, expect, test } from "vitest";
import type { NodeConfig } from "../../../src/core/datapath/datapath.ts";
import { attachNode, loadNode } from "../../../src/core/datapath/node-loader.ts";
import { hostVariables, sockVariables } from "../../../src/core/datapath/object-variables.ts";
import { RecordingBackend } from "./recording-backend.ts";

const node: NodeConfig = { name: "n1", internalIP: "10.0.0.1", podCIDR: "10.1.0.0/24" };
const socketLB: NodeConfig = { ...node, loadBalancer: { socketLB: true, hashSeed: 7, dsr: false } };
const DEVICE = 2;

describe("loading a node's objects", () => {
  test("loads bpf_host with the node's constants, bpf_xdp, and bpf_sock with the hash seed", () => {
    const backend = new RecordingBackend();
    const objects = loadNode(backend, socketLB);
    expect(objects).toEqual({ host: { file: "bpf_host.o", copy: 1 }, xdp: { file: "bpf_xdp.o", copy: 2 }, sock: { file: "bpf_sock.o", copy: 3 } });
    expect(backend.configurations.map((configuration) => configuration.variables)).toEqual([hostVariables(socketLB), {}, sockVariables(socketLB)]);
  });

  test("an object that fails to load closes those loaded before it", () => {
    const backend = new RecordingBackend("load bpf_sock.o#3");
    expect(() => loadNode(backend, node)).toThrow("failed: load bpf_sock.o#3");
    expect(backend.steps).toEqual(["load bpf_host.o#1", "load bpf_xdp.o#2", "close bpf_host.o#1", "close bpf_xdp.o#2"]);
  });

  test("attaches bpf_host at tc ingress and egress of the device and bpf_xdp on it; bpf_sock stays off the cgroup without socket LB", () => {
    const backend = new RecordingBackend();
    const attachments = attachNode(backend, loadNode(backend, node), node, DEVICE);
    expect(attachments).toHaveLength(3);
    expect(backend.steps.slice(3)).toEqual([
      "attach bpf_host.o#1 cil_from_netdev at tc ingress of 2",
      "attach bpf_host.o#1 cil_to_netdev at tc egress of 2",
      "attach bpf_xdp.o#2 cil_xdp_entry at xdp of 2",
    ]);
  });

  test("with socket LB, bpf_sock goes on the node's cgroup at connect4, sendmsg4 and recvmsg4", () => {
    const backend = new RecordingBackend();
    attachNode(backend, loadNode(backend, socketLB), socketLB, DEVICE);
    expect(backend.steps.slice(6)).toEqual([
      "attach bpf_sock.o#3 cil_sock4_connect at cgroup_inet4_connect",
      "attach bpf_sock.o#3 cil_sock4_sendmsg at cgroup_udp4_sendmsg",
      "attach bpf_sock.o#3 cil_sock4_recvmsg at cgroup_udp4_recvmsg",
    ]);
  });
});
