// ebbflow-peer: the kernel backend's stand-in for a pod's (or node's, or
// world host's) processes. A Node process cannot move a socket into another
// network namespace, so each namespace of a run has one of these: it enters
// the namespace, sets its sysctls, then answers requests from the network
// (TCP accept, UDP echo, SCTP INIT-ACK over a raw socket; the kernel answers
// pings; on the ports asked for, HTTP answers 200 with a short body naming
// the peer, and DNS answers A queries from the records it was given) and
// makes connection attempts when told to.
//
//   ebbflow-peer NETNS_PATH [KEY=VALUE]...   (sysctls, e.g. net.ipv4.ip_forward=1)
//
// Commands on stdin, one per line, each with an id the answer repeats:
//   ID listen tcp|udp|sctp|http|dns PORT             -> ID ok | ID error TEXT
//   ID name TEXT                                     -> ID ok (what HTTP answers name)
//   ID record NAME IP[,IP...]                        -> ID ok (a DNS A record; NAME may be *.suffix)
//   ID connect PROTO SRC SPORT DST DPORT TIMEOUT_MS  -> ID done 1 ANSWERED_BY | ID done 0 (later)
//      (PROTO tcp, udp, sctp, icmp; for icmp SPORT is the echo identifier)
//   ID cancel TARGET                                 -> (nothing; TARGET is dropped)
//   ID sockconnect udp DST DPORT                     -> ID peer IP PORT COOKIE | ID error ERRNO [COOKIE]
// It prints "ready" once set up, and exits when stdin closes or its parent dies.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define IPPROTO_SCTP_RAW 132
#define SCTP_INIT 1
#define SCTP_INIT_ACK 2
#define MAX_SOCKETS 256

enum role { STDIN, TCP_LISTENER, UDP_ECHO, SCTP_RESPONDER, ATTEMPT, HTTP_LISTENER, HTTP_CONNECTION, DNS_SERVER };
enum protocol { TCP, UDP, SCTP, ICMP };

struct slot {
	enum role role;
	int fd;
	// ATTEMPT: what answers it and until when.
	char id[32];
	enum protocol protocol;
	struct in_addr peer;
	uint16_t sport, dport;
	int64_t deadline_ms;
};

static struct slot slots[MAX_SOCKETS];
static int slot_count;
static bool sctp_ports[65536];
static char peer_name[64] = "ebbflow-peer";

#define MAX_RECORDS 64
static struct record {
	char name[128];
	struct in_addr addresses[8];
	int count;
} records[MAX_RECORDS];
static int record_count;

