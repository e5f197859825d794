// Test support: the Kubernetes NetworkPolicy e2e model (namespaces x, y, z
// labelled ns=<name>; pods a, b, c in each labelled pod=<name>, serving 80
// and 81 over TCP, UDP and SCTP with named ports serve-<port>-<proto>), on
// two nodes, and a compile step from policy objects to maps.

import {
  allocateIdentities,
  buildIpcache,
  type ClusterInventory,
  type ContainerProtocol,
  type EndpointInfo,
  type IdentityAllocation,
  type IpcacheEntry,
} from "../../../src/core/identity/index.ts";
import {
  compilePolicies,
  parsePolicies,
  policyPrefixes,
  type CompiledPolicies,
  type CompileOptions,
  type PolicyObject,
} from "../../../src/core/policy/index.ts";
import { reach, type Outcome } from "./reachability.ts";

export const NAMESPACES = ["x", "y", "z"];
export const PODS = ["a", "b", "c"];

function servingPorts(): EndpointInfo["containerPorts"] {
  return [80, 81].flatMap((port) =>
    (["TCP", "UDP", "SCTP"] as ContainerProtocol[]).map((protocol) => ({
      name: `serve-${port}-${protocol.toLowerCase()}`,
      containerPort: port,
      protocol,
    })),
  );
}

export function e2eInventory(): ClusterInventory {
  const endpoints: EndpointInfo[] = [];
  NAMESPACES.forEach((namespace, n) =>
    PODS.forEach((name, p) =>
      endpoints.push({
        namespace,
        name,
        labels: { pod: name },
        ip: `10.244.${(n * 3 + p) % 2 === 0 ? 1 : 2}.${10 + n * 3 + p}`,
        node: (n * 3 + p) % 2 === 0 ? "node-1" : "node-2",
        containerPorts: servingPorts(),
      }),
    ),
  );
  return {
    namespaces: NAMESPACES.map((name) => ({ name, labels: { ns: name } })),
    endpoints,
    nodes: [
      { name: "node-1", internalIP: "192.168.10.11", podCIDR: "10.244.1.0/24" },
      { name: "node-2", internalIP: "192.168.10.12", podCIDR: "10.244.2.0/24" },
    ],
  };
}

export interface Compiled {
  inventory: ClusterInventory;
  identities: IdentityAllocation;
  compiled: CompiledPolicies;
  ipcacheOf(node: string): IpcacheEntry[];
  /** A new connection from `from` to `to` (pods as NS/NAME, or outside addresses). */
  reach(from: string, to: string, protocol?: number, port?: number): Outcome;
}

export function compile(policies: PolicyObject[], options?: CompileOptions, inventory: ClusterInventory = e2eInventory()): Compiled {
  const rules = parsePolicies(policies);
  const identities = allocateIdentities(inventory, policyPrefixes(rules));
  const compiled = compilePolicies(rules, inventory, identities, options);
  const ipcacheOf = (node: string) => buildIpcache(inventory, identities, node);
  return {
    inventory,
    identities,
    compiled,
    ipcacheOf,
    reach: (from, to, protocol = 6, port = 80) => reach(inventory, compiled, ipcacheOf, from, to, protocol, port),
  };
}

/** `NS/NAME` of every pod of the model. */
export function allPods(): string[] {
  return NAMESPACES.flatMap((namespace) => PODS.map((pod) => `${namespace}/${pod}`));
}

/** The pods `from` reaches among all others, as a sorted list: a truth table row. */
export function reachable(model: Compiled, from: string, protocol = 6, port = 80): string[] {
  return allPods().filter((to) => to !== from && model.reach(from, to, protocol, port).verdict === "FORWARDED");
}
