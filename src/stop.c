/* stop.c: a request to stop, from a signal handler to every wait.
 *
 * A self-pipe: the handler writes one byte and nothing ever reads it,
 * so every poll(2) that includes the read end returns from then on, in
 * whichever thread it runs. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "popmuch/stop.h"

static volatile sig_atomic_t stop_sig;
static int stop_pipe[2] = {-1, -1};

void
stop_init(void)
{
	if (stop_pipe[0] < 0 && pipe2(stop_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
		stop_pipe[0] = stop_pipe[1] = -1;
}

void
stop_request(int sig)
{
	int saved = errno;
	ssize_t n;

	if (stop_sig == 0)
		stop_sig = sig;
	if (stop_pipe[1] >= 0) {
		n = write(stop_pipe[1], "x", 1); /* full pipe: already set */
		(void)n;
	}
	errno = saved;
}

int
stop_requested(void)
{
	return stop_sig;
}

int
stop_fd(void)
{
	return stop_pipe[0];
}

int
stop_poll(int fd, short events, int ms)
{
	struct pollfd pfd[2];

	pfd[0].fd = fd;
	pfd[0].events = events;
	pfd[0].revents = 0;
	pfd[1].fd = stop_pipe[0];
	pfd[1].events = POLLIN;
	pfd[1].revents = 0;
	return poll(pfd, pfd[1].fd >= 0 ? 2 : 1, ms);
}

long long
stop_clock_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const char *
stop_signal_name(void)
{
	switch (stop_sig) {
	case SIGTERM:
		return "SIGTERM";
	case SIGINT:
		return "SIGINT";
	case SIGHUP:
		return "SIGHUP";
	default:
		return "signal";
	}
}