static void say(const char *format, ...)
{
	char line[256];
	va_list args;
	va_start(args, format);
	int length = vsnprintf(line, sizeof(line) - 1, format, args);
	va_end(args);
	line[length++] = '\n';
	if (write(STDOUT_FILENO, line, (size_t)length) != length)
		exit(1);
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static struct slot *add_slot(enum role role, int fd)
{
	if (slot_count == MAX_SOCKETS) {
		close(fd);
		return NULL;
	}
	slots[slot_count] = (struct slot){.role = role, .fd = fd};
	return &slots[slot_count++];
}

static void remove_slot(int index)
{
	// A TCP attempt ends with a reset rather than a FIN exchange: fewer packets
	// through the datapath after the attempt is decided.
	struct linger abort_close = {.l_onoff = 1, .l_linger = 0};
	setsockopt(slots[index].fd, SOL_SOCKET, SO_LINGER, &abort_close, sizeof(abort_close));
	close(slots[index].fd);
	slots[index] = slots[--slot_count];
}

static uint16_t inet_checksum(const uint8_t *bytes, size_t length)
{
	uint32_t sum = 0;
	for (size_t i = 0; i + 1 < length; i += 2)
		sum += (uint32_t)(bytes[i] << 8 | bytes[i + 1]);
	if (length & 1)
		sum += (uint32_t)bytes[length - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

static uint32_t crc32c(const uint8_t *bytes, size_t length)
{
	uint32_t crc = 0xffffffff;
	for (size_t i = 0; i < length; i++) {
		crc ^= bytes[i];
		for (int bit = 0; bit < 8; bit++)
			crc = (crc >> 1) ^ (0x82f63b78 & (0 - (crc & 1)));
	}
	return ~crc;
}

// An SCTP packet of one chunk (INIT or INIT-ACK: the same 16-byte body of
// tag, window, streams and TSN), with its CRC32c in the byte order the kernel
// stores it.
static size_t sctp_packet(uint8_t *out, uint16_t sport, uint16_t dport, uint32_t vtag, uint8_t chunk, uint32_t tag)
{
	memset(out, 0, 32);
	*(uint16_t *)(out + 0) = htons(sport);
	*(uint16_t *)(out + 2) = htons(dport);
	*(uint32_t *)(out + 4) = htonl(vtag);
	out[12] = chunk;
	*(uint16_t *)(out + 14) = htons(20);
	*(uint32_t *)(out + 16) = htonl(tag);
	*(uint32_t *)(out + 20) = htonl(65535);
	*(uint16_t *)(out + 24) = htons(1);
	*(uint16_t *)(out + 26) = htons(1);
	*(uint32_t *)(out + 28) = htonl(1);
	uint32_t crc = crc32c(out, 32);
	out[8] = (uint8_t)crc, out[9] = (uint8_t)(crc >> 8), out[10] = (uint8_t)(crc >> 16), out[11] = (uint8_t)(crc >> 24);
	return 32;
}

// Sends from `source` (the address the request was sent to, so that a host
// with many addresses answers from the right one).
static void send_from(int fd, const void *bytes, size_t length, struct sockaddr_in *to, struct in_addr source)
{
	char control[CMSG_SPACE(sizeof(struct in_pktinfo))] = {0};
	struct iovec iov = {.iov_base = (void *)bytes, .iov_len = length};
	struct msghdr message = {.msg_name = to, .msg_namelen = sizeof(*to), .msg_iov = &iov, .msg_iovlen = 1,
				 .msg_control = control, .msg_controllen = sizeof(control)};
	struct cmsghdr *header = CMSG_FIRSTHDR(&message);
	header->cmsg_level = IPPROTO_IP, header->cmsg_type = IP_PKTINFO, header->cmsg_len = CMSG_LEN(sizeof(struct in_pktinfo));
	((struct in_pktinfo *)CMSG_DATA(header))->ipi_spec_dst = source;
	sendmsg(fd, &message, 0);
}

static ssize_t receive_to(int fd, uint8_t *buffer, size_t size, struct sockaddr_in *from, struct in_addr *destination)
{
	char control[256];
	struct iovec iov = {.iov_base = buffer, .iov_len = size};
	struct msghdr message = {.msg_name = from, .msg_namelen = sizeof(*from), .msg_iov = &iov, .msg_iovlen = 1,
				 .msg_control = control, .msg_controllen = sizeof(control)};
	ssize_t length = recvmsg(fd, &message, 0);
	destination->s_addr = 0;
	for (struct cmsghdr *header = CMSG_FIRSTHDR(&message); header; header = CMSG_NXTHDR(&message, header))
		if (header->cmsg_level == IPPROTO_IP && header->cmsg_type == IP_PKTINFO)
			*destination = ((struct in_pktinfo *)CMSG_DATA(header))->ipi_addr;
	return length;
}

static int open_socket(int type, int protocol)
{
	int fd = socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
	int one = 1;
	if (fd >= 0) {
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one));
	}
	return fd;
}

static struct sockaddr_in address(const char *ip, uint16_t port)
{
	struct sockaddr_in result = {.sin_family = AF_INET, .sin_port = htons(port)};
	inet_pton(AF_INET, ip, &result.sin_addr);
	return result;
}

static bool has_responder(enum role role, uint16_t port)
{
	for (int i = 0; i < slot_count; i++) {
		struct sockaddr_in bound;
		socklen_t length = sizeof(bound);
		if (slots[i].role == role && getsockname(slots[i].fd, (struct sockaddr *)&bound, &length) == 0 &&
		    ntohs(bound.sin_port) == port)
			return true;
	}
	return false;
}

static void listen_command(const char *id, const char *protocol, int port)
{
	if (strcmp(protocol, "sctp") == 0) {
		if (!has_responder(SCTP_RESPONDER, 0)) {
			int fd = open_socket(SOCK_RAW, IPPROTO_SCTP_RAW);
			if (fd < 0 || !add_slot(SCTP_RESPONDER, fd))
				return say("%s error sctp raw socket: %s", id, strerror(errno));
		}
		sctp_ports[port] = true;
		return say("%s ok", id);
	}
	bool http = strcmp(protocol, "http") == 0;
	bool tcp = http || strcmp(protocol, "tcp") == 0;
	enum role role = http ? HTTP_LISTENER : tcp ? TCP_LISTENER : strcmp(protocol, "dns") == 0 ? DNS_SERVER : UDP_ECHO;
	if (has_responder(role, (uint16_t)port))
		return say("%s ok", id);
	int fd = open_socket(tcp ? SOCK_STREAM : SOCK_DGRAM, 0);
	struct sockaddr_in any = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	if (fd < 0 || bind(fd, (struct sockaddr *)&any, sizeof(any)) || (tcp && listen(fd, 128))) {
		say("%s error %s %d: %s", id, protocol, port, strerror(errno));
		if (fd >= 0)
			close(fd);
		return;
	}
	add_slot(role, fd);
	say("%s ok", id);
}

static void connect_command(const char *id, const char *protocol_name, const char *source, int sport,
			    const char *destination, int dport, int timeout_ms)
{
	enum protocol protocol = strcmp(protocol_name, "tcp") == 0	 ? TCP
				 : strcmp(protocol_name, "udp") == 0	 ? UDP
				 : strcmp(protocol_name, "sctp") == 0 ? SCTP
									 : ICMP;
	int fd = protocol == TCP   ? open_socket(SOCK_STREAM, 0)
		 : protocol == UDP ? open_socket(SOCK_DGRAM, 0)
				   : open_socket(SOCK_RAW, protocol == SCTP ? IPPROTO_SCTP_RAW : IPPROTO_ICMP);
	struct sockaddr_in from = address(source, protocol == TCP || protocol == UDP ? (uint16_t)sport : 0);
	struct sockaddr_in to = address(destination, protocol == ICMP || protocol == SCTP ? 0 : (uint16_t)dport);
	if (fd < 0 || bind(fd, (struct sockaddr *)&from, sizeof(from))) {
		say("%s error bind %s:%d: %s", id, source, sport, strerror(errno));
		if (fd >= 0)
			close(fd);
		return;
	}
	struct slot *slot = add_slot(ATTEMPT, fd);
	if (!slot)
		return say("%s error too many sockets", id);
	snprintf(slot->id, sizeof(slot->id), "%s", id);
	slot->protocol = protocol, slot->peer = to.sin_addr, slot->sport = (uint16_t)sport, slot->dport = (uint16_t)dport;
	slot->deadline_ms = now_ms() + timeout_ms;
	uint8_t packet[64] = {0};
	if (protocol == TCP) {
		connect(fd, (struct sockaddr *)&to, sizeof(to));
	} else if (protocol == UDP) {
		if (connect(fd, (struct sockaddr *)&to, sizeof(to)) == 0)
			send(fd, "ebbflow", 7, 0);
	} else if (protocol == ICMP) {
		packet[0] = 8; /* echo request */
		*(uint16_t *)(packet + 4) = htons((uint16_t)sport);
		*(uint16_t *)(packet + 6) = htons(1);
		*(uint16_t *)(packet + 2) = inet_checksum(packet, 16);
		sendto(fd, packet, 16, 0, (struct sockaddr *)&to, sizeof(to));
	} else {
		size_t length = sctp_packet(packet, (uint16_t)sport, (uint16_t)dport, 0, SCTP_INIT, 0x0ebbf10e);
		sendto(fd, packet, length, 0, (struct sockaddr *)&to, sizeof(to));
	}
}

// Whether what arrived on an attempt's socket is its answer; `from` is who
// answered: the connected peer (a service's backend, where a socket hook
// translated the address), or the reply's source.
static bool answered(struct slot *slot, struct in_addr *from)
{
	uint8_t buffer[2048];
	struct sockaddr_in peer;
	socklen_t peer_length = sizeof(peer);
	if (slot->protocol == TCP || slot->protocol == UDP) {
		int err = 0;
		socklen_t length = sizeof(err);
		if (slot->protocol == TCP)
			getsockopt(slot->fd, SOL_SOCKET, SO_ERROR, &err, &length);
		else if (recv(slot->fd, buffer, sizeof(buffer), 0) <= 0)
			return false;
		if (err || getpeername(slot->fd, (struct sockaddr *)&peer, &peer_length))
			return false;
		*from = peer.sin_addr;
		return true;
	}
	// Raw sockets see every packet of their protocol: find the reply among them.
	ssize_t length;
	while ((length = recv(slot->fd, buffer, sizeof(buffer), 0)) > 0) {
		struct iphdr *ip = (struct iphdr *)buffer;
		const uint8_t *l4 = buffer + ip->ihl * 4;
		if (ip->saddr != slot->peer.s_addr || length < ip->ihl * 4 + 16)
			continue;
		from->s_addr = ip->saddr;
		if (slot->protocol == ICMP && l4[0] == 0 && ntohs(*(uint16_t *)(l4 + 4)) == slot->sport)
			return true;
		if (slot->protocol == SCTP && ntohs(*(uint16_t *)l4) == slot->dport &&
		    ntohs(*(uint16_t *)(l4 + 2)) == slot->sport && l4[12] == SCTP_INIT_ACK)
			return true;
	}
	return false;
}

// The socket's cookie (SO_COOKIE) is what bpf_get_socket_cookie gives the
// socket hooks: with it, the VM can run the same hook on the same input.
static void sockconnect_command(const char *id, const char *destination, int dport)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in to = address(destination, (uint16_t)dport), peer;
	socklen_t length = sizeof(peer), cookie_length = sizeof(uint64_t);
	uint64_t cookie = 0;
	if (fd < 0 || getsockopt(fd, SOL_SOCKET, SO_COOKIE, &cookie, &cookie_length)) {
		say("%s error %d", id, errno);
	} else if (connect(fd, (struct sockaddr *)&to, sizeof(to)) || getpeername(fd, (struct sockaddr *)&peer, &length)) {
		say("%s error %d %llu", id, errno, (unsigned long long)cookie);
	} else {
		char text[INET_ADDRSTRLEN];
		say("%s peer %s %d %llu", id, inet_ntop(AF_INET, &peer.sin_addr, text, sizeof(text)), ntohs(peer.sin_port),
		    (unsigned long long)cookie);
	}
	if (fd >= 0)
		close(fd);
}

