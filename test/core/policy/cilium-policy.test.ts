// CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy over the e2e model
// (namespaces x, y, z with pods a, b, c; see model.ts).

import { describe, expect, test } from "vitest";
import type { CiliumNetworkPolicyObject, CiliumRule } from "../../../src/core/policy/index.ts";
import { entriesOf, enforcement } from "./format.ts";
import { compile } from "./model.ts";

function cnp(name: string, spec: CiliumRule, namespace = "x"): CiliumNetworkPolicyObject {
  return { apiVersion: "cilium.io/v2", kind: "CiliumNetworkPolicy", metadata: { name, namespace }, spec };
}

function ccnp(name: string, spec: CiliumRule): CiliumNetworkPolicyObject {
  return { apiVersion: "cilium.io/v2", kind: "CiliumClusterwideNetworkPolicy", metadata: { name }, spec };
}

const A = { matchLabels: { pod: "a" } };
const HOST = "ingress 1 ANY:0/0 allow []";

describe("CiliumNetworkPolicy: selectors and scoping", () => {
  test("the subject and peer selectors stay in the policy's namespace", () => {
    const model = compile([cnp("p", { endpointSelector: A, ingress: [{ fromEndpoints: [{ matchLabels: { pod: "b" } }] }] })]);
    expect(enforcement(model, "x/a").ingress).toBe(true);
    expect(enforcement(model, "y/a").ingress).toBe(false);
    expect(entriesOf(model, "x/a")).toEqual([HOST, "ingress x/b ANY:0/0 allow [CiliumNetworkPolicy/x/p]"]);
  });

  test("a peer selector naming a namespace or namespace labels crosses namespaces", () => {
    const model = compile([
      cnp("p", {
        endpointSelector: A,
        ingress: [
          { fromEndpoints: [{ matchLabels: { "k8s:io.kubernetes.pod.namespace": "y", pod: "c" } }] },
          { fromEndpoints: [{ matchLabels: { "io.cilium.k8s.namespace.labels.ns": "z", pod: "b" } }] },
        ],
      }),
    ]);
    expect(entriesOf(model, "x/a")).toEqual([
      HOST,
      "ingress y/c ANY:0/0 allow [CiliumNetworkPolicy/x/p]",
      "ingress z/b ANY:0/0 allow [CiliumNetworkPolicy/x/p]",
    ]);
  });

  test("a clusterwide policy's empty peer selector is every pod of every namespace, and nothing else", () => {
    const model = compile([ccnp("c", { endpointSelector: A, ingress: [{ fromEndpoints: [{}] }] })]);
    expect(enforcement(model, "z/a").ingress).toBe(true);
    const peers = entriesOf(model, "x/a").map((line) => line.split(" ")[1]);
    expect(peers).toEqual(["1", "x/a", "x/b", "x/c", "y/a", "y/b", "y/c", "z/a", "z/b", "z/c"]);
    expect(entriesOf(model, "x/a")[1]).toBe("ingress x/a ANY:0/0 allow [CiliumClusterwideNetworkPolicy/c]");
  });

  test("a peer selector on a reserved label selects that reserved identity", () => {
    const model = compile([cnp("p", { endpointSelector: A, egress: [{ toEndpoints: [{ matchLabels: { "reserved:host": "" } }] }] })]);
    expect(entriesOf(model, "x/a")).toEqual(["egress 1 ANY:0/0 allow [CiliumNetworkPolicy/x/p]"]);
  });
});

describe("CiliumNetworkPolicy: rule shapes", () => {
  test("ingress: [{}] turns on default deny and allows nothing", () => {
    const model = compile([cnp("deny-all", { endpointSelector: {}, ingress: [{}] })]);
    expect(enforcement(model, "x/b")).toEqual({ ingress: true, egress: false });
    expect(entriesOf(model, "x/b")).toEqual([HOST]);
  });

  test("toPorts without peers is any peer; protocol ANY (or none) is TCP, UDP and SCTP, never ICMP", () => {
    const model = compile([cnp("p", { endpointSelector: A, ingress: [{ toPorts: [{ ports: [{ port: "8080" }] }] }] })]);
    expect(entriesOf(model, "x/a")).toEqual([
      "ingress 0 TCP:8080/24 allow [CiliumNetworkPolicy/x/p]",
      "ingress 0 UDP:8080/24 allow [CiliumNetworkPolicy/x/p]",
      "ingress 0 SCTP:8080/24 allow [CiliumNetworkPolicy/x/p]",
      HOST,
    ]);
  });

  test("icmps allow ICMP types by number or name, the type in the port", () => {
    const model = compile([
      cnp("icmp", { endpointSelector: A, egress: [{ toEntities: ["world"], icmps: [{ fields: [{ type: "EchoRequest" }, { family: "IPv4", type: 13 }] }] }] }),
    ]);
    expect(entriesOf(model, "x/a")).toEqual([
      "egress 2 ICMP:8/24 allow [CiliumNetworkPolicy/x/icmp]",
      "egress 2 ICMP:13/24 allow [CiliumNetworkPolicy/x/icmp]",
    ]);
    expect(model.reach("x/a", "8.8.8.8", 1, 8).verdict).toBe("FORWARDED");
    expect(model.reach("x/a", "8.8.8.8", 6, 443).verdict).toBe("DROPPED");
  });

  test("specs: every rule of the list applies", () => {
    const model = compile([
      {
        apiVersion: "cilium.io/v2",
        kind: "CiliumNetworkPolicy",
        metadata: { name: "two", namespace: "x" },
        specs: [
          { endpointSelector: A, ingress: [{ fromEndpoints: [{ matchLabels: { pod: "b" } }] }] },
          { endpointSelector: A, egress: [{ toEndpoints: [{ matchLabels: { pod: "c" } }] }] },
        ],
      },
    ]);
    expect(enforcement(model, "x/a")).toEqual({ ingress: true, egress: true });
    expect(entriesOf(model, "x/a")).toEqual([
      HOST,
      "ingress x/b ANY:0/0 allow [CiliumNetworkPolicy/x/two]",
      "egress x/c ANY:0/0 allow [CiliumNetworkPolicy/x/two]",
    ]);
  });
});

