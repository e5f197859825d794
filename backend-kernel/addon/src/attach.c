#include "attach.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "errors.h"
#include "netns.h"
#include "values.h"

// tc and XDP are attached over netlink, whose socket talks to the namespace
// of the thread that opened it: each call runs in the namespace (netns.h).
struct netns_call {
	const char *netns;
	int (*run)(struct netns_call *call);
	int ifindex, prog_fd;
	uint32_t prog_id; /* detach: the program the link attached */
	enum bpf_tc_attach_point point;
	bool detached;	  /* detach: whether the link's program was there, and is no longer */
	int err;	      /* positive errno, 0 on success */
	const char *step; /* what failed */
};

static int run_call(void *arg, const char **step)
{
	struct netns_call *call = arg;
	return call->run(call);
}

static int run_in_call_netns(struct netns_call *call)
{
	return call->err = run_in_netns(call->netns, run_call, call, &call->step);
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

// A link's close: the filter at Cilium's handle and priority is removed only
// while it still runs the link's program. An attach at the same handle since
// (an endpoint reloaded in place) put another program there, which the new
// link owns. (netlink has no compare-and-delete for filters: query and delete
// are two calls, so links of one hook are closed by their one owner.)
static int detach_tc(struct netns_call *call)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = call->ifindex, .attach_point = call->point);
	LIBBPF_OPTS(bpf_tc_opts, query, .handle = 1, .priority = 1);
	int err = bpf_tc_query(&hook, &query);
	if (err == -ENOENT || err == -EINVAL) /* no filter there, or no clsact qdisc at all */
		return 0;
	if (err) {
		call->step = "query tc program";
		return -err;
	}
	if (query.prog_id != call->prog_id)
		return 0;
	LIBBPF_OPTS(bpf_tc_opts, filter, .handle = 1, .priority = 1);
	err = bpf_tc_detach(&hook, &filter);
	if (err) {
		call->step = "detach tc program";
		return -err;
	}
	call->detached = true;
	return 0;
}

static int attach_xdp(struct netns_call *call)
{
	int err = bpf_xdp_attach(call->ifindex, call->prog_fd, XDP_FLAGS_SKB_MODE, NULL);
	if (err)
		call->step = "attach XDP program";
	return -err;
}

// XDP_FLAGS_REPLACE with the link's program as the expected one: the kernel
// detaches only if that program is still the one attached (-EEXIST otherwise).
static int detach_xdp(struct netns_call *call)
{
	int prog_fd = bpf_prog_get_fd_by_id(call->prog_id);
	if (prog_fd < 0 && errno == ENOENT) /* the program is gone, so nothing holds it attached */
		return 0;
	if (prog_fd < 0) {
		call->step = "open XDP program by id";
		return errno;
	}
	LIBBPF_OPTS(bpf_xdp_attach_opts, options, .old_prog_fd = prog_fd);
	int err = bpf_xdp_detach(call->ifindex, XDP_FLAGS_SKB_MODE | XDP_FLAGS_REPLACE, &options);
	close(prog_fd);
	if (err == -EEXIST)
		return 0;
	if (err) {
		call->step = "detach XDP program";
		return -err;
	}
	call->detached = true;
	return 0;
}

// The arguments (netns, ifindex, program, ...): `program` is the program's fd
// to attach or, to detach, its id.
static bool get_call(napi_env env, napi_callback_info info, size_t count, napi_value *args, struct netns_call *call,
		     char **netns, const char *program)
{
	uint32_t ifindex, prog;
	if (!get_args(env, info, count, args) || !(*netns = get_string(env, args[0], "netns")))
		return false;
	if (!get_u32(env, args[1], "ifindex", &ifindex) || !get_u32(env, args[2], program, &prog)) {
		free(*netns);
		return false;
	}
	*call = (struct netns_call){.netns = *netns, .ifindex = (int)ifindex, .prog_fd = (int)prog, .prog_id = prog};
	return true;
}