static void record_command(const char *id, const char *name, char *addresses)
{
	if (record_count == MAX_RECORDS || strlen(name) >= sizeof(records[0].name))
		return say("%s error too many or too long records", id);
	struct record *record = &records[record_count];
	snprintf(record->name, sizeof(record->name), "%s", name);
	record->count = 0;
	for (char *address = strtok(addresses, ","); address && record->count < 8; address = strtok(NULL, ",")) {
		if (inet_pton(AF_INET, address, &record->addresses[record->count]) != 1)
			return say("%s error not an IPv4 address: %s", id, address);
		record->count++;
	}
	record_count++;
	say("%s ok", id);
}

static void command(char *line)
{
	char id[32], verb[16], a[64], b[64], c[64], d[64], e[64], f[64];
	int fields = sscanf(line, "%31s %15s %63s %63s %63s %63s %63s %63s", id, verb, a, b, c, d, e, f);
	if (fields >= 4 && strcmp(verb, "listen") == 0)
		return listen_command(id, a, atoi(b));
	if (fields == 8 && strcmp(verb, "connect") == 0)
		return connect_command(id, a, b, atoi(c), d, atoi(e), atoi(f));
	if (fields == 3 && strcmp(verb, "cancel") == 0) {
		for (int i = 0; i < slot_count; i++)
			if (slots[i].role == ATTEMPT && strcmp(slots[i].id, a) == 0)
				return remove_slot(i);
		return;
	}
	if (fields == 5 && strcmp(verb, "sockconnect") == 0 && strcmp(a, "udp") == 0)
		return sockconnect_command(id, b, atoi(c));
	if (fields == 3 && strcmp(verb, "name") == 0) {
		snprintf(peer_name, sizeof(peer_name), "%s", a);
		return say("%s ok", id);
	}
	if (fields == 4 && strcmp(verb, "record") == 0)
		return record_command(id, a, b);
	say("%s error unknown command: %s", fields > 0 ? id : "-", line);
}

