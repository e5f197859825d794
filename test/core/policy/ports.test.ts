import { describe, expect, test } from "vitest";
import { portRangeBlocks } from "../../../src/core/policy/index.ts";
import { compile } from "./model.ts";
import { entriesOf } from "./format.ts";

describe("port ranges as LPM prefixes", () => {
  test("53..80 splits into aligned power-of-two blocks", () => {
    expect(portRangeBlocks(53, 80)).toEqual([
      { port: 53, bits: 16 },
      { port: 54, bits: 15 },
      { port: 56, bits: 13 },
      { port: 64, bits: 12 },
      { port: 80, bits: 16 },
    ]);
  });

  test("one port is one block of 16 bits; every port is one block of 0 bits", () => {
    expect(portRangeBlocks(443, 443)).toEqual([{ port: 443, bits: 16 }]);
    expect(portRangeBlocks(0, 65535)).toEqual([{ port: 0, bits: 0 }]);
    expect(portRangeBlocks(32768, 65535)).toEqual([{ port: 32768, bits: 1 }]);
  });

  test("the blocks cover the range exactly", () => {
    for (const [first, last] of [
      [1, 65535],
      [1000, 2000],
      [7, 9],
      [65535, 65535],
    ]) {
      const covered = portRangeBlocks(first, last).reduce((sum, block) => sum + 2 ** (16 - block.bits), 0);
      expect(covered).toBe(last - first + 1);
    }
  });

  test("an endPort range in a policy becomes one entry per block (port_prefix_len 8 + bits)", () => {
    const model = compile([
      {
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: { name: "range", namespace: "x" },
        spec: { podSelector: { matchLabels: { pod: "a" } }, ingress: [{ ports: [{ protocol: "TCP", port: 53, endPort: 80 }] }] },
      },
    ]);
    expect(entriesOf(model, "x/a")).toEqual([
      "ingress 0 TCP:53/24 allow [NetworkPolicy/x/range]",
      "ingress 0 TCP:54/23 allow [NetworkPolicy/x/range]",
      "ingress 0 TCP:56/21 allow [NetworkPolicy/x/range]",
      "ingress 0 TCP:64/20 allow [NetworkPolicy/x/range]",
      "ingress 0 TCP:80/24 allow [NetworkPolicy/x/range]",
      "ingress 1 ANY:0/0 allow []",
    ]);
    expect(model.reach("y/b", "x/a", 6, 70).verdict).toBe("FORWARDED");
    expect(model.reach("y/b", "x/a", 6, 81).verdict).toBe("DROPPED");
    expect(model.reach("y/b", "x/a", 6, 52).verdict).toBe("DROPPED");
  });
});
