/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* IPv4 header: addresses, protocol and where L4 starts. Options are allowed
 * (the IHL says where L4 starts); l4.h refuses fragments. */
#pragma once

#include "common.h"
#include "drop.h"

/* What the programs know of a packet once parsed (l4.h fills the L4 part). */
struct ipv4_packet {
	__be32 saddr;
	__be32 daddr;
	__u32 l4_off;       /* from the start of the frame */
	__u16 frag_off;     /* host order, flags included */
	__u8 proto;
	__u8 tcp_flags;     /* TCP only: byte 13 of the TCP header */
	__be16 sport;       /* conntrack ports: TCP/UDP/SCTP ports, ICMP echo identifier */
	__be16 dport;
	__u16 policy_port;  /* host order: destination port, or the ICMP type */
};

/* Fills the L3 part of *p; returns 0 or -DROP_INVALID. */
static __always_inline int ipv4_parse(void *data, void *data_end, struct ipv4_packet *p)
{
	struct iphdr *ip = data + ETH_HLEN;
	__u32 hdr_len;

	if ((void *)(ip + 1) > data_end)
		return -DROP_INVALID;
	if (ip->version != 4 || ip->ihl < 5)
		return -DROP_INVALID;
	hdr_len = ip->ihl * 4;
	if (bpf_ntohs(ip->tot_len) < hdr_len)
		return -DROP_INVALID;
	p->saddr = ip->saddr;
	p->daddr = ip->daddr;
	p->proto = ip->protocol;
	p->frag_off = bpf_ntohs(ip->frag_off);
	p->l4_off = ETH_HLEN + hdr_len;
	return 0;
}
