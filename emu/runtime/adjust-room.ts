// bpf_skb_adjust_room (helper 50) with the kernel's semantics
// (net/core/filter.c) on the skb of a tc run: its checks and errors in the
// kernel's order, then room opened or closed right after the MAC header
// (BPF_ADJ_ROOM_MAC) or after the fixed network header, 20 bytes for IPv4 and
// 40 for IPv6 whatever the header's own length (BPF_ADJ_ROOM_NET). The bytes
// before that point move; new room is zeroed. skb->data, data_end, data_meta
// and len follow, as bpf_compute_data_pointers() makes them. The packet grows
// into the room the host set aside around it (setPacketRoom): the kernel's
// skb_cow_head() reallocates instead, so only a host that gave too little sees
// -ENOMEM. Encapsulation and decapsulation flags change the skb's metadata
// (inner headers, protocol), which the VM does not model: they stop the run
// with a fault rather than return what the kernel would not.

import { contextAddress, movePacket, packetCeiling, packetEnd, packetFloor, packetStart } from "./context";
import { EFAULT, EINVAL, ENOMEM } from "./errno";
import { Fault, HelperProblem, raiseDetail } from "./fault";
import { moveRegion } from "./regions";

/** The kernel's internal ENOTSUPP, which this helper returns as it is. */
const ENOTSUPP: i64 = 524;

// struct __sk_buff (include/uapi/linux/bpf.h)
const SKB_LEN: usize = 0;
const SKB_PROTOCOL: usize = 16;
const SKB_DATA: usize = 76;
const SKB_DATA_END: usize = 80;
const SKB_DATA_META: usize = 140;
const SKB_GSO_SIZE: usize = 176;

/** skb->protocol as a little-endian load of the big-endian field reads it. */
const PROTOCOL_IP: u32 = 0x0008;
const PROTOCOL_IPV6: u32 = 0xdd86;
/** A tc program's skb starts at its Ethernet header: the MAC header's length. */
const ETH_HLEN: u32 = 14;

const BPF_ADJ_ROOM_NET: u32 = 0;
const BPF_ADJ_ROOM_MAC: u32 = 1;

const FIXED_GSO: u64 = 1 << 0;
const ENCAP_L3_IPV4: u64 = 1 << 1;
const ENCAP_L3_IPV6: u64 = 1 << 2;
const ENCAP_L4_GRE: u64 = 1 << 3;
const ENCAP_L4_UDP: u64 = 1 << 4;
const NO_CSUM_RESET: u64 = 1 << 5;
const ENCAP_L2_ETH: u64 = 1 << 6;
const DECAP_L3_IPV4: u64 = 1 << 7;
const DECAP_L3_IPV6: u64 = 1 << 8;
const ENCAP_L2_LEN: u64 = <u64>0xff << 56;
const ENCAP_L3: u64 = ENCAP_L3_IPV4 | ENCAP_L3_IPV6;
const DECAP_L3: u64 = DECAP_L3_IPV4 | DECAP_L3_IPV6;
const KNOWN_FLAGS: u64 = FIXED_GSO | ENCAP_L3 | ENCAP_L4_GRE | ENCAP_L4_UDP | ENCAP_L2_ETH | ENCAP_L2_LEN | DECAP_L3 | NO_CSUM_RESET;
const SHRINK_FLAGS: u64 = FIXED_GSO | DECAP_L3 | NO_CSUM_RESET;

/** SKB_MAX_ALLOC on x86-64: the longest a non-GSO skb may grow. */
const MAX_LEN: u32 = 16384 - 320;

/** What the helper returns: 0, or a negated errno. */
export function adjustRoom(lenDiff: i32, mode: u32, flags: u64, pc: i32): i64 {
  // abs() of the s32, taken as a u32 (INT_MIN stays 0x80000000).
  const diff: u32 = lenDiff < 0 ? <u32>(0 - lenDiff) : <u32>lenDiff;
  const shrink = lenDiff < 0;
  if ((flags & ~KNOWN_FLAGS) != 0) return -EINVAL;
  if (diff > 0xfff) return -EFAULT;
  const protocol = load<u32>(<usize>contextAddress + SKB_PROTOCOL);
  if (protocol != PROTOCOL_IP && protocol != PROTOCOL_IPV6) return -ENOTSUPP;
  let minimum: u32 = protocol == PROTOCOL_IP ? 20 : 40;
  let offset = ETH_HLEN;
  if (mode == BPF_ADJ_ROOM_NET) offset += minimum;
  else if (mode != BPF_ADJ_ROOM_MAC) return -ENOTSUPP;
  if ((flags & DECAP_L3) != 0) {
    if (!shrink || (flags & DECAP_L3) == DECAP_L3) return -EINVAL;
    raiseDetail(Fault.HelperArgument, HelperProblem.UnsupportedFlags, pc);
  }
  const length = <u32>(packetEnd - packetStart);
  const gso = load<u32>(<usize>contextAddress + SKB_GSO_SIZE) != 0;
  const current = length - ETH_HLEN;
  if (shrink && (diff >= current || current - diff < minimum)) return -ENOTSUPP;
  if (!shrink && length + diff > MAX_LEN && !gso) return -ENOTSUPP;
  // A test run's GSO skb has no gso_type: neither TCP nor UDP_L4, which both directions refuse.
  if (shrink) {
    if ((flags & ~SHRINK_FLAGS) != 0) return -EINVAL;
    if (gso) return -ENOTSUPP;
    if (offset + diff > length) return -ENOMEM;
    memory.copy(packetStart + <usize>diff, packetStart, <usize>offset);
    resize(packetStart + <usize>diff, packetEnd);
    return 0;
  }
  if (gso) return -ENOTSUPP;
  if ((flags & ENCAP_L3) != 0) raiseDetail(Fault.HelperArgument, HelperProblem.UnsupportedFlags, pc);
  // A runt shorter than the offset (only runSkb takes one) moves what it has.
  const moved = min<u32>(offset, length);
  if (packetStart >= packetFloor + <usize>diff) {
    const start = packetStart - <usize>diff;
    memory.copy(start, packetStart, <usize>moved);
    resize(start, packetEnd);
  } else if (packetEnd + <usize>diff <= packetCeiling) {
    memory.copy(packetStart + <usize>(moved + diff), packetStart + <usize>moved, <usize>(length - moved));
    resize(packetStart, packetEnd + <usize>diff);
  } else {
    return -ENOMEM;
  }
  memory.fill(packetStart + <usize>moved, 0, <usize>diff);
  return 0;
}

function resize(start: usize, end: usize): void {
  moveRegion(<u64>packetStart, <u64>packetEnd, <u64>start, <u64>end);
  movePacket(start, end);
  const context = <usize>contextAddress;
  store<u32>(context + SKB_LEN, <u32>(end - start));
  store<u32>(context + SKB_DATA, <u32>start);
  store<u32>(context + SKB_DATA_END, <u32>end);
  store<u32>(context + SKB_DATA_META, <u32>start);
}
