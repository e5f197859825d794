/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Trace, drop and policy-verdict events to a ring buffer, one record layout
 * for all, carrying what a Hubble flow needs and the frame's first bytes
 * (Hubble reads addresses, ports and TCP flags from them). Every packet gets
 * an event: aggregation is left to the reader. */
#pragma once

#include "common.h"

/* Monitor message types (Cilium's pkg/monitor/api). */
enum event_type {
	EVENT_DROP = 1,
	EVENT_TRACE = 4,
	EVENT_POLICY_VERDICT = 5,
};
ABI_TYPE(enum event_type, event_type);

/* Hubble Verdict. */
enum event_verdict {
	VERDICT_FORWARDED = 1,
	VERDICT_DROPPED = 2,
};
ABI_TYPE(enum event_verdict, event_verdict);

/* Monitor observation points (trace sub_type). */
enum observation_point {
	OBS_TO_ENDPOINT = 0,
	OBS_FROM_ENDPOINT = 5,
	OBS_FROM_NETWORK = 10,
	OBS_TO_NETWORK = 11,
	OBS_NONE = 0xff, /* socket hooks: no packet */
};
ABI_TYPE(enum observation_point, observation_point);

/* Monitor trace reasons (Hubble's trace_reason is this plus one). */
enum trace_reason {
	TRACE_REASON_NEW = 0,
	TRACE_REASON_ESTABLISHED = 1,
	TRACE_REASON_REPLY = 2,
	TRACE_REASON_UNKNOWN = 5,
};
ABI_TYPE(enum trace_reason, trace_reason);

enum event_flags {
	EVENT_F_IS_REPLY = 0x1,        /* the packet is a reply */
	EVENT_F_IS_REPLY_KNOWN = 0x2,  /* the program knows whether it is */
};
ABI_TYPE(enum event_flags, event_flags);

/* The hook a program runs at (ebbflow's, for a scenario's actual.hook): the
 * reader of a node's ring buffer cannot tell which program wrote an event. */
enum event_hook {
	HOOK_POD_EGRESS = 1,   /* bpf_lxc from-container: leaving the pod */
	HOOK_POD_INGRESS = 2,  /* bpf_lxc to-container: entering the pod */
	HOOK_HOST_INGRESS = 3, /* bpf_host from-netdev */
	HOOK_HOST_EGRESS = 4,  /* bpf_host to-netdev */
	HOOK_XDP = 5,          /* bpf_xdp */
	HOOK_SOCKET = 6,       /* bpf_sock */
};
ABI_TYPE(enum event_hook, event_hook);

enum event_capture {
	EVENT_CAPTURE_LEN = 120,
};
ABI_TYPE(enum event_capture, event_capture);

struct event {
	__u64 timestamp_ns;   /* bpf_ktime_get_ns (a time field) */
	__u8 type;            /* EVENT_* */
	__u8 subtype;         /* drop: the reason; trace: the observation point; verdict: 0 */
	__u8 verdict;         /* VERDICT_* */
	__u8 obs_point;       /* OBS_*: where the program runs */
	__u8 drop_reason;     /* positive drop code, 0 when not dropped */
	__u8 direction;       /* DIR_INGRESS or DIR_EGRESS as Hubble reports it */
	__u8 trace_reason;    /* TRACE_REASON_* */
	__u8 flags;           /* EVENT_F_* */
	__u16 endpoint_id;    /* local endpoint, 0 when none */
	__u16 dst_port;       /* host order: the port (or ICMP type) policy judged */
	__u32 ifindex;
	__u32 src_identity;
	__u32 dst_identity;
	__u32 orig_len;       /* the frame's length */
	__u16 cap_len;        /* bytes of data[] that hold the frame */
	__u8 proto;           /* L4 protocol policy judged */
	__u8 match_type;      /* policy match type (policy verdicts and policy drops) */
	__u32 policy_cookie;  /* cookie of the policy entry that decided, 0 when none */
	__u8 hook;            /* HOOK_*: the program that wrote the event */
	__u8 pad[3];
	__u8 data[EVENT_CAPTURE_LEN];
};

/* The layout readers decode (bpf/README.md); no BTF describes it. */
_Static_assert(__builtin_offsetof(struct event, endpoint_id) == 16, "event layout");
_Static_assert(__builtin_offsetof(struct event, orig_len) == 32, "event layout");
_Static_assert(__builtin_offsetof(struct event, policy_cookie) == 40, "event layout");
_Static_assert(__builtin_offsetof(struct event, data) == 48, "event layout");
_Static_assert(sizeof(struct event) == 168, "event layout");
ABI_TYPE(struct event, event);

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} eb_events SEC(".maps");

/* Copies the frame's first bytes into ev and sends it. */
static __always_inline void event_send_skb(struct __sk_buff *ctx, struct event *ev)
{
	__u32 cap_len = ctx->len;

	if (cap_len > EVENT_CAPTURE_LEN)
		cap_len = EVENT_CAPTURE_LEN;
	ev->timestamp_ns = bpf_ktime_get_ns();
	ev->orig_len = ctx->len;
	if (cap_len > 0 && bpf_skb_load_bytes(ctx, 0, ev->data, cap_len) == 0)
		ev->cap_len = cap_len;
	bpf_ringbuf_output(&eb_events, ev, sizeof(*ev), 0);
}

static __always_inline void event_send_xdp(struct xdp_md *ctx, struct event *ev)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u16 cap_len = 0;

	/* No helper copies XDP data before 5.18: copy byte by byte, bounded. */
#pragma unroll
	for (int i = 0; i < EVENT_CAPTURE_LEN; i++) {
		if (data + i + 1 > data_end)
			break;
		ev->data[i] = *(__u8 *)(data + i);
		cap_len = i + 1;
	}
	ev->timestamp_ns = bpf_ktime_get_ns();
	ev->orig_len = data_end - data;
	ev->cap_len = cap_len;
	bpf_ringbuf_output(&eb_events, ev, sizeof(*ev), 0);
}

/* Sends an event that has no packet (socket hooks). */
static __always_inline void event_send(struct event *ev)
{
	ev->timestamp_ns = bpf_ktime_get_ns();
	bpf_ringbuf_output(&eb_events, ev, sizeof(*ev), 0);
}
