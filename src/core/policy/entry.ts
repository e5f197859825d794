// One entry of an endpoint's `eb_policy` LPM trie (bpf/README.md,
// bpf/lib/policy.h), and its exact key and value bytes.

import { PolicyDirection, PolicyEntryFlags, PolicyPrefix } from "../../abi/generated.ts";
import { policyKey, policyValue } from "../../abi/policy.ts";
import type { Direction, PolicyRef } from "./rule.ts";

export interface PolicyEntry {
  /** The peer's identity; 0 = any peer. */
  peer: number;
  direction: Direction;
  /** The IP protocol number (PROTOCOL_NUMBERS); 0 when portPrefixLength is 0. */
  protocol: number;
  /** The first port of the block, or the ICMP type; 0 when portPrefixLength <= 8. */
  port: number;
  /** 0 any protocol; 8 the protocol, any port; 8 + n the first n bits of the port (24 = one port). */
  portPrefixLength: number;
  deny: boolean;
  /** L7 proxy port; 0 until L7 redirect exists. */
  proxyPort: number;
  /** Names the entry's `policies` in CompiledPolicies.cookies; 0 for entries no policy made. */
  cookie: number;
  /** The policies that made the entry: the allowing ones, or for a deny the denying ones. Sorted. */
  policies: readonly PolicyRef[];
}

/** The entry's `eb_policy` key: the LPM prefix counts sec_label and egress (POLICY_PREFIX_BASE), then the L4 bits. */
export function encodePolicyKey(entry: Pick<PolicyEntry, "peer" | "direction" | "protocol" | "port" | "portPrefixLength">): Uint8Array {
  return policyKey.encode({
    prefixLength: PolicyPrefix.POLICY_PREFIX_BASE + entry.portPrefixLength,
    peer: entry.peer,
    direction: entry.direction === "egress" ? PolicyDirection.POLICY_EGRESS : PolicyDirection.POLICY_INGRESS,
    protocol: entry.protocol,
    port: entry.port,
  });
}

/** The entry's `eb_policy` value. */
export function encodePolicyValue(entry: Pick<PolicyEntry, "proxyPort" | "deny" | "portPrefixLength" | "cookie">): Uint8Array {
  return policyValue.encode({
    proxyPort: entry.proxyPort,
    flags: entry.deny ? PolicyEntryFlags.POLICY_F_DENY : 0,
    portPrefixLength: entry.portPrefixLength,
    cookie: entry.cookie,
  });
}

type L4Key = Pick<PolicyEntry, "protocol" | "port" | "portPrefixLength">;

/** Whether a packet of `protocol` to `port` (or ICMP type) falls in the entry's L4 part. */
export function l4Matches(entry: L4Key, protocol: number, port: number): boolean {
  if (entry.portPrefixLength === 0) return true;
  if (entry.protocol !== protocol) return false;
  const bits = entry.portPrefixLength - 8;
  return bits === 0 || port >>> (16 - bits) === entry.port >>> (16 - bits);
}

/** Whether every packet `inner` matches, `outer` matches too (L4 parts only). */
export function l4Covers(outer: L4Key, inner: L4Key): boolean {
  return outer.portPrefixLength <= inner.portPrefixLength && (inner.portPrefixLength === 0 || l4Matches(outer, inner.protocol, inner.port));
}
