/* lastrun.h: the record of an account's last fetch, "last-run" in its
 * state directory, read by "popmuch status" and the TUI.
 *
 * One "key value" line per field (time, status, on_server, fetched,
 * deleted, kept, skipped, index_pending, message); readers ignore keys
 * they do not know, so fields can be added.  Written whole to a new
 * temporary file and renamed, so a reader sees the old record or the
 * new one.  Never prints. */
#ifndef POPMUCH_LASTRUN_H
#define POPMUCH_LASTRUN_H

#include <stdint.h>

#include "popmuch/err.h"

struct lastrun {
	int64_t time;		      /* unix time the run started */
	char status[32];	      /* err_name() of the run's status: "OK" */
	char message[PM_ERR_MSG_MAX]; /* the error message; "" after OK */
	uint32_t on_server, fetched, deleted, kept, skipped, index_pending;
};

/* Write lr as dir/last-run: to dir/last-run.tmp opened with O_EXCL and
 * O_NOFOLLOW (a file or symbolic link already there is removed first,
 * never followed), mode 0600 whatever the umask, fsync, rename, fsync
 * of dir.  Newlines in the message are written as spaces.
 * Returns: PM_OK; PM_CANTCREAT when the file cannot be created; PM_IOERR
 * or PM_NOSPACE when writing, syncing or renaming fails (the old record
 * is then left as it was). */
enum pm_status lastrun_write(const char *dir, const struct lastrun *lr,
			     struct pm_err *err);

/* Read dir/last-run into *lr_r (zeroed first; absent fields stay 0 or
 * "").
 * Returns: PM_OK; PM_UNAVAILABLE when there is none (no run recorded);
 * PM_IOERR when it cannot be read; PM_DATAERR when a known field holds
 * no valid number (the message names the file and the field). */
enum pm_status lastrun_read(const char *dir, struct lastrun *lr_r,
			    struct pm_err *err);

#endif
