// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Socket-level load balancing on a cgroup v2 (cilium's bpf_sock.c): the
 * destination of connect() and of unconnected UDP sendmsg() is translated
 * from a service frontend to a backend before any packet exists, and UDP
 * replies read by recvmsg() are translated back.
 *
 * A destination that is no service passes untouched. A service without
 * backends refuses the socket call (the application sees EPERM) and reports
 * DROP_NO_SERVICE. The backend comes from the frontend's Maglev table at a
 * seeded hash of the socket's bound source address and port: one choice per
 * connection. A service with session affinity passes untouched: its
 * packets are translated in tc, where the client's address is known. So
 * does an externalIPs frontend that is not an address of this node (its
 * ipcache identity is not host), as Cilium's sock4_skip_xlate: the packets
 * are translated on their way, wherever the address leads. */

#include "lib/common.h"
#include "lib/drop.h"
#include "lib/lb.h"
#include "lib/ipcache.h"
#include "lib/hash.h"
#include "lib/metrics.h"
#include "lib/events.h"

/* Reverse translation for UDP: what a socket sent to a backend came from a frontend. */
struct lb4_reverse_sk_key {
	__u64 cookie;      /* bpf_get_socket_cookie */
	__be32 address;    /* backend */
	__be16 port;
	__u16 pad;
};

struct lb4_reverse_sk_value {
	__be32 address;    /* frontend */
	__be16 port;
	__u16 rev_nat_index;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct lb4_reverse_sk_key);
	__type(value, struct lb4_reverse_sk_value);
	__uint(max_entries, 65536);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} eb_lb4_rev_sk SEC(".maps");

static __always_inline int sock4_no_service(void)
{
	struct event ev = {
		.type = EVENT_DROP,
		.subtype = DROP_NO_SERVICE,
		.verdict = VERDICT_DROPPED,
		.obs_point = OBS_NONE,
		.hook = HOOK_SOCKET,
		.drop_reason = DROP_NO_SERVICE,
		.direction = DIR_EGRESS,
		.trace_reason = TRACE_REASON_UNKNOWN,
	};

	metrics_count(DROP_NO_SERVICE, DIR_SERVICE, 0);
	event_send(&ev);
	return SOCK_REJECT;
}

/* Rewrites the destination of ctx when it is a service frontend. */
static __always_inline int sock4_translate(struct bpf_sock_addr *ctx, bool remember_reverse)
{
	struct lb4_key key = {
		.address = ctx->user_ip4,
		.dport = (__be16)ctx->user_port,
		.proto = ctx->protocol,
	};
	struct lb4_service *service;

	if (!lb4_proto_supported(key.proto))
		return SOCK_ALLOW;
	service = lb4_lookup_service(&key, true);
	if (!service || (service->flags & SVC_FLAG_AFFINITY))
		return SOCK_ALLOW;
	if ((service->flags & SVC_FLAG_EXTERNAL_IP) && ipcache_identity(key.address) != IDENTITY_HOST)
		return SOCK_ALLOW;
	if (service->count == 0)
		return sock4_no_service();

	__u16 rev_nat_index = service->rev_nat_index;
	__u64 cookie = bpf_get_socket_cookie(ctx);
	/* The connection's hash is of the socket's bound source address and
	 * port, which the application chose: the same on every datapath (a
	 * cookie is the kernel's own counter). An unbound socket hashes 0. */
	struct bpf_sock *sk = ctx->sk;
	struct lb4_backend_ref backend;

	lb4_maglev_backend(rev_nat_index, hash_3words(sk->src_ip4, sk->src_port, rev_nat_index), &backend);
	if (!backend.backend_id)
		return sock4_no_service();

	if (remember_reverse) {
		struct lb4_reverse_sk_key reverse_key = {
			.cookie = cookie,
			.address = backend.address,
			.port = backend.port,
		};
		struct lb4_reverse_sk_value frontend = {
			.address = key.address,
			.port = key.dport,
			.rev_nat_index = rev_nat_index,
		};

		bpf_map_update_elem(&eb_lb4_rev_sk, &reverse_key, &frontend, BPF_ANY);
	}
	ctx->user_ip4 = backend.address;
	ctx->user_port = backend.port;
	return SOCK_ALLOW;
}

SEC("cgroup/connect4")
int cil_sock4_connect(struct bpf_sock_addr *ctx)
{
	return sock4_translate(ctx, ctx->protocol == IPPROTO_UDP);
}

SEC("cgroup/sendmsg4")
int cil_sock4_sendmsg(struct bpf_sock_addr *ctx)
{
	return sock4_translate(ctx, true);
}

SEC("cgroup/recvmsg4")
int cil_sock4_recvmsg(struct bpf_sock_addr *ctx)
{
	struct lb4_reverse_sk_key key = {
		.cookie = bpf_get_socket_cookie(ctx),
		.address = ctx->user_ip4,
		.port = (__be16)ctx->user_port,
	};
	struct lb4_reverse_sk_value *frontend = bpf_map_lookup_elem(&eb_lb4_rev_sk, &key);

	if (frontend) {
		ctx->user_ip4 = frontend->address;
		ctx->user_port = frontend->port;
	}
	return SOCK_ALLOW;
}

char _license[] SEC("license") = "Dual BSD/GPL";
