/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* ipcache: IP/CIDR -> security identity, an LPM trie shared by every program
 * of a node, in the layout of Cilium's cilium_ipcache_v2 key. */
#pragma once

#include "common.h"
#include "identity.h"

enum ipcache_family {
	IPCACHE_FAMILY_IPV4 = 1,
};
ABI_TYPE(enum ipcache_family, ipcache_family);
/* Bits of the key before the address: cluster_id, pad, family. */
enum ipcache_prefix {
	IPCACHE_PREFIX_BASE = 32,
};
ABI_TYPE(enum ipcache_prefix, ipcache_prefix);

struct ipcache_key {
	__u32 prefixlen;   /* IPCACHE_PREFIX_BASE + address prefix length */
	__u16 cluster_id;
	__u8 pad;
	__u8 family;       /* IPCACHE_FAMILY_IPV4 */
	__be32 addr[4];    /* IPv4 in addr[0], the rest 0 */
};

struct ipcache_value {
	__u32 sec_identity;
	__be32 tunnel_endpoint; /* node IP hosting the address when it is another node, else 0 */
	__u8 encrypt_key;
	__u8 flags;
	__u16 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__type(key, struct ipcache_key);
	__type(value, struct ipcache_value);
	__uint(max_entries, 16384);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} eb_ipcache SEC(".maps");

/* The longest prefix of the ipcache holding addr, or NULL. */
static __always_inline struct ipcache_value *ipcache_lookup(__be32 addr)
{
	struct ipcache_key key = {
		.prefixlen = IPCACHE_PREFIX_BASE + 32,
		.family = IPCACHE_FAMILY_IPV4,
		.addr = { addr },
	};

	return bpf_map_lookup_elem(&eb_ipcache, &key);
}

/* The identity of addr: the longest matching prefix, else world. */
static __always_inline __u32 ipcache_identity(__be32 addr)
{
	struct ipcache_value *value = ipcache_lookup(addr);

	return value ? value->sec_identity : IDENTITY_WORLD;
}

/* The node hosting addr when that is another node of the cluster, else 0. */
static __always_inline __be32 ipcache_remote_node(__be32 addr)
{
	struct ipcache_value *value = ipcache_lookup(addr);

	return value ? value->tunnel_endpoint : 0;
}
