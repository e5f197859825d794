// IPv4 addresses and prefixes as numbers: what the ipcache and CIDR rules are
// made of.

export interface Ipv4Prefix {
  /** The network address as an unsigned 32-bit number, host bits zero. */
  address: number;
  /** 0..32 */
  length: number;
}

/** The address as an unsigned 32-bit number, or undefined when `text` is not dotted-quad IPv4. */
export function parseIpv4(text: string): number | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let address = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    address = address * 256 + octet;
  }
  return address;
}

export function formatIpv4(address: number): string {
  return [24, 16, 8, 0].map((shift) => (address >>> shift) & 0xff).join(".");
}

/** The mask of a prefix length, as an unsigned 32-bit number. */
function mask(length: number): number {
  return length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0;
}

/**
 * `A.B.C.D/N`, or a bare address when `bareAddressIsHost` (a /32). Host bits
 * are cleared, as Go's net.ParseCIDR (which Cilium uses) does. Undefined when
 * the text is not IPv4 CIDR notation.
 */
export function parseIpv4Prefix(text: string, bareAddressIsHost = false): Ipv4Prefix | undefined {
  const slash = text.indexOf("/");
  if (slash < 0) {
    if (!bareAddressIsHost) return undefined;
    const address = parseIpv4(text);
    return address === undefined ? undefined : { address, length: 32 };
  }
  const address = parseIpv4(text.slice(0, slash));
  const lengthText = text.slice(slash + 1);
  if (address === undefined || !/^\d{1,2}$/.test(lengthText)) return undefined;
  const length = Number(lengthText);
  if (length > 32) return undefined;
  return { address: (address & mask(length)) >>> 0, length };
}

export function formatPrefix(prefix: Ipv4Prefix): string {
  return `${formatIpv4(prefix.address)}/${prefix.length}`;
}

export function hostPrefix(address: number): Ipv4Prefix {
  return { address, length: 32 };
}

/** Whether `inner` lies inside `outer` (a prefix contains itself). */
export function prefixContains(outer: Ipv4Prefix, inner: Ipv4Prefix): boolean {
  return outer.length <= inner.length && ((inner.address & mask(outer.length)) >>> 0) === outer.address;
}

/** Sort order: by address, then shorter prefixes first. */
export function comparePrefixes(a: Ipv4Prefix, b: Ipv4Prefix): number {
  return a.address - b.address || a.length - b.length;
}
