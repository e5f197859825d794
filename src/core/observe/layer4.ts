// The L4 part of a Hubble flow (flow.proto's Layer4): what the frame parser
// reads and the flow carries, apart from both so that neither imports the other.

export interface TcpFlags {
  FIN?: boolean;
  SYN?: boolean;
  RST?: boolean;
  PSH?: boolean;
  ACK?: boolean;
  URG?: boolean;
  ECE?: boolean;
  CWR?: boolean;
  NS?: boolean;
}

export interface Ports {
  source_port?: number;
  destination_port?: number;
}

export interface IcmpTypeCode {
  type?: number;
  code?: number;
}

export type Layer4 = { TCP: Ports & { flags: TcpFlags } } | { UDP: Ports } | { ICMPv4: IcmpTypeCode } | { ICMPv6: IcmpTypeCode } | { SCTP: Ports };
