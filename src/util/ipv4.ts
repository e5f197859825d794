// IPv4 addresses and prefixes as unsigned 32-bit numbers (a.b.c.d is
// a << 24 | b << 16 | c << 8 | d): the one parser and formatter every layer
// uses. Dotted quads are read as Go's net/netip reads them, which Kubernetes
// and Cilium validate with: four decimal octets, no leading zeros.

export interface IPv4Prefix {
  /** The network address, host bits zero. */
  readonly address: number;
  /** 0..32 */
  readonly length: number;
}

const DOT = 0x2e;
const ZERO = 0x30;

/** The address as a number, or undefined when `text` is not a dotted-quad IPv4 address. */
export function parseIPv4(text: string): number | undefined {
  let address = 0;
  let octets = 0;
  let i = 0;
  while (octets < 4) {
    const start = i;
    let octet = 0;
    for (; i < text.length && i - start < 4; i++) {
      const digit = text.charCodeAt(i) - ZERO;
      if (digit < 0 || digit > 9) break;
      octet = octet * 10 + digit;
    }
    const digits = i - start;
    if (digits === 0 || digits > 3 || octet > 255 || (digits > 1 && text.charCodeAt(start) === ZERO)) return undefined;
    address = address * 256 + octet;
    octets++;
    if (octets < 4) {
      if (text.charCodeAt(i) !== DOT) return undefined;
      i++;
    }
  }
  return i === text.length ? address : undefined;
}

/** The address of `text` where it was checked when read: a RangeError if it is not one after all. */
export function requireIPv4(text: string): number {
  const address = parseIPv4(text);
  if (address === undefined) throw new RangeError(`"${text}" is not an IPv4 address`);
  return address;
}

export function formatIPv4(address: number): string {
  return `${address >>> 24}.${(address >>> 16) & 255}.${(address >>> 8) & 255}.${address & 255}`;
}

/** The address held in network order at `bytes[offset..offset+4]`. */
export function readIPv4(bytes: Uint8Array, offset = 0): number {
  return ((bytes[offset] << 24) | (bytes[offset + 1] << 16) | (bytes[offset + 2] << 8) | bytes[offset + 3]) >>> 0;
}

/** Writes the address in network order at `bytes[offset..offset+4]`. */
export function writeIPv4(bytes: Uint8Array, offset: number, address: number): void {
  bytes[offset] = address >>> 24;
  bytes[offset + 1] = address >>> 16;
  bytes[offset + 2] = address >>> 8;
  bytes[offset + 3] = address;
}

/**
 * The u32 a little-endian host reads from the address's network-order bytes
 * (a __be32 such as bpf_sock_addr's user_ip4 or .rodata's node_ipv4), and
 * back: it is its own inverse.
 */
export function ipv4HostWord(address: number): number {
  return ((address >>> 24) | ((address >>> 8) & 0xff00) | ((address & 0xff00) << 8) | (address << 24)) >>> 0;
}

/** The address's four bytes in network order. */
export function ipv4Bytes(address: number): Uint8Array {
  const bytes = new Uint8Array(4);
  writeIPv4(bytes, 0, address);
  return bytes;
}

export function prefixMask(length: number): number {
  return length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0;
}

/**
 * `a.b.c.d/n` with its host bits cleared, as Go's net.ParseCIDR (which
 * Cilium uses) clears them; a bare address is a /32 when `bareAddressIsHost`.
 * A string says what is wrong with `text`.
 */
export function parseIPv4Prefix(text: string, options: { bareAddressIsHost?: boolean } = {}): IPv4Prefix | string {
  if (text.includes(":")) return "IPv6 prefixes are not supported";
  const slash = text.indexOf("/");
  if (slash < 0) {
    if (!options.bareAddressIsHost) return "expected an IPv4 prefix a.b.c.d/n";
    const address = parseIPv4(text);
    return address === undefined ? `"${text}" is not an IPv4 address` : { address, length: 32 };
  }
  const addressText = text.slice(0, slash);
  const lengthText = text.slice(slash + 1);
  const address = parseIPv4(addressText);
  if (address === undefined) return `"${addressText}" is not an IPv4 address`;
  if (!/^(0|[1-9][0-9]?)$/.test(lengthText) || Number(lengthText) > 32) return `prefix length "${lengthText}" is not 0-32`;
  const length = Number(lengthText);
  return { address: (address & prefixMask(length)) >>> 0, length };
}

export function formatIPv4Prefix(prefix: IPv4Prefix): string {
  return `${formatIPv4(prefix.address)}/${prefix.length}`;
}

export function hostPrefix(address: number): IPv4Prefix {
  return { address, length: 32 };
}

/** Whether the prefix holds the address. */
export function prefixHolds(prefix: IPv4Prefix, address: number): boolean {
  return (address & prefixMask(prefix.length)) >>> 0 === prefix.address;
}

/** Whether `inner` lies inside `outer` (a prefix contains itself). */
export function prefixContains(outer: IPv4Prefix, inner: IPv4Prefix): boolean {
  return outer.length <= inner.length && prefixHolds(outer, inner.address);
}

/** Sort order: by address, then shorter prefixes first. */
export function comparePrefixes(a: IPv4Prefix, b: IPv4Prefix): number {
  return a.address - b.address || a.length - b.length;
}
