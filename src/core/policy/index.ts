// Policy compiled into the datapath's per-endpoint policy maps (issue 5, item 3).
//
// Public interface:
//   PolicyObject (NetworkPolicyObject | CiliumNetworkPolicyObject)  the input: the Kubernetes objects
//   parsePolicies(objects): PolicyRuleSet       validates and normalises every kind; throws
//       PolicyError / UnsupportedPolicyFeatureError (L7 rules, toFQDNs, ...) naming policy and field
//   policyPrefixes(ruleSet): IPv4Prefix[]       CIDR prefixes to allocate identities for
//   compilePolicies(ruleSet, inventory, identities, options): CompiledPolicies
//       per endpoint (`NAMESPACE/NAME`): EndpointPolicy {identity, ingressEnforced,
//       egressEnforced, entries: PolicyEntry[]}, each entry with the policies that made it
//   encodePolicyKey(entry), encodePolicyValue(entry)  the exact eb_policy bytes
//   decidePolicy(entries, peer, direction, protocol, port)  which entry decided (for Hubble)
//   formatPolicyRef(ref)                        `KIND/NS/NAME` or `KIND/NAME`
//
// Typical use:
//   const rules = parsePolicies(objects);
//   const identities = allocateIdentities(inventory, policyPrefixes(rules));
//   const compiled = compilePolicies(rules, inventory, identities, { policyEnforcementMode: "default", allowLocalhost: "always" });

export * from "./compile.ts";
export * from "./entry.ts";
export * from "./errors.ts";
export * from "./explain.ts";
export type * from "./manifests.ts";
export * from "./parse.ts";
export { portRangeBlocks, type PortBlock } from "./ports.ts";
export * from "./rule.ts";
export { parseSelector, selectorMatches, type Requirement, type Selector, type SelectorOperator } from "./selector.ts";
