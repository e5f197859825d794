// The captured frame's headers, read layer by layer as Hubble's parser does
// (cilium/cilium pkg/hubble/parser/threefour/parser.go over gopacket's
// DecodingLayerParser with Ethernet, IPv4, IPv6, ICMPv4, ICMPv6, TCP, UDP and
// SCTP): decoding stops at the first layer it has no decoder for, and the
// Summary names the last layer decoded ("TCP Flags: SYN", "ICMPv4
// EchoRequest", "UDP", "IPv4", ...).
//
// Where gopacket would refuse a header (Hubble then shows no flow at all),
// this keeps what it could read so that every event still yields a flow: an
// IPv4 header with a bad IHL or length still gives its addresses, but no L4.

import { PROTOCOL_NUMBERS } from "../../abi/protocols.ts";
import { formatIPv4, readIPv4 } from "../../util/ipv4.ts";
import type { Layer4, TcpFlags } from "./layer4.ts";

export interface ParsedFrame {
  ethernet?: { source: string; destination: string };
  ip?: { source: string; destination: string; ipVersion: "IPv4" | "IPv6" };
  l4?: Layer4;
  /** Hubble's Summary; "" when nothing was decoded. */
  summary: string;
}

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const ETH_HLEN = 14;
const IPV4_MIN_HLEN = 20;
const IPV6_HLEN = 40;
const IPV4_MF = 0x2000;
const IPV4_OFFSET_MASK = 0x1fff;

function hex2(byte: number): string {
  return byte.toString(16).padStart(2, "0");
}

export function formatMac(bytes: Uint8Array): string {
  return Array.from(bytes, hex2).join(":");
}

/** As Go's net.IP.String(): RFC 5952 (longest run of two or more zero groups as "::"), IPv4-mapped as dotted quad. */
export function formatIpv6(bytes: Uint8Array): string {
  const mapped = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  if (mapped) return formatIPv4(readIPv4(bytes, 12));
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i] << 8) | bytes[i + 1]);
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let end = i;
    while (end < 8 && groups[end] === 0) end++;
    if (end - i > bestLength) [bestStart, bestLength] = [i, end - i];
    i = end;
  }
  const text = (part: number[]) => part.map((g) => g.toString(16)).join(":");
  if (bestStart < 0) return text(groups);
  return `${text(groups.slice(0, bestStart))}::${text(groups.slice(bestStart + bestLength))}`;
}

/** gopacket's ICMPv4TypeCode.String() (layers/icmp4.go). */
const ICMPV4_TYPES: ReadonlyMap<number, { name: string; codes?: readonly (string | undefined)[] }> = new Map([
  [0, { name: "EchoReply" }],
  [
    3,
    {
      name: "DestinationUnreachable",
      codes: [
        "Net",
        "Host",
        "Protocol",
        "Port",
        "FragmentationNeeded",
        "SourceRoutingFailed",
        "NetUnknown",
        "HostUnknown",
        "SourceIsolated",
        "NetAdminProhibited",
        "HostAdminProhibited",
        "NetTOS",
        "HostTOS",
        "CommAdminProhibited",
        "HostPrecedence",
        "PrecedenceCutoff",
      ],
    },
  ],
  [4, { name: "SourceQuench" }],
  [5, { name: "Redirect", codes: ["Net", "Host", "TOS+Net", "TOS+Host"] }],
  [8, { name: "EchoRequest" }],
  [9, { name: "RouterAdvertisement" }],
  [10, { name: "RouterSolicitation" }],
  [11, { name: "TimeExceeded", codes: ["TTLExceeded", "FragmentReassemblyTimeExceeded"] }],
  [12, { name: "ParameterProblem", codes: ["PointerIndicatesError", "MissingOption", "BadLength"] }],
  [13, { name: "TimestampRequest" }],
  [14, { name: "TimestampReply" }],
  [15, { name: "InfoRequest" }],
  [16, { name: "InfoReply" }],
  [17, { name: "AddressMaskRequest" }],
  [18, { name: "AddressMaskReply" }],
]);

export function icmpv4TypeCodeText(type: number, code: number): string {
  const info = ICMPV4_TYPES.get(type);
  if (info === undefined) return `${type}(${code})`;
  if (info.codes === undefined) return code === 0 ? info.name : `${info.name}(Code: ${code})`;
  const codeName = info.codes[code];
  return codeName === undefined ? `${info.name}(Code: ${code})` : `${info.name}(${codeName})`;
}

/** ICMPv6 messages by gopacket's names (layers/icmp6.go), without their codes' names. */
const ICMPV6_TYPES: ReadonlyMap<number, string> = new Map([
  [1, "DestinationUnreachable"],
  [2, "PacketTooBig"],
  [3, "TimeExceeded"],
  [4, "ParameterProblem"],
  [128, "EchoRequest"],
  [129, "EchoReply"],
  [133, "RouterSolicitation"],
  [134, "RouterAdvertisement"],
  [135, "NeighborSolicitation"],
  [136, "NeighborAdvertisement"],
  [137, "Redirect"],
]);

function icmpv6TypeCodeText(type: number, code: number): string {
  const name = ICMPV6_TYPES.get(type);
  if (name === undefined) return `${type}(${code})`;
  return code === 0 ? name : `${name}(Code: ${code})`;
}

