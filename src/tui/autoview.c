/* autoview.c: html_command and mailcap copiousoutput entries run on a
 * part, bounded in time and output (autoview.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "popmuch/clock.h"
#include "popmuch/xmalloc.h"
#include "autoview.h"
#include "mailcap.h"
#include "tui-int.h"

static const struct av_limits default_limits = {AV_TIMEOUT_MS, AV_MAX_OUTPUT};

/* Milliseconds left until t0 + ms (0 when it has passed). */
static int
ms_left(const struct timespec *t0, int ms)
{
	double left = ms - clock_seconds_since(t0) * 1000;

	return left > 0 ? (int)left + 1 : 0;
}

/* In the child: its own process group (killed whole at the limit),
 * in on stdin, out on stdout, stderr to /dev/null. */
static void
child_run(const char *cmd, int in, int out)
{
	int null = open("/dev/null", O_WRONLY);

	setpgid(0, 0);
	dup2(in, 0);
	dup2(out, 1);
	if (null >= 0)
		dup2(null, 2);
	signal(SIGPIPE, SIG_DFL); /* the TUI ignores it */
	execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
	_exit(127);
}

/* Read fd until its end, the limit in time (-1) or in size (1: the
 * rest is cut); 0 at the end. */
static int
read_all(int fd, const struct av_limits *lim, const struct timespec *t0,
	 struct av_output *out)
{
	size_t cap = 8192;
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	ssize_t r;

	out->text = xmalloc(cap);
	out->len = 0;
	for (;;) {
		int left = ms_left(t0, lim->timeout_ms);

		if (left == 0)
			return -1;
		if (poll(&pfd, 1, left) < 0 && errno != EINTR)
			return -1;
		if (!pfd.revents)
			continue;
		r = read(fd, out->text + out->len, cap - out->len - 1);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r <= 0)
			return 0;
		out->len += (size_t)r;
		if (out->len >= lim->max_output) {
			out->len = lim->max_output;
			return 1;
		}
		if (out->len + 1 == cap)
			out->text = xreallocarray(out->text, cap *= 2, 1);
	}
}

/* Wait for pid until the time limit, then kill its group; its wait
 * status, or -1 when it was killed at the limit. */
