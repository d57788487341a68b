/* fetchui.c: running "popmuch fetch --progress-fd N" as a child and
 * showing its progress and the accounts' last runs. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "popmuch/account.h"
#include "popmuch/lastrun.h"
#include "popmuch/xmalloc.h"
#include "layout.h"
#include "strbuf.h"
#include "tui-int.h"

struct acct_prog {
	char *name;
	long to_fetch, to_delete, done, fetched, deleted;
	unsigned long long bytes, bytes_done;
	char *status; /* NULL while running */
	time_t start;
	time_t received; /* when the last message arrived, or 0 */
};

struct fetch_state {
	pid_t pid; /* 0 when reaped */
	int fd;	   /* -1 at EOF */
	int exit_status;
	char buf[4096];
	size_t len;
	struct acct_prog *acc;
	size_t nacc;
	time_t started;
};

static void
fetch_clear(struct fetch_state *f)
{
	size_t i;

	for (i = 0; i < f->nacc; i++) {
		free(f->acc[i].name);
		free(f->acc[i].status);
	}
	free(f->acc);
	f->acc = NULL;
	f->nacc = 0;
	f->len = 0;
}

void
fetch_free(struct tui *t)
{
	struct fetch_state *f = t->fetch;

	if (!f)
		return;
	if (f->pid > 0) {
		kill(f->pid, SIGTERM);
		waitpid(f->pid, NULL, 0);
	}
	if (f->fd >= 0)
		close(f->fd);
	fetch_clear(f);
	free(f);
	t->fetch = NULL;
}

int
fetch_running(const struct tui *t)
{
	return t->fetch && (t->fetch->pid > 0 || t->fetch->fd >= 0);
}

int
fetch_fd(const struct tui *t)
{
	return t->fetch ? t->fetch->fd : -1;
}

static void
exec_fetch(struct tui *t, int wfd)
{
	char fdbuf[16];
	int null = open("/dev/null", O_RDWR);

	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
	}
	snprintf(fdbuf, sizeof fdbuf, "%d", wfd);
	if (t->config_path)
		execl(t->self, t->self, "-C", t->config_path, "fetch",
		      "--progress-fd", fdbuf, (char *)NULL);
	else
		execl(t->self, t->self, "fetch", "--progress-fd", fdbuf,
		      (char *)NULL);
	dprintf(2, "popmuch: cannot run %s: %s\n", t->self, strerror(errno));
	_exit(127);
}

void
fetch_start(struct tui *t)
{
	struct fetch_state *f;
	int p[2];
	pid_t pid;

	if (fetch_running(t)) {
		tui_status(t, 0, "a fetch is already running");
		return;
	}
	if (!t->self || pipe(p) < 0) {
		tui_status(t, 1, "cannot start a fetch");
		return;
	}
	fcntl(p[0], F_SETFD, FD_CLOEXEC);
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		tui_status(t, 1, "cannot start a fetch: fork failed");
		return;
	}
	if (pid == 0)
		exec_fetch(t, p[1]);
	close(p[1]);
	fcntl(p[0], F_SETFL, fcntl(p[0], F_GETFL) | O_NONBLOCK);
	if (!t->fetch)
		t->fetch = xcalloc(1, sizeof *t->fetch);
	f = t->fetch;
	fetch_clear(f);
	f->pid = pid;
	f->fd = p[0];
	f->exit_status = 0;
	f->started = time(NULL);
	tui_log(t, "fetch started (pid %ld)", (long)pid);
	tui_status(t, 0, "fetching...");
}

static struct acct_prog *
acct_get(struct fetch_state *f, const char *name)
{
	size_t i;

	for (i = 0; i < f->nacc; i++)
		if (strcmp(f->acc[i].name, name) == 0)
			return &f->acc[i];
	f->acc = xreallocarray(f->acc, f->nacc + 1, sizeof *f->acc);
	memset(&f->acc[f->nacc], 0, sizeof *f->acc);
	f->acc[f->nacc].name = xstrdup(name);
	f->acc[f->nacc].start = time(NULL);
	return &f->acc[f->nacc++];
}

