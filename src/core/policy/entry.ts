// One entry of an endpoint's `eb_policy` LPM trie (bpf/README.md,
// bpf/lib/policy.h), and its exact key and value bytes.

import type { Direction, PolicyRef } from "./rule.ts";

export interface PolicyEntry {
  /** The peer's identity; 0 = any peer. */
  peer: number;
  direction: Direction;
  /** IPPROTO_*; 0 when portPrefixLength is 0. */
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

export const POLICY_KEY_SIZE = 12;
export const POLICY_VALUE_SIZE = 8;
/** Bits of the key before the L4 part: sec_label and egress. */
export const POLICY_PREFIX_BASE = 40;
const POLICY_F_DENY = 1;

/** `struct policy_key`: prefixlen 40 + port prefix, sec_label, egress, protocol, dport (network order). */
export function encodePolicyKey(entry: Pick<PolicyEntry, "peer" | "direction" | "protocol" | "port" | "portPrefixLength">): Uint8Array {
  const bytes = new Uint8Array(POLICY_KEY_SIZE);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, POLICY_PREFIX_BASE + entry.portPrefixLength, true);
  view.setUint32(4, entry.peer, true);
  bytes[8] = entry.direction === "egress" ? 1 : 0;
  bytes[9] = entry.protocol;
  view.setUint16(10, entry.port, false);
  return bytes;
}

/** `struct policy_entry`: proxy_port (network order), flags (bit 0 deny), port_prefix_len, cookie. */
export function encodePolicyValue(entry: Pick<PolicyEntry, "proxyPort" | "deny" | "portPrefixLength" | "cookie">): Uint8Array {
  const bytes = new Uint8Array(POLICY_VALUE_SIZE);
  const view = new DataView(bytes.buffer);
  view.setUint16(0, entry.proxyPort, false);
  bytes[2] = entry.deny ? POLICY_F_DENY : 0;
  bytes[3] = entry.portPrefixLength;
  view.setUint32(4, entry.cookie, true);
  return bytes;
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
