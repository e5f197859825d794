/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Tail calls within one endpoint's bpf_lxc, as Cilium's cilium_calls_<ep>:
 * the loader fills each slot with the named program of the same object. */
#pragma once

#include "common.h"

enum call_slot {
	CALL_IPV4_FROM_CONTAINER = 1, /* tail_ipv4_from_container */
	CALL_IPV4_TO_CONTAINER = 2,   /* tail_ipv4_to_container */
	CALLS_MAP_SIZE = 8,
};
ABI_TYPE(enum call_slot, call_slot);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, CALLS_MAP_SIZE);
} eb_calls SEC(".maps");
