/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Includes, attributes and return codes shared by every program. */
#pragma once

#include <stdbool.h>
#include <linux/types.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "abi.h"

/* The kernel's numbers under names BTF keeps: TC_ACT_* are #defines and
 * linux/in.h's IPPROTO_* enum has no name. enum xdp_action has one. */
enum tc_action {
	TC_ACTION_UNSPEC = TC_ACT_UNSPEC, /* -1: what a test run returns as 0xffffffff */
	TC_ACTION_OK = TC_ACT_OK,
	TC_ACTION_SHOT = TC_ACT_SHOT,
	TC_ACTION_REDIRECT = TC_ACT_REDIRECT,
};
ABI_TYPE(enum tc_action, tc_action);
ABI_TYPE(enum xdp_action, xdp_action);

enum ip_protocol {
	IP_PROTOCOL_ICMP = IPPROTO_ICMP,
	IP_PROTOCOL_TCP = IPPROTO_TCP,
	IP_PROTOCOL_UDP = IPPROTO_UDP,
	IP_PROTOCOL_SCTP = IPPROTO_SCTP,
	IP_PROTOCOL_ICMPV6 = IPPROTO_ICMPV6, /* policy entries only: the datapath drops IPv6 */
};
ABI_TYPE(enum ip_protocol, ip_protocol);

/* Return codes of cgroup sock_addr programs (the kernel has no names for them). */
enum sock_verdict {
	SOCK_REJECT = 0,
	SOCK_ALLOW = 1,
};
ABI_TYPE(enum sock_verdict, sock_verdict);

/* Directions, as Cilium's metrics map and Hubble's TrafficDirection number them. */
enum direction {
	DIR_INGRESS = 1,
	DIR_EGRESS = 2,
	DIR_SERVICE = 3,
};
ABI_TYPE(enum direction, direction);

/* Functions return >= 0 on success and -DROP_* (see drop.h) to drop. */
#define IS_DROP(ret) ((ret) < 0)
