// eb_ct4 (bpf/lib/conntrack.h): a connection's tuple as one side saw it, and
// its entry. The agent reads entries (the datapath writes them); tests and
// benchmarks also write them.

import { CtEntryLayout, CtKeyLayout } from "./generated.ts";
import { StructBytes } from "./struct.ts";

export interface ConntrackKey {
  daddr: number;
  saddr: number;
  dport: number;
  sport: number;
  protocol: number;
  /** TUPLE_F_* */
  flags: number;
}

export interface ConntrackEntry {
  packets: bigint;
  bytes: bigint;
  /** Expiry, seconds of the monotonic clock. */
  lifetime: number;
  /** CT_F_* */
  flags: number;
  revNatIndex: number;
  txFlagsSeen: number;
  rxFlagsSeen: number;
  sourceIdentity: number;
  backendId: number;
  /** TUPLE_F_NODEPORT with SNAT: the client's; TUPLE_F_DSR: the frontend's. */
  natAddress: number;
  natPort: number;
}

export function encodeConntrackKey(key: ConntrackKey): Uint8Array {
  return new StructBytes(CtKeyLayout)
    .setAddress("daddr", key.daddr)
    .setAddress("saddr", key.saddr)
    .setPort("dport", key.dport)
    .setPort("sport", key.sport)
    .set("nexthdr", key.protocol)
    .set("flags", key.flags).bytes;
}

export function decodeConntrackKey(bytes: Uint8Array): ConntrackKey {
  const key = new StructBytes(CtKeyLayout, bytes);
  return {
    daddr: key.getAddress("daddr"),
    saddr: key.getAddress("saddr"),
    dport: key.getPort("dport"),
    sport: key.getPort("sport"),
    protocol: key.get("nexthdr"),
    flags: key.get("flags"),
  };
}

export function encodeConntrackEntry(entry: ConntrackEntry): Uint8Array {
  return new StructBytes(CtEntryLayout)
    .setBigInt("packets", entry.packets)
    .setBigInt("bytes", entry.bytes)
    .set("lifetime", entry.lifetime)
    .set("flags", entry.flags)
    .set("rev_nat_index", entry.revNatIndex)
    .set("tx_flags_seen", entry.txFlagsSeen)
    .set("rx_flags_seen", entry.rxFlagsSeen)
    .set("src_sec_id", entry.sourceIdentity)
    .set("backend_id", entry.backendId)
    .setAddress("nat_addr", entry.natAddress)
    .setPort("nat_port", entry.natPort).bytes;
}

export function decodeConntrackEntry(bytes: Uint8Array): ConntrackEntry {
  const entry = new StructBytes(CtEntryLayout, bytes);
  return {
    packets: entry.getBigInt("packets"),
    bytes: entry.getBigInt("bytes"),
    lifetime: entry.get("lifetime"),
    flags: entry.get("flags"),
    revNatIndex: entry.get("rev_nat_index"),
    txFlagsSeen: entry.get("tx_flags_seen"),
    rxFlagsSeen: entry.get("rx_flags_seen"),
    sourceIdentity: entry.get("src_sec_id"),
    backendId: entry.get("backend_id"),
    natAddress: entry.getAddress("nat_addr"),
    natPort: entry.getPort("nat_port"),
  };
}
