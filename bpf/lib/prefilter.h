/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The XDP prefilter's CIDR deny-list: source prefixes dropped before any
 * other processing, as Cilium's cilium_cidr_v4_dyn. */
#pragma once

#include "common.h"

struct prefilter_key {
	__u32 prefixlen;  /* 0..32 */
	__be32 addr;
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__type(key, struct prefilter_key);
	__type(value, __u8);  /* unused, 0 */
	__uint(max_entries, 16384);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} eb_prefilter4 SEC(".maps");

static __always_inline bool prefilter_denies(__be32 saddr)
{
	struct prefilter_key key = { .prefixlen = 32, .addr = saddr };

	return bpf_map_lookup_elem(&eb_prefilter4, &key) != NULL;
}
