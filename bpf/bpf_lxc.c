// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* tc programs on the host side of a pod's veth. One copy is loaded per pod,
 * with its own configuration (lib/config_endpoint.h), policy map and calls
 * map; ipcache, conntrack, metrics and events are the node's, shared by name.
 *
 * cil_from_container: packets leaving the pod (tc ingress of the host side):
 *   service translation (lib/service.h), then egress policy on the backend.
 *   cil_to_container: packets entering the pod (tc egress of the host side):
 *   ingress policy, and replies of translated connections translated back. Each validates L2 and tail-calls the IPv4
 *   stage in its slot of eb_calls (lib/calls.h).
 *
 * Hairpin (Cilium's lb_loopback): a pod whose service connection lands on
 * itself sends it from IPV4_LOOPBACK, so that its reply, addressed there,
 * leaves the pod and comes back through the datapath: from-container turns
 * the reply's destination back into the pod, and to-container translates its
 * source back to the frontend. The hairpin skips ingress policy, as a pod
 * may always reach itself. */

#include "lib/common.h"
#include "lib/config_endpoint.h"
#include "lib/drop.h"
#include "lib/identity.h"
#include "lib/eth.h"
#include "lib/ipv4.h"
#include "lib/ipv6.h"
#include "lib/l4.h"
#include "lib/ipcache.h"
#include "lib/policy.h"
#include "lib/conntrack.h"
#include "lib/service.h"
#include "lib/dsr.h"
#include "lib/metrics.h"
#include "lib/events.h"
#include "lib/calls.h"

/* How one direction of the endpoint differs from the other. */
struct lxc_direction {
	__u8 dir;          /* DIR_EGRESS: from the pod; DIR_INGRESS: to the pod */
	__u8 obs_point;
	__u8 tuple_flag;
	__u8 policy_egress;
	__u8 enforced;
	__u8 hook;
};

/* Whether p, entering the pod from IPV4_LOOPBACK, is the pod's own hairpin
 * connection: its from-container entry, keyed before the SNAT, says so. */
static __always_inline bool lxc_is_hairpin(const struct ipv4_packet *p)
{
	struct ct_key key = {
		.daddr = p->daddr,
		.saddr = endpoint_ipv4,
		.dport = p->dport,
		.sport = p->sport,
		.nexthdr = p->proto,
		.flags = TUPLE_F_OUT,
	};
	struct ct_entry *entry = bpf_map_lookup_elem(&eb_ct4, &key);

	return entry && (entry->flags & CT_F_LB_LOOPBACK);
}

static __always_inline struct lxc_direction lxc_egress(void)
{
	return (struct lxc_direction){
		.dir = DIR_EGRESS,
		.obs_point = OBS_FROM_ENDPOINT,
		.tuple_flag = TUPLE_F_OUT,
		.policy_egress = POLICY_EGRESS,
		.enforced = policy_egress_enforced,
		.hook = HOOK_POD_EGRESS,
	};
}

static __always_inline struct lxc_direction lxc_ingress(void)
{
	return (struct lxc_direction){
		.dir = DIR_INGRESS,
		.obs_point = OBS_TO_ENDPOINT,
		.tuple_flag = TUPLE_F_IN,
		.policy_egress = POLICY_INGRESS,
		.enforced = policy_ingress_enforced,
		.hook = HOOK_POD_INGRESS,
	};
}

static __always_inline int lxc_drop(struct __sk_buff *ctx, const struct lxc_direction *d,
				    int ret, __u32 src_identity, __u32 dst_identity,
				    const struct policy_match *match)
{
	struct event ev = {
		.type = EVENT_DROP,
		.subtype = -ret,
		.verdict = VERDICT_DROPPED,
		.obs_point = d->obs_point,
		.drop_reason = -ret,
		.direction = d->dir,
		.trace_reason = TRACE_REASON_UNKNOWN,
		.endpoint_id = endpoint_id,
		.ifindex = endpoint_ifindex,
		.src_identity = src_identity,
		.dst_identity = dst_identity,
		.match_type = match->type,
		.policy_cookie = match->cookie,
		.hook = d->hook,
	};

	metrics_count(-ret, d->dir, ctx->len);
	event_send_skb(ctx, &ev);
	return TC_ACT_SHOT;
}

static __always_inline void lxc_policy_verdict(struct __sk_buff *ctx, const struct lxc_direction *d,
					       const struct ipv4_packet *p, int ret,
					       __u32 src_identity, __u32 dst_identity,
					       const struct policy_match *match)
{
	struct event ev = {
		.type = EVENT_POLICY_VERDICT,
		.verdict = ret < 0 ? VERDICT_DROPPED : VERDICT_FORWARDED,
		.obs_point = d->obs_point,
		.drop_reason = ret < 0 ? -ret : 0,
		.direction = d->dir,
		.trace_reason = TRACE_REASON_NEW,
		.flags = EVENT_F_IS_REPLY_KNOWN,
		.endpoint_id = endpoint_id,
		.dst_port = p->policy_port,
		.ifindex = endpoint_ifindex,
		.src_identity = src_identity,
		.dst_identity = dst_identity,
		.proto = p->proto,
		.match_type = match->type,
		.policy_cookie = match->cookie,
		.hook = d->hook,
	};

	event_send_skb(ctx, &ev);
}

static __always_inline void lxc_trace(struct __sk_buff *ctx, const struct lxc_direction *d,
				      int ct_state, __u32 src_identity, __u32 dst_identity)
{
	bool reply = ct_state == CT_REPLY;
	struct event ev = {
		.type = EVENT_TRACE,
		.subtype = d->obs_point,
		.verdict = VERDICT_FORWARDED,
		.obs_point = d->obs_point,
		/* Hubble reports a reply in the direction of its connection. */
		.direction = reply ? (d->dir == DIR_EGRESS ? DIR_INGRESS : DIR_EGRESS) : d->dir,
		.trace_reason = ct_state == CT_NEW ? TRACE_REASON_NEW :
				reply ? TRACE_REASON_REPLY : TRACE_REASON_ESTABLISHED,
		.flags = EVENT_F_IS_REPLY_KNOWN | (reply ? EVENT_F_IS_REPLY : 0),
		.endpoint_id = endpoint_id,
		.ifindex = endpoint_ifindex,
		.src_identity = src_identity,
		.dst_identity = dst_identity,
		.hook = d->hook,
	};

	event_send_skb(ctx, &ev);
}

/* Conntrack and policy for one IPv4 packet in direction d. */
static __always_inline int lxc_handle_ipv4(struct __sk_buff *ctx, const struct lxc_direction *d)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ipv4_packet p = {};
	__u32 src_identity = d->dir == DIR_EGRESS ? endpoint_identity : IDENTITY_UNKNOWN;
	__u32 dst_identity = d->dir == DIR_EGRESS ? IDENTITY_UNKNOWN : endpoint_identity;
	struct policy_match match = { .type = MATCH_NONE };
	__u32 peer;
	int ret;

	ret = ipv4_parse(data, data_end, &p);
	if (IS_DROP(ret))
		return lxc_drop(ctx, d, ret, src_identity, dst_identity, &match);
	if (d->dir == DIR_EGRESS) {
		peer = dst_identity = ipcache_identity(p.daddr);
		if (p.saddr != endpoint_ipv4)
			return lxc_drop(ctx, d, -DROP_INVALID_SIP, src_identity, dst_identity,
					&match);
	} else {
		peer = src_identity = ipcache_identity(p.saddr);
	}
	ret = l4_parse(data, data_end, &p);
	if (IS_DROP(ret))
		return lxc_drop(ctx, d, ret, src_identity, dst_identity, &match);

	/* Policy judges the backend: a service is translated first. */
	struct lb4_translation service = {};
	bool hairpin = false;

	if (d->dir == DIR_EGRESS) {
		ret = lb4_xlate(ctx, &p, true, &service);
		if (IS_DROP(ret))
			return lxc_drop(ctx, d, ret, src_identity, dst_identity, &match);
		if (service.rev_nat_index) {
			peer = dst_identity = ipcache_identity(p.daddr);
			hairpin = p.daddr == endpoint_ipv4;
		}
	} else if (p.saddr == bpf_htonl(IPV4_LOOPBACK) && lxc_is_hairpin(&p)) {
		hairpin = true;
		peer = src_identity = endpoint_identity;
	}

	__u16 rev_nat_index = 0;
	int ct_state = ct_lookup(&p, ctx->len, d->tuple_flag, &rev_nat_index);

	if (ct_state == CT_REPLY && rev_nat_index && d->dir == DIR_INGRESS) {
		ret = lb4_rev_nat(ctx, &p, rev_nat_index);
		if (IS_DROP(ret))
			return lxc_drop(ctx, d, ret, src_identity, dst_identity, &match);
	}
	/* A hairpin's reply, to IPV4_LOOPBACK, goes back to the pod itself. */
	if (ct_state == CT_REPLY && d->dir == DIR_EGRESS && p.daddr == bpf_htonl(IPV4_LOOPBACK)) {
		ret = nat4_rewrite(ctx, &p, NAT_DESTINATION, endpoint_ipv4, p.dport);
		if (IS_DROP(ret))
			return lxc_drop(ctx, d, ret, src_identity, dst_identity, &match);
		dst_identity = endpoint_identity;
	}

	if (ct_state == CT_NEW) {
		if (d->enforced && !(hairpin && d->dir == DIR_INGRESS)) {
			ret = policy_decide(peer, d->policy_egress, p.proto, p.policy_port,
					    &match);
			lxc_policy_verdict(ctx, d, &p, ret, src_identity, dst_identity,
					   &match);
			if (IS_DROP(ret))
				return lxc_drop(ctx, d, ret, src_identity, dst_identity,
						&match);
		}
		ret = ct_create(&p, ctx->len, d->tuple_flag, src_identity, service.rev_nat_index,
				service.backend_id, hairpin && d->dir == DIR_EGRESS ? CT_F_LB_LOOPBACK : 0);
		if (IS_DROP(ret))
			return lxc_drop(ctx, d, ret, src_identity, dst_identity, &match);
	}
	/* The hairpin leaves from IPV4_LOOPBACK: conntrack above keeps the pod's own address. */
	if (hairpin && d->dir == DIR_EGRESS) {
		ret = nat4_rewrite(ctx, &p, NAT_SOURCE, bpf_htonl(IPV4_LOOPBACK), p.sport);
		if (IS_DROP(ret))
			return lxc_drop(ctx, d, ret, src_identity, dst_identity, &match);
	}

	metrics_count(REASON_FORWARDED, d->dir, ctx->len);
	lxc_trace(ctx, d, ct_state, src_identity, dst_identity);

	/* A DSR connection's reply leaves from its frontend, straight to the
	 * client: traced as the backend sent it, as Cilium's from-endpoint is. */
	if (lb_mode_dsr && ct_state == CT_REPLY && d->dir == DIR_EGRESS) {
		struct ct_entry *dsr = dsr_entry_of_reply(&p);

		if (dsr) {
			ret = nat4_rewrite(ctx, &p, NAT_SOURCE, dsr->nat_addr, dsr->nat_port);
			if (IS_DROP(ret))
				return lxc_drop(ctx, d, ret, src_identity, dst_identity, &match);
		}
	}
	return TC_ACT_OK;
}

