import { expect, test } from "vitest";
import { kernelBackendUnavailable } from "../../backend-kernel/libbpf.ts";
import { measureServiceCounts, pairedRatio, type ServiceCountResult } from "../../bench/services.ts";
import { describeWhen } from "../support/requirements.ts";

function result(repetitionsNsPerPacket: number[]): ServiceCountResult {
  return {
    services: 0,
    probed: 0,
    datapath: "vm",
    hugePages: "advised",
    instructionsPerPacket: 0,
    instructionsMin: 0,
    instructionsMax: 0,
    nsPerPacket: 0,
    repetitionsNsPerPacket,
    fastestNsPerPacket: 0,
    iptablesRulesPerPacket: 0,
  };
}

test("the ratio of two cases is taken within each repetition, where they ran interleaved, and its median reported", () => {
  // The machine ran twice as fast in the second repetition, for both cases
  // alike; the third repetition's large case was disturbed.
  const few = result([3000, 1500, 3000]);
  const many = result([3600, 1800, 9000]);
  const { ratio, repetitions } = pairedRatio(many, few);
  expect(repetitions).toEqual([1.2, 1.2, 3]);
  expect(ratio).toBe(1.2);
});

describeWhen(kernelBackendUnavailable(), "the services benchmark in the kernel", () => {
  test("the same object, maps and probes run in the kernel, every probe translated and passed, each timed", async () => {
    const [few, many] = await measureServiceCounts(
      [
        { count: 10, spread: 10, datapath: "kernel" },
        { count: 1_000, spread: 1_000, datapath: "kernel" },
      ],
      1,
      1,
    );
    for (const measured of [few, many]) {
      expect(measured.datapath).toBe("kernel");
      expect(measured.repetitionsNsPerPacket).toHaveLength(1);
      expect(measured.nsPerPacket).toBeGreaterThan(0);
      expect(measured.fastestNsPerPacket).toBeLessThanOrEqual(measured.nsPerPacket);
    }
  }, 120_000);
});
