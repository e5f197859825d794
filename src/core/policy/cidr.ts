// CIDR peers: fromCIDR / toCIDR / *CIDRSet / ipBlock, with except.

import { formatPrefix, parseIpv4Prefix, prefixContains, type Ipv4Prefix } from "../identity/index.ts";
import { PolicyError } from "./errors.ts";
import type { PeerTerm } from "./rule.ts";
import type { FieldLocation } from "./selector.ts";

function prefixAt(text: unknown, bareAddressIsHost: boolean, policy: string, field: string): Ipv4Prefix {
  const prefix = typeof text === "string" ? parseIpv4Prefix(text.trim(), bareAddressIsHost) : undefined;
  if (prefix === undefined) {
    throw new PolicyError(policy, field, `${JSON.stringify(text)} is not an IPv4 ${bareAddressIsHost ? "address or CIDR" : "CIDR"}`);
  }
  return prefix;
}

/**
 * A CIDR peer. `at.field` is the item holding `cidr` and `except` when
 * `except` is given; each except prefix must lie inside the CIDR.
 */
export function cidrPeer(
  cidr: unknown,
  except: readonly unknown[] | undefined,
  at: FieldLocation,
  cidrField: string,
  bareAddressIsHost: boolean,
): PeerTerm {
  const prefix = prefixAt(cidr, bareAddressIsHost, at.policy, cidrField);
  const excepts = (except ?? []).map((text, index) => {
    const field = `${at.field}.except[${index}]`;
    const inner = prefixAt(text, false, at.policy, field);
    if (!prefixContains(prefix, inner)) {
      throw new PolicyError(at.policy, field, `${formatPrefix(inner)} is not inside ${formatPrefix(prefix)}`);
    }
    return inner;
  });
  return { kind: "cidr", prefix, except: excepts };
}
