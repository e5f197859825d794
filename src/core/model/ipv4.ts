// IPv4 addresses and prefixes as unsigned 32-bit numbers. IPv6 is refused
// where the user writes it (the datapath handles IPv6 frames, scenarios do not
// address them yet).

export interface Cidr {
  /** Network address (host bits cleared). */
  readonly address: number;
  readonly prefixLength: number;
}

/** The address as a number, or undefined when `text` is not a dotted-quad IPv4 address. */
export function parseIPv4(text: string): number | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let address = 0;
  for (const part of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    address = address * 256 + octet;
  }
  return address;
}

export function formatIPv4(address: number): string {
  return [address >>> 24, (address >>> 16) & 255, (address >>> 8) & 255, address & 255].join(".");
}

/** `a.b.c.d/n`, or a problem describing why it is not one. */
export function parseCidr(text: string): Cidr | string {
  if (text.includes(":")) return "IPv6 prefixes are not supported";
  const [addressText, lengthText, ...rest] = text.split("/");
  if (lengthText === undefined || rest.length > 0) return "expected an IPv4 prefix a.b.c.d/n";
  const address = parseIPv4(addressText);
  if (address === undefined) return `"${addressText}" is not an IPv4 address`;
  if (!/^(0|[1-9][0-9]?)$/.test(lengthText) || Number(lengthText) > 32) return `prefix length "${lengthText}" is not 0-32`;
  const prefixLength = Number(lengthText);
  const network = (address & prefixMask(prefixLength)) >>> 0;
  return { address: network, prefixLength };
}

export function prefixMask(prefixLength: number): number {
  return prefixLength === 0 ? 0 : (0xffffffff << (32 - prefixLength)) >>> 0;
}

export function cidrContains(cidr: Cidr, address: number): boolean {
  return ((address & prefixMask(cidr.prefixLength)) >>> 0) === cidr.address;
}

export function formatCidr(cidr: Cidr): string {
  return `${formatIPv4(cidr.address)}/${cidr.prefixLength}`;
}
