// eb_ct4 (bpf/lib/conntrack.h): a connection's tuple as one side saw it,
// and its entry. The datapath writes entries; the backends read them (the
// kernel backend finds NodePort SNAT there) and benchmarks make room for them.

import { structCodec } from "./codec.ts";
import { CtEntryLayout, CtKeyLayout } from "./generated.ts";

/** `struct ct_key`; flags is TUPLE_F_*. */
export const ctKey = structCodec(CtKeyLayout, {
  destinationAddress: ["daddr", "address"],
  sourceAddress: ["saddr", "address"],
  destinationPort: ["dport", "port"],
  sourcePort: ["sport", "port"],
  protocol: ["nexthdr", "uint"],
  flags: ["flags", "uint"],
});
export type CtKey = ReturnType<typeof ctKey.decode>;

/**
 * `struct ct_entry`. lifetime is the expiry in seconds of the monotonic
 * clock; flags are CT_F_*; natAddress and natPort are the client's for a
 * TUPLE_F_NODEPORT entry with SNAT, the frontend's for a TUPLE_F_DSR one.
 */
export const ctEntry = structCodec(CtEntryLayout, {
  packets: ["packets", "u64"],
  bytes: ["bytes", "u64"],
  lifetime: ["lifetime", "uint"],
  flags: ["flags", "uint"],
  revNatIndex: ["rev_nat_index", "uint"],
  txFlagsSeen: ["tx_flags_seen", "uint"],
  rxFlagsSeen: ["rx_flags_seen", "uint"],
  sourceIdentity: ["src_sec_id", "uint"],
  backendId: ["backend_id", "uint"],
  natAddress: ["nat_addr", "address"],
  natPort: ["nat_port", "port"],
});
export type CtEntry = ReturnType<typeof ctEntry.decode>;
