/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Service load-balancing maps, in the layout of Cilium's cilium_lb4_*
 * (CILIUM-FACTS 6.8), shared by the node's programs. Per frontend, slot 0
 * is the service (count = number of backend slots); slots 1..count name
 * the backends. */
#pragma once

#include "common.h"

struct lb4_key {
	__be32 address;      /* frontend address */
	__be16 dport;        /* frontend port */
	__u16 backend_slot;  /* 0: the service; 1..count: a backend */
	__u8 proto;          /* IPPROTO_TCP / IPPROTO_UDP */
	__u8 scope;          /* 0 external, 1 internal (traffic policy, later) */
	__u8 pad[2];
};

struct lb4_service {
	__u32 backend_id;      /* slots 1..count: the backend */
	__u16 count;           /* slot 0: number of backend slots */
	__u16 rev_nat_index;   /* the service's ID */
	__u8 flags;
	__u8 flags2;
	__u16 qcount;
};

struct lb4_backend {
	__be32 address;
	__be16 port;
	__u8 proto;
	__u8 flags;   /* state (active, terminating, ...) */
	__u16 cluster_id;
	__u8 zone;
	__u8 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct lb4_key);
	__type(value, struct lb4_service);
	__uint(max_entries, 65536);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} eb_lb4_services SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, struct lb4_backend);
	__uint(max_entries, 65536);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} eb_lb4_backends SEC(".maps");
