/* fsutil.h: small filesystem helpers shared by maildir and uidl. */
#ifndef POPMUCH_FSUTIL_H
#define POPMUCH_FSUTIL_H

#include <stddef.h>

#include "popmuch/err.h"

/* The status for a failed write/sync of errno e.
 * Returns: PM_NOSPACE for ENOSPC and EDQUOT, PM_IOERR otherwise. */
enum pm_status fsutil_errno_status(int e);

/* fsync the directory dir.  Returns 0, or -1 with errno set. */
int fsutil_fsync_dir(const char *dir);

/* fsync the directory that contains path.  Returns 0, or -1. */
int fsutil_fsync_parent(const char *path);

/* mkdir -p with mode 0700 for every directory created (and each new
 * entry's parent synced).
 * Returns: PM_OK; PM_CANTCREAT naming the path on failure. */
enum pm_status fsutil_mkdirs(const char *path, struct pm_err *err);

/* Replace the small state file path with buf[0..len): written to a new
 * "<path>.tmp" (O_CREAT|O_EXCL|O_NOFOLLOW, mode 0600 whatever the umask;
 * a stale one is removed first, never followed), fsynced, renamed over
 * path, and the directory fsynced.
 * Returns: PM_OK; PM_CANTCREAT, PM_NOSPACE, PM_IOERR naming the file. */
enum pm_status fsutil_write_atomic(const char *path, const char *buf,
				   size_t len, struct pm_err *err);

/* realpath() for a path that may not exist yet: the nearest existing
 * ancestor resolved, the rest appended.  Caller frees; NULL on error. */
char *fsutil_resolve_path(const char *path);

/* Is path (existing or not) root or below it, symbolic links resolved?
 * 1 or 0 (0 also when either cannot be resolved). */
int fsutil_path_inside(const char *path, const char *root);

#endif
