/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Drop reasons, with Cilium's numbers (bpf/lib/drop_reasons.h, flow.proto
 * DropReason): events and metrics carry the positive code, functions return it
 * negated. Only the reasons this datapath emits are listed. */
#pragma once

#define DROP_INVALID_SIP 132        /* source IP is not the endpoint's */
#define DROP_POLICY 133             /* no policy entry allows the packet */
#define DROP_INVALID 134            /* malformed IPv4/IPv6 header */
#define DROP_CT_INVALID_HDR 135     /* L4 header truncated */
#define DROP_CT_UNKNOWN_PROTO 137   /* L4 protocol not tracked (not TCP/UDP/ICMP/SCTP) */
#define DROP_UNKNOWN_L3 139         /* neither IPv4 nor ARP (IPv6 included: see README) */
#define DROP_MISSED_TAIL_CALL 140   /* calls map slot empty */
#define DROP_WRITE_ERROR 141        /* a NAT rewrite of the packet failed */
#define DROP_CSUM_L4 154            /* SCTP: a port rewrite would break its CRC32c */
#define DROP_CT_CREATE_FAILED 155   /* conntrack map update failed */
#define DROP_FRAG_NOSUPPORT 157     /* IPv4 fragment */
#define DROP_NO_SERVICE 158         /* service without a usable backend */
#define DROP_UNSUPPORTED_L2 166     /* runt frame or 802.3 length field */
#define DROP_IS_CLUSTER_IP 174      /* a ClusterIP reached from outside the cluster */
#define DROP_PROXY_UNSUPPORTED 180  /* policy asks for an L7 proxy: not yet provided */
#define DROP_POLICY_DENY 181        /* a deny entry matched (and the XDP CIDR deny-list) */
#define DROP_VLAN_FILTERED 182      /* 802.1Q / 802.1ad tagged frame on the node device */