static napi_value finish(napi_env env, struct netns_call *call, char *netns)
{
	if (call->err)
		throw_errno(env, call->step, call->err, netns);
	free(netns);
	return NULL;
}

// Detach calls answer whether they detached the link's program (false: it
// was not there any more).
static napi_value finish_detach(napi_env env, struct netns_call *call, char *netns)
{
	napi_value result = finish(env, call, netns);
	if (call->err)
		return result;
	napi_get_boolean(env, call->detached, &result);
	return result;
}

static bool get_direction(napi_env env, napi_value value, struct netns_call *call)
{
	char *direction = get_string(env, value, "direction");
	if (!direction)
		return false;
	call->point = strcmp(direction, "ingress") == 0 ? BPF_TC_INGRESS : BPF_TC_EGRESS;
	free(direction);
	return true;
}

// tcAttach(netns, ifindex, progFd, "ingress" | "egress")
napi_value tc_attach(napi_env env, napi_callback_info info)
{
	napi_value args[4];
	struct netns_call call;
	char *netns;
	if (!get_call(env, info, 4, args, &call, &netns, "progFd"))
		return NULL;
	if (!get_direction(env, args[3], &call)) {
		free(netns);
		return NULL;
	}
	call.run = attach_tc;
	run_in_call_netns(&call);
	return finish(env, &call, netns);
}

// tcDetach(netns, ifindex, progId, "ingress" | "egress") -> detached
napi_value tc_detach(napi_env env, napi_callback_info info)
{
	napi_value args[4];
	struct netns_call call;
	char *netns;
	if (!get_call(env, info, 4, args, &call, &netns, "progId"))
		return NULL;
	if (!get_direction(env, args[3], &call)) {
		free(netns);
		return NULL;
	}
	call.run = detach_tc;
	run_in_call_netns(&call);
	return finish_detach(env, &call, netns);
}

// xdpAttach(netns, ifindex, progFd): generic (SKB) mode, which every device has.
napi_value xdp_attach(napi_env env, napi_callback_info info)
{
	napi_value args[3];
	struct netns_call call;
	char *netns;
	if (!get_call(env, info, 3, args, &call, &netns, "progFd"))
		return NULL;
	call.run = attach_xdp;
	run_in_call_netns(&call);
	return finish(env, &call, netns);
}

// xdpDetach(netns, ifindex, progId) -> detached
napi_value xdp_detach(napi_env env, napi_callback_info info)
{
	napi_value args[3];
	struct netns_call call;
	char *netns;
	if (!get_call(env, info, 3, args, &call, &netns, "progId"))
		return NULL;
	call.run = detach_xdp;
	run_in_call_netns(&call);
	return finish_detach(env, &call, netns);
}

// The cgroup's directory and the attach type (libbpf's name of it:
// "cgroup_inet4_connect", ...) of a cgroup call's arguments (cgroup, program, attachType).
struct cgroup_call {
	int cgroup_fd, type;
	uint32_t program; /* an fd to attach, an id to detach */
	char *path;
};

// libbpf's attach type of that name, or -1.
static int attach_type(const char *name)
{
	for (int candidate = 0; candidate < __MAX_BPF_ATTACH_TYPE; candidate++) {
		const char *known = libbpf_bpf_attach_type_str(candidate);
		if (known && strcmp(known, name) == 0)
			return candidate;
	}
	return -1;
}