describe("CiliumNetworkPolicy: entities and CIDRs", () => {
  test("world is world and every CIDR identity; all is any peer; host is 1; remote-node is 6 and 7", () => {
    const model = compile([
      cnp("p", {
        endpointSelector: A,
        egress: [
          { toEntities: ["world"], toPorts: [{ ports: [{ port: "443", protocol: "TCP" }] }] },
          { toCIDR: ["203.0.113.0/24"], toPorts: [{ ports: [{ port: "80", protocol: "TCP" }] }] },
          { toEntities: ["host", "remote-node"] },
          { toEntities: ["all"], toPorts: [{ ports: [{ port: "53", protocol: "UDP" }] }] },
        ],
      }),
    ]);
    expect(entriesOf(model, "x/a")).toEqual([
      "egress 0 UDP:53/24 allow [CiliumNetworkPolicy/x/p]",
      "egress 1 ANY:0/0 allow [CiliumNetworkPolicy/x/p]",
      "egress 2 TCP:443/24 allow [CiliumNetworkPolicy/x/p]",
      "egress 6 ANY:0/0 allow [CiliumNetworkPolicy/x/p]",
      "egress 7 ANY:0/0 allow [CiliumNetworkPolicy/x/p]",
      "egress 16777217 TCP:80/24 allow [CiliumNetworkPolicy/x/p]",
      "egress 16777217 TCP:443/24 allow [CiliumNetworkPolicy/x/p]",
    ]);
  });

  test("cluster is every pod and every reserved identity but world", () => {
    const model = compile([cnp("p", { endpointSelector: A, egress: [{ toEntities: ["cluster"] }] })]);
    const peers = entriesOf(model, "x/a").map((line) => line.split(" ")[1]);
    expect(peers).toEqual(["1", "3", "4", "5", "6", "7", "8", "x/a", "x/b", "x/c", "y/a", "y/b", "y/c", "z/a", "z/b", "z/c"]);
  });

  test("toCIDRSet with except: addresses in the except prefix are not allowed, nor are pods inside the CIDR", () => {
    const model = compile([cnp("p", { endpointSelector: A, egress: [{ toCIDRSet: [{ cidr: "10.0.0.0/8", except: ["10.244.0.0/16", "10.96.0.0/12"] }] }] })]);
    expect(entriesOf(model, "x/a")).toEqual(["egress 16777217 ANY:0/0 allow [CiliumNetworkPolicy/x/p]"]);
    expect(model.identities.byId.get(16777217)?.prefix).toEqual({ address: 0x0a000000, length: 8 });
    expect(model.reach("x/a", "10.1.2.3").verdict).toBe("FORWARDED");
    expect(model.reach("x/a", "10.97.0.1").verdict).toBe("DROPPED");
    expect(model.reach("x/a", "x/b").verdict).toBe("DROPPED");
  });

  test("a CIDR rule selects CIDR identities other policies made inside its prefix", () => {
    const model = compile([
      cnp("wide", { endpointSelector: A, egress: [{ toCIDR: ["203.0.0.0/8"] }] }),
      cnp("narrow", { endpointSelector: { matchLabels: { pod: "b" } }, egress: [{ toCIDR: ["203.0.113.9"] }] }),
    ]);
    expect(entriesOf(model, "x/a")).toEqual([
      "egress 16777217 ANY:0/0 allow [CiliumNetworkPolicy/x/wide]",
      "egress 16777218 ANY:0/0 allow [CiliumNetworkPolicy/x/wide]",
    ]);
    expect(model.reach("x/a", "203.0.113.9").verdict).toBe("FORWARDED");
  });
});

