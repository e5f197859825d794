// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* tc programs on the node's network device: cil_from_netdev (tc ingress,
 * from the network) and cil_to_netdev (tc egress, to the network). They
 * resolve identities, count and trace IPv4 packets and hand everything to
 * the stack; there is no host firewall, so only malformed IPv4 headers,
 * VLAN-tagged frames (no VLAN is allowed) and packets to a service without
 * a backend are dropped. Other L3 protocols (ARP, IPv6) pass untraced, as
 * Cilium passes them to the stack.
 *
 * Services from the network (Cilium's nodeport.h, SNAT mode): a packet to a
 * NodePort, LoadBalancer or externalIPs frontend is DNATed to a backend in
 * from-netdev. A backend on another node also gets the node as its source
 * (SNAT), so that its reply comes back here to be translated back; a local
 * backend's reply is translated back in to-netdev. TUPLE_F_NODEPORT entries
 * of conntrack remember both. In DSR mode (lib/dsr.h) a backend on another
 * node keeps the client's address and gets the frontend in an IPv4 option,
 * which from-netdev of the backend's node remembers for the reply. */

#include "lib/common.h"
#include "lib/config_node.h"
#include "lib/drop.h"
#include "lib/identity.h"
#include "lib/eth.h"
#include "lib/ipv4.h"
#include "lib/l4.h"
#include "lib/ipcache.h"
#include "lib/conntrack.h"
#include "lib/service.h"
#include "lib/dsr.h"
#include "lib/metrics.h"
#include "lib/events.h"

/* The node knows its own address without the ipcache. */
static __always_inline __u32 host_identity_of(__be32 addr)
{
	return addr == node_ipv4 ? IDENTITY_HOST : ipcache_identity(addr);
}

/* The NODEPORT entry whose reply p is, or NULL. */
static __always_inline struct ct_entry *nodeport_entry_of_reply(const struct ipv4_packet *p)
{
	struct ct_key key = ct_reply_key_of(p, TUPLE_F_NODEPORT);

	return bpf_map_lookup_elem(&eb_ct4, &key);
}

/* From the network: a reply to a connection SNATed here goes back to its
 * client from the frontend; a packet to a frontend goes to its backend. */
static __always_inline int nodeport_ingress(struct __sk_buff *ctx, struct ipv4_packet *p)
{
	struct ct_entry *snat = nodeport_entry_of_reply(p);
	struct lb4_translation service = {};
	int ret;

	if (snat && snat->nat_addr) {
		__u16 rev_nat_index = snat->rev_nat_index;

		ret = nat4_rewrite(ctx, p, NAT_DESTINATION, snat->nat_addr, snat->nat_port);
		return IS_DROP(ret) ? ret : lb4_rev_nat(ctx, p, rev_nat_index);
	}
	__be32 frontend_addr = p->daddr;
	__be16 frontend_port = p->dport;

	ret = lb4_xlate(ctx, p, false, &service);
	if (IS_DROP(ret))
		return ret;
	/* Not to a frontend: maybe a DSR request for a backend of this node. */
	if (!service.rev_nat_index)
		return lb_mode_dsr ? dsr_remember4(ctx, p) : 0;

	struct ct_entry entry = {
		.rev_nat_index = service.rev_nat_index,
		.backend_id = service.backend_id,
	};
	bool dsr = false;

	if (ipcache_remote_node(p->daddr)) {
		if (lb_mode_dsr) {
			dsr = true;
			entry.flags = CT_F_DSR;
		} else {
			entry.nat_addr = p->saddr;
			entry.nat_port = p->sport;
			ret = nat4_rewrite(ctx, p, NAT_SOURCE, node_ipv4, p->sport);
			if (IS_DROP(ret))
				return ret;
		}
	}
	struct ct_key key = ct_key_of(p, TUPLE_F_NODEPORT);

	entry.lifetime = ct_now_seconds() + (p->proto == IPPROTO_TCP ? CT_LIFETIME_TCP : CT_LIFETIME_NONTCP);
	if (bpf_map_update_elem(&eb_ct4, &key, &entry, BPF_ANY) < 0)
		return -DROP_CT_CREATE_FAILED;
	return dsr ? dsr_set_opt4(ctx, p, frontend_addr, frontend_port) : 0;
}

/* To the network: a local backend's reply to a connection translated here
 * leaves with the frontend as its source. */
static __always_inline int nodeport_egress(struct __sk_buff *ctx, struct ipv4_packet *p)
{
	struct ct_entry *entry = nodeport_entry_of_reply(p);

	if (!entry || entry->nat_addr)
		return 0;
	return lb4_rev_nat(ctx, p, entry->rev_nat_index);
}

static __always_inline int host_handle(struct __sk_buff *ctx, __u8 dir, __u8 obs_point)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ipv4_packet p = {};
	struct event ev = {
		.obs_point = obs_point,
		.hook = dir == DIR_INGRESS ? HOOK_HOST_INGRESS : HOOK_HOST_EGRESS,
		.direction = dir,
		.trace_reason = TRACE_REASON_UNKNOWN,
		.ifindex = ctx->ifindex,
	};
	__be16 proto;
	int ret;

	ret = eth_parse(data, data_end, &proto);
	if (IS_DROP(ret))
		goto drop;
	if (dir == DIR_INGRESS && eth_is_vlan(proto)) {
		ret = -DROP_VLAN_FILTERED;
		goto drop;
	}
	if (proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	ret = ipv4_parse(data, data_end, &p);
	if (IS_DROP(ret))
		goto drop;
	/* What conntrack cannot parse is not translated: it passes as before. */
	if (lb4_proto_supported(p.proto) && !IS_DROP(l4_parse(data, data_end, &p))) {
		ret = dir == DIR_INGRESS ? nodeport_ingress(ctx, &p) : nodeport_egress(ctx, &p);
		if (IS_DROP(ret))
			goto drop;
	}

	ev.type = EVENT_TRACE;
	ev.subtype = obs_point;
	ev.verdict = VERDICT_FORWARDED;
	ev.src_identity = host_identity_of(p.saddr);
	ev.dst_identity = host_identity_of(p.daddr);
	metrics_count(REASON_FORWARDED, dir, ctx->len);
	event_send_skb(ctx, &ev);
	return TC_ACT_OK;

drop:
	ev.type = EVENT_DROP;
	ev.subtype = -ret;
	ev.verdict = VERDICT_DROPPED;
	ev.drop_reason = -ret;
	metrics_count(-ret, dir, ctx->len);
	event_send_skb(ctx, &ev);
	return TC_ACT_SHOT;
}

SEC("tc")
int cil_from_netdev(struct __sk_buff *ctx)
{
	return host_handle(ctx, DIR_INGRESS, OBS_FROM_NETWORK);
}

SEC("tc")
int cil_to_netdev(struct __sk_buff *ctx)
{
	return host_handle(ctx, DIR_EGRESS, OBS_TO_NETWORK);
}

char _license[] SEC("license") = "Dual BSD/GPL";
