// Kubernetes NetworkPolicy, translated as Cilium translates it, over the e2e
// model: namespaces x, y, z with pods a, b, c (see model.ts).

import { describe, expect, test } from "vitest";
import { withoutNullFields } from "../../../src/core/model/index.ts";
import type { NetworkPolicyObject } from "../../../src/core/policy/index.ts";
import { entriesOf, enforcement } from "./format.ts";
import { compile, reachable } from "./model.ts";

function netpol(name: string, spec: NetworkPolicyObject["spec"], namespace = "x"): NetworkPolicyObject {
  return { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name, namespace }, spec };
}

/** A policy as written in a file, where a field may be null, as the manifest reader hands it on. */
function written(name: string, spec: Record<string, unknown>): NetworkPolicyObject {
  return withoutNullFields(netpol(name, spec as NetworkPolicyObject["spec"]));
}

const HOST = "ingress 1 ANY:0/0 allow []";

describe("NetworkPolicy: isolation", () => {
  test("podSelector {} with policyTypes [Ingress] isolates every pod of the namespace at ingress only", () => {
    const model = compile([netpol("deny-all", { podSelector: {}, policyTypes: ["Ingress"] })]);
    expect(enforcement(model, "x/a")).toEqual({ ingress: true, egress: false });
    expect(enforcement(model, "y/a")).toEqual({ ingress: false, egress: false });
    // Nothing is allowed but the local host (Cilium's allow-localhost in Kubernetes mode).
    expect(entriesOf(model, "x/a")).toEqual([HOST]);
    expect(model.reach("y/a", "x/b")).toMatchObject({ verdict: "DROPPED", dropReason: "POLICY_DENIED" });
    expect(model.reach("x/a", "y/b").verdict).toBe("FORWARDED");
  });

  test("policyTypes default to Ingress, plus Egress when the policy has egress rules", () => {
    const ingressOnly = compile([netpol("p", { podSelector: {}, ingress: [{}] })]);
    expect(enforcement(ingressOnly, "x/a")).toEqual({ ingress: true, egress: false });
    const both = compile([netpol("p", { podSelector: {}, egress: [{ ports: [{ port: 53, protocol: "UDP" }] }] })]);
    expect(enforcement(both, "x/a")).toEqual({ ingress: true, egress: true });
    expect(entriesOf(both, "x/a")).toEqual([HOST, "egress 0 UDP:53/24 allow [NetworkPolicy/x/p]"]);
  });

  test("an empty or null policyTypes defaults as a missing one does (the API server fills it in)", () => {
    for (const policyTypes of [[], null]) {
      const ingressOnly = compile([written("p", { podSelector: {}, policyTypes, ingress: [{ ports: [{ port: 81 }] }] })]);
      expect(enforcement(ingressOnly, "x/a")).toEqual({ ingress: true, egress: false });
      expect(ingressOnly.reach("y/a", "x/b")).toMatchObject({ verdict: "DROPPED", dropReason: "POLICY_DENIED" });
      const both = compile([written("p", { podSelector: {}, policyTypes, egress: [{ ports: [{ port: 53, protocol: "UDP" }] }] })]);
      expect(enforcement(both, "x/a")).toEqual({ ingress: true, egress: true });
    }
  });

  test("a missing or null podSelector selects every pod of the policy's namespace", () => {
    for (const podSelector of [undefined, null]) {
      const model = compile([written("deny", { podSelector, policyTypes: ["Ingress"] })]);
      expect(enforcement(model, "x/a")).toEqual({ ingress: true, egress: false });
      expect(enforcement(model, "x/c")).toEqual({ ingress: true, egress: false });
      expect(enforcement(model, "y/a")).toEqual({ ingress: false, egress: false });
    }
  });

  test("policyTypes [Egress] alone does not isolate ingress", () => {
    const model = compile([netpol("deny-egress", { podSelector: {}, policyTypes: ["Egress"] })]);
    expect(enforcement(model, "x/a")).toEqual({ ingress: false, egress: true });
    expect(entriesOf(model, "x/a")).toEqual([]);
    expect(model.reach("y/a", "x/a").verdict).toBe("FORWARDED");
    expect(model.reach("x/a", "y/a")).toMatchObject({ verdict: "DROPPED", dropReason: "POLICY_DENIED" });
  });

  test("an ingress rule with no from and no ports allows everything, world included", () => {
    const model = compile([netpol("allow-all", { podSelector: {}, ingress: [{}] })]);
    expect(entriesOf(model, "x/a")).toEqual(["ingress 0 ANY:0/0 allow [NetworkPolicy/x/allow-all]", HOST]);
    expect(model.reach("203.0.113.7", "x/a").verdict).toBe("FORWARDED");
  });
});

