// eb_policy (bpf/lib/policy.h): an endpoint's LPM trie from peer, direction
// and L4 prefix to the verdict of the entry that made it.

import { structCodec } from "./codec.ts";
import { PolicyEntryLayout, PolicyKeyLayout } from "./generated.ts";

/**
 * `struct policy_key`. prefixLength counts the LPM bits the key fixes: the
 * POLICY_PREFIX_BASE bits of sec_label and egress, then those of protocol and
 * dport (8 the protocol alone, 24 one port). peer is an identity, 0 any peer;
 * direction is POLICY_INGRESS or POLICY_EGRESS; port the first port of the
 * block, or the ICMP type.
 */
export const policyKey = structCodec(PolicyKeyLayout, {
  prefixLength: ["prefixlen", "uint"],
  peer: ["sec_label", "uint"],
  direction: ["egress", "uint"],
  protocol: ["protocol", "uint"],
  port: ["dport", "port"],
});

/** `struct policy_entry`: flags are POLICY_F_*; portPrefixLength the key's bits past POLICY_PREFIX_BASE; cookie names the rule. */
export const policyValue = structCodec(PolicyEntryLayout, {
  proxyPort: ["proxy_port", "port"],
  flags: ["flags", "uint"],
  portPrefixLength: ["port_prefix_len", "uint"],
  cookie: ["cookie", "uint"],
});