// Opens call->path, the attach type checked first; false after throwing, with the path freed.
static bool open_cgroup(napi_env env, struct cgroup_call *call)
{
	int err = 0;
	const char *step = NULL;
	call->cgroup_fd = open(call->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (call->cgroup_fd < 0)
		err = errno, step = "open cgroup";
	else if (call->type < 0)
		err = EINVAL, step = "unknown attach type";
	if (!err)
		return true;
	if (call->cgroup_fd >= 0)
		close(call->cgroup_fd);
	throw_errno(env, step, err, call->path);
	free(call->path);
	return false;
}

static bool get_cgroup_call(napi_env env, napi_callback_info info, const char *program, struct cgroup_call *call)
{
	napi_value args[3];
	char *type_name;
	if (!get_args(env, info, 3, args) || !(call->path = get_string(env, args[0], "cgroup")))
		return false;
	if (!get_u32(env, args[1], program, &call->program) || !(type_name = get_string(env, args[2], "attachType"))) {
		free(call->path);
		return false;
	}
	call->type = attach_type(type_name);
	free(type_name);
	return open_cgroup(env, call);
}

static napi_value finish_cgroup(napi_env env, struct cgroup_call *call, const char *step, int err)
{
	close(call->cgroup_fd);
	if (err)
		throw_errno(env, step, err, call->path);
	free(call->path);
	return NULL;
}

// cgroupAttach(cgroupPath, progFd, attachType). BPF_F_ALLOW_MULTI so that
// programs attached higher up keep running, as they would on a real node.
napi_value cgroup_attach(napi_env env, napi_callback_info info)
{
	struct cgroup_call call;
	if (!get_cgroup_call(env, info, "progFd", &call))
		return NULL;
	int err = bpf_prog_attach((int)call.program, call.cgroup_fd, (enum bpf_attach_type)call.type, BPF_F_ALLOW_MULTI) ? errno : 0;
	return finish_cgroup(env, &call, "attach cgroup program", err);
}

// cgroupDetach(cgroupPath, progId, attachType) -> detached. bpf_prog_detach2
// names the program: of a multi-program hook, only the link's own leaves.
napi_value cgroup_detach(napi_env env, napi_callback_info info)
{
	struct cgroup_call call;
	if (!get_cgroup_call(env, info, "progId", &call))
		return NULL;
	int err = 0;
	bool detached = false;
	int prog_fd = bpf_prog_get_fd_by_id(call.program);
	if (prog_fd < 0 && errno != ENOENT) /* ENOENT: the program is gone, so nothing holds it attached */
		err = errno;
	if (prog_fd >= 0) {
		detached = bpf_prog_detach2(prog_fd, call.cgroup_fd, (enum bpf_attach_type)call.type) == 0;
		if (!detached && errno != ENOENT) /* ENOENT: not attached there (any more) */
			err = errno;
		close(prog_fd);
	}
	napi_value result = finish_cgroup(env, &call, prog_fd < 0 ? "open cgroup program by id" : "detach cgroup program", err);
	if (err)
		return result;
	napi_get_boolean(env, detached, &result);
	return result;
}

// cgroupQuery(cgroupPath, attachType) -> [progId, ...]: the programs attached
// to the cgroup itself at that hook (not those inherited from above).
napi_value cgroup_query(napi_env env, napi_callback_info info)
{
	napi_value args[2];
	char *path, *type_name;
	if (!get_args(env, info, 2, args) || !(path = get_string(env, args[0], "cgroup")))
		return NULL;
	if (!(type_name = get_string(env, args[1], "attachType"))) {
		free(path);
		return NULL;
	}
	struct cgroup_call call = {.path = path, .type = attach_type(type_name)};
	free(type_name);
	if (!open_cgroup(env, &call))
		return NULL;
	uint32_t ids[64], count = sizeof(ids) / sizeof(ids[0]);
	int err = bpf_prog_query(call.cgroup_fd, (enum bpf_attach_type)call.type, 0, NULL, ids, &count) ? errno : 0;
	napi_value result = finish_cgroup(env, &call, "query cgroup programs", err);
	if (err)
		return result;
	result = make_array(env);
	for (uint32_t i = 0; i < count; i++) {
		napi_value id;
		napi_create_uint32(env, ids[i], &id);
		napi_set_element(env, result, i, id);
	}
	return result;
}
