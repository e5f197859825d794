// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* XDP prefilter on the node's device (cil_xdp_entry): IPv4 packets whose
 * source is in the CIDR deny-list (lib/prefilter.h) are dropped with
 * DROP_POLICY_DENY, counted and reported; everything else, malformed frames
 * included, goes on to tc, where bpf_host judges it. */

#include "lib/common.h"
#include "lib/drop.h"
#include "lib/identity.h"
#include "lib/eth.h"
#include "lib/ipv4.h"
#include "lib/ipcache.h"
#include "lib/prefilter.h"
#include "lib/metrics.h"
#include "lib/events.h"

SEC("xdp")
int cil_xdp_entry(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ipv4_packet p = {};
	__be16 proto;

	if (IS_DROP(eth_parse(data, data_end, &proto)) || proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	if (IS_DROP(ipv4_parse(data, data_end, &p)) || !prefilter_denies(p.saddr))
		return XDP_PASS;

	struct event ev = {
		.type = EVENT_DROP,
		.subtype = DROP_POLICY_DENY,
		.verdict = VERDICT_DROPPED,
		.obs_point = OBS_FROM_NETWORK,
		.hook = HOOK_XDP,
		.drop_reason = DROP_POLICY_DENY,
		.direction = DIR_INGRESS,
		.trace_reason = TRACE_REASON_UNKNOWN,
		.ifindex = ctx->ingress_ifindex,
		.src_identity = ipcache_identity(p.saddr),
		.dst_identity = ipcache_identity(p.daddr),
	};

	metrics_count(DROP_POLICY_DENY, DIR_INGRESS, data_end - data);
	event_send_xdp(ctx, &ev);
	return XDP_DROP;
}

char _license[] SEC("license") = "Dual BSD/GPL";
