// Policy objects of every kind -> one PolicyRuleSet; and the CIDR prefixes
// they refer to, which need identities before compilation.

import type { IPv4Prefix } from "../../util/ipv4.ts";
import { translateCiliumPolicy } from "./cilium-policy.ts";
import { PolicyError } from "./errors.ts";
import { translateNetworkPolicy } from "./k8s-network-policy.ts";
import type { PolicyObject } from "./manifests.ts";
import type { Enforcement, PolicyRule, PolicyRuleSet } from "./rule.ts";

/** Validates and normalises policies; throws PolicyError (or UnsupportedPolicyFeatureError) naming policy and field. */
export function parsePolicies(objects: readonly PolicyObject[]): PolicyRuleSet {
  const rules: PolicyRule[] = [];
  const enforcements: Enforcement[] = [];
  for (const object of objects) {
    const translated =
      object.kind === "NetworkPolicy"
        ? translateNetworkPolicy(object)
        : object.kind === "CiliumNetworkPolicy" || object.kind === "CiliumClusterwideNetworkPolicy"
          ? translateCiliumPolicy(object)
          : undefined;
    if (translated === undefined) {
      const unknown = object as { kind?: unknown; metadata?: { name?: unknown } };
      throw new PolicyError(`${String(unknown.kind)}/${String(unknown.metadata?.name)}`, "kind", "is not a policy kind");
    }
    rules.push(...translated.rules);
    enforcements.push(...translated.enforcements);
  }
  return { rules, enforcements };
}

/** Every CIDR and except prefix the rules refer to: each gets a CIDR identity. */
export function policyPrefixes(ruleSet: PolicyRuleSet): IPv4Prefix[] {
  const prefixes: IPv4Prefix[] = [];
  for (const rule of ruleSet.rules) {
    for (const peer of rule.peers) {
      if (peer.kind === "cidr") prefixes.push(peer.prefix, ...peer.except);
    }
  }
  return prefixes;
}
