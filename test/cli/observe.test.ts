// `ebbflow observe`: a scenario's flows as `hubble observe` prints them, with
// its filters.

import { expect, test } from "vitest";
import { ebbflow } from "../support/cli.ts";

const FILE = "scenarios/seed-allow-frontend-to-backend.yaml";

test("prints the last 20 flows as compact lines by default", async () => {
  const run = await ebbflow(["observe", FILE]);
  expect(run.status).toBe(0);
  const lines = run.stdout.trimEnd().split("\n");
  expect(lines).toHaveLength(20);
  for (const line of lines)
    expect(line).toMatch(
      /^Jan  1 00:00:00\.\d{3}: \S+ \((ID:\d+|world|host|remote-node)\) (->|<-|<>) \S+ \(\S+\) .+ (FORWARDED|DROPPED|ALLOWED|DENIED) \(.+\)$/,
    );
});

test("filters by verdict, pod and protocol, and prints JSON", async () => {
  const run = await ebbflow(["observe", FILE, "--all", "--verdict", "DROPPED", "--to-pod", "production/backend", "--protocol", "tcp", "-o", "json"]);
  expect(run.status).toBe(0);
  const flows = run.stdout
    .trimEnd()
    .split("\n")
    .map((line) => JSON.parse(line).flow);
  expect(flows.length).toBeGreaterThan(0);
  for (const flow of flows) {
    expect(flow.verdict).toBe("DROPPED");
    expect(flow.destination).toMatchObject({ namespace: "production", pod_name: "backend" });
    expect(flow.l4).toHaveProperty("TCP");
  }
});

test("refuses an unknown output format", async () => {
  const run = await ebbflow(["observe", FILE, "-o", "table"]);
  expect(run.status).toBe(2);
  expect(run.stderr).toBe('ebbflow: --output: "table" is not an output format (compact, json, jsonpb)\n');
});
