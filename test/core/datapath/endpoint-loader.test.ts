import { describe, expect, test } from "vitest";
import type { EndpointConfig, NodeConfig } from "../../../src/core/datapath/datapath.ts";
import { attachEndpoint, loadEndpoint } from "../../../src/core/datapath/endpoint-loader.ts";
import { lxcVariables } from "../../../src/core/datapath/object-variables.ts";
import { RecordingBackend } from "./recording-backend.ts";

const node: NodeConfig = { name: "n1", internalIP: "10.0.0.1", podCIDR: "10.1.0.0/24", loadBalancer: { socketLB: false, hashSeed: 7, dsr: true } };
const endpoint: EndpointConfig = {
  key: "default/a",
  node: "n1",
  endpointId: 12,
  ip: "10.1.0.5",
  identity: 1000,
  ifindex: 30,
  ingressEnforced: true,
  egressEnforced: false,
};

describe("loading an endpoint's bpf_lxc", () => {
  test("loads bpf_lxc with the node's and the endpoint's constants, then fills the tail-call slots with its own copy's programs", () => {
    const backend = new RecordingBackend();
    const lxc = loadEndpoint(backend, { node, endpoint });
    expect(lxc).toEqual({ file: "bpf_lxc.o", copy: 1 });
    expect(backend.configurations).toEqual([{ variables: lxcVariables(node, endpoint), maxEntries: undefined }]);
    expect(backend.steps).toEqual([
      "load bpf_lxc.o#1",
      "fill bpf_lxc.o#1 eb_calls[1] = tail_ipv4_from_container",
      "fill bpf_lxc.o#1 eb_calls[2] = tail_ipv4_to_container",
    ]);
  });

  test("a reload carries the previous copy's policy over to the new one, and leaves the previous copy to its owner", () => {
    const backend = new RecordingBackend();
    const previous = loadEndpoint(backend, { node, endpoint });
    loadEndpoint(backend, { node, endpoint: { ...endpoint, ingressEnforced: false }, previous });
    expect(backend.steps.slice(3)).toEqual([
      "load bpf_lxc.o#2",
      "fill bpf_lxc.o#2 eb_calls[1] = tail_ipv4_from_container",
      "fill bpf_lxc.o#2 eb_calls[2] = tail_ipv4_to_container",
      "copy eb_policy from bpf_lxc.o#1 to bpf_lxc.o#2",
    ]);
  });

  test("map sizes given are passed to the backend's load", () => {
    const backend = new RecordingBackend();
    loadEndpoint(backend, { node, endpoint, maxEntries: { eb_ct4: 4096 } });
    expect(backend.configurations[0].maxEntries).toEqual({ eb_ct4: 4096 });
  });

  test("a slot that cannot be filled closes the new copy and fails with the backend's error", () => {
    const backend = new RecordingBackend("fill bpf_lxc.o#1 eb_calls[2] = tail_ipv4_to_container");
    expect(() => loadEndpoint(backend, { node, endpoint })).toThrow("failed: fill bpf_lxc.o#1 eb_calls[2]");
    expect(backend.steps.at(-1)).toBe("close bpf_lxc.o#1");
  });

  test("attaching puts from-container on tc ingress and to-container on tc egress of the host side", () => {
    const backend = new RecordingBackend();
    const lxc = loadEndpoint(backend, { node, endpoint });
    const attachments = attachEndpoint(backend, lxc, endpoint.ifindex);
    expect(attachments).toHaveLength(2);
    expect(backend.steps.slice(3)).toEqual([
      "attach bpf_lxc.o#1 cil_from_container at tc ingress of 30",
      "attach bpf_lxc.o#1 cil_to_container at tc egress of 30",
    ]);
  });

  test("an attach that fails leaves what was attached before it, so that a failed reload never empties a hook", () => {
    const backend = new RecordingBackend("attach bpf_lxc.o#1 cil_to_container at tc egress of 30");
    const lxc = loadEndpoint(backend, { node, endpoint });
    expect(() => attachEndpoint(backend, lxc, endpoint.ifindex)).toThrow("failed: attach");
    expect(backend.steps.slice(3)).toEqual(["attach bpf_lxc.o#1 cil_from_container at tc ingress of 30"]);
  });
});