static void
parse_line(struct tui *t, const char *line)
{
	struct fetch_state *f = t->fetch;
	char name[256], status[64];
	long a, b;
	unsigned long long bytes;
	int off = 0;
	struct acct_prog *p;

	if (sscanf(line, "planned %255s %ld %llu %ld", name, &a, &bytes, &b) ==
	    4) {
		p = acct_get(f, name);
		p->to_fetch = a;
		p->bytes = bytes;
		p->to_delete = b;
	} else if (sscanf(line, "progress %255s %ld %llu", name, &a, &bytes) ==
		   3) {
		p = acct_get(f, name);
		p->done = a;
		p->bytes_done = bytes;
		if (p->to_fetch > 0 && a >= p->to_fetch && !p->received)
			p->received = time(NULL);
	} else if (sscanf(line, "done %255s %63s %ld %ld", name, status, &a,
			  &b) == 4) {
		p = acct_get(f, name);
		free(p->status);
		p->status = xstrdup(status);
		p->fetched = a;
		p->deleted = b;
		tui_log(t, "%s: %s, %ld fetched, %ld deleted", name, status, a,
			b);
	} else if (sscanf(line, "warning %255s %n", name, &off) == 1 && off) {
		tui_log(t, "%s: warning: %s", name, line + off);
	} else {
		tui_log(t, "fetch: unexpected progress line: %s", line);
	}
}

static long
total_fetched(const struct fetch_state *f)
{
	long n = 0;
	size_t i;

	for (i = 0; i < f->nacc; i++)
		n += f->acc[i].status ? f->acc[i].fetched : f->acc[i].done;
	return n;
}

/* Both the pipe's EOF and the exit are in: report. */
static int
finish(struct tui *t)
{
	struct fetch_state *f = t->fetch;
	long n = total_fetched(f);
	size_t i, failed = 0;

	if (f->pid > 0 || f->fd >= 0)
		return 0;
	for (i = 0; i < f->nacc; i++)
		if (f->acc[i].status && strcmp(f->acc[i].status, "OK") != 0)
			failed++;
	if (f->exit_status != 0 || failed)
		tui_status(t, 1,
			   "fetch: %ld new; %zu account%s failed "
			   "(exit %d), L for the log",
			   n, failed, failed == 1 ? "" : "s", f->exit_status);
	else
		tui_status(t, 0, "%ld new", n);
	tui_log(t, "fetch ended: %ld new, exit status %d", n, f->exit_status);
	return 1;
}

static void
on_line(void *t, const char *line)
{
	parse_line(t, line);
}

int
fetch_read(struct tui *t)
{
	struct fetch_state *f = t->fetch;
	ssize_t r;

	if (!f || f->fd < 0)
		return 0;
	r = strbuf_read_lines(f->fd, f->buf, sizeof f->buf, &f->len, on_line,
			      t);
	if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
		close(f->fd);
		f->fd = -1;
		return finish(t);
	}
	return 0;
}

int
fetch_reap(struct tui *t, pid_t pid, int status)
{
	struct fetch_state *f = t->fetch;

	if (!f || pid != f->pid)
		return 0;
	f->pid = 0;
	f->exit_status =
	    WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	if (f->fd >= 0) /* read what is left, to the EOF */
		return fetch_read(t);
	return finish(t);
}

void
fetch_summary(const struct tui *t, char *buf, size_t size)
{
	const struct fetch_state *f = t->fetch;
	long done = 0, todo = 0;
	size_t i, finished = 0;

	for (i = 0; i < f->nacc; i++) {
		done += f->acc[i].done;
		todo += f->acc[i].to_fetch;
		finished += f->acc[i].status != NULL;
	}
	snprintf(buf, size, "fetching: %ld/%ld messages, %zu/%zu accounts done",
		 done, todo, finished, f->nacc);
}

/* The account's last-run record (lastrun.h) as a one-line summary;
 * NULL when there is none. */
static char *
last_run(const char *name)
{
	char *dir, when[64] = "?";
	struct lastrun lr;
	struct pm_err err;
	enum pm_status st;
	struct tm tm;
	time_t tt;

	if (account_state_dir(name, &dir, &err) != PM_OK)
		return NULL;
	st = lastrun_read(dir, &lr, &err);
	free(dir);
	if (st == PM_UNAVAILABLE)
		return NULL;
	if (st != PM_OK)
		return xasprintf("last fetch unknown: %s", err.msg);
	tt = (time_t)lr.time;
	if (localtime_r(&tt, &tm) != NULL)
		strftime(when, sizeof when, "%Y-%m-%d %H:%M", &tm);
	return xasprintf("last fetch %s: %s, %lu fetched, %lu deleted, "
			 "%lu on the server",
			 when, lr.status, (unsigned long)lr.fetched,
			 (unsigned long)lr.deleted,
			 (unsigned long)lr.on_server);
}

