// IP protocol numbers by the names manifests and scenarios use, from the
// objects' enum ip_protocol (linux/in.h's values).

import { IpProtocol } from "./generated.ts";

export const PROTOCOL_NUMBERS = {
  ICMP: IpProtocol.IP_PROTOCOL_ICMP,
  TCP: IpProtocol.IP_PROTOCOL_TCP,
  UDP: IpProtocol.IP_PROTOCOL_UDP,
  SCTP: IpProtocol.IP_PROTOCOL_SCTP,
  ICMPv6: IpProtocol.IP_PROTOCOL_ICMPV6,
} as const;

export type ProtocolName = keyof typeof PROTOCOL_NUMBERS;
