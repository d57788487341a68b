/* progress.c: fetch events to a terminal, to the TUI, or to nowhere. */
#include "config.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "popmuch/clock.h"
#include "popmuch/log.h"
#include "popmuch/progress.h"
#include "popmuch/xmalloc.h"

#define PROGRESS_ACCOUNTS 32

struct acct_state {
	char name[64];
	uint32_t done, total;
	uint64_t bytes;
	int finished;
};

struct progress {
	struct fetch_events ev;
	pthread_mutex_t mu;
	int tty, fd;
	struct timespec start;
	struct acct_state acct[PROGRESS_ACCOUNTS];
	size_t nacct;
	int line_shown;
};

static struct acct_state *
state_of(struct progress *pr, const char *name)
{
	for (size_t i = 0; i < pr->nacct; i++)
		if (strcmp(pr->acct[i].name, name) == 0)
			return &pr->acct[i];
	if (pr->nacct == PROGRESS_ACCOUNTS)
		return NULL;
	(void)snprintf(pr->acct[pr->nacct].name, sizeof(pr->acct[0].name), "%s",
		       name);
	return &pr->acct[pr->nacct++];
}

static void fd_line(struct progress *pr, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
fd_line(struct progress *pr, const char *fmt, ...)
{
	char buf[1200];
	va_list ap;
	int n;

	if (pr->fd < 0)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	if (write(pr->fd, buf, (size_t)n) < 0)
		pr->fd = -1; /* the reader went away: stop reporting */
}

static double
elapsed(const struct progress *pr)
{
	return clock_seconds_since(&pr->start);
}

/* "512 B", "12.3 kB", "4.5 MB", "1.2 GB" (powers of 1000). */
static void
human_bytes(char *buf, size_t size, double n)
{
	static const char *const unit[] = {"B", "kB", "MB", "GB", "TB"};
	size_t u = 0;

	while (n >= 1000 && u + 1 < sizeof(unit) / sizeof(unit[0])) {
		n /= 1000;
		u++;
	}
	(void)snprintf(buf, size, u == 0 ? "%.0f %s" : "%.1f %s", n, unit[u]);
}

/* One status line for all accounts: "home 12/40  work 3/3  1.2 MB  3.1 MB/s" */
static void
tty_draw(struct progress *pr)
{
	char line[512] = "", total[32], rate[32];
	uint64_t bytes = 0;
	size_t len = 0;
	double secs = elapsed(pr);

	for (size_t i = 0; i < pr->nacct && len < 200; i++) {
		const struct acct_state *a = &pr->acct[i];

		len += (size_t)snprintf(line + len, sizeof(line) - len,
					"%.20s %" PRIu32 "/%" PRIu32 "  ",
					a->name, a->done, a->total);
		bytes += a->bytes;
	}
	human_bytes(total, sizeof(total), (double)bytes);
	human_bytes(rate, sizeof(rate),
		    secs > 0.05 ? (double)bytes / secs : 0.0);
	(void)snprintf(line + len, sizeof(line) - len, "%s  %s/s", total, rate);
	fprintf(stderr, "\r%-78.78s", line);
	fflush(stderr);
	pr->line_shown = 1;
}

static void
on_planned(void *ctx, const char *account, uint32_t to_fetch, uint64_t bytes,
	   uint32_t to_delete)
{
	struct progress *pr = ctx;
	struct acct_state *a;

	pthread_mutex_lock(&pr->mu);
	if ((a = state_of(pr, account)) != NULL)
		a->total = to_fetch;
	fd_line(pr, "planned %s %" PRIu32 " %" PRIu64 " %" PRIu32, account,
		to_fetch, bytes, to_delete);
	if (pr->tty && to_fetch > 0)
		tty_draw(pr);
	pthread_mutex_unlock(&pr->mu);
}

static void
on_progress(void *ctx, const char *account, uint32_t done, uint64_t bytes)
{
	struct progress *pr = ctx;
	struct acct_state *a;

	pthread_mutex_lock(&pr->mu);
	if ((a = state_of(pr, account)) != NULL) {
		a->done = done;
		a->bytes = bytes;
	}
	fd_line(pr, "progress %s %" PRIu32 " %" PRIu64, account, done, bytes);
	if (pr->tty)
		tty_draw(pr);
	pthread_mutex_unlock(&pr->mu);
}

static void
on_would(void *ctx, const char *account, const char *what, uint32_t num,
	 const char *uidl, uint64_t size)
{
	struct progress *pr = ctx;
	char *esc = log_escape(uidl, strlen(uidl), 80);

	pthread_mutex_lock(&pr->mu);
	printf("%s: would %s message %" PRIu32 " (%" PRIu64
	       " bytes, uidl %s)\n",
	       account, what, num, size, esc);
	fflush(stdout);
	pthread_mutex_unlock(&pr->mu);
	free(esc);
}

static void
clear_line(struct progress *pr)
{
	if (pr->line_shown) {
		fprintf(stderr, "\r%78s\r", "");
		pr->line_shown = 0;
	}
}

static void
on_warning(void *ctx, const char *account, const char *msg)
{
	struct progress *pr = ctx;

	pthread_mutex_lock(&pr->mu);
	clear_line(pr);
	fd_line(pr, "warning %s %s", account, msg);
	log_msg(PM_LOG_WARN, "%s: %s", account, msg);
	pthread_mutex_unlock(&pr->mu);
}

static void
on_done(void *ctx, const struct fetch_result *res)
{
	struct progress *pr = ctx;

	pthread_mutex_lock(&pr->mu);
	fd_line(pr, "done %s %s %" PRIu32 " %" PRIu32, res->account,
		err_name(res->status), res->fetched, res->deleted);
	if (pr->tty) {
		clear_line(pr);
		if (res->status == PM_OK)
			fprintf(stderr,
				"%s: %" PRIu32 " new, %" PRIu32
				" deleted, %" PRIu32 " on the server\n",
				res->account, res->fetched, res->deleted,
				res->on_server - res->deleted);
	}
	pthread_mutex_unlock(&pr->mu);
}

struct progress *
progress_new(int tty, int fd)
{
	struct progress *pr = xcalloc(1, sizeof(*pr));

	pr->tty = tty;
	pr->fd = fd;
	pthread_mutex_init(&pr->mu, NULL);
	clock_gettime(CLOCK_MONOTONIC, &pr->start);
	pr->ev = (struct fetch_events){
	    .planned = on_planned,
	    .progress = on_progress,
	    .would = on_would,
	    .warning = on_warning,
	    .done = on_done,
	    .ctx = pr,
	};
	return pr;
}

const struct fetch_events *
progress_events(struct progress *pr)
{
	return &pr->ev;
}

void
progress_free(struct progress **prp)
{
	struct progress *pr = *prp;

	if (pr == NULL)
		return;
	clear_line(pr);
	pthread_mutex_destroy(&pr->mu);
	free(pr);
	*prp = NULL;
}
