/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Direct server return (cilium `loadBalancer.mode: dsr`, Cilium's IPv4
 * option dispatch). A node that translates a NodePort, LoadBalancer or
 * externalIPs packet from outside to a backend on another node keeps the
 * client's address (no SNAT) and tells the backend's node the frontend in an
 * IPv4 option placed right after the fixed header: type DSR_IPV4_OPT_TYPE,
 * length 8, the frontend's port, then its address (network order). TCP
 * carries it on the SYN only; the backend's node remembers it in conntrack
 * (TUPLE_F_DSR) when the packet arrives, and the backend's replies leave its
 * pod with the frontend as their source, straight to the client. */
#pragma once

#include <stddef.h>
#include "common.h"
#include "drop.h"
#include "ipv4.h"
#include "l4.h"
#include "conntrack.h"

/* 1 when the node's load balancer is in DSR mode (set by the loader). */
volatile const __u8 lb_mode_dsr = 0;

/* IPOPT_COPY | 26: copied into fragments, Cilium's number. */
#define DSR_IPV4_OPT_TYPE 0x9a

struct dsr_opt_v4 {
	__u8 type;
	__u8 len;
	__be16 port;
	__be32 addr;
};

#define IPV4_MAX_HEADER 60

/* Puts the frontend addr:port in an option of the packet p (already DNATed
 * to its backend); p's L4 offset follows. Returns 0 or a drop. */
static __always_inline int dsr_set_opt4(struct __sk_buff *ctx, struct ipv4_packet *p, __be32 addr,
					__be16 port)
{
	struct dsr_opt_v4 opt = { .type = DSR_IPV4_OPT_TYPE, .len = sizeof(opt), .port = port, .addr = addr };
	__u32 hdr_len = p->l4_off - ETH_HLEN;
	__u8 first[4], grown[4];
	__s64 sum;

	if (p->proto == IPPROTO_TCP && !(p->tcp_flags & TCP_SYN))
		return 0;
	if (hdr_len + sizeof(opt) > IPV4_MAX_HEADER)
		return -DROP_CT_INVALID_HDR;
	/* version and IHL, TOS, total length: the word the option changes. */
	if (bpf_skb_load_bytes(ctx, ETH_HLEN, first, sizeof(first)) < 0)
		return -DROP_INVALID;
	__builtin_memcpy(grown, first, sizeof(grown));
	grown[0] += sizeof(opt) / 4;
	__u16 tot_len = ((__u16)first[2] << 8 | first[3]) + sizeof(opt);
	grown[2] = tot_len >> 8;
	grown[3] = tot_len & 0xff;
	sum = bpf_csum_diff((__be32 *)first, sizeof(first), (__be32 *)grown, sizeof(grown), 0);
	sum = bpf_csum_diff(NULL, 0, (__be32 *)&opt, sizeof(opt), sum);
	if (sum < 0)
		return -DROP_WRITE_ERROR;
	if (bpf_skb_adjust_room(ctx, sizeof(opt), BPF_ADJ_ROOM_NET, 0) < 0)
		return -DROP_INVALID;
	if (bpf_skb_store_bytes(ctx, ETH_HLEN, grown, sizeof(grown), 0) < 0 ||
	    bpf_skb_store_bytes(ctx, ETH_HLEN + sizeof(struct iphdr), &opt, sizeof(opt), 0) < 0 ||
	    bpf_l3_csum_replace(ctx, ETH_HLEN + offsetof(struct iphdr, check), 0, sum, 0) < 0)
		return -DROP_WRITE_ERROR;
	p->l4_off += sizeof(opt);
	return 0;
}

/* On the backend's node: when p carries the option, remembers the frontend
 * for the reply. Returns 0 or a drop. */
static __always_inline int dsr_remember4(struct __sk_buff *ctx, const struct ipv4_packet *p)
{
	struct dsr_opt_v4 opt;

	if (p->l4_off < ETH_HLEN + sizeof(struct iphdr) + sizeof(opt))
		return 0;
	if (bpf_skb_load_bytes(ctx, ETH_HLEN + sizeof(struct iphdr), &opt, sizeof(opt)) < 0)
		return -DROP_INVALID;
	if (opt.type != DSR_IPV4_OPT_TYPE || opt.len != sizeof(opt))
		return 0;

	struct ct_key key = ct_key_of(p, TUPLE_F_DSR);
	struct ct_entry entry = {
		.flags = CT_F_DSR,
		.nat_addr = opt.addr,
		.nat_port = opt.port,
	};

	entry.lifetime = ct_now_seconds() + (p->proto == IPPROTO_TCP ? CT_LIFETIME_TCP : CT_LIFETIME_NONTCP);
	if (bpf_map_update_elem(&eb_ct4, &key, &entry, BPF_ANY) < 0)
		return -DROP_CT_CREATE_FAILED;
	return 0;
}

/* The DSR entry whose reply p is (p leaving the backend's pod), or NULL. */
static __always_inline struct ct_entry *dsr_entry_of_reply(const struct ipv4_packet *p)
{
	struct ct_key key = ct_reply_key_of(p, TUPLE_F_DSR);

	return bpf_map_lookup_elem(&eb_ct4, &key);
}
