// eb_policy (bpf/lib/policy.h): an endpoint's LPM key of peer, direction and
// L4 prefix, and its entry's verdict.

import { PolicyDirection, PolicyEntryFlags, PolicyEntryLayout, PolicyKeyLayout, PolicyPrefix } from "./generated.ts";
import { StructBytes } from "./struct.ts";

export interface PolicyKey {
  /** The peer's identity; 0 = any peer. */
  peer: number;
  direction: "ingress" | "egress";
  protocol: number;
  /** The first port of the block, or the ICMP type. */
  port: number;
  /** Bits of protocol+port the entry fixes: 0, 8, 9..24. */
  portPrefixLength: number;
}

export interface PolicyValue {
  proxyPort: number;
  deny: boolean;
  portPrefixLength: number;
  cookie: number;
}

/** `struct policy_key`: prefixlen POLICY_PREFIX_BASE + port prefix. */
export function encodePolicyKey(key: PolicyKey): Uint8Array {
  return new StructBytes(PolicyKeyLayout)
    .set("prefixlen", PolicyPrefix.POLICY_PREFIX_BASE + key.portPrefixLength)
    .set("sec_label", key.peer)
    .set("egress", key.direction === "egress" ? PolicyDirection.POLICY_EGRESS : PolicyDirection.POLICY_INGRESS)
    .set("protocol", key.protocol)
    .setPort("dport", key.port).bytes;
}

export function decodePolicyKey(bytes: Uint8Array): PolicyKey {
  const key = new StructBytes(PolicyKeyLayout, bytes);
  return {
    peer: key.get("sec_label"),
    direction: key.get("egress") === PolicyDirection.POLICY_EGRESS ? "egress" : "ingress",
    protocol: key.get("protocol"),
    port: key.getPort("dport"),
    portPrefixLength: key.get("prefixlen") - PolicyPrefix.POLICY_PREFIX_BASE,
  };
}

/** `struct policy_entry`. */
export function encodePolicyValue(value: PolicyValue): Uint8Array {
  return new StructBytes(PolicyEntryLayout)
    .setPort("proxy_port", value.proxyPort)
    .set("flags", value.deny ? PolicyEntryFlags.POLICY_F_DENY : 0)
    .set("port_prefix_len", value.portPrefixLength)
    .set("cookie", value.cookie).bytes;
}

export function decodePolicyValue(bytes: Uint8Array): PolicyValue {
  const value = new StructBytes(PolicyEntryLayout, bytes);
  return {
    proxyPort: value.getPort("proxy_port"),
    deny: (value.get("flags") & PolicyEntryFlags.POLICY_F_DENY) !== 0,
    portPrefixLength: value.get("port_prefix_len"),
    cookie: value.get("cookie"),
  };
}