static void read_commands(void)
{
	static char buffer[65536];
	static size_t used;
	ssize_t length = read(STDIN_FILENO, buffer + used, sizeof(buffer) - 1 - used);
	if (length <= 0)
		exit(0);
	used += (size_t)length;
	char *start = buffer, *end;
	while ((end = memchr(start, '\n', used - (size_t)(start - buffer)))) {
		*end = '\0';
		command(start);
		start = end + 1;
	}
	used -= (size_t)(start - buffer);
	memmove(buffer, start, used);
}

// An HTTP request on an accepted connection gets 200 and the peer's name;
// anything else gets nothing. The caller closes the connection.
static void answer_http(int fd)
{
	static const char *const methods[] = {"GET ", "HEAD ", "POST ", "PUT ", "DELETE ", "PATCH ", "OPTIONS "};
	char request[1024], response[256];
	ssize_t length = read(fd, request, sizeof(request) - 1);
	if (length <= 0)
		return;
	request[length] = '\0';
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		if (strncmp(request, methods[i], strlen(methods[i])) != 0)
			continue;
		int body = (int)strlen(peer_name) + 1;
		int size = snprintf(response, sizeof(response),
				    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s\n",
				    body, i == 1 ? "" : peer_name);
		if (i == 1)
			size -= 1; // HEAD: headers only
		if (write(fd, response, (size_t)size) < 0)
			return;
		return;
	}
}

