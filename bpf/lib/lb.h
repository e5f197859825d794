/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Service load balancing: the maps in the layout of Cilium's cilium_lb4_*
 * (CILIUM-FACTS 6.8), shared by the node's programs, and the choice of a
 * backend. Per frontend, slot 0 is the service (count = number of backend
 * slots; backend_id holds the affinity timeout); slots 1..count name the
 * backends. Each frontend is its own service, with its own rev_nat_index.
 *
 * A new connection gets its backend from the frontend's Maglev table, indexed
 * by a seeded hash of the connection (never bpf_get_prandom_u32), or from the
 * client's affinity entry. One lookup per map, whatever the number of
 * services: the cost per packet does not grow with them. A Maglev entry
 * carries its backend's address and port beside its ID, so that a new
 * connection is translated after two dependent lookups (service, Maglev
 * entry), not three: with many services each one is a cache miss.
 *
 * Only the agent writes the service maps: programs read them
 * (BPF_F_RDONLY_PROG, which the kernel's verifier enforces). */
#pragma once

#include "common.h"
#include "hash.h"

/* lb4_service.flags and .flags2, Cilium's numbers. */
enum service_flags {
	SVC_FLAG_EXTERNAL_IP = 0x1,
	SVC_FLAG_NODEPORT = 0x2,
	SVC_FLAG_EXT_LOCAL_SCOPE = 0x4,
	SVC_FLAG_AFFINITY = 0x10,
	SVC_FLAG_LOADBALANCER = 0x20,
	SVC_FLAG_ROUTABLE = 0x40,
};
ABI_TYPE(enum service_flags, service_flags);
enum service_flags2 {
	SVC_FLAG2_INT_LOCAL_SCOPE = 0x10,
	SVC_FLAG2_TWO_SCOPES = 0x20,
};
ABI_TYPE(enum service_flags2, service_flags2);

enum lb_scope {
	LB_SCOPE_EXTERNAL = 0,
	LB_SCOPE_INTERNAL = 1,
};
ABI_TYPE(enum lb_scope, lb_scope);

/* 169.254.42.1, Cilium's IPV4_LOOPBACK: the source a pod's hairpin connection
 * to itself through a service leaves from (bpf_lxc), never a pod's or a
 * node's address. In host order, as an enum holds it: bpf_htonl() it. */
enum lb_loopback {
	IPV4_LOOPBACK = 0xa9fe2a01,
};
ABI_TYPE(enum lb_loopback, lb_loopback);

/* Entries of each Maglev table: prime, Cilium's smallest size (its default is
 * 16381; a build with -DLB_MAGLEV_TABLE_SIZE=16381 gives that). */
#ifndef LB_MAGLEV_TABLE_SIZE
#define LB_MAGLEV_TABLE_SIZE 251
#endif

struct lb4_key {
	__be32 address;      /* frontend address */
	__be16 dport;        /* frontend port */
	__u16 backend_slot;  /* 0: the service; 1..count: a backend */
	__u8 proto;          /* IPPROTO_TCP / IPPROTO_UDP */
	__u8 scope;          /* LB_SCOPE_*: internal only when flags2 has TWO_SCOPES */
	__u8 pad[2];
};

struct lb4_service {
	__u32 backend_id;      /* slots 1..count: the backend; slot 0: affinity timeout (s) */
	__u16 count;           /* slot 0: number of backend slots */
	__u16 rev_nat_index;   /* the service's ID */
	__u8 flags;            /* SVC_FLAG_* */
	__u8 flags2;           /* SVC_FLAG2_* */
	__u16 qcount;
};

struct lb4_backend {
	__be32 address;
	__be16 port;
	__u8 proto;
	__u8 flags;   /* state: 0 active, 1 terminating */
	__u16 cluster_id;
	__u8 zone;
	__u8 pad;
};

/* What a reply's source is translated back to. */
struct lb4_reverse_nat {
	__be32 address;
	__be16 port;
	__u16 pad;
};

/* A backend's ID and where it is: an entry of a Maglev table, and the
 * backend a new connection is given. Cilium's inner arrays hold the ID
 * alone; the address and port beside it spare a new connection the lookup
 * in eb_lb4_backends. The agent writes a table whole, from backends it
 * holds, so the copy is the backend's. */
struct lb4_backend_ref {
	__u32 backend_id;   /* 0: none */
	__be32 address;
	__be16 port;
	__u8 pad[2];
};

/* One frontend's Maglev lookup table. */
struct lb4_maglev_table {
	struct lb4_backend_ref entries[LB_MAGLEV_TABLE_SIZE];
};

/* sessionAffinity: ClientIP. */
struct lb4_affinity_key {
	__be32 client;
	__u16 rev_nat_index;
	__u16 pad;
};

struct lb4_affinity_value {
	__u32 last_used;   /* seconds of the monotonic clock (a time field) */
	__u32 backend_id;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct lb4_key);
	__type(value, struct lb4_service);
	__uint(max_entries, 65536);
	__uint(map_flags, BPF_F_NO_PREALLOC | BPF_F_RDONLY_PROG);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} eb_lb4_services SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, struct lb4_backend);
	__uint(max_entries, 65536);
	__uint(map_flags, BPF_F_NO_PREALLOC | BPF_F_RDONLY_PROG);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} eb_lb4_backends SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u16);
	__type(value, struct lb4_reverse_nat);
	__uint(max_entries, 65536);
	__uint(map_flags, BPF_F_NO_PREALLOC | BPF_F_RDONLY_PROG);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} eb_lb4_reverse_nat SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u16);
	__type(value, struct lb4_maglev_table);
	__uint(max_entries, 65536);
	__uint(map_flags, BPF_F_NO_PREALLOC | BPF_F_RDONLY_PROG);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} eb_lb4_maglev SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct lb4_affinity_key);
	__type(value, struct lb4_affinity_value);
	__uint(max_entries, 65536);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} eb_lb4_affinity SEC(".maps");

