// `ebbflow bpf lb list`: a node's service and backend maps as cilium-dbg
// prints them.

import { expect, test } from "vitest";
import { ebbflow } from "../support/cli.ts";

const FILE = "scenarios/services-loadbalancer-externalips.yaml";

test("lists every frontend with its backend slots and slot 0's flags, in cilium-dbg's columns", async () => {
  const run = await ebbflow(["bpf", "lb", "list", FILE, "--node", "node-2"]);
  expect(run.status).toBe(0);
  const lines = run.stdout.trimEnd().split("\n");
  expect(lines[0]).toMatch(/^SERVICE ADDRESS\s+BACKEND ADDRESS \(REVNAT_ID\) \(SLOT\)$/);
  expect(run.stdout).toMatch(/^192\.168\.10\.12:31443\/TCP\s+10\.244\.1\.\d+:8080\/TCP \(\d+\) \(1\)\n\s+0\.0\.0\.0:0 \(\d+\) \(0\) \[NodePort\]$/m);
  expect(run.stdout).toMatch(/^198\.51\.100\.10:443\/TCP\s+10\.244\.1\.\d+:8080\/TCP \(\d+\) \(1\)$/m);
  expect(run.stdout).toMatch(/^198\.51\.100\.20:80\/TCP\/i\s+10\.244\.2\.\d+:9090\/TCP \(\d+\) \(1\)$/m);
  expect(run.stdout).toMatch(/^10\.96\.0\.10:53\/UDP\s+10\.244\.\d+\.\d+:53\/UDP \(\d+\) \(1\)$/m);
});

test("a node whose external policy keeps no local backend has slot 0 alone", async () => {
  const run = await ebbflow(["bpf", "lb", "list", FILE]);
  expect(run.stdout).toMatch(/^198\.51\.100\.20:80\/TCP\s+0\.0\.0\.0:0 \(\d+\) \(0\) \[ExternalIPs, Local, two-scopes\]$/m);
});

test("refuses a node the scenario does not have", async () => {
  const run = await ebbflow(["bpf", "lb", "list", FILE, "--node", "node-9"]);
  expect(run.status).toBe(2);
  expect(run.stderr).toBe(`ebbflow: --node: no node "node-9" in ${FILE} (nodes: node-1, node-2)\n`);
});
