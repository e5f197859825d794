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

/* Return codes of cgroup sock_addr programs (the kernel has no names for them). */
#define SOCK_REJECT 0
#define SOCK_ALLOW 1

/* Directions, as Cilium's metrics map and Hubble's TrafficDirection number them. */
#define DIR_INGRESS 1
#define DIR_EGRESS 2
#define DIR_SERVICE 3

/* Functions return >= 0 on success and -DROP_* (see drop.h) to drop. */
#define IS_DROP(ret) ((ret) < 0)