/* L2 for direction d: tail-calls the IPv4 stage, passes ARP, drops the rest. */
static __always_inline int lxc_handle(struct __sk_buff *ctx, const struct lxc_direction *d,
				      __u32 ipv4_slot)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 own_identity = endpoint_identity;
	struct policy_match none = { .type = MATCH_NONE };
	__be16 proto;
	int ret;

	ret = eth_parse(data, data_end, &proto);
	if (IS_DROP(ret))
		goto drop;
	switch (proto) {
	case bpf_htons(ETH_P_IP):
		bpf_tail_call(ctx, &eb_calls, ipv4_slot);
		ret = -DROP_MISSED_TAIL_CALL;
		break;
	case bpf_htons(ETH_P_ARP):
		return TC_ACT_OK;
	case bpf_htons(ETH_P_IPV6):
		ret = ipv6_refuse(data, data_end);
		break;
	default:
		ret = -DROP_UNKNOWN_L3;
	}
drop:
	return lxc_drop(ctx, d, ret, d->dir == DIR_EGRESS ? own_identity : IDENTITY_UNKNOWN,
			d->dir == DIR_EGRESS ? IDENTITY_UNKNOWN : own_identity, &none);
}

SEC("tc")
int cil_from_container(struct __sk_buff *ctx)
{
	struct lxc_direction d = lxc_egress();

	return lxc_handle(ctx, &d, CALL_IPV4_FROM_CONTAINER);
}

SEC("tc")
int tail_ipv4_from_container(struct __sk_buff *ctx)
{
	struct lxc_direction d = lxc_egress();

	return lxc_handle_ipv4(ctx, &d);
}

SEC("tc")
int cil_to_container(struct __sk_buff *ctx)
{
	struct lxc_direction d = lxc_ingress();

	return lxc_handle(ctx, &d, CALL_IPV4_TO_CONTAINER);
}

SEC("tc")
int tail_ipv4_to_container(struct __sk_buff *ctx)
{
	struct lxc_direction d = lxc_ingress();

	return lxc_handle_ipv4(ctx, &d);
}

char _license[] SEC("license") = "Dual BSD/GPL";