static void
human(unsigned long long n, char *buf, size_t size)
{
	if (n >= 10ull << 20)
		snprintf(buf, size, "%llu MiB", n >> 20);
	else if (n >= 10ull << 10)
		snprintf(buf, size, "%llu KiB", n >> 10);
	else
		snprintf(buf, size, "%llu B", n);
}

void
fetch_progress_text(const struct fetch_nums *n, char *buf, size_t size)
{
	char a[32], b[32], rate[32], eta[48] = "";
	unsigned long long r =
	    n->elapsed > 0 ? n->bytes_done / (unsigned long long)n->elapsed : 0;
	unsigned long long left =
	    n->bytes > n->bytes_done ? n->bytes - n->bytes_done : 0;

	human(n->bytes_done, a, sizeof a);
	human(n->bytes, b, sizeof b);
	if (n->finishing >= 0) {
		/* every message is here: the rest is the server's DELE and
		 * QUIT and the last sync, which a byte rate does not time */
		if (n->to_delete > 0)
			snprintf(eta, sizeof eta,
				 ", deleting %ld on the server", n->to_delete);
		snprintf(buf, size,
			 " %ld/%ld messages  %s  all received; "
			 "finishing%s (%lds)",
			 n->done, n->to_fetch, a, eta, n->finishing);
		return;
	}
	human(r, rate, sizeof rate);
	if (r > 0 && left > 0) /* rounded up: never "0s" while bytes remain */
		snprintf(eta, sizeof eta, "  ETA %llus", (left + r - 1) / r);
	snprintf(buf, size, " %ld/%ld messages  %s/%s  %s/s%s", n->done,
		 n->to_fetch, a, b, rate, eta);
}

static void
draw_progress(const struct acct_prog *p, int row, int cols)
{
	char line[256], *s, *f;
	int barw = cols > 60 ? 20 : 10, fill;
	time_t now = time(NULL);
	struct fetch_nums n = {
	    .done = p->done,
	    .to_fetch = p->to_fetch,
	    .to_delete = p->to_delete,
	    .bytes = p->bytes,
	    .bytes_done = p->bytes_done,
	    .elapsed = (long)(now - p->start),
	    .finishing = p->received ? (long)(now - p->received) : -1,
	};

	fill = p->bytes
		   ? (int)((unsigned long long)barw * p->bytes_done / p->bytes)
	       : p->to_fetch ? (int)(barw * p->done / p->to_fetch)
			     : barw;
	if (fill > barw)
		fill = barw;
	disp_text(row, 4, "[", ST_NORMAL);
	disp_fill(row, 5, ST_NORMAL);
	s = xasprintf("%*s", fill, "");
	disp_text(row, 5, s, ST_BAR);
	free(s);
	disp_text(row, 5 + barw, "]", ST_NORMAL);
	fetch_progress_text(&n, line, sizeof line);
	f = layout_fit(line, cols - 6 - barw > 0 ? cols - 6 - barw : 0, 0);
	disp_text(row, 6 + barw, f, ST_NORMAL);
	free(f);
}

void
fetch_draw_account(struct tui *t, const struct account *a, int row, int cols,
		   int selected)
{
	struct fetch_state *f = t->fetch;
	struct acct_prog *p = NULL;
	char *s, *fit, *lr;
	size_t i;

	for (i = 0; f && i < f->nacc; i++)
		if (strcmp(f->acc[i].name, a->name) == 0)
			p = &f->acc[i];
	s = xasprintf(" %-16s %s@%s:%u  keep %s", a->name,
		      a->user ? a->user : "", a->host ? a->host : "?",
		      account_port(a),
		      a->keep == CFG_KEEP_OFF  ? "off"
		      : a->keep == CFG_KEEP_ON ? "all"
					       : "for a time");
	fit = layout_fit(s, cols, 1);
	disp_text(row, 0, fit, selected ? ST_SELECTED : ST_UNREAD);
	free(s);
	free(fit);
	if (p && !p->status && fetch_running(t)) {
		draw_progress(p, row + 1, cols);
		return;
	}
	if (p && p->status)
		s = xasprintf("    this session: %s, %ld fetched, %ld deleted",
			      p->status, p->fetched, p->deleted);
	else if ((lr = last_run(a->name)) != NULL) {
		s = xasprintf("    %s", lr);
		free(lr);
	} else
		s = xstrdup(fetch_running(t) ? "    waiting..."
					     : "    never fetched");
	fit = layout_fit(s, cols, 0);
	disp_text(row + 1, 0, fit,
		  p && p->status && strcmp(p->status, "OK") ? ST_ERROR
							    : ST_NORMAL);
	free(s);
	free(fit);
}
