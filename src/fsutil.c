/* fsutil.c: small filesystem helpers shared by maildir and uidl. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
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
