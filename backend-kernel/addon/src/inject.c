// ebbflow-inject: sends prepared Ethernet frames into a network namespace and
// times their way through it, for the kube-proxy benchmark
// (backend-kernel/kube-proxy/measure.ts). It enters the namespace, opens an
// AF_PACKET socket on one end of a veth and, round by round, writes each frame
// to it with one send(). The veth hands each frame to its other end, whose
// receive path (IP, netfilter's hooks, routing, forwarding) runs in the softirq
// that the send's own bottom-half re-enable runs, so a round's time covers
// every frame's whole path. A round ends when the sink device's transmitted
// packets (read from /proc/net/dev, which is the namespace's) have grown by
// the round's frames, or a second after the last send; what it counted is printed, so that
// a caller can tell a frame that went elsewhere.
//
//   ebbflow-inject NETNS_PATH IFNAME SINK_IFNAME FRAME_LENGTH FRAMES_PER_ROUND < frames
//
// stdin holds whole rounds of frames, each FRAME_LENGTH bytes. For each round
// it prints "round NANOSECONDS SINK_PACKETS", then "done" at the end.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static void fail(const char *what)
{
	fprintf(stderr, "ebbflow-inject: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

// The device's transmitted packets, from the namespace's /proc/net/dev.
static uint64_t tx_packets(const char *device)
{
	FILE *file = fopen("/proc/net/dev", "r");
	if (!file)
		fail("open /proc/net/dev");
	char line[512];
	size_t length = strlen(device);
	uint64_t packets = UINT64_MAX;
	while (fgets(line, sizeof line, file)) {
		char *name = line + strspn(line, " ");
		if (strncmp(name, device, length) != 0 || name[length] != ':')
			continue;
		uint64_t fields[10];
		if (sscanf(name + length + 1, "%lu %lu %lu %lu %lu %lu %lu %lu %lu %lu", &fields[0], &fields[1], &fields[2], &fields[3], &fields[4],
			   &fields[5], &fields[6], &fields[7], &fields[8], &fields[9]) == 10)
			packets = fields[9];
	}
	fclose(file);
	if (packets == UINT64_MAX) {
		errno = ENODEV;
		fail(device);
	}
	return packets;
}

int main(int argc, char **argv)
{
	if (argc != 6) {
		fprintf(stderr, "usage: ebbflow-inject NETNS_PATH IFNAME SINK_IFNAME FRAME_LENGTH FRAMES_PER_ROUND < frames\n");
		return 2;
	}
	const char *device = argv[2], *sink = argv[3];
	size_t frame_length = strtoul(argv[4], NULL, 10);
	size_t per_round = strtoul(argv[5], NULL, 10);
	if (frame_length < 14 || frame_length > 1514 || per_round == 0) {
		fprintf(stderr, "ebbflow-inject: FRAME_LENGTH must be 14 to 1514 and FRAMES_PER_ROUND at least 1\n");
		return 2;
	}
	int netns = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (netns < 0 || setns(netns, CLONE_NEWNET))
		fail(argv[1]);
	close(netns);

	// Protocol 0: the socket sends and receives nothing.
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0)
		fail("socket(AF_PACKET)");
	struct sockaddr_ll address = { .sll_family = AF_PACKET, .sll_ifindex = (int)if_nametoindex(device) };
	if (address.sll_ifindex == 0)
		fail(device);
	if (bind(fd, (struct sockaddr *)&address, sizeof address))
		fail("bind");
	int bypass = 1;
	if (setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &bypass, sizeof bypass))
		fail("PACKET_QDISC_BYPASS");

	size_t round_bytes = frame_length * per_round;
	unsigned char *frames = malloc(round_bytes);
	if (!frames)
		fail("malloc");
	for (;;) {
		size_t have = 0;
		while (have < round_bytes) {
			ssize_t got = read(STDIN_FILENO, frames + have, round_bytes - have);
			if (got < 0)
				fail("read stdin");
			if (got == 0)
				break;
			have += (size_t)got;
		}
		if (have == 0)
			break;
		if (have != round_bytes) {
			fprintf(stderr, "ebbflow-inject: stdin ended inside a round (%zu of %zu bytes)\n", have, round_bytes);
			return 2;
		}
		uint64_t before = tx_packets(sink);
		int64_t start = now_ns();
		for (size_t i = 0; i < per_round; i++) {
			if (send(fd, frames + i * frame_length, frame_length, 0) != (ssize_t)frame_length)
				fail("send");
		}
		uint64_t delivered = tx_packets(sink) - before;
		int64_t deadline = now_ns() + 1000000000;
		while (delivered < per_round && now_ns() < deadline) {
			usleep(100);
			delivered = tx_packets(sink) - before;
		}
		int64_t elapsed = now_ns() - start;
		printf("round %ld %lu\n", (long)elapsed, (unsigned long)delivered);
		fflush(stdout);
	}
	printf("done\n");
	return 0;
}
