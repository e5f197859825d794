// The memory estimate of a parsed scenario: what it counts (replicas,
// policy rules, service ports, nodes, attempts with repeat, objects its
// apply steps add) and that it grows with each.

import { describe, expect, test } from "vitest";
import { parseScenario } from "../../../src/core/scenario/index.ts";
import { estimateScenario } from "../../../src/core/scenario/estimate.ts";

const scenario = (objects: string, traffic = "") =>
  parseScenario(
    `apiVersion: ebbflow.io/v1alpha1
kind: Scenario
metadata: {name: estimate}
spec:
  nodes: [{name: n1}, {name: n2}]
  objects:
    - {apiVersion: v1, kind: Pod, metadata: {name: a, namespace: default, labels: {app: a}}, spec: {containers: [{name: c, image: i}]}}
${objects}
  traffic:
    - {name: a to a, from: pod:default/a, to: pod:default/a, port: 80, repeat: 3, expect: {verdict: FORWARDED}}
${traffic}`,
    "estimate.yaml",
  );

const DEPLOYMENT = `    - apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web, namespace: default}
      spec:
        replicas: 5
        selector: {matchLabels: {app: web}}
        template: {metadata: {labels: {app: web}}, spec: {containers: [{name: c, image: i}]}}`;
const POLICY = `    - apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata: {name: p, namespace: default}
      spec: {podSelector: {}, ingress: [{from: [{podSelector: {}}]}, {ports: [{port: 80}]}], egress: [{}]}`;
const SERVICE = `    - {apiVersion: v1, kind: Service, metadata: {name: s, namespace: default}, spec: {selector: {app: a}, ports: [{port: 80}, {port: 443}]}}`;

describe("estimateScenario", () => {
  test("counts a Deployment's replicas as pods, a policy's sections as rules, a Service's ports, nodes, and attempts with repeat", () => {
    const estimate = estimateScenario(scenario([DEPLOYMENT, POLICY, SERVICE].join("\n")));
    expect(estimate).toMatchObject({ pods: 6, policyRules: 3, servicePorts: 2, nodes: 2, attempts: 3, frameBytes: 0 });
  });

  test("counts the objects an apply step adds", () => {
    const applied = `    - apply:
        objects:
          - {apiVersion: v1, kind: Pod, metadata: {name: b, namespace: default}, spec: {containers: [{name: c, image: i}]}}`;
    expect(estimateScenario(scenario("", applied)).pods).toBe(2);
  });

  test("grows with each kind of item", () => {
    const bare = estimateScenario(scenario("")).bytes;
    for (const more of [DEPLOYMENT, POLICY, SERVICE]) expect(estimateScenario(scenario(more)).bytes).toBeGreaterThan(bare);
    const attempts = `    - {name: again, from: pod:default/a, to: pod:default/a, port: 80, repeat: 100, expect: {verdict: FORWARDED}}`;
    expect(estimateScenario(scenario("", attempts)).bytes).toBeGreaterThan(bare);
  });
});
