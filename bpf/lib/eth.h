/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Ethernet: the ethertype, refusing runts and 802.3 length fields as Cilium's
 * validate_ethertype does. */
#pragma once

#include "common.h"
#include "drop.h"

/* Stores the ethertype (network order) in *proto; returns 0 or -DROP_UNSUPPORTED_L2. */
static __always_inline int eth_parse(void *data, void *data_end, __be16 *proto)
{
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return -DROP_UNSUPPORTED_L2;
	if (bpf_ntohs(eth->h_proto) < ETH_P_802_3_MIN)
		return -DROP_UNSUPPORTED_L2;
	*proto = eth->h_proto;
	return 0;
}

static __always_inline bool eth_is_vlan(__be16 proto)
{
	return proto == bpf_htons(ETH_P_8021Q) || proto == bpf_htons(ETH_P_8021AD);
}
