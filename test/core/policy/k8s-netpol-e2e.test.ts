// The upstream Kubernetes NetworkPolicy e2e truth tables (the scenario files
// of conformance/k8s-netpol-e2e): every expected verdict follows from the
// compiled maps, decided as the datapath decides. The end-to-end run through
// the real programs belongs to the scenario runner; this checks the maps.

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { parse } from "yaml";
import type { ClusterInventory, ContainerProtocol, EndpointInfo } from "../../../src/core/identity/index.ts";
import type { PolicyObject } from "../../../src/core/policy/index.ts";
import { compile } from "./model.ts";

const CANDIDATES = [join(import.meta.dirname, "../../conformance/k8s-netpol-e2e"), join(import.meta.dirname, "../../../../shared/conformance/k8s-netpol-e2e")];
const directory = CANDIDATES.find((candidate) => existsSync(candidate));
if (directory === undefined) console.log(`k8s-netpol-e2e skipped: none of ${CANDIDATES.join(", ")} exists`);

interface KubeObject {
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: { nodeName?: string; containers?: { ports?: { containerPort: number; name?: string; protocol?: ContainerProtocol }[] }[] };
}

interface Attempt {
  name: string;
  from: string;
  to: string;
  protocol?: string;
  port?: number;
  expect: { verdict: string; dropReason?: string };
}

type TrafficItem = Attempt | { apply: { objects: KubeObject[] } };

function inventoryOf(nodes: string[], objects: KubeObject[]): ClusterInventory {
  const pods = objects.filter((o) => o.kind === "Pod");
  const endpoints: EndpointInfo[] = pods.map((pod, index) => {
    const node = pod.spec?.nodeName ?? nodes[index % nodes.length];
    const nodeIndex = nodes.indexOf(node) + 1;
    return {
      namespace: pod.metadata.namespace ?? "default",
      name: pod.metadata.name,
      labels: pod.metadata.labels ?? {},
      ip: `10.244.${nodeIndex}.${10 + index}`,
      node,
      containerPorts: (pod.spec?.containers ?? []).flatMap((c) =>
        (c.ports ?? []).map((p) => ({ name: p.name, containerPort: p.containerPort, protocol: p.protocol ?? "TCP" })),
      ),
    };
  });
  return {
    namespaces: objects.filter((o) => o.kind === "Namespace").map((ns) => ({ name: ns.metadata.name, labels: ns.metadata.labels ?? {} })),
    endpoints,
    nodes: nodes.map((name, index) => ({ name, internalIP: `192.168.10.${11 + index}`, podCIDR: `10.244.${index + 1}.0/24` })),
  };
}

const PROTOCOLS: Record<string, number> = { TCP: 6, UDP: 17, SCTP: 132 };
const POLICY_KINDS = ["NetworkPolicy", "CiliumNetworkPolicy", "CiliumClusterwideNetworkPolicy"];

function target(text: string): string {
  return text.replace(/^(pod|world):/, "");
}

describe.skipIf(directory === undefined)("Kubernetes NetworkPolicy e2e truth tables", () => {
  const files =
    directory === undefined
      ? []
      : readdirSync(directory)
          .filter((f) => f.endsWith(".yaml"))
          .sort();

  test.each(files)("%s: every attempt gets the expected verdict", (file) => {
    const scenario = parse(readFileSync(join(directory as string, file), "utf8"));
    const nodes: string[] = (scenario.spec.nodes ?? [{ name: "node-1" }]).map((n: { name: string }) => n.name);
    const objects: KubeObject[] = scenario.spec.objects;
    const inventory = inventoryOf(nodes, objects);
    const policies = objects.filter((o) => POLICY_KINDS.includes(o.kind)) as unknown as PolicyObject[];
    let model = compile(policies, undefined, inventory);
    const failures: string[] = [];
    let attempts = 0;
    for (const item of scenario.spec.traffic as TrafficItem[]) {
      if ("apply" in item) {
        policies.push(...(item.apply.objects as unknown as PolicyObject[]));
        model = compile(policies, undefined, inventory);
        continue;
      }
      attempts += 1;
      const outcome = model.reach(target(item.from), target(item.to), PROTOCOLS[item.protocol ?? "TCP"], item.port ?? 80);
      const expected = `${item.expect.verdict}${item.expect.dropReason ? ` ${item.expect.dropReason}` : ""}`;
      const actual = `${outcome.verdict}${item.expect.dropReason && outcome.dropReason ? ` ${outcome.dropReason}` : ""}`;
      if (expected !== actual) failures.push(`${item.name}: expected ${expected}, got ${actual}`);
    }
    expect(attempts).toBeGreaterThan(0);
    expect(failures).toEqual([]);
  });
});