describe("NetworkPolicy: peers", () => {
  test("a null from, to or ports is a missing one: every peer, every port", () => {
    const model = compile([
      written("p", {
        podSelector: { matchLabels: { pod: "a" } },
        ingress: [{ from: null, ports: [{ port: 81 }] }],
        egress: [{ to: [{ podSelector: {} }], ports: null }],
      }),
    ]);
    expect(model.reach("z/b", "x/a", 6, 81).verdict).toBe("FORWARDED");
    expect(model.reach("z/b", "x/a", 6, 80)).toMatchObject({ verdict: "DROPPED", dropReason: "POLICY_DENIED" });
    expect(model.reach("x/a", "x/b", 6, 80).verdict).toBe("FORWARDED");
    expect(model.reach("x/a", "y/b", 6, 80)).toMatchObject({ verdict: "DROPPED", dropReason: "POLICY_DENIED" });
  });

  test("a podSelector peer selects pods of the policy's namespace only", () => {
    const model = compile([
      netpol("from-b", { podSelector: { matchLabels: { pod: "a" } }, ingress: [{ from: [{ podSelector: { matchLabels: { pod: "b" } } }] }] }),
    ]);
    expect(entriesOf(model, "x/a")).toEqual([HOST, "ingress x/b ANY:0/0 allow [NetworkPolicy/x/from-b]"]);
  });

  test("a namespaceSelector peer selects every pod of the namespaces whose labels match", () => {
    const model = compile([
      netpol("from-y", {
        podSelector: { matchLabels: { pod: "a" } },
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "y" } } }] }],
      }),
    ]);
    expect(entriesOf(model, "x/a")).toEqual([
      HOST,
      "ingress y/a ANY:0/0 allow [NetworkPolicy/x/from-y]",
      "ingress y/b ANY:0/0 allow [NetworkPolicy/x/from-y]",
      "ingress y/c ANY:0/0 allow [NetworkPolicy/x/from-y]",
    ]);
  });

  test("podSelector and namespaceSelector in one peer must both match; in two peers either may", () => {
    const and = compile([
      netpol("and", {
        podSelector: { matchLabels: { pod: "a" } },
        ingress: [
          {
            from: [
              {
                namespaceSelector: { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "NotIn", values: ["x"] }] },
                podSelector: { matchLabels: { pod: "b" } },
              },
            ],
          },
        ],
      }),
    ]);
    expect(allPodsReaching(and, "x/a")).toEqual(["y/b", "z/b"]);
    const or = compile([
      netpol("or", {
        podSelector: { matchLabels: { pod: "a" } },
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: "y" } } }, { podSelector: { matchLabels: { pod: "b" } } }] }],
      }),
    ]);
    expect(allPodsReaching(or, "x/a")).toEqual(["x/b", "y/a", "y/b", "y/c"]);
  });

  test("namespaceSelector {} selects the pods of every namespace, not world or nodes", () => {
    const model = compile([netpol("pods", { podSelector: { matchLabels: { pod: "a" } }, ingress: [{ from: [{ namespaceSelector: {} }] }] })]);
    expect(allPodsReaching(model, "x/a")).toHaveLength(8);
    expect(model.reach("203.0.113.7", "x/a").verdict).toBe("DROPPED");
    expect(entriesOf(model, "x/a").some((line) => line.startsWith("ingress 2 ") || line.startsWith("ingress 6 "))).toBe(false);
  });

  test("ipBlock with except: the CIDR's identity is allowed, the except prefix gets its own identity and is not", () => {
    const model = compile([
      netpol("partners", {
        podSelector: { matchLabels: { pod: "a" } },
        ingress: [{ from: [{ ipBlock: { cidr: "198.51.100.0/24", except: ["198.51.100.0/28"] } }], ports: [{ port: 80 }] }],
      }),
    ]);
    expect(Object.fromEntries(model.identities.byPrefix)).toEqual({
      "0.0.0.0/0": 2,
      "198.51.100.0/24": 16777217,
      "198.51.100.0/28": 16777218,
    });
    expect(entriesOf(model, "x/a")).toEqual(["ingress 1 ANY:0/0 allow []", "ingress 16777217 TCP:80/24 allow [NetworkPolicy/x/partners]"]);
    expect(model.reach("198.51.100.77", "x/a").verdict).toBe("FORWARDED");
    expect(model.reach("198.51.100.5", "x/a")).toMatchObject({ verdict: "DROPPED", dropReason: "POLICY_DENIED" });
  });

  test("ipBlock never matches pod addresses inside the block", () => {
    const model = compile([netpol("pods-cidr", { podSelector: { matchLabels: { pod: "a" } }, ingress: [{ from: [{ ipBlock: { cidr: "10.244.0.0/16" } }] }] })]);
    expect(reachable(model, "x/b")).not.toContain("x/a");
  });
});

