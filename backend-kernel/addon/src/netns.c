#define _GNU_SOURCE
#include "netns.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <unistd.h>

struct netns_thread {
	const char *netns;
	int (*run)(void *arg, const char **step);
	void *arg;
	const char **step;
	int err;
};

static void *netns_thread(void *data)
{
	struct netns_thread *call = data;
	int fd = open(call->netns, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		call->err = errno, *call->step = "open network namespace";
		return NULL;
	}
	int entered = setns(fd, CLONE_NEWNET);
	call->err = entered ? errno : 0;
	close(fd);
	if (entered) {
		*call->step = "enter network namespace";
		return NULL;
	}
	call->err = call->run(call->arg, call->step);
	return NULL;
}

int run_in_netns(const char *netns, int (*run)(void *arg, const char **step), void *arg, const char **step)
{
	struct netns_thread call = {.netns = netns, .run = run, .arg = arg, .step = step};
	pthread_t thread;
	int err = pthread_create(&thread, NULL, netns_thread, &call);
	if (err) {
		*step = "start thread";
		return err;
	}
	pthread_join(thread, NULL);
	return call.err;
}
