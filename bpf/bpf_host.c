// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* tc programs on the node's network device: cil_from_netdev (tc ingress,
 * from the network) and cil_to_netdev (tc egress, to the network). They
 * resolve identities, count and trace IPv4 packets and hand everything to
 * the stack; there is no host firewall, so only malformed IPv4 headers and
 * VLAN-tagged frames (no VLAN is allowed) are dropped. Other L3 protocols
 * (ARP, IPv6) pass untraced, as Cilium passes them to the stack. */

#include "lib/common.h"
#include "lib/config_node.h"
#include "lib/drop.h"
#include "lib/identity.h"
#include "lib/eth.h"
#include "lib/ipv4.h"
#include "lib/ipcache.h"
#include "lib/metrics.h"
#include "lib/events.h"

/* The node knows its own address without the ipcache. */
static __always_inline __u32 host_identity_of(__be32 addr)
{
	return addr == node_ipv4 ? IDENTITY_HOST : ipcache_identity(addr);
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
