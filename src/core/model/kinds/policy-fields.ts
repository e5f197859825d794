// Field checks shared by NetworkPolicy, the Cilium policy kinds, Service and
// Pod: ports, addresses, CIDRs and except lists.

import { FieldPath, MappingReader, readString, show } from "../fields.ts";
import { parseIPv4, parseIPv4Prefix, prefixContains, type IPv4Prefix } from "../../../util/ipv4.ts";
import { portNameProblem } from "../names.ts";
import { refuse, refusedFeatures } from "../refused-features.ts";

/** A port written as a number, a decimal string or a named port. */
export function checkPort(value: unknown, path: FieldPath, min: number): void {
  if (typeof value === "number") {
    if (!Number.isInteger(value) || value < min || value > 65535) path.fail(`${value} is out of range ${min}-65535`);
    return;
  }
  if (typeof value !== "string") path.fail(`expected a port number or name, got ${show(value)}`);
  if (/^[0-9]+$/.test(value)) {
    const number = Number(value);
    if (number < min || number > 65535) path.fail(`${value} is out of range ${min}-65535`);
    return;
  }
  const problem = portNameProblem(value);
  if (problem) path.fail(problem);
}

/** `endPort` requires a numeric `port` and must not be below it. */
export function checkEndPort(ports: MappingReader): void {
  if (!ports.has("endPort")) return;
  const endPort = ports.integer("endPort", 1, 65535) as number;
  const port = ports.get("port");
  const start = typeof port === "number" ? port : typeof port === "string" && /^[0-9]+$/.test(port) ? Number(port) : undefined;
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