static int
reap(pid_t pid, int killed, const struct av_limits *lim,
     const struct timespec *t0)
{
	int status, nap = 1; /* ms, doubling: sh exits soon after its output */
	pid_t r;

	while (!killed) {
		r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			return status;
		if (r < 0 && errno != EINTR)
			return -1;
		if (ms_left(t0, lim->timeout_ms) == 0)
			killed = 1;
		else
			poll(NULL, 0, nap);
		nap = nap < 16 ? nap * 2 : nap;
	}
	kill(-pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return -1;
}

/* The outcome of a run whose output is out. */
static enum pm_status
judge(int status, int timed_out, const struct av_limits *lim,
      struct av_output *out, struct pm_err *err)
{
	if (timed_out)
		return err_set(err, PM_TIMEOUT,
			       "killed after %d s, the time limit",
			       (lim->timeout_ms + 999) / 1000);
	if (!out->cut && WIFEXITED(status) &&
	    (WEXITSTATUS(status) == 126 || WEXITSTATUS(status) == 127))
		return err_set(err, PM_UNAVAILABLE, "could not be run, exit %d",
			       WEXITSTATUS(status));
	if (!out->cut && out->len == 0 && WIFEXITED(status) &&
	    WEXITSTATUS(status) != 0)
		return err_set(err, PM_UNAVAILABLE, "exited %d with no output",
			       WEXITSTATUS(status));
	if (!out->cut && out->len == 0 && WIFSIGNALED(status))
		return err_set(err, PM_UNAVAILABLE,
			       "killed by signal %d with no output",
			       WTERMSIG(status));
	return PM_OK;
}

enum pm_status
av_run(const char *cmd, const char *input, const struct av_limits *lim,
       struct av_output *out, struct pm_err *err)
{
	int in, p[2], how, status;
	struct timespec t0;
	enum pm_status st;
	pid_t pid;

	if (!lim)
		lim = &default_limits;
	memset(out, 0, sizeof *out);
	if ((in = open(input ? input : "/dev/null", O_RDONLY | O_CLOEXEC)) < 0)
		return err_set(err, PM_IOERR, "%s: %s",
			       input ? input : "/dev/null", strerror(errno));
	if (pipe2(p, O_CLOEXEC) < 0) {
		close(in);
		return err_set(err, PM_IOERR, "pipe: %s", strerror(errno));
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((pid = fork()) == 0)
		child_run(cmd, in, p[1]);
	if (pid > 0)
		setpgid(pid, pid); /* as the child does: no race with kill */
	close(in);
	close(p[1]);
	if (pid < 0) {
		close(p[0]);
		return err_set(err, PM_IOERR, "fork: %s", strerror(errno));
	}
	how = read_all(p[0], lim, &t0, out);
	close(p[0]);
	out->text[out->len] = '\0';
	out->cut = how == 1;
	status = reap(pid, how != 0, lim, &t0);
	st = judge(status, how == -1 || (how == 0 && status == -1), lim, out,
		   err);
	if (st != PM_OK) {
		free(out->text);
		memset(out, 0, sizeof *out);
	}
	return st;
}

/* Remove the private directory of *path and what is in it (the
 * command may have left files there). */
static void
unstage(char **path)
{
	char *slash = strrchr(*path, '/');

	*slash = '\0';
	tui_remove_tree(*path, 2);
	free(*path);
	*path = NULL;
}

/* A new private directory with data in it as name; *path_r (new) is
 * the file.  Tried under $XDG_RUNTIME_DIR, $TMPDIR, /tmp in turn. */
static enum pm_status
stage(const char *name, const void *data, size_t len, char **path_r,
      struct pm_err *err)
{
	const char *bases[] = {getenv("XDG_RUNTIME_DIR"), getenv("TMPDIR"),
			       "/tmp"};
	char *dir = NULL;
	size_t i;
	int fd, ok;

	for (i = 0; i < 3 && !dir; i++) {
		if (!bases[i] || !*bases[i])
			continue;
		dir = xasprintf("%s/popmuch-view-XXXXXX", bases[i]);
		if (!mkdtemp(dir)) { /* 0700 */
			free(dir);
			dir = NULL;
		}
	}
	if (!dir)
		return err_set(err, PM_CANTCREAT,
			       "cannot create a private directory: %s",
			       strerror(errno));
	*path_r = xasprintf("%s/%s", dir, name);
	free(dir);
	fd = open(*path_r, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	ok = fd >= 0 && (len == 0 || write(fd, data, len) == (ssize_t)len);
	if (fd >= 0 && close(fd) != 0)
		ok = 0;
	if (!ok) {
		err_set(err, PM_CANTCREAT, "%s: %s", *path_r, strerror(errno));
		unstage(path_r);
		return PM_CANTCREAT;
	}
	return PM_OK;
}

enum pm_status
av_filter(const char *cmd, const void *data, size_t len, struct av_output *out,
	  struct pm_err *err)
{
	char *path = NULL;
	enum pm_status st;

	memset(out, 0, sizeof *out);
	if ((st = stage("part.html", data, len, &path, err)) != PM_OK)
		return st;
	st = av_run(cmd, path, NULL, out, err);
	unstage(&path);
	return st;
}

enum pm_status
av_mailcap(const char *type, const char *filename, const char *const *params,
	   const void *data, size_t len, char **cmd_r, struct av_output *out,
	   struct pm_err *err)
{
	struct mailcap_entry *e = NULL;
	char *name, *path = NULL, *cmd = NULL;
	enum pm_status st;

	memset(out, 0, sizeof *out);
	*cmd_r = NULL;
	if ((st = mailcap_find(type, MAILCAP_COPIOUS, &e, err)) != PM_OK)
		return st;
	*cmd_r = xstrdup(e->command);
	/* nametemplate=%s.pdf: the extension the command may want */
	name = mailcap_safe_name(e->nametemplate ? e->nametemplate : filename);
	st = stage(name, data, len, &path, err);
	free(name);
	if (st == PM_OK)
		st = mailcap_expand(e->command, type, path, params, &cmd, err);
	if (st == PM_OK) /* no %s: the expansion put the file on stdin */
		st = av_run(cmd, NULL, NULL, out, err);
	free(cmd);
	if (path)
		unstage(&path);
	mailcap_entry_free(&e);
	return st;
}
