/* errlog.c: standard error into a file while curses runs (errlog.h). */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "popmuch/account.h"
#include "popmuch/fsutil.h"
#include "popmuch/xmalloc.h"
#include "errlog.h"
#include "strbuf.h"

char *
tui_state_dir(void)
{
	char *dir = NULL;

	/* ".../popmuch/"; without a home directory (no HOME, no passwd
	 * entry) the TUI's state goes to /tmp rather than nowhere */
	if (account_state_dir("", &dir, NULL) != PM_OK)
		dir = xstrdup("/tmp/");
	return dir;
}

char *
tui_state_path(const char *name)
{
	char *dir = tui_state_dir();
	char *p = xasprintf("%s%s", dir, name);

	free(dir);
	return p;
}

char *
errlog_path(void)
{
	return tui_state_path("tui.log");
}

static int
open_log(struct errlog *e)
{
	struct pm_err err;
	char *dir = tui_state_dir();
	char tmpl[4096];
	const char *tmp = getenv("TMPDIR");
	int fd;

	err_clear(&err);
	e->path = errlog_path();
	fd = fsutil_mkdirs(dir, &err) == PM_OK
		 ? open(e->path,
			O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC |
			    O_NOFOLLOW,
			0600)
		 : -1;
	free(dir);
	if (fd >= 0) {
		e->rd = open(e->path, O_RDONLY | O_CLOEXEC);
		return fd;
	}
	free(e->path);
	e->path = NULL;
	snprintf(tmpl, sizeof tmpl, "%s/popmuch-log-XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	fd = mkstemp(tmpl);
	if (fd < 0)
		return -1;
	e->rd = open(tmpl, O_RDONLY | O_CLOEXEC);
	unlink(tmpl);
	return fd;
}

void
errlog_start(struct errlog *e)
{
	int fd;

	memset(e, 0, sizeof *e);
	e->saved = e->rd = -1;
	fflush(stderr);
	fd = open_log(e);
	if (fd < 0 || e->rd < 0) {
		if (fd >= 0)
			close(fd);
		if (e->rd >= 0)
			close(e->rd);
		e->rd = -1;
		return;
	}
	e->saved = dup(2);
	if (e->saved >= 0)
		fcntl(e->saved, F_SETFD, FD_CLOEXEC);
	dup2(fd, 2); /* children inherit it: their errors land here too */
	close(fd);
}

void
errlog_read(struct errlog *e, void (*line)(void *arg, const char *s), void *arg)
{
	if (e->rd >= 0)
		(void)strbuf_read_lines(e->rd, e->buf, sizeof e->buf, &e->len,
					line, arg);
}

void
errlog_end(struct errlog *e)
{
	if (e->saved >= 0) {
		fflush(stderr);
		dup2(e->saved, 2);
		close(e->saved);
	}
	if (e->rd >= 0)
		close(e->rd);
	free(e->path);
	e->saved = e->rd = -1;
	e->path = NULL;
}
