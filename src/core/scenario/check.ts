// The checks that need the cluster: every `from:`, `to:` and `at:` must name
// something that exists when the attempt runs (after the steps before it),
// and `expect.policy` a policy that exists then. The traffic list is replayed
// against a model of the cluster, steps included.

import { Cluster, UnresolvedEndpoint } from "../model/cluster.ts";
import type { Endpoint } from "../model/endpoint.ts";
import type { Item } from "../model/fields.ts";
import { objectKey } from "../model/manifest.ts";
import { InputError } from "../model/source.ts";
import type { Attempt, Expectation, Scenario } from "./types.ts";

/** Builds the cluster as it stands before the first traffic item. */
export function buildCluster(scenario: Scenario, seed: number): Cluster {
  const cluster = new Cluster({ nodes: scenario.nodes, objects: scenario.objects, seed });
  for (const ignored of scenario.ignored) cluster.noteIgnored(ignored.kind);
  return cluster;
}

export function checkReferences(scenario: Scenario, seed: number): void {
  const cluster = buildCluster(scenario, seed);
  for (const packet of scenario.packets) {
    const item: Item = { file: packet.source.file, name: `packets ${JSON.stringify(packet.name)}`, line: packet.source.line };
    resolve(cluster, packet.at, fieldAt(item, "at", packet.fieldLines));
    checkPolicy(cluster, packet.expect, fieldAt(item, "expect.policy", packet.fieldLines));
  }
  scenario.traffic.forEach((entry, index) => {
    switch (entry.kind) {
      case "apply":
        cluster.apply(entry.objects);
        for (const ignored of entry.ignored) cluster.noteIgnored(ignored.kind);
        return;
      case "delete":
        cluster.delete(entry.refs);
        return;
      case "wait":
        return;
      case "attempt": {
        const item: Item = { file: entry.source.file, name: `traffic[${index}] ${JSON.stringify(entry.name)}`, line: entry.source.line };
        resolve(cluster, entry.from, fieldAt(item, "from", entry.fieldLines));
        resolve(cluster, entry.to, fieldAt(item, "to", entry.fieldLines));
        if (entry.to.kind === "service") checkServicePort(cluster, entry, fieldAt(item, "port", entry.fieldLines));
        if (entry.expect.backend) resolve(cluster, entry.expect.backend, fieldAt(item, "expect.backend", entry.fieldLines));
        checkPolicy(cluster, entry.expect, fieldAt(item, "expect.policy", entry.fieldLines));
      }
    }
  });
}

/** A field of an item by the line it was read at. */
interface LocatedField {
  readonly item: Item;
  readonly field: string;
  readonly line: number;
}

function fieldAt(item: Item, field: string, lines: Readonly<Record<string, number>>): LocatedField {
  return { item, field, line: lines[field] || item.line };
}

function fail(at: LocatedField, problem: string): never {
  throw new InputError(at.item.file, at.line, at.item.name, at.field, problem);
}

function resolve(cluster: Cluster, endpoint: Endpoint, at: LocatedField): void {
  try {
    cluster.resolveEndpoint(endpoint);
  } catch (error) {
    if (error instanceof UnresolvedEndpoint) fail(at, error.message);
    throw error;
  }
}

/** `to: service:` with `port:` names one of the Service's ports, over the attempt's protocol. */
function checkServicePort(cluster: Cluster, attempt: Attempt, at: LocatedField): void {
  const to = attempt.to as Endpoint & { kind: "service" };
  const service = cluster.services.find((each) => each.namespace === to.namespace && each.name === to.name)!;
  const spec = (service.body.spec ?? {}) as { ports?: { port?: unknown; protocol?: unknown }[] };
  const ports = (spec.ports ?? []).map((port) => `${port.port}/${port.protocol ?? "TCP"}`);
  if (!ports.includes(`${attempt.port}/${attempt.protocol}`)) {
    fail(at, `Service ${to.namespace}/${to.name} has no ${attempt.protocol} port ${attempt.port ?? "(ICMP has none)"} (ports: ${ports.join(", ") || "none"})`);
  }
}

function checkPolicy(cluster: Cluster, expect: Expectation, at: LocatedField): void {
  const reference = expect.policy;
  if (!reference) return;
  const found = cluster.policies.some((policy) => {
    if (reference.kind !== undefined && policy.kind !== reference.kind) return false;
    if (reference.namespace === undefined && policy.namespace !== undefined) return false;
    return policy.namespace === reference.namespace && policy.name === reference.name;
  });
  if (!found) {
    const known = cluster.policies.map((policy) => objectKey(policy.kind, policy.namespace, policy.name));
    fail(at, `no policy ${reference.text} exists at this point (policies: ${known.join(", ") || "none"})`);
  }
}
