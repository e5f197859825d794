// L4 terms: protocols, ports, port ranges and ICMP types, and their split
// into the power-of-two blocks an LPM key can hold.

import { PROTOCOL_NUMBERS } from "../../abi/protocols.ts";
import { decimalPort } from "../model/port.ts";
import { PolicyError } from "./errors.ts";
import type { L4Term } from "./rule.ts";
import type { FieldLocation } from "./selector.ts";

/** The protocols a port item may name, those with ports (Kubernetes' and Cilium's `protocol`), by name. */
const PORT_PROTOCOLS: ReadonlyMap<string, number> = new Map((["TCP", "UDP", "SCTP"] as const).map((name) => [name, PROTOCOL_NUMBERS[name]]));

/** The number of a port item's `protocol`; undefined for a name other than TCP, UDP and SCTP. */
export function portProtocolNumber(name: string): number | undefined {
  return PORT_PROTOCOLS.get(name);
}

/** The protocols of `ANY`, the default of Cilium's toPorts: ICMP is not among them. */
export const ANY_PROTOCOLS: readonly number[] = [...PORT_PROTOCOLS.values()];

/**
 * The L4 terms of one port item: `port` (a number, a numeric string, a name or
 * absent / 0 for every port), `endPort` and the protocols it applies to.
 */
export function portTerms(port: number | string | undefined, endPort: number | undefined, protocols: readonly number[], at: FieldLocation): L4Term[] {
  const text = port === undefined ? "0" : String(port).trim();
  const first = decimalPort(text);
  if (first === undefined) {
    if (endPort !== undefined) {
      throw new PolicyError(at.policy, `${at.field}.endPort`, `needs a numeric port, not the named port "${text}"`);
    }
    if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/i.test(text) || text.length > 15) {
      throw new PolicyError(at.policy, `${at.field}.port`, `"${text}" is neither a port number nor a port name`);
    }
    return protocols.map((protocol) => ({ kind: "named", protocol, name: text.toLowerCase() }));
  }
  if (first > 65535) throw new PolicyError(at.policy, `${at.field}.port`, `${first} is out of range 0..65535`);
  let last = first === 0 ? 65535 : first;
  if (endPort !== undefined) {
    if (!Number.isInteger(endPort) || endPort < 1 || endPort > 65535) {
      throw new PolicyError(at.policy, `${at.field}.endPort`, `${endPort} is out of range 1..65535`);
    }
    if (first === 0) throw new PolicyError(at.policy, `${at.field}.endPort`, "needs a non-zero port");
    if (endPort < first) throw new PolicyError(at.policy, `${at.field}.endPort`, `${endPort} is below port ${first}`);
    last = endPort;
  }
  return protocols.map((protocol) => ({ kind: "ports", protocol, first, last }));
}

/** A block of ports an LPM key can hold: `bits` leading bits of `port` fixed (16 = one port). */
export interface PortBlock {
  port: number;
  bits: number;
}

/** first..last as the fewest aligned power-of-two blocks, in ascending order. */
export function portRangeBlocks(first: number, last: number): PortBlock[] {
  const blocks: PortBlock[] = [];
  let port = first;
  while (port <= last) {
    let size = 1;
    let bits = 16;
    while (bits > 0 && port % (size * 2) === 0 && port + size * 2 - 1 <= last) {
      size *= 2;
      bits -= 1;
    }
    blocks.push({ port, bits });
    port += size;
  }
  return blocks;
}

/** ICMP type names Cilium accepts in icmps fields (pkg/policy/api/icmp.go). */
const ICMPV4_TYPES: Readonly<Record<string, number>> = {
  EchoReply: 0,
  DestinationUnreachable: 3,
  Redirect: 5,
  Echo: 8,
  EchoRequest: 8,
  RouterAdvertisement: 9,
  RouterSelection: 10,
  TimeExceeded: 11,
  ParameterProblem: 12,
  Timestamp: 13,
  TimestampReply: 14,
  Photuris: 40,
  ExtendedEchoRequest: 42,
  ExtendedEchoReply: 43,
};

const ICMPV6_TYPES: Readonly<Record<string, number>> = {
  DestinationUnreachable: 1,
  PacketTooBig: 2,
  TimeExceeded: 3,
  ParameterProblem: 4,
  EchoRequest: 128,
  EchoReply: 129,
  MulticastListenerQuery: 130,
  MulticastListenerReport: 131,
  MulticastListenerDone: 132,
  RouterSolicitation: 133,
  RouterAdvertisement: 134,
  NeighborSolicitation: 135,
  NeighborAdvertisement: 136,
  RedirectMessage: 137,
  RouterRenumbering: 138,
  ICMPNodeInformationQuery: 139,
  ICMPNodeInformationResponse: 140,
  InverseNeighborDiscoverySolicitation: 141,
  InverseNeighborDiscoveryAdvertisement: 142,
  HomeAgentAddressDiscoveryRequest: 144,
  HomeAgentAddressDiscoveryReply: 145,
  MobilePrefixSolicitation: 146,
  MobilePrefixAdvertisement: 147,
  DuplicateAddressRequestCodeSuffix: 157,
  DuplicateAddressConfirmationCodeSuffix: 158,
  ExtendedEchoRequest: 160,
  ExtendedEchoReply: 161,
};

/** One icmps field: family IPv4 (the default) or IPv6, type a number 0..255 or a name. */
export function icmpTerm(family: string | undefined, type: number | string, at: FieldLocation): L4Term {
  const v6 = family === "IPv6";
  if (family !== undefined && family !== "IPv4" && !v6) {
    throw new PolicyError(at.policy, `${at.field}.family`, `"${family}" is not IPv4 or IPv6`);
  }
  const names = v6 ? ICMPV6_TYPES : ICMPV4_TYPES;
  let number: number | undefined;
  if (typeof type === "number" || /^\d+$/.test(type)) number = Number(type);
  else number = Object.hasOwn(names, type) ? names[type] : undefined;
  if (number === undefined || !Number.isInteger(number) || number < 0 || number > 255) {
    throw new PolicyError(at.policy, `${at.field}.type`, `"${type}" is not an ${v6 ? "ICMPv6" : "ICMP"} type (0..255 or a type name)`);
  }
  return { kind: "icmp", protocol: v6 ? PROTOCOL_NUMBERS.ICMPv6 : PROTOCOL_NUMBERS.ICMP, type: number };
}
