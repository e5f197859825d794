// Which entry of an endpoint's policy map decided a new connection: the
// datapath's lookup (bpf/lib/policy.h, policy_decide) replayed over the
// compiled entries. Observability uses it to name the policies behind a
// verdict the datapath reported (Hubble's *_allowed_by / *_denied_by); the
// verdict itself always comes from the datapath.

import { PolicyMatchType } from "../../abi/generated.ts";
import { l4Matches, type PolicyEntry } from "./entry.ts";
import type { Direction } from "./rule.ts";

/** Hubble's policy_match_type, as the datapath writes it in events. */
export const MatchType = {
  none: PolicyMatchType.MATCH_NONE,
  l3Only: PolicyMatchType.MATCH_L3_ONLY,
  l3L4: PolicyMatchType.MATCH_L3_L4,
  l4Only: PolicyMatchType.MATCH_L4_ONLY,
  all: PolicyMatchType.MATCH_ALL,
  l3Proto: PolicyMatchType.MATCH_L3_PROTO,
  protoOnly: PolicyMatchType.MATCH_PROTO_ONLY,
} as const;

export interface PolicyDecision {
  verdict: "allowed" | "denied" | "default-denied";
  /** The deciding entry; absent when nothing matched (default deny). */
  entry?: PolicyEntry;
  matchType: number;
}

function longestMatch(entries: readonly PolicyEntry[], peer: number, direction: Direction, protocol: number, port: number): PolicyEntry | undefined {
  let best: PolicyEntry | undefined;
  for (const entry of entries) {
    if (entry.peer !== peer || entry.direction !== direction || !l4Matches(entry, protocol, port)) continue;
    if (best === undefined || entry.portPrefixLength > best.portPrefixLength) best = entry;
  }
  return best;
}

function matchType(peerSpecific: boolean, portPrefixLength: number): number {
  if (portPrefixLength === 0) return peerSpecific ? MatchType.l3Only : MatchType.all;
  if (portPrefixLength === 8) return peerSpecific ? MatchType.l3Proto : MatchType.protoOnly;
  return peerSpecific ? MatchType.l3L4 : MatchType.l4Only;
}

/** The decision for a new connection with `peer` (the remote identity) to `port` (or ICMP type). */
export function decidePolicy(entries: readonly PolicyEntry[], peer: number, direction: Direction, protocol: number, port: number): PolicyDecision {
  const own = longestMatch(entries, peer, direction, protocol, port);
  if (own?.deny) return { verdict: "denied", entry: own, matchType: matchType(true, own.portPrefixLength) };
  const any = longestMatch(entries, 0, direction, protocol, port);
  const anyChosen = any !== undefined && (own === undefined || any.deny || any.portPrefixLength > own.portPrefixLength);
  const chosen = anyChosen ? any : own;
  if (chosen === undefined) return { verdict: "default-denied", matchType: MatchType.none };
  return {
    verdict: chosen.deny ? "denied" : "allowed",
    entry: chosen,
    matchType: matchType(!anyChosen, chosen.portPrefixLength),
  };
}
