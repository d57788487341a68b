/* lockfile.h: one run at a time per account: flock(LOCK_EX) on a file
 * that is never renamed or removed (doc/HACKING.md, step 1), with the
 * holder's pid written in it as a hint for the messages of others. */
#ifndef POPMUCH_LOCKFILE_H
#define POPMUCH_LOCKFILE_H

#include "popmuch/err.h"

/* Open path (created 0600, never through a symbolic link) and take the
 * lock, waiting for it when wait is set; then write this process's pid
 * in it.  *fd_r holds the lock until it is closed (-1 on failure).
 * Returns: PM_OK; PM_LOCKED, naming the holder's pid when the file
 * holds one; PM_CANTCREAT when path cannot be opened; PM_IOERR when
 * flock fails otherwise. */
enum pm_status lockfile_take(const char *path, int wait, int *fd_r,
			     struct pm_err *err);

/* Is the popmuch whose pid the lock file at path holds still running
 * (the pid alive and its /proc/<pid>/comm a popmuch)?  Read without
 * taking the lock, so that a look never blocks a run. */
int lockfile_holder_running(const char *path);

#endif
