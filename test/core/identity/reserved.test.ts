import { describe, expect, test } from "vitest";
import {
  FIRST_CLUSTER_IDENTITY,
  FIRST_LOCAL_IDENTITY,
  formatLabel,
  identityIsWorld,
  RESERVED_IDENTITY_LABELS,
  ReservedIdentity,
} from "../../../src/core/identity/index.ts";

describe("reserved identities", () => {
  test("carry Cilium's numbers", () => {
    expect(ReservedIdentity).toEqual({
      unknown: 0,
      host: 1,
      world: 2,
      unmanaged: 3,
      health: 4,
      init: 5,
      remoteNode: 6,
      kubeApiserver: 7,
      ingress: 8,
      worldIpv4: 9,
      worldIpv6: 10,
    });
  });

  test("carry reserved: labels; kube-apiserver is also a remote node", () => {
    const labels = Object.fromEntries([...RESERVED_IDENTITY_LABELS].map(([id, set]) => [id, set.map(formatLabel)]));
    expect(labels).toEqual({
      1: ["reserved:host"],
      2: ["reserved:world"],
      3: ["reserved:unmanaged"],
      4: ["reserved:health"],
      5: ["reserved:init"],
      6: ["reserved:remote-node"],
      7: ["reserved:kube-apiserver", "reserved:remote-node"],
      8: ["reserved:ingress"],
    });
  });

  test("allocated identities start at 256 (cluster scope) and 16777217 (local scope, CIDRs)", () => {
    expect(FIRST_CLUSTER_IDENTITY).toBe(256);
    expect(FIRST_LOCAL_IDENTITY).toBe(16777217);
  });

  test("world, its IPv4/IPv6 variants and CIDR identities count as world; pods and host do not", () => {
    expect([2, 9, 10, 16777217, 16777216 + 65535].every(identityIsWorld)).toBe(true);
    expect([0, 1, 6, 256, 16777216, 16777216 + 65536].some(identityIsWorld)).toBe(false);
  });
});
