// A packet item's frames may be as long as a datapath carries, 65,549 bytes
// (an IPv4 packet of 65,535 behind its Ethernet header): the longest is
// replayed, and a longer one, given as hex, in a capture or built from
// headers, is refused when the scenario is read, naming the file, the line,
// the item and the field, never failing the replay.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { WasmDatapath } from "../../../backend-wasm/datapath.ts";
import { buildFrame, MAX_FRAME_BYTES } from "../../../src/core/packets/build.ts";
import { replayScenario } from "../../../src/core/replay/run.ts";
import { readScenario } from "../../../src/core/scenario/index.ts";
import { pcap } from "../../../bench/fuzz/path-fixtures.ts";

const directory = mkdtempSync(join(tmpdir(), "ebbflow-frames-"));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** A TCP SYN from 10.244.1.10 to the server with a payload making the frame `length` bytes. */
const tcpFrame = (length: number) =>
  buildFrame({
    ipv4: { src: "10.244.1.10", dst: "10.244.1.20" },
    l4: { protocol: "TCP", sport: 40000, dport: 80, flags: "S" },
    payload: new Uint8Array(length - 54),
  });
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

/** A scenario file with one packet item entering the server, whose frame field is `frames` (YAML). */
function scenarioFile(name: string, frames: string): string {
  const file = join(directory, `${name}.yaml`);
  writeFileSync(
    file,
    `apiVersion: ebbflow.io/v1alpha1
kind: Scenario
metadata: {name: ${name}}
spec:
  objects:
    - {apiVersion: v1, kind: Pod, metadata: {name: server, namespace: default}, spec: {containers: [{name: web, image: nginx}]}, status: {podIP: 10.244.1.20}}
  packets:
    - name: a long frame
      at: pod:default/server
      direction: ingress
      ${frames}
      expect: {verdict: FORWARDED}
`,
  );
  return file;
}

const refusal = (file: string): string => {
  try {
    readScenario(file);
  } catch (error) {
    return (error as Error).message;
  }
  return "read";
};

const LIMIT = "longer than the 65549 bytes a datapath carries (an IPv4 packet of at most 65535 bytes behind its 14-byte Ethernet header)";

describe("a packet item's frame length", () => {
  test("the longest frame, 65,549 bytes, is replayed through the datapath", async () => {
    expect(MAX_FRAME_BYTES).toBe(65549);
    const file = scenarioFile("longest", `hex: "${hex(tcpFrame(MAX_FRAME_BYTES))}"`);
    const datapath = await WasmDatapath.create();
    try {
      const result = await replayScenario(readScenario(file), datapath, { seed: 1 });
      expect(result.items.map((item) => item.kind !== "step" && item.actual.verdict)).toEqual(["FORWARDED"]);
    } finally {
      await datapath.close();
    }
  });

  test("a hex frame one byte longer is refused at its field", () => {
    const file = scenarioFile("hex", `hex: "${hex(tcpFrame(MAX_FRAME_BYTES))}00"`);
    expect(refusal(file)).toBe(`${file}:11: packets[0] "a long frame": field "hex": a frame of 65550 bytes is ${LIMIT}`);
  });

  test("a capture holding a longer frame is refused, naming the packet", () => {
    const capture = join(directory, "big.pcap");
    writeFileSync(capture, pcap([tcpFrame(9000), new Uint8Array(70000)], 262144));
    const file = scenarioFile("pcap", "pcap: big.pcap");
    expect(refusal(file)).toBe(`${file}:11: packets[0] "a long frame": field "pcap": ${capture}: packet 2 is a frame of 70000 bytes, ${LIMIT}`);
  });

  test("headers built with a payload too long for an IPv4 packet are refused at the payload", () => {
    const file = scenarioFile("build", `build: {ipv4: {src: 10.244.1.10, dst: 10.244.1.20}, udp: {sport: 1, dport: 2}, payload: "${"00".repeat(65508)}"}`);
    expect(refusal(file)).toBe(`${file}:11: packets[0] "a long frame": field "build.payload": the frame built is 65550 bytes, ${LIMIT}`);
  });
});
