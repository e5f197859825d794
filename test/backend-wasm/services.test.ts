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
});
