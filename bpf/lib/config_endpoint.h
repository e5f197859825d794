/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Per-endpoint configuration of bpf_lxc: .rodata constants the loader sets by
 * name for each copy it loads, as Cilium writes ep_config.h. */
#pragma once

/* Cilium's endpoint ID (1..65535): in events. */
volatile const __u16 endpoint_id = 0;
/* The pod's IPv4 address, network byte order: packets from the pod must carry it. */
volatile const __be32 endpoint_ipv4 = 0;
/* ifindex of the host side of the pod's veth: in events. */
volatile const __u32 endpoint_ifindex = 0;
/* The pod's security identity. */
volatile const __u32 endpoint_identity = 0;
/* 1 when some policy selects the endpoint for that direction (default deny), else 0. */
volatile const __u8 policy_ingress_enforced = 0;
volatile const __u8 policy_egress_enforced = 0;
