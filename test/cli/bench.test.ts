// `ebbflow bench`: instructions and map operations per packet for each
// program and path (deterministic), time per packet (reported), and a
// baseline that fails the command when the counts grow past the threshold.

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import type { BenchResult } from "../../src/cli/bench.ts";
import { IPPROTO_TCP, ipv4Frame, tcpHeader, TCP_SYN } from "../bpf/frames.ts";
import { ebbflow, STACK_LINE } from "../support/cli.ts";

const SCENARIO = "scenarios/seed-allow-frontend-to-backend.yaml";
const PRIME = "test/emu/compiler/testdata/prime.bpf.o";
const dir = mkdtempSync(join(tmpdir(), "ebbflow-bench-test-"));

/** A classic pcap (microseconds, little-endian, Ethernet) of the frames. */
function pcap(frames: Uint8Array[]): Uint8Array {
  const header = new DataView(new ArrayBuffer(24));
  header.setUint32(0, 0xa1b2c3d4, true);
  header.setUint16(4, 2, true);
  header.setUint16(6, 4, true);
  header.setUint32(16, 65535, true);
  header.setUint32(20, 1, true);
  const parts: Uint8Array[] = [new Uint8Array(header.buffer)];
  for (const frame of frames) {
    const record = new DataView(new ArrayBuffer(16));
    record.setUint32(8, frame.byteLength, true);
    record.setUint32(12, frame.byteLength, true);
    parts.push(new Uint8Array(record.buffer), frame);
  }
  return Buffer.concat(parts);
}

async function benchJson(args: string[]): Promise<BenchResult> {
  const run = await ebbflow(["bench", ...args, "-o", "json"]);
  expect(run.stderr).toBe("");
  expect(run.status).toBe(0);
  return JSON.parse(run.stdout);
}

describe("a scenario", () => {
  let result: BenchResult;
  beforeAll(async () => {
    result = await benchJson([SCENARIO]);
  }, 60_000);

  test("gives each program and path its instructions, map operations and time per packet", () => {
    expect(result).toMatchObject({ ebbflowBench: 1, target: SCENARIO, engine: "compiled" });
    expect(result.rows.length).toBeGreaterThan(0);
    expect(result.rows.map((row) => row.program)).toContain("cil_from_container");
    for (const row of result.rows) {
      expect(row.packets).toBeGreaterThan(0);
      expect(row.instructionsPerPacket).toBeGreaterThan(0);
      expect(row.nsPerPacket).toBeGreaterThan(0);
      for (const counts of Object.values(row.mapOperationsPerPacket)) expect(Object.keys(counts)).toEqual(["lookups", "updates", "deletes"]);
    }
    const fromContainer = result.rows.find((row) => row.program === "cil_from_container")!;
    expect(fromContainer.mapOperationsPerPacket.eb_ipcache.lookups).toBeGreaterThan(0);
  });

  test("counts the same on every run, and on both engines", async () => {
    const counts = (r: BenchResult) =>
      r.rows.map(({ program, path, packets, instructionsPerPacket, mapOperationsPerPacket }) => ({
        program,
        path,
        packets,
        instructionsPerPacket,
        mapOperationsPerPacket,
      }));
    expect(counts(await benchJson([SCENARIO, "--engine", "interp"]))).toEqual(counts(result));
  }, 60_000);

  test("passes against its own baseline and prints the changes as a table", async () => {
    const baseline = join(dir, "same.json");
    writeFileSync(baseline, JSON.stringify(result));
    const run = await ebbflow(["bench", SCENARIO, "--baseline", baseline]);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const [header, ...lines] = run.stdout.trimEnd().split("\n");
    expect(header).toMatch(/^PROGRAM\s+PATH\s+PACKETS\s+INSNS\/PKT\s+NS\/PKT\s+INSNS\s+MAP OPS\s+TIME\s+VERDICT/);
    expect(lines).toHaveLength(result.rows.length);
    for (const line of lines) expect(line).toMatch(/\+0\.0%\s+\+0\.0%\s+\S+%\s+ok/);
  }, 60_000);

  test("fails when a path executed fewer instructions in the baseline than the threshold allows", async () => {
    const changed: BenchResult = structuredClone(result);
    const row = changed.rows.find((r) => r.program === "cil_from_container")!;
    row.instructionsPerPacket = Math.floor(row.instructionsPerPacket * 0.9);
    const baseline = join(dir, "lower.json");
    writeFileSync(baseline, JSON.stringify(changed));
    const run = await ebbflow(["bench", SCENARIO, "--baseline", baseline]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`^ebbflow bench: regression: cil_from_container \\(${row.path}\\): instructions 11\\.\\d%`));
    // A higher threshold lets the same change through.
    expect((await ebbflow(["bench", SCENARIO, "--baseline", baseline, "--threshold", "15"])).status).toBe(0);
  }, 60_000);

  test("fails when a path of the baseline is no longer taken", async () => {
    const baseline = join(dir, "gone.json");
    writeFileSync(baseline, JSON.stringify({ ...result, rows: [...result.rows, { ...result.rows[0], path: "TC_ACT_REDIRECT" }] }));
    const run = await ebbflow(["bench", SCENARIO, "--baseline", baseline]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`regression: ${result.rows[0].program} (TC_ACT_REDIRECT): the path is no longer taken`);
  }, 60_000);
});

