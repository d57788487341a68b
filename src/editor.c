/* editor.c: draft files and $EDITOR (see editor.h). */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "popmuch/editor.h"
#include "popmuch/account.h"
#include "popmuch/fsutil.h"
#include "popmuch/xmalloc.h"

enum pm_status
editor_drafts_dir(char **dir_r, struct pm_err *err)
{
	char *dir = NULL;
	enum pm_status st = account_state_dir(".drafts", &dir, err);

	if (st == PM_OK)
		st = fsutil_mkdirs(dir, err);
	if (st != PM_OK) {
		free(dir);
		return st;
	}
	*dir_r = dir;
	return PM_OK;
}

enum pm_status
editor_draft_new(const char *text, char **path_r, struct pm_err *err)
{
	static unsigned seq;
	size_t len = strlen(text);
	enum pm_status st;
	char *dir, *path;
	int fd;

	if ((st = editor_drafts_dir(&dir, err)) != PM_OK)
		return st;
	path = xasprintf("%s/%lld-%ld-%u.eml", dir, (long long)time(NULL),
			 (long)getpid(), seq++);
	free(dir);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		st =
		    err_set(err, PM_CANTCREAT, "%s: %s", path, strerror(errno));
		free(path);
		return st;
	}
	if (write(fd, text, len) != (ssize_t)len || fsync(fd) != 0)
		st = err_set(err, fsutil_errno_status(errno), "%s: %s", path,
			     strerror(errno));
	close(fd);
	if (st != PM_OK) {
		unlink(path);
		free(path);
		return st;
	}
	*path_r = path;
	return PM_OK;
}

int
editor_run(const char *path)
{
	const char *ed = getenv("VISUAL");
	char *cmd;
	int status = -1;
	pid_t pid;

	if (ed == NULL || *ed == '\0')
		ed = getenv("EDITOR");
	if (ed == NULL || *ed == '\0')
		ed = "vi";
	/* the editor may be a command with arguments, as in mutt */
	cmd = xasprintf("%s \"$1\"", ed);
	fflush(NULL);
	if ((pid = fork()) == 0) {
		execl("/bin/sh", "sh", "-c", cmd, "sh", path, (char *)NULL);
		_exit(127);
	}
	free(cmd);
	while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (pid < 0 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static int
by_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

size_t
editor_drafts(char ***paths_r)
{
	struct pm_err err;
	char *dir, **v = NULL;
	struct dirent *de;
	size_t n = 0, len;
	DIR *d;

	*paths_r = NULL;
	if (editor_drafts_dir(&dir, &err) != PM_OK)
		return 0;
	if ((d = opendir(dir)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			len = strlen(de->d_name);
			if (de->d_name[0] == '.' || len < 5 ||
			    strcmp(de->d_name + len - 4, ".eml") != 0)
				continue;
			v = xreallocarray(v, n + 1, sizeof(*v));
			v[n++] = xasprintf("%s/%s", dir, de->d_name);
		}
		closedir(d);
	}
	free(dir);
	if (n > 1)
		qsort(v, n, sizeof(*v), by_str);
	*paths_r = v;
	return n;
}
