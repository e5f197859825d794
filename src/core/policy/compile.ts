// Rules -> the entries of each endpoint's `eb_policy` map and its
// `policy_ingress_enforced` / `policy_egress_enforced` flags.
//
// Per direction, an endpoint is under policy once a policy selects it for
// that direction (or in mode `always`), and in default deny unless every
// such policy opts out (enableDefaultDeny: false), in which case an allow-all
// entry stands below the rules. Allows are a union. Deny wins: an allow entry
// that a deny entry of the same peer covers becomes a deny, as Cilium's
// userspace inserts denies wherever they must shadow allows; the datapath's
// own precedence (bpf/README.md, Policy) does the rest.

import { PROTOCOL_NUMBERS } from "../../abi/protocols.ts";
import { endpointName, ReservedIdentity, type ClusterInventory, type EndpointInfo, type IdentityAllocation } from "../identity/index.ts";
import { l4Covers, type PolicyEntry } from "./entry.ts";
import { portRangeBlocks } from "./ports.ts";
import { formatPolicyRef, type Direction, type Enforcement, type L4Term, type PolicyRef, type PolicyRule, type PolicyRuleSet } from "./rule.ts";
import { SelectorCache } from "./selector-cache.ts";

export type PolicyEnforcementMode = "default" | "always" | "never";

export interface CompileOptions {
  /** Cilium's `policyEnforcementMode`: always puts every endpoint in default deny both ways; never enforces nothing. */
  policyEnforcementMode: PolicyEnforcementMode;
  /**
   * Cilium's `allow-localhost`: `always` (what `auto` means in Kubernetes
   * mode, so that kubelet probes work) allows ingress from the local host
   * (identity 1) wherever ingress is enforced; `policy` leaves it to rules.
   */
  allowLocalhost: "always" | "policy";
}

export const DEFAULT_COMPILE_OPTIONS: CompileOptions = { policyEnforcementMode: "default", allowLocalhost: "always" };

export interface EndpointPolicy {
  /** `NAMESPACE/NAME` */
  endpoint: string;
  identity: number;
  ingressEnforced: boolean;
  egressEnforced: boolean;
  /** Sorted: ingress first, then by peer, protocol, port and prefix. Empty in a direction not enforced. */
  entries: readonly PolicyEntry[];
}

export interface CompiledPolicies {
  /** By `NAMESPACE/NAME`, in the inventory's order. */
  endpoints: ReadonlyMap<string, EndpointPolicy>;
  /** Each entry's cookie -> the policies that made it. */
  cookies: ReadonlyMap<number, readonly PolicyRef[]>;
}

interface L4Key {
  protocol: number;
  port: number;
  portPrefixLength: number;
}

interface Draft extends L4Key {
  peer: number;
  direction: Direction;
  allowedBy: Map<string, PolicyRef>;
  deniedBy: Map<string, PolicyRef>;
}

const ANY_L4: L4Key = { protocol: 0, port: 0, portPrefixLength: 0 };

function keyOf(peer: number, direction: Direction, l4: L4Key): string {
  return `${direction}/${peer}/${l4.protocol}/${l4.port}/${l4.portPrefixLength}`;
}

/** An endpoint's entries as they accumulate. */
class EntryDrafts {
  readonly drafts = new Map<string, Draft>();

  /** An allow without a policy is the control plane's own (allow-localhost, no default deny). */
  add(peer: number, direction: Direction, l4: L4Key, deny: boolean, policy?: PolicyRef): void {
    const key = keyOf(peer, direction, l4);
    let draft = this.drafts.get(key);
    if (draft === undefined) {
      draft = { peer, direction, ...l4, allowedBy: new Map(), deniedBy: new Map() };
      this.drafts.set(key, draft);
    }
    if (policy !== undefined) (deny ? draft.deniedBy : draft.allowedBy).set(formatPolicyRef(policy), policy);
  }
}

