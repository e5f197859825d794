/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Rewriting a TCP or UDP packet's source or destination (address and port)
 * with its checksums: the IPv4 header's, and the L4 one over the pseudo
 * header. A UDP checksum of 0 (none) stays 0 (BPF_F_MARK_MANGLED_0). */
#pragma once

#include <stddef.h>
#include "common.h"
#include "drop.h"
#include "ipv4.h"
#include "l4.h"

#define NAT_SOURCE true
#define NAT_DESTINATION false

/* Rewrites one end of the packet to addr:port and updates *p; returns 0 or a
 * drop. SCTP: the address only; a port change would need its CRC32c
 * recomputed, which no helper does (DROP_CSUM_L4). */
static __always_inline int nat4_rewrite(struct __sk_buff *ctx, struct ipv4_packet *p, bool source,
					__be32 addr, __be16 port)
{
	__u32 addr_off = ETH_HLEN + (source ? offsetof(struct iphdr, saddr) : offsetof(struct iphdr, daddr));
	__u32 port_off = p->l4_off + (source ? 0 : 2);
	__u32 csum_off = p->l4_off + (p->proto == IPPROTO_TCP ? offsetof(struct tcphdr, check) :
				      offsetof(struct udphdr, check));
	__u64 l4_flags = p->proto == IPPROTO_UDP ? BPF_F_MARK_MANGLED_0 : 0;
	__be32 old_addr = source ? p->saddr : p->daddr;
	__be16 old_port = source ? p->sport : p->dport;

	if (p->proto == IPPROTO_SCTP) {
		if (port != old_port)
			return -DROP_CSUM_L4;
		if (bpf_l3_csum_replace(ctx, ETH_HLEN + offsetof(struct iphdr, check), old_addr, addr, 4) < 0 ||
		    bpf_skb_store_bytes(ctx, addr_off, &addr, 4, 0) < 0)
			return -DROP_WRITE_ERROR;
	} else if (bpf_l4_csum_replace(ctx, csum_off, old_addr, addr, l4_flags | BPF_F_PSEUDO_HDR | 4) < 0 ||
		   bpf_l4_csum_replace(ctx, csum_off, old_port, port, l4_flags | 2) < 0 ||
		   bpf_l3_csum_replace(ctx, ETH_HLEN + offsetof(struct iphdr, check), old_addr, addr, 4) < 0 ||
		   bpf_skb_store_bytes(ctx, addr_off, &addr, 4, 0) < 0 ||
		   bpf_skb_store_bytes(ctx, port_off, &port, 2, 0) < 0) {
		return -DROP_WRITE_ERROR;
	}
	if (source) {
		p->saddr = addr;
		p->sport = port;
	} else {
		p->daddr = addr;
		p->dport = port;
		p->policy_port = bpf_ntohs(port);
	}
	return 0;
}
