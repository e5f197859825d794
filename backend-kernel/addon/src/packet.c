// How the kernel backend carries a frame longer than BPF_PROG_TEST_RUN takes
// through the real hooks of a pod's veth. The frame goes out of the
// interface through its tc egress (no PACKET_QDISC_BYPASS), and a veth hands
// it to its peer's receive path. A frame past a page would be linear for its
// Ethernet header only (packet_alloc_skb), out of a tc program's direct
// reach: a virtio_net_hdr (PACKET_VNET_HDR) without GSO asks for its first
// 65,535 bytes (hdr_len, a u16) in the linear part, where the VM has the
// whole frame.
#include "packet.h"

#include <errno.h>
#include <linux/if_packet.h>
#include <linux/virtio_net.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "errors.h"
#include "netns.h"
#include "values.h"

struct send_call {
	const char *interface;
	const void *frame;
	size_t length;
	bool dropped; /* the device's way out dropped it (NET_XMIT_DROP: its tc egress program, or its qdisc) */
};

static int send_frame(void *arg, const char **step)
{
	struct send_call *call = arg;
	struct sockaddr_ll address = {.sll_family = AF_PACKET, .sll_ifindex = (int)if_nametoindex(call->interface)};
	if (address.sll_ifindex == 0) {
		*step = "find interface";
		return errno;
	}
	// Protocol 0: the socket receives nothing; the kernel takes the frame's protocol from its Ethernet header.
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		*step = "open packet socket";
		return errno;
	}
	int on = 1, err = 0;
	// The legacy header is in the host's byte order, as PACKET_VNET_HDR reads it.
	struct virtio_net_hdr header = {.gso_type = VIRTIO_NET_HDR_GSO_NONE, .hdr_len = call->length > UINT16_MAX ? UINT16_MAX : (uint16_t)call->length};
	struct iovec parts[2] = {{.iov_base = &header, .iov_len = sizeof header}, {.iov_base = (void *)call->frame, .iov_len = call->length}};
	struct msghdr message = {.msg_iov = parts, .msg_iovlen = 2};
	if (setsockopt(fd, SOL_PACKET, PACKET_VNET_HDR, &on, sizeof on))
		err = errno, *step = "ask for a virtio_net_hdr";
	else if (bind(fd, (struct sockaddr *)&address, sizeof address))
		err = errno, *step = "bind packet socket";
	else if (sendmsg(fd, &message, 0) < 0 && errno != ENOBUFS)
		err = errno, *step = "send frame";
	else
		call->dropped = errno == ENOBUFS;
	close(fd);
	return err;
}

// packetSend(netns, interface, frame) -> sent: one send, false when the
// interface's way out dropped the frame (ENOBUFS, __dev_queue_xmit's
// NET_XMIT_DROP), which is a verdict rather than a failure. A frame longer
// than the interface's MTU and Ethernet header is EMSGSIZE.
napi_value packet_send(napi_env env, napi_callback_info info)
{
	napi_value args[3];
	if (!get_args(env, info, 3, args))
		return NULL;
	struct send_call call = {0};
	void *frame;
	char *netns = get_string(env, args[0], "netns");
	if (!netns)
		return NULL;
	char *interface = get_string(env, args[1], "interface");
	if (!interface || !get_bytes(env, args[2], "frame", &frame, &call.length)) {
		free(netns);
		free(interface);
		return NULL;
	}
	call.interface = interface, call.frame = frame;
	const char *step = NULL;
	int err = run_in_netns(netns, send_frame, &call, &step);
	napi_value result = NULL;
	if (err)
		throw_errno(env, step, err, interface);
	else
		napi_get_boolean(env, !call.dropped, &result);
	free(netns);
	free(interface);
	return result;
}