/* What the socket hooks and NodePort translate: TCP and UDP (Cilium's socket
 * LB has no SCTP, nor has its kube-proxy replacement). */
static __always_inline bool lb4_proto_supported(__u8 proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP;
}

/* What a pod's packets get translated for: SCTP too (Cilium's SCTP support,
 * pod to service, with the frontend's port as the backend's). */
static __always_inline bool lb4_proto_per_packet(__u8 proto)
{
	return lb4_proto_supported(proto) || proto == IPPROTO_SCTP;
}

/* The service of a frontend, or NULL. East-west callers (pods) use the
 * internal scope where the frontend has two. key->scope says which was found. */
static __always_inline struct lb4_service *lb4_lookup_service(struct lb4_key *key, bool east_west)
{
	struct lb4_service *svc;

	key->backend_slot = 0;
	key->scope = LB_SCOPE_EXTERNAL;
	svc = bpf_map_lookup_elem(&eb_lb4_services, key);
	if (svc && east_west && (svc->flags2 & SVC_FLAG2_TWO_SCOPES)) {
		key->scope = LB_SCOPE_INTERNAL;
		svc = bpf_map_lookup_elem(&eb_lb4_services, key);
	}
	return svc;
}

/* The backend at the connection's slot of a frontend's Maglev table (backend_id 0: none). */
static __always_inline void lb4_maglev_backend(__u16 rev_nat_index, __u32 hash, struct lb4_backend_ref *choice)
{
	struct lb4_maglev_table *table = bpf_map_lookup_elem(&eb_lb4_maglev, &rev_nat_index);
	__u32 index = hash % LB_MAGLEV_TABLE_SIZE;
	struct lb4_backend_ref *entry;

	/* clang turns the modulo into multiplications the verifier cannot bound:
	 * hide it, then bound it. */
	asm volatile("" : "+r"(index));
	choice->backend_id = 0;
	if (!table || index >= LB_MAGLEV_TABLE_SIZE)
		return;
	entry = &table->entries[index];
	choice->backend_id = entry->backend_id;
	choice->address = entry->address;
	choice->port = entry->port;
}

static __always_inline __u32 lb4_now_seconds(void)
{
	return bpf_ktime_get_ns() / 1000000000ULL;
}

/* The client's backend while its affinity lasts and the backend exists (backend_id 0: none). */
static __always_inline void lb4_affinity_backend(__be32 client, __u16 rev_nat_index, __u32 timeout,
						 struct lb4_backend_ref *choice)
{
	struct lb4_affinity_key key = { .client = client, .rev_nat_index = rev_nat_index };
	struct lb4_affinity_value *entry = bpf_map_lookup_elem(&eb_lb4_affinity, &key);
	struct lb4_backend *backend;
	__u32 backend_id;

	choice->backend_id = 0;
	if (!entry || lb4_now_seconds() - entry->last_used > timeout)
		return;
	backend_id = entry->backend_id;
	backend = bpf_map_lookup_elem(&eb_lb4_backends, &backend_id);
	if (!backend)
		return;
	choice->backend_id = backend_id;
	choice->address = backend->address;
	choice->port = backend->port;
}

static __always_inline void lb4_affinity_update(__be32 client, __u16 rev_nat_index, __u32 backend_id)
{
	struct lb4_affinity_key key = { .client = client, .rev_nat_index = rev_nat_index };
	struct lb4_affinity_value value = { .last_used = lb4_now_seconds(), .backend_id = backend_id };

	bpf_map_update_elem(&eb_lb4_affinity, &key, &value, BPF_ANY);
}

/* The backend for a new connection from saddr:sport to a frontend
 * (backend_id 0: none). With affinity the source port is left out of the
 * hash, as Cilium does, so that every connection of a client lands on one
 * backend. */
static __always_inline void lb4_select_backend(const struct lb4_service *svc, __be32 saddr,
					       __be16 sport, __be32 daddr, __be16 dport,
					       struct lb4_backend_ref *choice)
{
	__u16 rev_nat_index = svc->rev_nat_index;
	bool affinity = svc->flags & SVC_FLAG_AFFINITY;

	if (affinity) {
		lb4_affinity_backend(saddr, rev_nat_index, svc->backend_id, choice);
		if (choice->backend_id)
			goto done;
		sport = 0;
	}
	lb4_maglev_backend(rev_nat_index, hash_3words(saddr, ((__u32)sport << 16) | dport, daddr), choice);
done:
	if (affinity && choice->backend_id)
		lb4_affinity_update(saddr, rev_nat_index, choice->backend_id);
}
