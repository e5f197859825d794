// Addresses no node can have: what a kubelet refuses as a node IP
// (pkg/kubelet/nodestatus validateNodeIP: loopback, multicast, link-local
// unicast, unspecified), widened to the whole of 0.0.0.0/8 ("this network",
// never a source, RFC 1122) and with the limited broadcast address. The
// link-local block also holds the pods' gateway and bpf_lxc's hairpin source
// (169.254.42.1), which a node address would shadow.

import { formatIPv4Prefix, parseIPv4Prefix, prefixHolds, type IPv4Prefix } from "../../util/ipv4.ts";

interface ReservedRange {
  readonly prefix: IPv4Prefix;
  /** Its name in messages. */
  readonly what: string;
}

const range = (cidr: string, what: string): ReservedRange => ({ prefix: parseIPv4Prefix(cidr) as IPv4Prefix, what });

const RESERVED: readonly ReservedRange[] = [
  range("0.0.0.0/8", "unspecified"),
  range("127.0.0.0/8", "loopback"),
  range("169.254.0.0/16", "link-local"),
  range("224.0.0.0/4", "multicast"),
  range("255.255.255.255/32", "broadcast"),
];

const named = (reserved: ReservedRange) => `the ${reserved.what} range ${formatIPv4Prefix(reserved.prefix)}`;

/** The reserved range holding an address (e.g. "the loopback range 127.0.0.0/8"), or undefined. */
export function reservedAddressProblem(address: number): string | undefined {
  const reserved = RESERVED.find((each) => prefixHolds(each.prefix, address));
  return reserved && named(reserved);
}

/** The reserved range a prefix overlaps, named as reservedAddressProblem names it, or undefined. */
export function reservedPrefixProblem(prefix: IPv4Prefix): string | undefined {
  const reserved = RESERVED.find((each) => prefixHolds(each.prefix, prefix.address) || prefixHolds(prefix, each.prefix.address));
  return reserved && named(reserved);
}
