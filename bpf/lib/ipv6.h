/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* IPv6: the datapath is IPv4-only. A pod's IPv6 packet is checked far enough
 * to tell a malformed header (DROP_INVALID) from a well-formed one, which is
 * dropped as an unsupported L3 protocol, as Cilium built without ENABLE_IPV6. */
#pragma once

#include "common.h"
#include "drop.h"

/* Always returns a drop: -DROP_INVALID or -DROP_UNKNOWN_L3. */
static __always_inline int ipv6_refuse(void *data, void *data_end)
{
	struct ipv6hdr *ip6 = data + ETH_HLEN;

	if ((void *)(ip6 + 1) > data_end || ip6->version != 6)
		return -DROP_INVALID;
	return -DROP_UNKNOWN_L3;
}