/** Container ports of the pods of each identity, for named ports at egress. */
function portsByIdentity(inventory: ClusterInventory, identities: IdentityAllocation): Map<number, EndpointInfo[]> {
  const map = new Map<number, EndpointInfo[]>();
  for (const endpoint of inventory.endpoints) {
    const id = identities.byEndpoint.get(endpointName(endpoint)) as number;
    const pods = map.get(id);
    if (pods) pods.push(endpoint);
    else map.set(id, [endpoint]);
  }
  return map;
}

function namedPorts(pods: readonly EndpointInfo[], name: string, protocol: number): number[] {
  const ports = new Set<number>();
  for (const pod of pods) {
    for (const port of pod.containerPorts) {
      if (port.name?.toLowerCase() === name && PROTOCOL_NUMBERS[port.protocol] === protocol) ports.add(port.containerPort);
    }
  }
  return [...ports].sort((a, b) => a - b);
}

function single(protocol: number, port: number): L4Key {
  return { protocol, port, portPrefixLength: 24 };
}

/** The (peer, L4 key) pairs one rule contributes to one endpoint. */
function ruleKeys(rule: PolicyRule, endpoint: EndpointInfo, context: CompileContext): [number, L4Key][] {
  const { podsOf, podIdentities } = context;
  const peers = rule.peers.length === 1 ? context.selectors.peer(rule.peers[0]) : [...new Set(rule.peers.flatMap((term) => context.selectors.peer(term)))];
  const keys: [number, L4Key][] = [];
  for (const term of rule.l4) {
    for (const peer of peers) keys.push(...termKeys(term, peer));
  }
  return keys;

  function termKeys(term: L4Term, peer: number): [number, L4Key][] {
    switch (term.kind) {
      case "any":
        return [[peer, ANY_L4]];
      case "icmp":
        return [[peer, single(term.protocol, term.type)]];
      case "ports":
        return portRangeBlocks(term.first, term.last).map((block) => [peer, { protocol: term.protocol, port: block.port, portPrefixLength: 8 + block.bits }]);
      case "named":
        // At ingress the name is the endpoint's own port; at egress the peer's,
        // so an any-peer rule becomes one entry per pod identity with that port.
        if (rule.direction === "ingress") {
          return namedPorts([endpoint], term.name, term.protocol).map((port) => [peer, single(term.protocol, port)]);
        }
        return (peer === 0 ? podIdentities : [peer]).flatMap((target) =>
          namedPorts(podsOf.get(target) ?? [], term.name, term.protocol).map((port): [number, L4Key] => [target, single(term.protocol, port)]),
        );
    }
  }
}

function sortedPolicies(map: Map<string, PolicyRef>): PolicyRef[] {
  return [...map.keys()].sort().map((key) => map.get(key) as PolicyRef);
}

/** Drafts -> entries, each allow that a same-peer deny covers turned into that deny. */
function finish(drafts: Iterable<Draft>): Omit<PolicyEntry, "cookie">[] {
  const all = [...drafts];
  const denies = all.filter((d) => d.deniedBy.size > 0);
  return all.map((draft) => {
    const deniedBy = new Map(draft.deniedBy);
    for (const deny of denies) {
      if (deny.peer === draft.peer && deny.direction === draft.direction && l4Covers(deny, draft)) {
        for (const [key, policy] of deny.deniedBy) deniedBy.set(key, policy);
      }
    }
    const deny = deniedBy.size > 0;
    return {
      peer: draft.peer,
      direction: draft.direction,
      protocol: draft.protocol,
      port: draft.port,
      portPrefixLength: draft.portPrefixLength,
      deny,
      proxyPort: 0,
      policies: sortedPolicies(deny ? deniedBy : draft.allowedBy),
    };
  });
}

function compareEntries(a: Omit<PolicyEntry, "cookie">, b: Omit<PolicyEntry, "cookie">): number {
  return (
    (a.direction === b.direction ? 0 : a.direction === "ingress" ? -1 : 1) ||
    a.peer - b.peer ||
    a.protocol - b.protocol ||
    a.port - b.port ||
    a.portPrefixLength - b.portPrefixLength
  );
}

/** What every endpoint's compilation shares: the selector cache, and pods and rules by identity. */
interface CompileContext {
  selectors: SelectorCache;
  podsOf: Map<number, EndpointInfo[]>;
  /** The identities of pods, ascending. */
  podIdentities: number[];
}

