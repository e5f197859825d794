#define _GNU_SOURCE
#include "attach.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "errors.h"
#include "values.h"

// tc and XDP are attached over netlink, and a netlink socket talks to the
// namespace of the thread that opened it. Node's main thread stays where it
// is: each call runs on a short-lived thread that enters the namespace first.
struct netns_call {
	const char *netns;
	int (*run)(struct netns_call *call);
	int ifindex, prog_fd;
	enum bpf_tc_attach_point point;
	int err;	      /* positive errno, 0 on success */
	const char *step; /* what failed */
};

static void *netns_thread(void *data)
{
	struct netns_call *call = data;
	int fd = open(call->netns, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		call->err = errno, call->step = "open network namespace";
		return NULL;
	}
	int entered = setns(fd, CLONE_NEWNET);
	call->err = entered ? errno : 0;
	close(fd);
	if (entered) {
		call->step = "enter network namespace";
		return NULL;
	}
	call->err = call->run(call);
	return NULL;
}

static int run_in_netns(struct netns_call *call)
{
	pthread_t thread;
	int err = pthread_create(&thread, NULL, netns_thread, call);
	if (err) {
		call->step = "start thread";
		return call->err = err;
	}
	pthread_join(thread, NULL);
	return call->err;
}

// Cilium's own convention: one filter at handle 1, priority 1, replaced in
// place when an endpoint's program is reloaded, so that no packet passes
// between the old program and the new.
static int attach_tc(struct netns_call *call)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = call->ifindex, .attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS);
	int err = bpf_tc_hook_create(&hook);
	if (err && err != -EEXIST) {
		call->step = "create clsact qdisc";
		return -err;
	}
	hook.attach_point = call->point;
	LIBBPF_OPTS(bpf_tc_opts, options, .handle = 1, .priority = 1, .prog_fd = call->prog_fd, .flags = BPF_TC_F_REPLACE);
	err = bpf_tc_attach(&hook, &options);
	if (err)
		call->step = "attach tc program";
	return -err;
}

static int attach_xdp(struct netns_call *call)
{
	int err = bpf_xdp_attach(call->ifindex, call->prog_fd, XDP_FLAGS_SKB_MODE, NULL);
	if (err)
		call->step = "attach XDP program";
	return -err;
}

static bool get_call(napi_env env, napi_callback_info info, size_t count, napi_value *args, struct netns_call *call,
		     char **netns)
{
	uint32_t ifindex, prog_fd;
	if (!get_args(env, info, count, args) || !(*netns = get_string(env, args[0], "netns")))
		return false;
	if (!get_u32(env, args[1], "ifindex", &ifindex) || !get_u32(env, args[2], "progFd", &prog_fd)) {
		free(*netns);
		return false;
	}
	*call = (struct netns_call){.netns = *netns, .ifindex = (int)ifindex, .prog_fd = (int)prog_fd};
	return true;
}

static napi_value finish(napi_env env, struct netns_call *call, char *netns)
{
	if (call->err)
		throw_errno(env, call->step, call->err, netns);
	free(netns);
	return NULL;
}

// tcAttach(netns, ifindex, progFd, "ingress" | "egress")
napi_value tc_attach(napi_env env, napi_callback_info info)
{
	napi_value args[4];
	struct netns_call call;
	char *netns, *direction;
	if (!get_call(env, info, 4, args, &call, &netns))
		return NULL;
	if (!(direction = get_string(env, args[3], "direction"))) {
		free(netns);
		return NULL;
	}
	call.point = strcmp(direction, "ingress") == 0 ? BPF_TC_INGRESS : BPF_TC_EGRESS;
	free(direction);
	call.run = attach_tc;
	run_in_netns(&call);
	return finish(env, &call, netns);
}

// xdpAttach(netns, ifindex, progFd): generic (SKB) mode, which every device has.
napi_value xdp_attach(napi_env env, napi_callback_info info)
{
	napi_value args[3];
	struct netns_call call;
	char *netns;
	if (!get_call(env, info, 3, args, &call, &netns))
		return NULL;
	call.run = attach_xdp;
	run_in_netns(&call);
	return finish(env, &call, netns);
}

// cgroupAttach(cgroupPath, progFd, attachType): attachType is libbpf's name
// of the attach point ("cgroup_inet4_connect", ...). BPF_F_ALLOW_MULTI so that
// programs attached higher up keep running, as they would on a real node.
napi_value cgroup_attach(napi_env env, napi_callback_info info)
{
	napi_value args[3];
	uint32_t prog_fd;
	char *path, *type_name;
	if (!get_args(env, info, 3, args) || !(path = get_string(env, args[0], "cgroup")))
		return NULL;
	if (!get_u32(env, args[1], "progFd", &prog_fd) || !(type_name = get_string(env, args[2], "attachType"))) {
		free(path);
		return NULL;
	}
	int type = -1;
	for (int candidate = 0; candidate < __MAX_BPF_ATTACH_TYPE; candidate++) {
		const char *name = libbpf_bpf_attach_type_str(candidate);
		if (name && strcmp(name, type_name) == 0)
			type = candidate;
	}
	free(type_name);
	int err = 0;
	const char *step = "attach cgroup program";
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		err = errno, step = "open cgroup";
	else if (type < 0)
		err = EINVAL, step = "unknown attach type";
	else if (bpf_prog_attach((int)prog_fd, fd, (enum bpf_attach_type)type, BPF_F_ALLOW_MULTI))
		err = errno;
	if (fd >= 0)
		close(fd);
	if (err)
		throw_errno(env, step, err, path);
	free(path);
	return NULL;
}
