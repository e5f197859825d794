/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Drop reasons, with Cilium's numbers (bpf/lib/drop_reasons.h, flow.proto
 * DropReason): events and metrics carry the positive code, functions return it
 * negated. Only the reasons this datapath emits are listed. */
#pragma once

#include "abi.h"

enum drop_reason {
	DROP_INVALID_SIP = 132,        /* source IP is not the endpoint's */
	DROP_POLICY = 133,             /* no policy entry allows the packet */
	DROP_INVALID = 134,            /* malformed IPv4/IPv6 header */
	DROP_CT_INVALID_HDR = 135,     /* L4 header truncated */
	DROP_CT_UNKNOWN_PROTO = 137,   /* L4 protocol not tracked (not TCP/UDP/ICMP/SCTP) */
	DROP_UNKNOWN_L3 = 139,         /* neither IPv4 nor ARP (IPv6 included: see README) */
	DROP_MISSED_TAIL_CALL = 140,   /* calls map slot empty */
	DROP_WRITE_ERROR = 141,        /* a NAT rewrite of the packet failed */
	DROP_CSUM_L4 = 154,            /* SCTP: a port rewrite would break its CRC32c */
	DROP_CT_CREATE_FAILED = 155,   /* conntrack map update failed */
	DROP_FRAG_NOSUPPORT = 157,     /* IPv4 fragment */
	DROP_NO_SERVICE = 158,         /* service without a usable backend */
	DROP_UNSUPPORTED_L2 = 166,     /* runt frame or 802.3 length field */
	DROP_IS_CLUSTER_IP = 174,      /* a ClusterIP reached from outside the cluster */
	DROP_PROXY_UNSUPPORTED = 180,  /* policy asks for an L7 proxy: not yet provided */
	DROP_POLICY_DENY = 181,        /* a deny entry matched (and the XDP CIDR deny-list) */
	DROP_VLAN_FILTERED = 182,      /* 802.1Q / 802.1ad tagged frame on the node device */
};
ABI_TYPE(enum drop_reason, drop_reason);
