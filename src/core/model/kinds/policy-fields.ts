// Field checks shared by NetworkPolicy, the Cilium policy kinds, Service and
// Pod: end ports, addresses, CIDRs and except lists.

import { FieldPath, MappingReader, readString } from "../fields.ts";
import { parseIPv4, parseIPv4Prefix, prefixContains, type IPv4Prefix } from "../../../util/ipv4.ts";
import { decimalPort, readPortNumber } from "../port.ts";
import { refuse, refusedFeatures } from "../refused-features.ts";

/** `endPort` requires a numeric `port` (already read) and must not be below it. */
export function checkEndPort(ports: MappingReader): void {
  if (!ports.has("endPort")) return;
  const endPort = readPortNumber(ports.get("endPort"), ports.at("endPort"), 1);
  const port = ports.get("port");
  const start = typeof port === "number" ? port : typeof port === "string" ? decimalPort(port) : undefined;
  if (start === undefined) throw ports.at("endPort").error("requires a numeric port");
  if (endPort < start) ports.at("endPort").fail(`${endPort} is below port ${start}`);
}

/** An IPv4 address as a number; IPv6 is refused as not supported yet. */
export function readIPv4(value: unknown, path: FieldPath): number {
  const text = readString(value, path);
  if (text.includes(":")) refuse(path, refusedFeatures.ipv6);
  const address = parseIPv4(text);
  if (address === undefined) path.fail(`"${text}" is not an IPv4 address`);
  return address;
}

/** A CIDR, or a single IPv4 address (Cilium's fromCIDR accepts both). */
export function readCidr(value: unknown, path: FieldPath, allowAddress: boolean): IPv4Prefix {
  const text = readString(value, path);
  if (text.includes(":")) refuse(path, refusedFeatures.ipv6);
  if (allowAddress && !text.includes("/")) {
    const address = parseIPv4(text);
    if (address === undefined) path.fail(`"${text}" is not an IPv4 address or prefix`);
    return { address, length: 32 };
  }
  const cidr = parseIPv4Prefix(text);
  if (typeof cidr === "string") path.fail(`"${text}": ${cidr}`);
  return cidr;
}

/** `except` entries must lie inside the block they carve out of. */
export function checkExcept(block: MappingReader, cidr: IPv4Prefix): void {
  for (const { value, path } of block.list("except")) {
    const except = readCidr(value, path, false);
    if (!prefixContains(cidr, except)) {
      path.fail(`${value as string} is not inside ${block.get("cidr") as string}`);
    }
  }
}
