/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* L4 headers: the ports conntrack and policy use. TCP, UDP, ICMP and SCTP are
 * tracked; anything else is dropped. Fragments are not reassembled: every
 * fragment is dropped, as Cilium without ENABLE_IPV4_FRAGMENTS. */
#pragma once

#include "common.h"
#include "drop.h"
#include "ipv4.h"

/* IPv4 frag_off bits (host order). */
#define IPV4_MORE_FRAGMENTS 0x2000
#define IPV4_FRAGMENT_OFFSET 0x1fff

/* TCP flag bits in byte 13 of the header (linux/tcp.h's TCP_FLAG_* are 32-bit words). */
#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_ACK 0x10

/* The SCTP common header (RFC 9260 3.1); UAPI headers do not define it. */
struct sctp_common_hdr {
	__be16 source;
	__be16 dest;
	__be32 vtag;
	__be32 checksum;
};

/* ICMP's echo header and types (linux/icmp.h would pull in libc headers). */
struct icmp_echo_hdr {
	__u8 type;
	__u8 code;
	__sum16 checksum;
	__be16 id;
	__be16 sequence;
};

#define ICMP_ECHOREPLY 0
#define ICMP_ECHO 8

/* The part of every L4 header that is read: ports sit first in TCP, UDP and SCTP. */
struct l4_ports {
	__be16 source;
	__be16 dest;
};

static __always_inline __u32 l4_min_header_len(__u8 proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return sizeof(struct tcphdr);
	case IPPROTO_UDP:
		return sizeof(struct udphdr);
	case IPPROTO_SCTP:
		return sizeof(struct sctp_common_hdr);
	case IPPROTO_ICMP:
		return sizeof(struct icmp_echo_hdr);
	default:
		return 0;
	}
}

/* Fills the L4 part of *p (ipv4_parse first); returns 0 or a drop. */
static __always_inline int l4_parse(void *data, void *data_end, struct ipv4_packet *p)
{
	__u32 min_len = l4_min_header_len(p->proto);
	__u32 l4_off = p->l4_off;
	void *l4;

	if (p->frag_off & (IPV4_MORE_FRAGMENTS | IPV4_FRAGMENT_OFFSET))
		return -DROP_FRAG_NOSUPPORT;
	if (min_len == 0)
		return -DROP_CT_UNKNOWN_PROTO;
	/* l4_off is 34..74: bounded for the verifier. */
	if (l4_off > ETH_HLEN + 60)
		return -DROP_INVALID;
	l4 = data + l4_off;
	if (l4 + min_len > data_end)
		return -DROP_CT_INVALID_HDR;

	if (p->proto == IPPROTO_ICMP) {
		struct icmp_echo_hdr *icmp = l4;

		/* An echo and its reply share a conntrack entry: the identifier is the
		 * request's source port and the reply's destination port. */
		p->sport = 0;
		p->dport = 0;
		if (icmp->type == ICMP_ECHO)
			p->sport = icmp->id;
		else if (icmp->type == ICMP_ECHOREPLY)
			p->dport = icmp->id;
		p->policy_port = icmp->type;
		p->tcp_flags = 0;
		return 0;
	}

	struct l4_ports *ports = l4;

	p->sport = ports->source;
	p->dport = ports->dest;
	p->policy_port = bpf_ntohs(ports->dest);
	p->tcp_flags = p->proto == IPPROTO_TCP ? ((__u8 *)l4)[13] : 0;
	return 0;
}