describe("deny precedence", () => {
  test("an ingressDeny shadows an allow of the same peer at every specificity", () => {
    const model = compile([
      cnp("allow", {
        endpointSelector: A,
        ingress: [{ fromEndpoints: [{ matchLabels: { pod: "b" } }], toPorts: [{ ports: [{ port: "80", protocol: "TCP" }] }] }],
      }),
      cnp("deny", { endpointSelector: A, ingressDeny: [{ fromEndpoints: [{ matchLabels: { pod: "b" } }] }] }),
    ]);
    expect(entriesOf(model, "x/a")).toEqual([
      HOST,
      "ingress x/b ANY:0/0 deny [CiliumNetworkPolicy/x/deny]",
      "ingress x/b TCP:80/24 deny [CiliumNetworkPolicy/x/deny]",
    ]);
    expect(model.reach("x/b", "x/a")).toMatchObject({ verdict: "DROPPED", dropReason: "POLICY_DENY" });
  });

  test("a deny for any peer wins over an allow for one peer: the datapath's any-peer deny does it", () => {
    const model = compile([
      cnp("allow", { endpointSelector: A, ingress: [{ fromEndpoints: [{ matchLabels: { pod: "b" } }] }] }),
      cnp("deny", { endpointSelector: A, ingressDeny: [{ toPorts: [{ ports: [{ port: "80", protocol: "TCP" }] }] }] }),
    ]);
    expect(entriesOf(model, "x/a")).toEqual([
      "ingress 0 TCP:80/24 deny [CiliumNetworkPolicy/x/deny]",
      HOST,
      "ingress x/b ANY:0/0 allow [CiliumNetworkPolicy/x/allow]",
    ]);
    expect(model.reach("x/b", "x/a", 6, 80)).toMatchObject({ verdict: "DROPPED", dropReason: "POLICY_DENY" });
    expect(model.reach("x/b", "x/a", 6, 81).verdict).toBe("FORWARDED");
  });

  test("deny rules of one policy type override allows of another (NetworkPolicy allow, CCNP deny)", () => {
    const model = compile([
      { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "allow-all", namespace: "x" }, spec: { podSelector: {}, ingress: [{}] } },
      ccnp("no-world", { endpointSelector: {}, ingressDeny: [{ fromEntities: ["world"] }] }),
    ]);
    expect(model.reach("203.0.113.1", "x/a")).toMatchObject({ verdict: "DROPPED", dropReason: "POLICY_DENY" });
    expect(model.reach("y/a", "x/a").verdict).toBe("FORWARDED");
    expect(model.reach("203.0.113.1", "x/a").decisions[0].entry?.policies).toEqual([{ kind: "CiliumClusterwideNetworkPolicy", name: "no-world" }]);
  });

  test("a policy with only deny rules turns on default deny; enableDefaultDeny false keeps everything else allowed", () => {
    const denyOnly = compile([cnp("d", { endpointSelector: A, egressDeny: [{ toEntities: ["world"] }] })]);
    expect(denyOnly.reach("x/a", "y/a")).toMatchObject({ verdict: "DROPPED", dropReason: "POLICY_DENIED" });
    const optOut = compile([cnp("d", { endpointSelector: A, egressDeny: [{ toEntities: ["world"] }], enableDefaultDeny: { egress: false } })]);
    expect(entriesOf(optOut, "x/a")).toEqual(["egress 0 ANY:0/0 allow []", "egress 2 ANY:0/0 deny [CiliumNetworkPolicy/x/d]"]);
    expect(optOut.reach("x/a", "y/a").verdict).toBe("FORWARDED");
    expect(optOut.reach("x/a", "8.8.8.8")).toMatchObject({ verdict: "DROPPED", dropReason: "POLICY_DENY" });
  });
});

describe("policyEnforcementMode", () => {
  test("always: every endpoint is in default deny both ways, even without policies", () => {
    const model = compile([], { policyEnforcementMode: "always", allowLocalhost: "always" });
    expect(enforcement(model, "z/c")).toEqual({ ingress: true, egress: true });
    expect(entriesOf(model, "z/c")).toEqual([HOST]);
    expect(model.reach("x/a", "z/c")).toMatchObject({ verdict: "DROPPED", dropReason: "POLICY_DENIED" });
  });

  test("never: nothing is enforced and no entries are written, whatever the policies", () => {
    const model = compile([cnp("deny-all", { endpointSelector: {}, ingress: [{}] })], { policyEnforcementMode: "never", allowLocalhost: "always" });
    expect(enforcement(model, "x/a")).toEqual({ ingress: false, egress: false });
    expect(entriesOf(model, "x/a")).toEqual([]);
  });

  test("allowLocalhost policy: the host is subject to rules like any peer", () => {
    const model = compile([cnp("deny-all", { endpointSelector: {}, ingress: [{}] })], { policyEnforcementMode: "default", allowLocalhost: "policy" });
    expect(entriesOf(model, "x/a")).toEqual([]);
  });
});
