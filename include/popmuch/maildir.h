/* maildir.h: delivery into a Maildir (tmp → new), crash-safe.
 *
 * Names: "<time>.M<usec>P<pid>Q<n>R<random>.<host>,S=<size>"; nothing
 * from the server ever becomes part of a path. */
#ifndef POPMUCH_MAILDIR_H
#define POPMUCH_MAILDIR_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "popmuch/err.h"

struct maildir;
struct maildir_tmp;

/* Open the Maildir at path, creating it and tmp/, new/, cur/ (mode 0700)
 * when missing, and check that tmp/ and new/ are writable.
 * Returns: PM_OK; PM_CANTCREAT with the reason when it cannot be
 * created, opened or written. */
enum pm_status maildir_open(const char *path, struct maildir **md_r,
			    struct pm_err *err);
/* The Maildir's path (borrowed). */
const char *maildir_path(const struct maildir *md);

/* Create a new unique file in tmp/ (O_EXCL).
 * Returns: PM_OK; PM_CANTCREAT when the unique names collide; PM_NOSPACE
 * (ENOSPC, EDQUOT) or PM_IOERR when the file cannot be created. */
enum pm_status maildir_tmp_new(struct maildir *md, struct maildir_tmp **t_r,
			       struct pm_err *err);
/* Append bytes.  A failure sticks: later writes and the sync fail too.
 * Returns: PM_OK; PM_NOSPACE for ENOSPC/EDQUOT; PM_IOERR for other
 * write errors; PM_SOFTWARE after maildir_tmp_sync(). */
enum pm_status maildir_tmp_write(struct maildir_tmp *t, const char *buf,
				 size_t len, struct pm_err *err);
/* Flush and fsync the tmp file and close it.  After this the final name
 * (maildir_tmp_name) is known.
 * Returns: PM_OK; PM_NOSPACE or PM_IOERR when the flush or fsync fails
 * (or an earlier write did); PM_SOFTWARE when synced already. */
enum pm_status maildir_tmp_sync(struct maildir_tmp *t, struct pm_err *err);
/* Batched delivery (several messages, one sync of new/ for all):
 * maildir_tmp_sync() each file, maildir_tmp_move() each (rename, no
 * fsync), then maildir_sync_new() makes the renames durable.
 * Returns (both): PM_OK; PM_NOSPACE or PM_IOERR when the rename (the tmp
 * file is then removed) or the fsync of new/ fails; PM_SOFTWARE for a
 * file that was not synced. */
enum pm_status maildir_tmp_move(struct maildir_tmp **t, struct pm_err *err);
enum pm_status maildir_sync_new(struct maildir *md, struct pm_err *err);

/* The file's final base name "<unique>,S=<size>" (valid after
 * maildir_tmp_sync; borrowed from t). */
const char *maildir_tmp_name(const struct maildir_tmp *t);
/* Bytes written so far. */
uint64_t maildir_tmp_size(const struct maildir_tmp *t);
/* Rename tmp/<unique> to new/<name> (never replacing a file) and fsync
 * new/.  Frees t, also on failure: a failed rename removes the tmp file;
 * when only the fsync of new/ failed the file stays in new/, where
 * recovery (maildir_find) finds it.
 * Returns: as maildir_tmp_move() and maildir_sync_new(). */
enum pm_status maildir_tmp_commit(struct maildir_tmp **t, struct pm_err *err);
/* Give the file the modification time mtime (applied by
 * maildir_tmp_sync, before its fsync).  0 leaves the time of writing. */
void maildir_tmp_set_mtime(struct maildir_tmp *t, time_t mtime);
/* After maildir_tmp_sync: rename tmp/<unique> to cur/<name> (name is a
 * whole base name such as "<key>:2,S"), never replacing a file, without
 * an fsync of cur/ (maildir_sync_cur does it for a batch).  When
 * cur/<name> already exists *exists_r is 1, the tmp file is removed and
 * PM_OK returned.  Frees t, also on failure (the tmp file removed).
 * Returns: PM_OK; PM_IOERR (or PM_NOSPACE) naming the file when the
 * rename fails; PM_SOFTWARE for a bad name. */
enum pm_status maildir_tmp_move_cur(struct maildir_tmp **t, const char *name,
				    int *exists_r, struct pm_err *err);
/* fsync cur/ once for the renames of a batch.
 * Returns: PM_OK; PM_IOERR naming the directory. */
enum pm_status maildir_sync_cur(struct maildir *md, struct pm_err *err);
/* Full path of name in cur/ (caller frees). */
char *maildir_cur_path(const struct maildir *md, const char *name);

/* Remove the tmp file and free t; NULL is fine. */
void maildir_tmp_abort(struct maildir_tmp **t);

/* Recovery: where does the message named name (as maildir_tmp_name gave
 * it) stand?  MAILDIR_IN_NEW also covers cur/<name>:2,<flags>. */
enum maildir_where {
	MAILDIR_MISSING = 0,
	MAILDIR_IN_TMP, /* synced in tmp/, rename did not happen */
	MAILDIR_IN_NEW, /* in new/ or cur/ */
};
enum maildir_where maildir_find(struct maildir *md, const char *name);
/* Finish a delivery that stopped in tmp/ (rename + fsync new/).
 * Returns: PM_OK; PM_SOFTWARE for a name that is not a base name; else
 * as maildir_tmp_move() and maildir_sync_new(). */
enum pm_status maildir_complete(struct maildir *md, const char *name,
				struct pm_err *err);
/* Full path of name in new/ (caller frees). */
char *maildir_new_path(const struct maildir *md, const char *name);
/* Full path where name is now (new/ or cur/), NULL if missing. */
char *maildir_locate(const struct maildir *md, const char *name);
/* Remove popmuch's files in tmp/ whose writer is dead (a process of
 * this host, boot and pid namespace that is gone, or whose pid now
 * belongs to another process), and any older than 36 hours.  Call it
 * only after recovery has completed what tmp/ held for the journal, and
 * under the account lock. */
void maildir_clean_tmp(struct maildir *md);

void maildir_free(struct maildir **md);

#endif