describe("NetworkPolicy: ports", () => {
  test("a port without protocol is TCP; a protocol without port is every port of it", () => {
    const model = compile([
      netpol("ports", {
        podSelector: { matchLabels: { pod: "a" } },
        ingress: [{ ports: [{ port: 80 }, { protocol: "UDP" }, { protocol: "SCTP", port: 81 }] }],
      }),
    ]);
    expect(entriesOf(model, "x/a")).toEqual([
      "ingress 0 TCP:80/24 allow [NetworkPolicy/x/ports]",
      "ingress 0 UDP:0/8 allow [NetworkPolicy/x/ports]",
      "ingress 0 SCTP:81/24 allow [NetworkPolicy/x/ports]",
      HOST,
    ]);
  });

  test("a named port at ingress is the selected pod's own container port of that name and protocol", () => {
    const model = compile([netpol("named", { podSelector: {}, ingress: [{ ports: [{ port: "serve-81-tcp" }, { port: "serve-81-udp" }] }] })]);
    expect(entriesOf(model, "x/a")).toEqual(["ingress 0 TCP:81/24 allow [NetworkPolicy/x/named]", HOST]);
  });

  test("a named port at egress is each destination pod's own port: one entry per pod identity", () => {
    const model = compile([
      netpol("named", {
        podSelector: { matchLabels: { pod: "a" } },
        policyTypes: ["Egress"],
        egress: [{ to: [{ namespaceSelector: { matchLabels: { ns: "y" } } }], ports: [{ port: "serve-80-udp", protocol: "UDP" }] }],
      }),
    ]);
    expect(entriesOf(model, "x/a")).toEqual([
      "egress y/a UDP:80/24 allow [NetworkPolicy/x/named]",
      "egress y/b UDP:80/24 allow [NetworkPolicy/x/named]",
      "egress y/c UDP:80/24 allow [NetworkPolicy/x/named]",
    ]);
  });

  test("a named port no pod has allows nothing", () => {
    const model = compile([netpol("named", { podSelector: {}, ingress: [{ ports: [{ port: "metrics" }] }] })]);
    expect(entriesOf(model, "x/a")).toEqual([HOST]);
  });
});

describe("NetworkPolicy: several policies", () => {
  test("allows are a union, and each entry names every policy that made it", () => {
    const model = compile([
      netpol("one", { podSelector: {}, ingress: [{ ports: [{ port: 80 }] }] }),
      netpol("two", { podSelector: { matchLabels: { pod: "a" } }, ingress: [{ ports: [{ port: 80 }, { port: 81 }] }] }),
    ]);
    expect(entriesOf(model, "x/a")).toEqual([
      "ingress 0 TCP:80/24 allow [NetworkPolicy/x/one NetworkPolicy/x/two]",
      "ingress 0 TCP:81/24 allow [NetworkPolicy/x/two]",
      HOST,
    ]);
    const cookies = model.compiled.cookies;
    const entries = model.compiled.endpoints.get("x/a")?.entries ?? [];
    expect(entries.map((e) => cookies.get(e.cookie)?.map((p) => p.name) ?? [])).toEqual([["one", "two"], ["two"], []]);
  });
});

function allPodsReaching(model: ReturnType<typeof compile>, to: string): string[] {
  return ["x/a", "x/b", "x/c", "y/a", "y/b", "y/c", "z/a", "z/b", "z/c"].filter((from) => from !== to && model.reach(from, to).verdict === "FORWARDED");
}
