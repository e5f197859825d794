// The checks that need the cluster: every `from:`, `to:` and `at:` must name
// something that exists when the attempt runs (after the steps before it),
// and `expect.policy` a policy that exists then. The traffic list is replayed
// against a model of the cluster, steps included.

import { Cluster, UnresolvedEndpoint } from "../model/cluster.ts";
import type { Endpoint } from "../model/endpoint.ts";
import { FieldPath } from "../model/fields.ts";
import { objectKey } from "../model/manifest.ts";
import { InputError } from "../model/source.ts";
import type { Expectation, Scenario } from "./types.ts";

/** Builds the cluster as it stands before the first traffic item. */
export function buildCluster(scenario: Scenario, seed: number): Cluster {
  const cluster = new Cluster({ nodes: scenario.nodes, objects: scenario.objects, seed });
  for (const ignored of scenario.ignored) cluster.noteIgnored(ignored.kind);
  return cluster;
}

export function checkReferences(scenario: Scenario, seed: number): void {
  const cluster = buildCluster(scenario, seed);
  for (const packet of scenario.packets) {
    const item = { file: packet.source.file, name: `packets "${packet.name}"`, line: packet.source.line };
    resolve(cluster, packet.at, new FieldPath(item, "at"));
    checkPolicy(cluster, packet.expect, new FieldPath(item, "expect.policy"));
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
        const item = { file: entry.source.file, name: `traffic[${index}] ${JSON.stringify(entry.name)}`, line: entry.source.line };
        resolve(cluster, entry.from, new FieldPath(item, "from"));
        resolve(cluster, entry.to, new FieldPath(item, "to"));
        checkPolicy(cluster, entry.expect, new FieldPath(item, "expect.policy"));
      }
    }
  });
}

function resolve(cluster: Cluster, endpoint: Endpoint, path: FieldPath): void {
  try {
    cluster.resolveEndpoint(endpoint);
  } catch (error) {
    if (error instanceof UnresolvedEndpoint) throw path.error(error.message);
    throw error;
  }
}

function checkPolicy(cluster: Cluster, expect: Expectation, path: FieldPath): void {
  const reference = expect.policy;
  if (!reference) return;
  const found = cluster.policies.some((policy) => {
    if (reference.kind !== undefined && policy.kind !== reference.kind) return false;
    if (reference.namespace === undefined && policy.namespace !== undefined) return false;
    return policy.namespace === reference.namespace && policy.name === reference.name;
  });
  if (!found) {
    const known = cluster.policies.map((policy) => objectKey(policy.kind, policy.namespace, policy.name));
    throw new InputError(path.item.file, path.item.line, path.item.name, path.field, `no policy ${reference.text} exists at this point (policies: ${known.join(", ") || "none"})`);
  }
}
