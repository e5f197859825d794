// Bad policies and features of later issues: a typed error naming the
// policy and the field, never a silent default.

import { describe, expect, test } from "vitest";
import {
  parsePolicies,
  PolicyError,
  UnsupportedPolicyFeatureError,
  type CiliumPeerRule,
  type NetworkPolicyObject,
  type PolicyObject,
} from "../../../src/core/policy/index.ts";

function egress(rule: Record<string, unknown>): PolicyObject {
  return {
    apiVersion: "cilium.io/v2",
    kind: "CiliumNetworkPolicy",
    metadata: { name: "p", namespace: "x" },
    spec: { endpointSelector: {}, egress: [rule as CiliumPeerRule] },
  };
}

function netpol(spec: Record<string, unknown>): PolicyObject {
  return { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "n", namespace: "x" }, spec: spec as NetworkPolicyObject["spec"] };
}

function failure(policy: PolicyObject): PolicyError {
  try {
    parsePolicies([policy]);
  } catch (error) {
    if (error instanceof PolicyError) return error;
    throw error;
  }
  throw new Error("no error");
}

describe("features later issues add are refused, naming policy, field and feature", () => {
  test.each([
    [{ toFQDNs: [{ matchName: "api.example.com" }] }, "spec.egress[0].toFQDNs", "toFQDNs (DNS-based policy)"],
    [{ toPorts: [{ ports: [{ port: "80" }], rules: { http: [{ method: "GET" }] } }] }, "spec.egress[0].toPorts[0].rules", "L7 rules (toPorts.rules)"],
    [{ toPorts: [{ ports: [{ port: "53" }], rules: { dns: [{ matchPattern: "*" }] } }] }, "spec.egress[0].toPorts[0].rules", "L7 rules (toPorts.rules)"],
    [{ toServices: [{ k8sService: { serviceName: "db", namespace: "x" } }] }, "spec.egress[0].toServices", "toServices (service-based policy)"],
    [{ toCIDRSet: [{ cidrGroupRef: "partners" }] }, "spec.egress[0].toCIDRSet[0].cidrGroupRef", "cidrGroupRef (CiliumCIDRGroup)"],
  ])("%j", (rule, field, feature) => {
    const error = failure(egress(rule));
    expect(error).toBeInstanceOf(UnsupportedPolicyFeatureError);
    expect(error.message).toBe(`CiliumNetworkPolicy/x/p: ${field}: ${feature} is not supported yet`);
  });
});

describe("bad policies are refused, naming policy and field", () => {
  test.each([
    [egress({ toPorts: [{ ports: [{ port: "90", endPort: 80 }] }] }), "spec.egress[0].toPorts[0].ports[0].endPort", "80 is below port 90"],
    [egress({ toPorts: [{ ports: [{ port: "70000" }] }] }), "spec.egress[0].toPorts[0].ports[0].port", "70000 is out of range 0..65535"],
    [
      egress({ toPorts: [{ ports: [{ port: "http", endPort: 90 }] }] }),
      "spec.egress[0].toPorts[0].ports[0].endPort",
      'needs a numeric port, not the named port "http"',
    ],
    [
      egress({ toPorts: [{ ports: [{ port: "80", protocol: "ICMP" }] }] }),
      "spec.egress[0].toPorts[0].ports[0].protocol",
      '"ICMP" is not TCP, UDP, SCTP or ANY',
    ],
    [egress({ toCIDR: ["10.0.0.0/33"] }), "spec.egress[0].toCIDR[0]", '"10.0.0.0/33" is not an IPv4 address or CIDR'],
    [
      egress({ toCIDRSet: [{ cidr: "10.0.0.0/8", except: ["192.168.0.0/16"] }] }),
      "spec.egress[0].toCIDRSet[0].except[0]",
      "192.168.0.0/16 is not inside 10.0.0.0/8",
    ],
    [egress({ toEntities: ["internet"] }), "spec.egress[0].toEntities[0]", '"internet" is not an entity'],
    [egress({ toEndpoints: [{}], toCIDR: ["10.0.0.0/8"] }), "spec.egress[0].toCIDR", "cannot be combined with toEndpoints in one rule"],
    [
      egress({ toPorts: [{ ports: [{ port: "80" }] }], icmps: [{ fields: [{ type: 8 }] }] }),
      "spec.egress[0].icmps",
      "cannot be combined with toPorts in one rule",
    ],
    [egress({ icmps: [{ fields: [{ type: "Ping" }] }] }), "spec.egress[0].icmps[0].fields[0].type", '"Ping" is not an ICMP type'],
    [
      egress({ toEndpoints: [{ matchExpressions: [{ key: "app", operator: "Equals", values: ["a"] }] }] }),
      "spec.egress[0].toEndpoints[0].matchExpressions[0].operator",
      '"Equals" is not one of In, NotIn, Exists, DoesNotExist',
    ],
    [
      egress({ toEndpoints: [{ matchExpressions: [{ key: "app", operator: "In" }] }] }),
      "spec.egress[0].toEndpoints[0].matchExpressions[0].values",
      "must not be empty for In",
    ],
    [netpol({ podSelector: {}, ingress: [{ from: [{}] }] }), "spec.ingress[0].from[0]", "needs podSelector, namespaceSelector or ipBlock"],
    [
      netpol({ podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: "10.0.0.0/8" }, podSelector: {} }] }] }),
      "spec.ingress[0].from[0]",
      "ipBlock cannot be combined",
    ],
    [netpol({ podSelector: {}, ingress: [{ ports: [{ protocol: "ICMP" }] }] }), "spec.ingress[0].ports[0].protocol", '"ICMP" is not TCP, UDP or SCTP'],
    [netpol({ podSelector: {}, policyTypes: ["Inbound"] }), "spec.policyTypes[0]", '"Inbound" is not Ingress or Egress'],
    [
      netpol({ podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: "10.0.0.1" } }] }] }),
      "spec.ingress[0].from[0].ipBlock.cidr",
      '"10.0.0.1" is not an IPv4 CIDR',
    ],
  ])("%#: %s", (policy, field, detail) => {
    const error = failure(policy);
    expect(error.field).toBe(field);
    expect(error.message).toContain(detail);
    expect(error.message.startsWith(`${error.policy}: ${field}: `)).toBe(true);
  });

  test("a Cilium policy with no rules at all is refused, as recent Cilium does", () => {
    const error = failure({
      apiVersion: "cilium.io/v2",
      kind: "CiliumNetworkPolicy",
      metadata: { name: "empty", namespace: "x" },
      spec: { endpointSelector: {} },
    });
    expect(error.message).toBe("CiliumNetworkPolicy/x/empty: spec: has no ingress, ingressDeny, egress or egressDeny rules");
  });

  test("a clusterwide host policy (nodeSelector) is refused", () => {
    const error = failure({
      apiVersion: "cilium.io/v2",
      kind: "CiliumClusterwideNetworkPolicy",
      metadata: { name: "host" },
      spec: { nodeSelector: {}, ingress: [{}] },
    });
    expect(error.message).toBe("CiliumClusterwideNetworkPolicy/host: spec.nodeSelector: nodeSelector (host policies) is not supported yet");
  });
});
