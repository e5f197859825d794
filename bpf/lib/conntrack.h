/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Connection tracking, an LRU hash shared by every endpoint of a node. An
 * entry is keyed by its connection's first packet as one endpoint saw it:
 * TUPLE_F_OUT when the endpoint sent it (egress), TUPLE_F_IN when it
 * received it (ingress). A packet is ESTABLISHED when its own tuple is found
 * with its direction's flag, REPLY when its reversed tuple is found with the
 * other flag, else NEW. Service translation adds entries of two more kinds
 * (TUPLE_F_SERVICE, TUPLE_F_NODEPORT), which are never NEW/REPLY matches of a
 * packet's own tuple. Time only sets lifetimes: the datapath never expires
 * an entry (the agent's garbage collector does, as in Cilium). */
#pragma once

#include "common.h"
#include "drop.h"
#include "ipv4.h"
#include "l4.h"

enum tuple_flags {
	TUPLE_F_OUT = 0,
	TUPLE_F_IN = 1,
	/* A connection to a service frontend, keyed by the frontend: its backend. */
	TUPLE_F_SERVICE = 4,
	/* A connection the node translated from the network (NodePort, LoadBalancer,
	 * externalIPs), keyed by the packet as it left the translation: its reply is
	 * translated back at the node's device. */
	TUPLE_F_NODEPORT = 8,
	/* A connection a DSR load balancer forwarded to a backend on this node
	 * (lib/dsr.h), keyed by the request as it arrived (client to backend): its
	 * nat_addr and nat_port hold the frontend the backend's reply comes from. */
	TUPLE_F_DSR = 16,
};
ABI_TYPE(enum tuple_flags, tuple_flags);

enum ct_status {
	CT_NEW = 0,
	CT_ESTABLISHED = 1,
	CT_REPLY = 2,
};
ABI_TYPE(enum ct_status, ct_status);

/* Lifetimes in seconds, Cilium's defaults. */
enum ct_lifetime {
	CT_LIFETIME_TCP = 21600,
	CT_LIFETIME_SYN = 60,     /* TCP before a non-SYN packet was seen */
	CT_LIFETIME_NONTCP = 60,
	CT_LIFETIME_CLOSING = 10, /* RST, or FIN in both directions */
};
ABI_TYPE(enum ct_lifetime, ct_lifetime);

enum ct_entry_flags {
	CT_F_RX_CLOSING = 0x1,
	CT_F_TX_CLOSING = 0x2,
	CT_F_SEEN_NON_SYN = 0x4,
	CT_F_DSR = 0x8, /* DSR: the reply bypasses the node that translated the request */
	/* Cilium's lb_loopback: a pod's connection to itself through a service,
	 * its source SNATed to IPV4_LOOPBACK (bpf_lxc). */
	CT_F_LB_LOOPBACK = 0x10,
};
ABI_TYPE(enum ct_entry_flags, ct_entry_flags);

struct ct_key {
	__be32 daddr;
	__be32 saddr;
	__be16 dport;
	__be16 sport;
	__u8 nexthdr;
	__u8 flags;   /* TUPLE_F_* */
	__u16 pad;
};

struct ct_entry {
	__u64 packets;        /* both directions */
	__u64 bytes;
	__u32 lifetime;       /* expiry: seconds of the monotonic clock (a time field) */
	__u16 flags;          /* CT_F_* */
	__u16 rev_nat_index;  /* the service whose translation replies undo, 0 for none */
	__u8 tx_flags_seen;   /* TCP flags seen from the connection's source */
	__u8 rx_flags_seen;   /* TCP flags seen in replies */
	__u16 pad;
	__u32 src_sec_id;     /* identity of the connection's source */
	__u32 backend_id;     /* the service backend the connection was given */
	__be32 nat_addr;      /* TUPLE_F_NODEPORT with SNAT: the client's address and port;
			       * TUPLE_F_DSR: the frontend's */
	__be16 nat_port;
	__u16 pad2;
	__u32 pad3;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct ct_key);
	__type(value, struct ct_entry);
	__uint(max_entries, 65536);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} eb_ct4 SEC(".maps");

/* The key of the packet's own direction. */
static __always_inline struct ct_key ct_key_of(const struct ipv4_packet *p, __u8 flags)
{
	return (struct ct_key){
		.daddr = p->daddr,
		.saddr = p->saddr,
		.dport = p->dport,
		.sport = p->sport,
		.nexthdr = p->proto,
		.flags = flags,
	};
}

