/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Per-endpoint policy: an LPM trie keyed by peer identity, direction,
 * protocol and port, decided in Cilium 1.16+'s precedence
 * (bpf/lib/policy.h): a deny for the peer wins at once; otherwise the
 * peer's entry and the any-peer entry compete, the more specific L4 match
 * winning and a deny winning over an allow. No entry: DROP_POLICY. */
#pragma once

#include "common.h"
#include "drop.h"
#include "identity.h"

enum policy_direction {
	POLICY_INGRESS = 0,
	POLICY_EGRESS = 1,
};
ABI_TYPE(enum policy_direction, policy_direction);

/* Bits of the key before the L4 part: sec_label and egress. */
enum policy_prefix {
	POLICY_PREFIX_BASE = 40,
	POLICY_FULL_PREFIX = 64,
};
ABI_TYPE(enum policy_prefix, policy_prefix);

/* Hubble's policy_match_type. */
enum policy_match_type {
	MATCH_NONE = 0,
	MATCH_L3_ONLY = 1,
	MATCH_L3_L4 = 2,
	MATCH_L4_ONLY = 3,
	MATCH_ALL = 4,
	MATCH_L3_PROTO = 5,
	MATCH_PROTO_ONLY = 6,
};
ABI_TYPE(enum policy_match_type, policy_match_type);

struct policy_key {
	__u32 prefixlen;  /* POLICY_PREFIX_BASE + port_prefix_len of the entry */
	__u32 sec_label;  /* peer identity, IDENTITY_ANY for any peer */
	__u8 egress;      /* POLICY_INGRESS or POLICY_EGRESS */
	__u8 protocol;    /* IPPROTO_*, 0 with port_prefix_len 0 */
	__be16 dport;     /* destination port, or ICMP type; a port range is a prefix */
};

enum policy_entry_flags {
	POLICY_F_DENY = 1,
};
ABI_TYPE(enum policy_entry_flags, policy_entry_flags);

struct policy_entry {
	__be16 proxy_port;     /* L7 proxy redirect (later); 0 = none */
	__u8 flags;            /* POLICY_F_DENY */
	__u8 port_prefix_len;  /* bits of protocol+dport the entry fixes: 0, 8, 9..24 */
	__u32 cookie;          /* the rule that made the entry, for flows */
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__type(key, struct policy_key);
	__type(value, struct policy_entry);
	__uint(max_entries, 16384);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} eb_policy SEC(".maps");

static __always_inline struct policy_entry *
policy_lookup(__u32 identity, __u8 egress, __u8 protocol, __u16 port)
{
	struct policy_key key = {
		.prefixlen = POLICY_FULL_PREFIX,
		.sec_label = identity,
		.egress = egress,
		.protocol = protocol,
		.dport = bpf_htons(port),
	};

	return bpf_map_lookup_elem(&eb_policy, &key);
}

static __always_inline __u8 policy_match_type(bool peer_specific, __u8 port_prefix_len)
{
	if (port_prefix_len == 0)
		return peer_specific ? MATCH_L3_ONLY : MATCH_ALL;
	if (port_prefix_len == 8)
		return peer_specific ? MATCH_L3_PROTO : MATCH_PROTO_ONLY;
	return peer_specific ? MATCH_L3_L4 : MATCH_L4_ONLY;
}

/* The entry that decided, for the flow: its match type and cookie. */
struct policy_match {
	__u32 cookie;
	__u8 type;
};

/* Decides a new connection to or from peer; returns 0 or a drop, and what
 * matched in *match. */
static __always_inline int policy_decide(__u32 peer, __u8 egress, __u8 protocol,
					 __u16 port, struct policy_match *match)
{
	struct policy_entry *peer_entry = policy_lookup(peer, egress, protocol, port);
	struct policy_entry *chosen = peer_entry;
	bool peer_specific = true;

	match->type = MATCH_NONE;
	match->cookie = 0;
	if (peer_entry && (peer_entry->flags & POLICY_F_DENY)) {
		match->type = policy_match_type(true, peer_entry->port_prefix_len);
		match->cookie = peer_entry->cookie;
		return -DROP_POLICY_DENY;
	}

	struct policy_entry *any_entry = policy_lookup(IDENTITY_ANY, egress, protocol, port);

	if (any_entry && (!peer_entry || (any_entry->flags & POLICY_F_DENY) ||
			  any_entry->port_prefix_len > peer_entry->port_prefix_len)) {
		chosen = any_entry;
		peer_specific = false;
	}
	if (!chosen)
		return -DROP_POLICY;
	match->type = policy_match_type(peer_specific, chosen->port_prefix_len);
	match->cookie = chosen->cookie;
	if (chosen->flags & POLICY_F_DENY)
		return -DROP_POLICY_DENY;
	if (chosen->proxy_port)
		return -DROP_PROXY_UNSUPPORTED;
	return 0;
}