static const struct record *find_record(const char *name)
{
	for (int i = 0; i < record_count; i++) {
		const char *pattern = records[i].name;
		if (strcasecmp(pattern, name) == 0)
			return &records[i];
		// "*.suffix" matches one or more labels before the suffix.
		const char *dot = strchr(name, '.');
		if (pattern[0] == '*' && pattern[1] == '.' && dot && strcasecmp(pattern + 1, dot) == 0)
			return &records[i];
	}
	return NULL;
}

// A DNS answer to one question: A records from the table, NXDOMAIN for a
// name it does not know, no answers for other types, FORMERR for a malformed
// query (RFC 1035).
static size_t answer_dns(const uint8_t *query, size_t length, uint8_t *out, size_t room)
{
	if (length < 12 || length > room - 16 * 8 - 16)
		return 0;
	char name[256];
	size_t at = 12, used = 0;
	while (at < length && query[at] != 0) {
		size_t label = query[at];
		if (label > 63 || at + 1 + label > length || used + label + 1 >= sizeof(name))
			return 0;
		if (used)
			name[used++] = '.';
		memcpy(name + used, query + at + 1, label);
		used += label;
		at += 1 + label;
	}
	name[used] = '\0';
	bool formed = at + 5 <= length && ntohs(*(uint16_t *)(query + 4)) == 1;
	size_t question_end = formed ? at + 5 : 12;
	memcpy(out, query, question_end);
	uint16_t qtype = formed ? ntohs(*(uint16_t *)(query + at + 1)) : 0;
	const struct record *record = formed ? find_record(name) : NULL;
	uint16_t answers = record && qtype == 1 ? (uint16_t)record->count : 0;
	uint8_t rcode = !formed ? 1 : record ? 0 : 3;
	out[2] = 0x80 | (query[2] & 0x01); // a response, keeping RD
	out[3] = 0x80 | rcode;             // RA, and the rcode
	*(uint16_t *)(out + 4) = htons(formed ? 1 : 0);
	*(uint16_t *)(out + 6) = htons(answers);
	*(uint16_t *)(out + 8) = 0;
	*(uint16_t *)(out + 10) = 0;
	size_t size = question_end;
	for (uint16_t i = 0; i < answers; i++) {
		uint8_t *rr = out + size;
		rr[0] = 0xc0, rr[1] = 12; // the question's name
		*(uint16_t *)(rr + 2) = htons(1);
		*(uint16_t *)(rr + 4) = htons(1);
		*(uint32_t *)(rr + 6) = htonl(30);
		*(uint16_t *)(rr + 10) = htons(4);
		memcpy(rr + 12, &record->addresses[i], 4);
		size += 16;
	}
	return size;
}