/* The key of the connection the packet is a reply to. */
static __always_inline struct ct_key ct_reply_key_of(const struct ipv4_packet *p, __u8 flags)
{
	return (struct ct_key){
		.daddr = p->saddr,
		.saddr = p->daddr,
		.dport = p->sport,
		.sport = p->dport,
		.nexthdr = p->proto,
		.flags = flags,
	};
}

static __always_inline __u32 ct_now_seconds(void)
{
	return bpf_ktime_get_ns() / 1000000000ULL;
}

static __always_inline __u32 ct_lifetime(const struct ct_entry *entry, __u8 proto)
{
	__u16 closing = CT_F_RX_CLOSING | CT_F_TX_CLOSING;

	if (proto != IPPROTO_TCP)
		return CT_LIFETIME_NONTCP;
	if ((entry->flags & closing) == closing)
		return CT_LIFETIME_CLOSING;
	return entry->flags & CT_F_SEEN_NON_SYN ? CT_LIFETIME_TCP : CT_LIFETIME_SYN;
}

/* Folds one packet into entry; reply says in which direction it went. */
static __always_inline void ct_account(struct ct_entry *entry, const struct ipv4_packet *p,
				       __u32 len, bool reply)
{
	__u8 tcp_flags = p->tcp_flags;

	__sync_fetch_and_add(&entry->packets, 1);
	__sync_fetch_and_add(&entry->bytes, len);
	if (p->proto == IPPROTO_TCP) {
		if (reply)
			entry->rx_flags_seen |= tcp_flags;
		else
			entry->tx_flags_seen |= tcp_flags;
		if (!(tcp_flags & TCP_SYN))
			entry->flags |= CT_F_SEEN_NON_SYN;
		if (tcp_flags & TCP_RST)
			entry->flags |= CT_F_RX_CLOSING | CT_F_TX_CLOSING;
		else if (tcp_flags & TCP_FIN)
			entry->flags |= reply ? CT_F_RX_CLOSING : CT_F_TX_CLOSING;
	}
	entry->lifetime = ct_now_seconds() + ct_lifetime(entry, p->proto);
}

static __always_inline bool ct_is_closed(const struct ct_entry *entry)
{
	__u16 closing = CT_F_RX_CLOSING | CT_F_TX_CLOSING;

	return (entry->flags & closing) == closing;
}

/* Looks the packet up and accounts it; returns CT_NEW, CT_ESTABLISHED or
 * CT_REPLY, and the entry's rev_nat_index in *rev_nat_index. */
static __always_inline int ct_lookup(const struct ipv4_packet *p, __u32 len, __u8 tuple_flag,
				     __u16 *rev_nat_index)
{
	struct ct_key key = ct_key_of(p, tuple_flag);
	struct ct_entry *entry = bpf_map_lookup_elem(&eb_ct4, &key);

	if (entry) {
		/* A SYN on a closed connection opens a new one: policy decides again. */
		if (p->proto == IPPROTO_TCP && ct_is_closed(entry) &&
		    (p->tcp_flags & (TCP_SYN | TCP_ACK)) == TCP_SYN) {
			bpf_map_delete_elem(&eb_ct4, &key);
			return CT_NEW;
		}
		ct_account(entry, p, len, false);
		*rev_nat_index = entry->rev_nat_index;
		return CT_ESTABLISHED;
	}

	key = ct_reply_key_of(p, tuple_flag == TUPLE_F_OUT ? TUPLE_F_IN : TUPLE_F_OUT);
	entry = bpf_map_lookup_elem(&eb_ct4, &key);
	if (entry) {
		ct_account(entry, p, len, true);
		*rev_nat_index = entry->rev_nat_index;
		return CT_REPLY;
	}
	return CT_NEW;
}

/* Records a new connection that policy allowed, with the service translation
 * it went through (0, 0 for none) and CT_F_* flags; returns 0 or a drop. */
static __always_inline int ct_create(const struct ipv4_packet *p, __u32 len, __u8 tuple_flag,
				     __u32 src_identity, __u16 rev_nat_index, __u32 backend_id,
				     __u16 flags)
{
	struct ct_key key = ct_key_of(p, tuple_flag);
	struct ct_entry entry = {
		.flags = flags,
		.src_sec_id = src_identity,
		.rev_nat_index = rev_nat_index,
		.backend_id = backend_id,
	};

	ct_account(&entry, p, len, false);
	if (bpf_map_update_elem(&eb_ct4, &key, &entry, BPF_ANY) < 0)
		return -DROP_CT_CREATE_FAILED;
	return 0;
}
