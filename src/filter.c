/* filter.c: mpop's "filter" command (filter.h).  The headers reach the
 * command through a memfd on its standard input, so a command that exits
 * without reading them cannot make popmuch's write fail (no SIGPIPE in a
 * process whose fetch threads share one signal disposition). */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "popmuch/filter.h"
#include "popmuch/xmalloc.h"

extern char **environ;

/* The value of header name (without the colon) in headers, up to its
 * line end (continuation lines are not needed for an address here);
 * *vlen_r its length.  NULL when missing. */
static const char *
header_value(const char *h, size_t len, const char *name, size_t *vlen_r)
{
	size_t n = strlen(name), i = 0, end;

	while (i < len) {
		end = i;
		while (end < len && h[end] != '\n')
			end++;
		if (end == i || (end == i + 1 && h[i] == '\r'))
			break; /* the blank line: the headers end */
		if (end - i > n && strncasecmp(h + i, name, n) == 0 &&
		    h[i + n] == ':') {
			*vlen_r = end - (i + n + 1);
			return h + i + n + 1;
		}
		i = end + 1;
	}
	return NULL;
}

/* The address in a header value: inside <...> when there is one, else
 * the first word. */
static char *
address_of(const char *v, size_t len)
{
	const char *lt = memchr(v, '<', len), *gt;
	size_t i = 0, n;

	if (lt != NULL &&
	    (gt = memchr(lt, '>', len - (size_t)(lt - v))) != NULL)
		return xstrndup(lt + 1, (size_t)(gt - lt - 1));
	while (i < len && isspace((unsigned char)v[i]))
		i++;
	for (n = 0; i + n < len && !isspace((unsigned char)v[i + n]); n++)
		;
	return xstrndup(v + i, n);
}

char *
filter_envelope_from(const char *headers, size_t len)
{
	static const char *const names[] = {"Return-Path", "From"};
	const char *v;
	char *addr;
	size_t vlen, i, k;

	for (k = 0; k < 2; k++) {
		v = header_value(headers, len, names[k], &vlen);
		if (v == NULL)
			continue;
		addr = address_of(v, vlen);
		if (addr[0] == '\0') { /* Return-Path: <> (a bounce) */
			free(addr);
			continue;
		}
		for (i = 0; addr[i] != '\0'; i++)
			if (!isalnum((unsigned char)addr[i]) &&
			    strchr(".@_-+/", addr[i]) == NULL)
				addr[i] = '_';
		return addr;
	}
	return xstrdup("MAILER-DAEMON");
}

char *
filter_command(const char *cmd, const char *headers, size_t len, uint64_t size)
{
	char *from = filter_envelope_from(headers, len), *out, *o;
	char sz[32];
	size_t cap;
	const char *p;

	(void)snprintf(sz, sizeof(sz), "%" PRIu64, size);
	cap = strlen(cmd) *
		  (strlen(from) > strlen(sz) ? strlen(from) : strlen(sz)) +
	      1;
	o = out = xmalloc(cap);
	for (p = cmd; *p != '\0'; p++) {
		if (p[0] == '%' && (p[1] == 'F' || p[1] == 'S')) {
			o = stpcpy(o, p[1] == 'F' ? from : sz);
			p++;
		} else {
			*o++ = *p;
		}
	}
	*o = '\0';
	free(from);
	return out;
}

/* A memfd holding the headers, at offset 0; -1 with err set. */
static int
headers_fd(const char *headers, size_t len, struct pm_err *err)
{
	int fd = memfd_create("popmuch-filter", MFD_CLOEXEC);
	size_t off = 0;
	ssize_t n;

	if (fd < 0) {
		err_set(err, PM_CONFIG, "filter: memfd_create: %s",
			strerror(errno));
		return -1;
	}
	while (off < len) {
		n = write(fd, headers + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err_set(err, PM_CONFIG, "filter: %s", strerror(errno));
			(void)close(fd);
			return -1;
		}
		off += (size_t)n;
	}
	(void)lseek(fd, 0, SEEK_SET);
	return fd;
}

enum pm_status
filter_run(const char *cmd, const char *headers, size_t len, uint64_t size,
	   enum filter_verdict *verdict_r, struct pm_err *err)
{
	posix_spawn_file_actions_t fa;
	char *line = filter_command(cmd, headers, len, size);
	char *argv[] = {(char *)(uintptr_t) "sh", (char *)(uintptr_t) "-c",
			line, NULL};
	int fd, rc, status;
	pid_t pid;

	*verdict_r = FILTER_FETCH;
	if ((fd = headers_fd(headers, len, err)) < 0) {
		free(line);
		return PM_CONFIG;
	}
	if (posix_spawn_file_actions_init(&fa) != 0)
		fatal("posix_spawn_file_actions_init");
	(void)posix_spawn_file_actions_adddup2(&fa, fd, STDIN_FILENO);
	(void)posix_spawn_file_actions_adddup2(&fa, STDERR_FILENO,
					       STDOUT_FILENO);
	rc = posix_spawn(&pid, "/bin/sh", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	(void)close(fd);
	free(line);
	if (rc != 0)
		return err_set(err, PM_CONFIG, "filter: cannot run /bin/sh: %s",
			       strerror(rc));
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return err_set(err, PM_CONFIG, "filter: waitpid: %s",
				       strerror(errno));
	if (WIFEXITED(status) && WEXITSTATUS(status) <= 2) {
		*verdict_r = (enum filter_verdict)WEXITSTATUS(status);
		return PM_OK;
	}
	if (WIFEXITED(status))
		return err_set(err, PM_CONFIG,
			       "filter command failed with exit status %d",
			       WEXITSTATUS(status));
	return err_set(err, PM_CONFIG, "filter command killed by signal %d",
		       WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}