/** The rules and enforcements whose subject selects each identity, in the rule set's order. */
class SubjectIndex<T extends { subject: PolicyRule["subject"] }> {
  private readonly byIdentity = new Map<number, T[]>();

  constructor(items: readonly T[], selectors: SelectorCache) {
    for (const item of items) {
      for (const id of selectors.select(item.subject)) {
        const list = this.byIdentity.get(id);
        if (list) list.push(item);
        else this.byIdentity.set(id, [item]);
      }
    }
  }

  of(identity: number): readonly T[] {
    return this.byIdentity.get(identity) ?? [];
  }
}

/**
 * Each endpoint's policy map and enforcement flags. `identities` must come
 * from allocateIdentities(inventory, policyPrefixes(ruleSet)).
 */
export function compilePolicies(
  ruleSet: PolicyRuleSet,
  inventory: ClusterInventory,
  identities: IdentityAllocation,
  options: CompileOptions = DEFAULT_COMPILE_OPTIONS,
): CompiledPolicies {
  const podsOf = portsByIdentity(inventory, identities);
  const selectors = new SelectorCache(identities);
  const context: CompileContext = { selectors, podsOf, podIdentities: [...podsOf.keys()].sort((a, b) => a - b) };
  const rulesOf = new SubjectIndex<PolicyRule>(ruleSet.rules, selectors);
  const enforcementsOf = new SubjectIndex<Enforcement>(ruleSet.enforcements, selectors);
  const compiled: { endpoint: string; identity: number; ingressEnforced: boolean; egressEnforced: boolean; entries: Omit<PolicyEntry, "cookie">[] }[] = [];

  for (const endpoint of inventory.endpoints) {
    const name = endpointName(endpoint);
    const identity = identities.byEndpoint.get(name) as number;
    const drafts = new EntryDrafts();
    const enforced = { ingress: false, egress: false };
    if (options.policyEnforcementMode !== "never") {
      for (const direction of ["ingress", "egress"] as const) {
        const selecting = enforcementsOf.of(identity).filter((e) => e.direction === direction);
        const always = options.policyEnforcementMode === "always";
        enforced[direction] = always || selecting.length > 0;
        if (!enforced[direction]) continue;
        if (!always && !selecting.some((e) => e.defaultDeny)) drafts.add(0, direction, ANY_L4, false);
        if (direction === "ingress" && options.allowLocalhost === "always") drafts.add(ReservedIdentity.host, direction, ANY_L4, false);
        for (const rule of rulesOf.of(identity)) {
          if (rule.direction !== direction) continue;
          for (const [peer, l4] of ruleKeys(rule, endpoint, context)) drafts.add(peer, direction, l4, rule.deny, rule.policy);
        }
      }
    }
    compiled.push({
      endpoint: name,
      identity,
      ingressEnforced: enforced.ingress,
      egressEnforced: enforced.egress,
      entries: finish(drafts.drafts.values()).sort(compareEntries),
    });
  }

  const sets = new Map<string, readonly PolicyRef[]>();
  for (const endpoint of compiled) {
    for (const entry of endpoint.entries) {
      if (entry.policies.length > 0) sets.set(entry.policies.map(formatPolicyRef).join(","), entry.policies);
    }
  }
  const cookieOf = new Map([...sets.keys()].sort().map((key, index) => [key, index + 1]));
  const cookies = new Map([...sets].map(([key, policies]) => [cookieOf.get(key) as number, policies]));
  const endpoints = new Map<string, EndpointPolicy>();
  for (const endpoint of compiled) {
    const entries = endpoint.entries.map((entry) => ({
      ...entry,
      cookie: entry.policies.length === 0 ? 0 : (cookieOf.get(entry.policies.map(formatPolicyRef).join(",")) as number),
    }));
    endpoints.set(endpoint.endpoint, { ...endpoint, entries });
  }
  return { endpoints, cookies: new Map([...cookies].sort((a, b) => a[0] - b[0])) };
}
