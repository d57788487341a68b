/* fsutil.c: small filesystem helpers shared by maildir and uidl. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "popmuch/fsutil.h"
#include "popmuch/xmalloc.h"

enum pm_status
fsutil_errno_status(int e)
{
	return (e == ENOSPC || e == EDQUOT) ? PM_NOSPACE : PM_IOERR;
}

int
fsutil_fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return -1;
	ret = fsync(fd);
	close(fd);
	return ret;
}

int
fsutil_fsync_parent(const char *path)
{
	char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	int ret;

	if (slash == NULL)
		strcpy(dir, ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	ret = fsutil_fsync_dir(dir);
	free(dir);
	return ret;
}

enum pm_status
fsutil_mkdirs(const char *path, struct pm_err *err)
{
	char *p = xstrdup(path);
	char *s = p;
	struct stat st;

	for (;;) {
		while (*s == '/')
			s++;
		s = strchr(s, '/');
		if (s != NULL)
			*s = '\0';
		if (mkdir(p, 0700) == 0) {
			(void)fsutil_fsync_parent(p);
		} else if (errno != EEXIST || stat(p, &st) != 0 ||
			   !S_ISDIR(st.st_mode)) {
			if (errno == EEXIST)
				errno = ENOTDIR;
			err_set(err, PM_CANTCREAT, "cannot create %s: %s", p,
				strerror(errno));
			free(p);
			return PM_CANTCREAT;
		}
		if (s == NULL)
			break;
		*s++ = '/';
	}
	free(p);
	return PM_OK;
}

/* Write all of buf to fd.  Returns 0, or -1 with errno set. */
static int
write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = ENOSPC;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

enum pm_status
fsutil_write_atomic(const char *path, const char *buf, size_t len,
		    struct pm_err *err)
{
	char *tmp = xasprintf("%s.tmp", path);
	enum pm_status st = PM_OK;
	int fd, e;

	/* Only popmuch writes here, under the account lock: a leftover
	 * (or a planted symlink) is removed, never followed. */
	(void)unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	if (fd < 0) {
		st = err_set(err, PM_CANTCREAT, "cannot create %s: %s", tmp,
			     strerror(errno));
		free(tmp);
		return st;
	}
	if (fchmod(fd, 0600) != 0 || write_all(fd, buf, len) != 0 ||
	    fsync(fd) != 0) {
		e = errno;
		st = err_set(err, fsutil_errno_status(e), "cannot write %s: %s",
			     tmp, strerror(e));
	}
	if (close(fd) != 0 && st == PM_OK && errno != EINTR)
		st = err_set(err, fsutil_errno_status(errno),
			     "cannot write %s: %s", tmp, strerror(errno));
	if (st == PM_OK &&
	    (rename(tmp, path) != 0 || fsutil_fsync_parent(path) != 0))
		st = err_set(err, fsutil_errno_status(errno),
			     "cannot write %s: %s", path, strerror(errno));
	if (st != PM_OK)
		(void)unlink(tmp);
	free(tmp);
	return st;
}

/* realpath() for a path that may not exist yet: the nearest existing
 * ancestor resolved, the rest appended.  Caller frees; NULL on error. */
char *
fsutil_resolve_path(const char *path)
{
	char *real = realpath(path, NULL), *parent, *slash, *res;

	/* ENOTDIR: a component is a file; maildir_open() reports that. */
	if (real != NULL || (errno != ENOENT && errno != ENOTDIR))
		return real;
	parent = xstrdup(path);
	slash = strrchr(parent, '/');
	if (slash == NULL || slash == parent) {
		free(parent);
		return NULL;
	}
	*slash = '\0';
	real = fsutil_resolve_path(parent);
	res = real ? xasprintf("%s/%s", real, slash + 1) : NULL;
	free(real);
	free(parent);
	return res;
}

int
fsutil_path_inside(const char *path, const char *root)
{
	char *rroot = fsutil_resolve_path(root);
	char *rpath = fsutil_resolve_path(path);
	size_t len = rroot ? strlen(rroot) : 0;
	int inside = rroot != NULL && rpath != NULL &&
		     strncmp(rpath, rroot, len) == 0 &&
		     (rpath[len] == '/' || rpath[len] == '\0');

	free(rroot);
	free(rpath);
	return inside;
}
