/* index.h: everything libnotmuch for the fetch path.
 *
 * An indexer owns a thread that opens the notmuch database read-write
 * (creating it when missing), indexes the files it is given with
 * notmuch_database_index_file, and applies new.tags, maildir flag
 * synchronisation and the account's tags.  Delivery never waits for it.
 * notmuch objects never leave index.c. */
#ifndef POPMUCH_INDEX_H
#define POPMUCH_INDEX_H

#include <stddef.h>

#include "popmuch/err.h"

struct indexer;

/* The mail root of the notmuch configuration at config_path (NULL: as
 * the notmuch CLI finds it).  Caller frees *root_r.
 * Returns: PM_OK; PM_CONFIG when the configuration cannot be loaded or
 * names no mail root (database.path). */
enum pm_status index_mail_root(const char *config_path, char **root_r,
			       struct pm_err *err);

/* Whether notmuch has a configuration file: config_path, else the one
 * the notmuch CLI reads ($NOTMUCH_CONFIG, then
 * $XDG_CONFIG_HOME/notmuch/<profile>/config, then ~/.notmuch-config).
 * Checked before a fetch connects: without one nothing would be indexed.
 * Returns: PM_OK; PM_CONFIG naming `popmuch setup` when there is none. */
enum pm_status index_config_check(const char *config_path, struct pm_err *err);

/* What an indexer did, for -vv and the benchmark (index_get_stats). */
struct index_stats {
	int started;	 /* the thread ran */
	int opened;	 /* times the database was opened read-write */
	unsigned files;	 /* files handed over (index_submit) */
	double open_s;	 /* seconds spent opening the database */
	double commit_s; /* seconds of the final commit (close) */
	double tail_s;	 /* from the last file handed over to the end of
			  * the commit: indexing left after the download */
	double run_s;	 /* the thread's whole life */
};

/* An indexer for the given notmuch config (NULL: default).  Nothing
 * starts yet: the thread starts with the first index_submit() or
 * index_prepare(), and opens the database there (so a bad database
 * shows in index_wait()); a run with nothing to index never opens it.
 * Returns: PM_OK (a thread that cannot be started shows in
 * index_wait()). */
enum pm_status index_start(const char *config_path, struct indexer **ix_r,
			   struct pm_err *err);

/* Files are coming: start the thread and open the database now, while
 * the first message is still on its way. */
void index_prepare(struct indexer *ix);

/* Queue path (a delivered file) for indexing with the given extra tags
 * ("+a -b", NULL for none).  cookie is handed back by index_take_done()
 * (or index_take_failed() when no thread can be started).
 * Takes copies of path and tags; never blocks on the database. */
void index_submit(struct indexer *ix, const char *path, const char *tags,
		  void *cookie);

/* True when every file handed over so far has been indexed (or none
 * was): the indexer waits for work, so what waits for delivery should be
 * delivered now. */
int index_idle(struct indexer *ix);

/* A copy of the counters (final after index_wait() returned PM_OK). */
void index_get_stats(struct indexer *ix, struct index_stats *stats_r);

/* Move the cookies of files indexed so far into *cookies_r (caller
 * frees the array, not the cookies); returns how many. */
size_t index_take_done(struct indexer *ix, void ***cookies_r);

/* The same for files notmuch refused as not email
 * (NOTMUCH_STATUS_FILE_NOT_EMAIL): nothing to retry, but the caller must
 * say so and keep the message on the server. */
size_t index_take_refused(struct indexer *ix, void ***cookies_r);
/* The same for files that could not be indexed (they stay pending). */
size_t index_take_failed(struct indexer *ix, void ***cookies_r);

/* Wait until every queued file is indexed, or until timeout seconds pass
 * (the database may be locked by another process).
 * Returns: PM_OK when all is done; PM_TEMPFAIL when time ran out (the
 * rest stays queued and is reported as not done); PM_INDEX on a
 * database error. */
enum pm_status index_wait(struct indexer *ix, int timeout, struct pm_err *err);

/* Stop the thread if it can be stopped and free; a thread blocked on
 * the notmuch lock is left behind (it ends with the process). */
void index_free(struct indexer **ix);

/* True when index_free() had to leave a thread blocked inside libnotmuch:
 * the process must then end with _exit(), not exit(), so that library
 * destructors do not run under that thread. */
int index_abandoned(void);

/* Look each Message-ID ids[i] (without "<>"; NULL: skipped) up in the
 * database of the notmuch configuration at config_path (NULL: as the
 * notmuch CLI finds it) and call each(ctx, i, path) for every file
 * notmuch holds for it.  Read-only, so it never waits for a writer (an
 * indexer of this process or another).  No database yet: nothing is
 * called.
 * Returns: PM_OK; PM_INDEX when the database cannot be opened or
 * searched. */
enum pm_status
index_find_files(const char *config_path, const char *const *ids, size_t n,
		 void (*each)(void *ctx, size_t i, const char *path), void *ctx,
		 struct pm_err *err);

/* ---- synchronous use (popmuch import) ----
 * No thread: the caller indexes one file at a time and looks messages
 * up in the same read-write database, which sees everything this
 * process indexed, committed or not.  Free with index_free(), which
 * commits. */

/* Open the database read-write now (creating it when missing).
 * Returns: PM_OK; PM_INDEX or PM_CONFIG with notmuch's reason. */
enum pm_status index_sync_open(const char *config_path, struct indexer **ix_r,
			       struct pm_err *err);

/* The files notmuch holds for Message-ID id (without "<>"): *paths_r
 * is a new array of new strings (caller frees both), *n_r 0 when the
 * database has no such message.  Returns: PM_OK, PM_INDEX. */
enum pm_status index_sync_files(struct indexer *ix, const char *id,
				char ***paths_r, size_t *n_r,
				struct pm_err *err);

/* Index path as the thread does (new.tags, maildir flag sync, then
 * tags, "+a -b").  A file notmuch already has is fine.  Returns: PM_OK,
 * PM_IOERR (this file cannot be read), PM_INDEX (database error; every
 * later call fails too). */
enum pm_status index_sync_add(struct indexer *ix, const char *path,
			      const char *tags, struct pm_err *err);

/* Commit what was indexed (the database is closed, and opened again by
 * the next call).  Returns: PM_OK, PM_INDEX. */
enum pm_status index_sync_commit(struct indexer *ix, struct pm_err *err);

#endif
