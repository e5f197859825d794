// The claim of issue 6, as a specification: the instructions bpf_lxc executes
// for a new connection to a ClusterIP do not depend on how many services the
// node has (bench/services.ts measures time as well, up to 100,000).

import { expect, test } from "vitest";
import { iptablesRules, measureServiceCount } from "../../../bench/services.ts";

test("instructions per new connection are the same with 10 and 10,000 services", async () => {
  const few = await measureServiceCount(10, 1);
  const many = await measureServiceCount(10_000, 1);
  expect(many.instructionsMax).toBe(few.instructionsMax);
  expect(Math.abs(many.instructionsPerPacket - few.instructionsPerPacket)).toBeLessThan(1);
}, 60_000);

test("kube-proxy's chains evaluate rules in proportion to the service's position", () => {
  expect(iptablesRules([{ service: 0, sourcePort: 1 }])).toBeLessThanOrEqual(1 + 2 + 2);
  expect(iptablesRules([{ service: 9_999, sourcePort: 1 }])).toBeGreaterThanOrEqual(10_000 + 1 + 2);
});
