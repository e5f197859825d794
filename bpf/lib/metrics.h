/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Packet and byte counters by reason (0 = forwarded, else the drop reason)
 * and direction, per CPU, as Cilium's cilium_metrics. */
#pragma once

#include "common.h"

enum metrics_reason {
	REASON_FORWARDED = 0,
};
ABI_TYPE(enum metrics_reason, metrics_reason);

struct metrics_key {
	__u8 reason;
	__u8 dir;       /* DIR_INGRESS, DIR_EGRESS or DIR_SERVICE */
	__u8 pad[6];
};

struct metrics_value {
	__u64 count;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__type(key, struct metrics_key);
	__type(value, struct metrics_value);
	__uint(max_entries, 1024);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} eb_metrics SEC(".maps");

static __always_inline void metrics_count(__u8 reason, __u8 dir, __u32 bytes)
{
	struct metrics_key key = { .reason = reason, .dir = dir };
	struct metrics_value *value = bpf_map_lookup_elem(&eb_metrics, &key);

	if (value) {
		/* This CPU's own slot: no other writer. */
		value->count += 1;
		value->bytes += bytes;
		return;
	}

	struct metrics_value first = { .count = 1, .bytes = bytes };

	bpf_map_update_elem(&eb_metrics, &key, &first, BPF_NOEXIST);
}
