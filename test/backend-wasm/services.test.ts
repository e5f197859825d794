// The simulated cluster around service translation: a frame is routed by its
// destination again after every program that rewrote it, bpf_sock runs
// before the first packet when socket LB is on, and the attempt reports who
// answered.

import { describe, expect, test } from "vitest";
import { WasmDatapath } from "../../backend-wasm/datapath.ts";
import { replayScenario, type AttemptResult } from "../../src/core/replay/run.ts";
import { readScenario } from "../../src/core/scenario/index.ts";

async function replay(file: string): Promise<AttemptResult[]> {
  const result = await replayScenario(readScenario(file), await WasmDatapath.create(), { seed: 1 });
  return result.items.filter((item): item is AttemptResult => item.kind === "attempt");
}

const hops = (item: AttemptResult) =>
  item.flows.map(({ flow }) => {
    const ip = flow.IP as { source: string; destination: string };
    return `${flow.node_name} ${ip.source} > ${ip.destination}`;
  });

describe("the wasm backend with services", () => {
  test("without socket LB, the SYN is DNATed at the client's veth and the SYN-ACK reaches it from the ClusterIP", async () => {
    const [first] = await replay("scenarios/services-no-socket-lb.yaml");
    expect(first.actual.verdict).toBe("FORWARDED");
    const path = hops(first);
    // Every request flow already carries the backend; the last reply flow is translated back.
    expect(path[0]).toMatch(/^default\/node-1 10\.244\.1\.\d+ > 10\.244\.\d\.\d+$/);
    expect(path.at(-1)).toMatch(/^default\/node-1 10\.96\.100\.10 > 10\.244\.1\.\d+$/);
  });

  test("with socket LB, a connect() refused reports only the socket hook's drop", async () => {
    const [refused] = await replay("scenarios/services-no-backends.yaml");
    expect(refused.events.map(({ event }) => [event.type, event.hook])).toEqual([["drop", "socket"]]);
  });

  test("a NodePort packet to a backend on another node leaves the receiving node SNATed and comes back through it", async () => {
    const items = await replay("scenarios/services-nodeport-snat.yaml");
    const snat = items.find((item) => item.name === "a backend on another node is reached through SNAT")!;
    const path = hops(snat);
    expect(path).toContain("default/node-2 192.168.10.11 > 10.244.2.2");
    expect(path.at(-1)).toMatch(/^default\/node-1 192\.168\.10\.11 > 203\.0\.113\.7$/);
    expect(snat.actual.backend).toBe("pod:shop/web-remote");
  });

  test("in DSR mode, node-1 sends the SYN to node-2 with the frontend in Cilium's IPv4 option, and node-2's reply goes straight to the client", async () => {
    const items = await replay("scenarios/services-dsr.yaml");
    const nodePort = items.find((item) => item.name.startsWith("a NodePort on node-1"))!;
    expect(nodePort.actual.backend).toBe("pod:shop/web-0");
    const leaving = nodePort.events.find(({ node, event }) => node === "node-1" && event.hook === "host-egress")!.event.frame;
    const ip = leaving.subarray(14);
    const view = new DataView(ip.buffer, ip.byteOffset, ip.byteLength);
    // IHL 7: the fixed header, then the option: type 0x9a, length 8, port 30080, address 192.168.10.11.
    expect(ip[0]).toBe(0x47);
    expect([...ip.subarray(20, 28)]).toEqual([0x9a, 8, 30080 >> 8, 30080 & 0xff, 192, 168, 10, 11]);
    // The client's address is kept (no SNAT), the destination is the backend.
    expect([...ip.subarray(12, 16)]).toEqual([203, 0, 113, 7]);
    expect(view.getUint16(2)).toBe(leaving.byteLength - 14);
    // The header checksum over all 28 bytes folds to 0xffff.
    let sum = 0;
    for (let i = 0; i < 28; i += 2) sum += view.getUint16(i);
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    expect(sum).toBe(0xffff);
    // The reply: node-2 alone, the frontend as its source.
    const reply = hops(nodePort).slice(-2);
    expect(reply).toEqual([expect.stringMatching(/^default\/node-2 10\.244\.2\.\d+ > 203\.0\.113\.7$/), "default/node-2 192.168.10.11 > 203.0.113.7"]);
  });

  test("a pod's connection to itself through its Service leaves from 169.254.42.1 and its reply comes back from the Service", async () => {
    const items = await replay("scenarios/services-endpointslices-hairpin.yaml");
    const hairpin = items.find((item) => item.name === "a pod reaches itself through its own Service")!;
    const path = hops(hairpin);
    expect(path[0]).toMatch(/^default\/node-1 169\.254\.42\.1 > 10\.244\.1\.\d+$/);
    expect(path.at(-1)).toMatch(/^default\/node-1 10\.96\.\d+\.\d+ > 10\.244\.1\.\d+$/);
  });
});
