/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Per-packet service translation (Cilium's lb4_local and nodeport.h), for
 * traffic the socket hooks did not translate: a pod's packets when socket LB
 * is off or passed the service, and packets from the network to NodePort,
 * LoadBalancer and externalIPs frontends.
 *
 * A connection's first packet gets a backend (lib/lb.h) and a TUPLE_F_SERVICE
 * conntrack entry keyed by the frontend, so that its later packets keep that
 * backend whatever the tables become. The packet is DNATed to the backend;
 * its conntrack entry carries the service's rev_nat_index, and replies get
 * their source translated back from eb_lb4_reverse_nat.
 *
 * SCTP's checksum (CRC32c) covers its ports but not the addresses: an SCTP
 * packet gets its backend's address only, and a backend on another port is
 * dropped with DROP_CSUM_L4, as Cilium does (its targetPort must equal the
 * port). */
#pragma once

#include "common.h"
#include "drop.h"
#include "ipv4.h"
#include "lb.h"
#include "conntrack.h"
#include "nat.h"

/* What a translation did. */
struct lb4_translation {
	__u16 rev_nat_index;  /* 0: the destination is no service */
	__u32 backend_id;
};

/* The backend an earlier packet of this connection to a frontend was given, or 0. */
static __always_inline __u32 lb4_ct_backend(const struct ipv4_packet *p)
{
	struct ct_key key = ct_key_of(p, TUPLE_F_SERVICE);
	struct ct_entry *entry = bpf_map_lookup_elem(&eb_ct4, &key);

	return entry ? entry->backend_id : 0;
}

static __always_inline int lb4_ct_remember(const struct ipv4_packet *p, __u32 backend_id,
					   __u16 rev_nat_index)
{
	struct ct_key key = ct_key_of(p, TUPLE_F_SERVICE);
	struct ct_entry entry = { .backend_id = backend_id, .rev_nat_index = rev_nat_index };

	entry.lifetime = ct_now_seconds() + (p->proto == IPPROTO_TCP ? CT_LIFETIME_TCP : CT_LIFETIME_NONTCP);
	if (bpf_map_update_elem(&eb_ct4, &key, &entry, BPF_ANY) < 0)
		return -DROP_CT_CREATE_FAILED;
	return 0;
}

/* DNATs a packet to a frontend to its backend. Returns 0 (translated or no
 * service: t->rev_nat_index says which) or a drop: DROP_NO_SERVICE when the
 * service has no usable backend, DROP_IS_CLUSTER_IP when a ClusterIP (not
 * routable) is reached from outside (!east_west). */
static __always_inline int lb4_xlate(struct __sk_buff *ctx, struct ipv4_packet *p, bool east_west,
				     struct lb4_translation *t)
{
	struct lb4_key key = { .address = p->daddr, .dport = p->dport, .proto = p->proto };
	struct lb4_backend_ref choice;
	struct lb4_service *svc;
	struct lb4_backend *backend;
	__u16 rev_nat_index;
	int ret;

	if (!lb4_proto_per_packet(p->proto))
		return 0;
	svc = lb4_lookup_service(&key, east_west);
	if (!svc)
		return 0;
	if (!east_west && !(svc->flags & SVC_FLAG_ROUTABLE))
		return -DROP_IS_CLUSTER_IP;
	rev_nat_index = svc->rev_nat_index;
	choice.backend_id = lb4_ct_backend(p);
	backend = choice.backend_id ? bpf_map_lookup_elem(&eb_lb4_backends, &choice.backend_id) : NULL;
	if (backend) {
		choice.address = backend->address;
		choice.port = backend->port;
	} else {
		if (svc->count == 0)
			return -DROP_NO_SERVICE;
		lb4_select_backend(svc, p->saddr, p->sport, p->daddr, p->dport, &choice);
		if (!choice.backend_id)
			return -DROP_NO_SERVICE;
		ret = lb4_ct_remember(p, choice.backend_id, rev_nat_index);
		if (IS_DROP(ret))
			return ret;
	}
	ret = nat4_rewrite(ctx, p, NAT_DESTINATION, choice.address, choice.port);
	if (IS_DROP(ret))
		return ret;
	t->rev_nat_index = rev_nat_index;
	t->backend_id = choice.backend_id;
	return 0;
}

/* Translates a reply's source back to the frontend of service rev_nat_index. */
static __always_inline int lb4_rev_nat(struct __sk_buff *ctx, struct ipv4_packet *p,
				       __u16 rev_nat_index)
{
	struct lb4_reverse_nat *frontend = bpf_map_lookup_elem(&eb_lb4_reverse_nat, &rev_nat_index);

	if (!frontend)
		return 0;
	return nat4_rewrite(ctx, p, NAT_SOURCE, frontend->address, frontend->port);
}