test("runs every tc program of an object on every packet of a capture", async () => {
  const packets = join(dir, "syn.pcap");
  const syn = ipv4Frame({ src: "10.0.1.5", dst: "10.0.2.9", protocol: IPPROTO_TCP }, tcpHeader(40000, 80, TCP_SYN));
  writeFileSync(packets, pcap([syn, syn]));
  const result = await benchJson([PRIME, "--packets", packets, "--repeat", "3"]);
  expect(result.rows.map(({ program, path, packets, instructionsPerPacket }) => ({ program, path, packets, instructionsPerPacket }))).toEqual([
    { program: "prime", path: "packet 1", packets: 3, instructionsPerPacket: 655 },
    { program: "prime", path: "packet 2", packets: 3, instructionsPerPacket: 655 },
  ]);
}, 60_000);

describe("bad input gets one line naming it, exit 2, no stack trace", () => {
  const refused = async (args: string[], message: RegExp | string) => {
    const run = await ebbflow(["bench", ...args]);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(run.stderr).not.toMatch(STACK_LINE);
    expect(run.stderr).toMatch(message);
  };

  test("a missing target", () => refused(["nowhere.yaml"], "ebbflow: bench: nowhere.yaml: no such file"));
  test("a missing baseline", () => refused([SCENARIO, "--baseline", join(dir, "none.json")], /--baseline: .*none\.json: no such file/));
  test("a baseline that is not JSON", async () => {
    const file = join(dir, "text.json");
    writeFileSync(file, "instructions: 300\n");
    await refused([SCENARIO, "--baseline", file], /--baseline: .*text\.json: not JSON/);
  });
  test("a baseline row without its counts", async () => {
    const file = join(dir, "partial.json");
    writeFileSync(file, JSON.stringify({ ebbflowBench: 1, rows: [{ program: "cil_from_container", path: "TC_ACT_OK" }] }));
    await refused([SCENARIO, "--baseline", file], /partial\.json: rows\[0\]: missing packets/);
  });
  test("an object without packets", () => refused([PRIME], `bench: ${PRIME}: a BPF object needs --packets FILE.pcap`));
  test("a program the object does not have", async () => {
    const packets = join(dir, "one.pcap");
    writeFileSync(packets, pcap([ipv4Frame({ src: "10.0.1.5", dst: "10.0.2.9", protocol: IPPROTO_TCP }, tcpHeader(1, 2, TCP_SYN))]));
    await refused([PRIME, "--packets", packets, "--program", "nope"], /no program named nope \(there are: prime\)/);
  });
  test("a bad threshold", () => refused([SCENARIO, "--threshold", "five"], '--threshold: "five" is not a percentage'));
});
