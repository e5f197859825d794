// What a valid scenario file reads as: defaults, endpoints, expectations,
// steps in order with the attempts, and Go-style durations.

import { describe, expect, test } from "vitest";
import { locationOf } from "../../../src/core/model/index.ts";
import { parseDuration, parseScenario } from "../../../src/core/scenario/index.ts";

const text = `apiVersion: ebbflow.io/v1alpha1
kind: Scenario
metadata: {name: steps}
spec:
  objects:
    - apiVersion: v1
      kind: Pod
      metadata: {name: a, namespace: x}
      spec: {containers: [{name: c, image: i}]}
  traffic:
    - name: a pings the world
      from: pod:x/a
      to: world:203.0.113.7
      protocol: ICMP
      expect: {verdict: DROPPED, dropReason: POLICY_DENIED, hook: pod-egress, policy: CiliumNetworkPolicy/x/deny}
    - wait: 1m30s
    - delete: [{kind: Pod, namespace: x, name: a}]
`;

describe("parseScenario", () => {
  const scenario = parseScenario(text, "steps.yaml");

  test("defaults: one node, Cilium's Helm defaults, no DNS records", () => {
    expect(scenario.nodes).toEqual([{ name: "node-1" }]);
    expect(scenario.cilium).toEqual({
      routingMode: "native",
      loadBalancerMode: "snat",
      socketLB: true,
      socketLBHostNamespaceOnly: false,
      policyEnforcementMode: "default",
      unused: [],
    });
    expect(scenario.dns).toEqual({ records: {}, ttl: 30 });
  });

  test("attempts with their endpoints, protocol, expectation and line", () => {
    expect(scenario.traffic[0]).toMatchObject({
      kind: "attempt",
      name: "a pings the world",
      from: { kind: "pod", namespace: "x", name: "a" },
      to: { kind: "world", ip: "203.0.113.7" },
      protocol: "ICMP",
      port: undefined,
      repeat: 1,
      expect: { verdict: "DROPPED", dropReason: "POLICY_DENIED", hook: "pod-egress", policy: { kind: "CiliumNetworkPolicy", namespace: "x", name: "deny" } },
      source: { file: "steps.yaml", line: 11 },
    });
  });

  test("steps stay in order with the attempts", () => {
    expect(scenario.traffic.map((item) => item.kind)).toEqual(["attempt", "wait", "delete"]);
    expect(scenario.traffic[1]).toMatchObject({ text: "1m30s", nanoseconds: 90e9 });
    expect(scenario.traffic[2]).toMatchObject({ refs: [{ kind: "Pod", namespace: "x", name: "a" }] });
  });

  test("objects keep the lines of their fields", () => {
    const pod = scenario.objects[0];
    expect(pod.source).toEqual({ file: "steps.yaml", line: 6 });
    expect(locationOf(pod.body, "spec")).toEqual({ file: "steps.yaml", line: 9 });
  });
});

describe("manifests as the API server stores them", () => {
  const scenario = parseScenario(
    `apiVersion: ebbflow.io/v1alpha1
kind: Scenario
metadata: {name: stored}
spec:
  objects:
    - apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata: {name: p}
      spec:
        podSelector:
        ingress:
          - from:
            ports: [{port: 80}]
`,
    "stored.yaml",
  );
  const policy = scenario.objects[0];

  test("an object without a namespace is in default, in its own metadata too", () => {
    expect(policy.namespace).toBe("default");
    expect(policy.body.metadata).toEqual({ name: "p", namespace: "default" });
  });

  test("a field written with nothing after it (null) is absent", () => {
    expect(policy.body.spec).toEqual({ ingress: [{ ports: [{ port: 80 }] }] });
    expect(locationOf(policy.body.spec as object, "ingress")).toEqual({ file: "stored.yaml", line: 11 });
  });
});

describe("parseDuration (Go's syntax)", () => {
  test.each([
    ["45s", 45e9],
    ["1m30s", 90e9],
    ["1.5h", 5400e9],
    ["300ms", 300e6],
    ["0", 0],
  ])("%s", (written, nanoseconds) => expect(parseDuration(written)).toBe(nanoseconds));

  test.each(["45", "1 m", "s", "-5s", "1d"])("%s is refused", (written) => expect(parseDuration(written)).toHaveProperty("problem"));
});