static void respond(struct slot *slot)
{
	uint8_t buffer[2048], packet[64];
	struct sockaddr_in from;
	struct in_addr destination;
	if (slot->role == HTTP_LISTENER) {
		int fd = accept4(slot->fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd >= 0)
			add_slot(HTTP_CONNECTION, fd);
		return;
	}
	if (slot->role == HTTP_CONNECTION) {
		// Closed gently, unlike an attempt's socket: the answer must get out.
		answer_http(slot->fd);
		shutdown(slot->fd, SHUT_WR);
		close(slot->fd);
		*slot = slots[--slot_count];
		return;
	}
	if (slot->role == TCP_LISTENER) {
		int fd = accept4(slot->fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd >= 0)
			close(fd);
		return;
	}
	ssize_t length = receive_to(slot->fd, buffer, sizeof(buffer), &from, &destination);
	if (length <= 0)
		return;
	if (slot->role == UDP_ECHO)
		return send_from(slot->fd, buffer, (size_t)length, &from, destination);
	if (slot->role == DNS_SERVER) {
		uint8_t answer[2048];
		size_t size = answer_dns(buffer, (size_t)length, answer, sizeof(answer));
		if (size > 0)
			send_from(slot->fd, answer, size, &from, destination);
		return;
	}
	struct iphdr *ip = (struct iphdr *)buffer;
	const uint8_t *l4 = buffer + ip->ihl * 4;
	if (length < ip->ihl * 4 + 32 || l4[12] != SCTP_INIT)
		return;
	uint16_t sport = ntohs(*(uint16_t *)l4), dport = ntohs(*(uint16_t *)(l4 + 2));
	if (!sctp_ports[dport])
		return;
	uint32_t initiate_tag = ntohl(*(uint32_t *)(l4 + 16));
	size_t reply = sctp_packet(packet, dport, sport, initiate_tag, SCTP_INIT_ACK, 0x0ebbf10f);
	from.sin_port = 0;
	send_from(slot->fd, packet, reply, &from, (struct in_addr){ip->daddr});
}

static void write_sysctl(const char *setting)
{
	char path[256];
	const char *equals = strchr(setting, '=');
	int length = equals ? snprintf(path, sizeof(path), "/proc/sys/%.*s", (int)(equals - setting), setting) : -1;
	if (length < 0 || (size_t)length >= sizeof(path)) {
		fprintf(stderr, "ebbflow-peer: not KEY=VALUE: %s\n", setting);
		exit(2);
	}
	for (char *p = path + strlen("/proc/sys/"); *p; p++)
		if (*p == '.')
			*p = '/';
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, equals + 1, strlen(equals + 1)) < 0) {
		fprintf(stderr, "ebbflow-peer: sysctl %s: %s\n", setting, strerror(errno));
		exit(2);
	}
	close(fd);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: ebbflow-peer NETNS_PATH [KEY=VALUE]...\n");
		return 2;
	}
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() == 1)
		return 1;
	signal(SIGPIPE, SIG_IGN);
	int netns = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (netns < 0 || setns(netns, CLONE_NEWNET)) {
		fprintf(stderr, "ebbflow-peer: enter %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	close(netns);
	for (int i = 2; i < argc; i++)
		write_sysctl(argv[i]);
	add_slot(STDIN, STDIN_FILENO);
	say("ready");
	for (;;) {
		struct pollfd fds[MAX_SOCKETS];
		int64_t now = now_ms(), wait = 1000;
		for (int i = 0; i < slot_count; i++) {
			bool connecting = slots[i].role == ATTEMPT && slots[i].protocol == TCP;
			fds[i] = (struct pollfd){.fd = slots[i].fd, .events = connecting ? POLLOUT : POLLIN};
			if (slots[i].role == ATTEMPT && slots[i].deadline_ms - now < wait)
				wait = slots[i].deadline_ms - now;
		}
		int count = slot_count;
		poll(fds, (nfds_t)count, wait < 0 ? 0 : (int)wait);
		now = now_ms();
		bool commands = false;
		struct in_addr from;
		// Backwards, so that removing a slot (moving the last into its place)
		// skips nothing; commands last, since they add and remove slots.
		for (int i = count - 1; i >= 0; i--) {
			struct slot *slot = &slots[i];
			if (slot->role == STDIN) {
				commands = fds[i].revents != 0;
			} else if (slot->role == HTTP_CONNECTION) {
				if (fds[i].revents)
					respond(slot);
			} else if (slot->role != ATTEMPT) {
				if (fds[i].revents & POLLIN)
					respond(slot);
			} else if (fds[i].revents && answered(slot, &from)) {
				char text[INET_ADDRSTRLEN];
				say("%s done 1 %s", slot->id, inet_ntop(AF_INET, &from, text, sizeof(text)));
				remove_slot(i);
			} else if (fds[i].revents & (POLLERR | POLLHUP) || now >= slot->deadline_ms) {
				say("%s done 0", slot->id);
				remove_slot(i);
			}
		}
		if (commands)
			read_commands();
	}
}
