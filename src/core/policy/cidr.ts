// CIDR peers: fromCIDR / toCIDR / *CIDRSet / ipBlock, with except.

import { formatIPv4Prefix, parseIPv4Prefix, prefixContains, type IPv4Prefix } from "../../util/ipv4.ts";
import { PolicyError } from "./errors.ts";
import type { PeerTerm } from "./rule.ts";
import type { FieldLocation } from "./selector.ts";

function prefixAt(text: unknown, bareAddressIsHost: boolean, policy: string, field: string): IPv4Prefix {
  const prefix = typeof text === "string" ? parseIPv4Prefix(text.trim(), { bareAddressIsHost }) : undefined;
  if (typeof prefix !== "object") {
    throw new PolicyError(policy, field, `${JSON.stringify(text)} is not an IPv4 ${bareAddressIsHost ? "address or CIDR" : "CIDR"}`);
  }
  return prefix;
}

/**
 * A CIDR peer. `at.field` is the item holding `cidr` and `except` when
 * `except` is given; each except prefix must lie inside the CIDR.
 */
export function cidrPeer(cidr: unknown, except: readonly unknown[] | undefined, at: FieldLocation, cidrField: string, bareAddressIsHost: boolean): PeerTerm {
  const prefix = prefixAt(cidr, bareAddressIsHost, at.policy, cidrField);
  const excepts = (except ?? []).map((text, index) => {
    const field = `${at.field}.except[${index}]`;
    const inner = prefixAt(text, false, at.policy, field);
    if (!prefixContains(prefix, inner)) {
      throw new PolicyError(at.policy, field, `${formatIPv4Prefix(inner)} is not inside ${formatIPv4Prefix(prefix)}`);
    }
    return inner;
  });
  return { kind: "cidr", prefix, except: excepts };
}