/** Flags in flow.proto's order; Summary lists them in Hubble's (SYN, ACK, RST, FIN, PSH, URG, ECE, CWR, NS). */
function tcpFlags(data: Uint8Array, offset: number): TcpFlags {
  const bits = data[offset + 13];
  const all: [keyof TcpFlags, boolean][] = [
    ["FIN", (bits & 0x01) !== 0],
    ["SYN", (bits & 0x02) !== 0],
    ["RST", (bits & 0x04) !== 0],
    ["PSH", (bits & 0x08) !== 0],
    ["ACK", (bits & 0x10) !== 0],
    ["URG", (bits & 0x20) !== 0],
    ["ECE", (bits & 0x40) !== 0],
    ["CWR", (bits & 0x80) !== 0],
    ["NS", (data[offset + 12] & 0x01) !== 0],
  ];
  return Object.fromEntries(all.filter(([, set]) => set).map(([name]) => [name, true]));
}

const SUMMARY_FLAG_ORDER: readonly (keyof TcpFlags)[] = ["SYN", "ACK", "RST", "FIN", "PSH", "URG", "ECE", "CWR", "NS"];

export function tcpSummary(flags: TcpFlags): string {
  return `TCP Flags: ${SUMMARY_FLAG_ORDER.filter((flag) => flags[flag]).join(", ")}`;
}

/** Reads the L4 header at `offset`; the summary is unchanged when the protocol has no decoder or too few bytes. */
function parseL4(data: Uint8Array, offset: number, protocol: number, frame: ParsedFrame): void {
  const available = data.length - offset;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const ports = () => withoutZeros({ source_port: view.getUint16(offset), destination_port: view.getUint16(offset + 2) });
  if (protocol === PROTOCOL_NUMBERS.TCP && available >= 20) {
    const flags = tcpFlags(data, offset);
    frame.l4 = { TCP: { ...ports(), flags } };
    frame.summary = tcpSummary(flags);
  } else if (protocol === PROTOCOL_NUMBERS.UDP && available >= 8) {
    frame.l4 = { UDP: ports() };
    frame.summary = "UDP";
  } else if (protocol === PROTOCOL_NUMBERS.SCTP && available >= 12) {
    frame.l4 = { SCTP: ports() };
    frame.summary = "SCTP";
  } else if (protocol === PROTOCOL_NUMBERS.ICMP && available >= 8) {
    frame.l4 = { ICMPv4: withoutZeros({ type: data[offset], code: data[offset + 1] }) };
    frame.summary = `ICMPv4 ${icmpv4TypeCodeText(data[offset], data[offset + 1])}`;
  } else if (protocol === PROTOCOL_NUMBERS.ICMPv6 && available >= 4) {
    frame.l4 = { ICMPv6: withoutZeros({ type: data[offset], code: data[offset + 1] }) };
    frame.summary = `ICMPv6 ${icmpv6TypeCodeText(data[offset], data[offset + 1])}`;
  }
}

/** Proto3 JSON leaves out fields holding zero. */
function withoutZeros<T extends Record<string, number>>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== 0)) as Partial<T>;
}

function parseIpv4(data: Uint8Array, offset: number, frame: ParsedFrame): void {
  if (data.length - offset < IPV4_MIN_HLEN || data[offset] >> 4 !== 4) return;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  frame.ip = {
    source: formatIPv4(readIPv4(data, offset + 12)),
    destination: formatIPv4(readIPv4(data, offset + 16)),
    ipVersion: "IPv4",
  };
  frame.summary = "IPv4";
  const headerLength = (data[offset] & 0x0f) * 4;
  const totalLength = view.getUint16(offset + 2);
  const fragment = view.getUint16(offset + 6);
  const malformed = headerLength < IPV4_MIN_HLEN || totalLength < headerLength || data.length - offset < headerLength;
  // gopacket hands any fragment, the first included, to its Fragment layer, which Hubble does not decode.
  if (malformed || (fragment & (IPV4_MF | IPV4_OFFSET_MASK)) !== 0) return;
  parseL4(data, offset + headerLength, data[offset + 9], frame);
}

function parseIpv6(data: Uint8Array, offset: number, frame: ParsedFrame): void {
  if (data.length - offset < IPV6_HLEN || data[offset] >> 4 !== 6) return;
  frame.ip = {
    source: formatIpv6(data.subarray(offset + 8, offset + 24)),
    destination: formatIpv6(data.subarray(offset + 24, offset + 40)),
    ipVersion: "IPv6",
  };
  frame.summary = "IPv6";
  // Extension headers are layers Hubble has no decoder for: only a next header of L4 is read.
  parseL4(data, offset + IPV6_HLEN, data[offset + 6], frame);
}

export function parseFrame(data: Uint8Array): ParsedFrame {
  const frame: ParsedFrame = { summary: "" };
  if (data.length < ETH_HLEN) return frame;
  frame.ethernet = { source: formatMac(data.subarray(6, 12)), destination: formatMac(data.subarray(0, 6)) };
  frame.summary = "Ethernet";
  const ethertype = (data[12] << 8) | data[13];
  if (ethertype === ETHERTYPE_IPV4) parseIpv4(data, ETH_HLEN, frame);
  else if (ethertype === ETHERTYPE_IPV6) parseIpv6(data, ETH_HLEN, frame);
  return frame;
}
