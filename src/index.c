/* index.c: libnotmuch for the fetch path, in a thread of its own.
 *
 * Files are indexed as they are delivered.  A file counts as done only
 * after the database has been closed (committed): a crash before that
 * leaves it "not indexed" in the journal, and the next run indexes it
 * again, which notmuch treats as a duplicate (harmless). */
#include "config.h"

#include <errno.h>
#include <notmuch.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "popmuch/clock.h"
#include "popmuch/index.h"
#include "popmuch/stop.h"
#include "popmuch/xmalloc.h"

/* Set when an indexer thread was left blocked on the notmuch lock. */
static int abandoned;

struct job {
	char *path;
	char *tags;
	void *cookie;
	struct job *next;
};

struct indexer {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t work_cv, done_cv;
	struct job *head, *tail;
	void **uncommitted, **done, **failed, **refused;
	size_t nuncommitted, ndone, capuncommitted, capdone;
	size_t nfailed, capfailed, nrefused, caprefused;
	int finishing, exited;
	int started;		/* the thread runs (index_submit, _prepare) */
	int prepare;		/* open the database before the first job */
	unsigned long progress; /* jobs the thread has finished */
	unsigned long queued;	/* jobs submitted */
	struct index_stats stats;
	struct timespec t_start, t_last_submit; /* CLOCK_MONOTONIC */
	enum pm_status status;
	char msg[PM_ERR_MSG_MAX];
	char *config_path;
	notmuch_database_t *db;
	char **new_tags;
	size_t nnew_tags, capnew_tags;
	notmuch_bool_t sync_flags;
	int tags_loaded; /* new_tags read (the database may be reopened) */
	int sync;	 /* index_sync_open: no thread */
};

static enum pm_status
nm_error(enum pm_status code, struct pm_err *err, const char *what,
	 notmuch_status_t nst, char *msg)
{
	err_set(err, code, "notmuch: %s: %s%s%s", what,
		notmuch_status_to_string(nst), msg ? ": " : "", msg ? msg : "");
	free(msg);
	if (err != NULL) {
		size_t len = strlen(err->msg);

		while (len > 0 && err->msg[len - 1] == '\n')
			err->msg[--len] = '\0';
	}
	return code;
}

enum pm_status
index_mail_root(const char *config_path, char **root_r, struct pm_err *err)
{
	notmuch_database_t *db = NULL;
	notmuch_status_t nst;
	const char *root;
	char *msg = NULL;

	nst = notmuch_database_load_config(NULL, config_path, NULL, &db, &msg);
	if (db == NULL)
		return nm_error(PM_CONFIG, err, "cannot load the configuration",
				nst, msg);
	free(msg);
	root = notmuch_config_get(db, NOTMUCH_CONFIG_MAIL_ROOT);
	if (root == NULL || root[0] == '\0') {
		notmuch_database_destroy(db);
		return err_set(
		    err, PM_CONFIG,
		    "notmuch has no mail root (database.mail_root or "
		    "database.path); run "
		    "'notmuch setup' first");
	}
	*root_r = xstrdup(root);
	notmuch_database_destroy(db);
	return PM_OK;
}

enum pm_status
index_config_check(const char *config_path, struct pm_err *err)
{
	notmuch_database_t *db = NULL;
	notmuch_status_t nst;
	char *msg = NULL;

	nst = notmuch_database_load_config(NULL, config_path, NULL, &db, &msg);
	free(msg);
	if (db != NULL)
		notmuch_database_destroy(db);
	if (nst != NOTMUCH_STATUS_NO_CONFIG)
		return PM_OK; /* other problems are reported where they hurt */
	return err_set(err, PM_CONFIG,
		       "no notmuch configuration%s%s (notmuch reads "
		       "$NOTMUCH_CONFIG, $XDG_CONFIG_HOME/notmuch/default/"
		       "config, then ~/.notmuch-config): run 'popmuch setup' "
		       "(or 'notmuch setup') first; nothing was fetched",
		       config_path ? " at " : "",
		       config_path ? config_path : "");
}

static void
push(void ***arr, size_t *n, size_t *cap, void *v)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		*arr = xreallocarray(*arr, *cap, sizeof(**arr));
	}
	(*arr)[(*n)++] = v;
}

static void
set_failed(struct indexer *ix, const char *what, notmuch_status_t nst,
	   char *msg)
{
	struct pm_err err;

	nm_error(PM_INDEX, &err, what, nst, msg);
	pthread_mutex_lock(&ix->mu);
	if (ix->status == PM_OK) {
		ix->status = PM_INDEX;
		memcpy(ix->msg, err.msg, sizeof(ix->msg));
	}
	pthread_mutex_unlock(&ix->mu);
}

/* notmuch creates a database in two steps: an empty Xapian database,
 * then notmuch_database_upgrade() writes its version and features.  A
 * process killed between them (t-storm's kills do that) leaves a
 * database of version 0 that refuses every message ("requires a
 * database upgrade"): finish the creation.  A database of an older
 * version holds the person's mail: upgrading it is left to notmuch new,
 * which backs it up first. */
static notmuch_status_t
finish_creation(notmuch_database_t *db)
{
	if (!notmuch_database_needs_upgrade(db) ||
	    notmuch_database_get_version(db) != 0)
		return NOTMUCH_STATUS_SUCCESS;
	return notmuch_database_upgrade(db, NULL, NULL);
}

/* Open (or create) the database read-write; may wait for the lock. */
static int
open_db(struct indexer *ix)
{
	notmuch_status_t nst;
	notmuch_config_values_t *vals;
	char *msg = NULL;

	nst = notmuch_database_open_with_config(
	    NULL, NOTMUCH_DATABASE_MODE_READ_WRITE, ix->config_path, NULL,
	    &ix->db, &msg);
	if (nst != NOTMUCH_STATUS_SUCCESS) {
		/* notmuch 0.37 says FILE_ERROR, not NO_DATABASE, when the
		 * database directory is missing: try to create it, and if
		 * that fails too, the open error is the one to show. */
		char *cmsg = NULL;

		if (notmuch_database_create_with_config(NULL, ix->config_path,
							NULL, &ix->db, &cmsg) ==
		    NOTMUCH_STATUS_SUCCESS) {
			free(msg);
			msg = NULL;
			nst = NOTMUCH_STATUS_SUCCESS;
		}
		free(cmsg);
	}
	if (nst != NOTMUCH_STATUS_SUCCESS) {
		ix->db = NULL;
		set_failed(ix, "cannot open the database", nst, msg);
		return -1;
	}
	free(msg);
	if ((nst = finish_creation(ix->db)) != NOTMUCH_STATUS_SUCCESS) {
		set_failed(ix, "cannot finish creating the database", nst,
			   NULL);
		notmuch_database_destroy(ix->db);
		ix->db = NULL;
		return -1;
	}
	for (vals = ix->tags_loaded ? NULL
				    : notmuch_config_get_values(
					  ix->db, NOTMUCH_CONFIG_NEW_TAGS);
	     vals && notmuch_config_values_valid(vals);
	     notmuch_config_values_move_to_next(vals))
		push((void ***)&ix->new_tags, &ix->nnew_tags, &ix->capnew_tags,
		     xstrdup(notmuch_config_values_get(vals)));
	if (vals != NULL)
		notmuch_config_values_destroy(vals);
	ix->tags_loaded = 1;
	if (notmuch_config_get_bool(ix->db, NOTMUCH_CONFIG_SYNC_MAILDIR_FLAGS,
				    &ix->sync_flags) != NOTMUCH_STATUS_SUCCESS)
		ix->sync_flags = FALSE;
	return 0;
}

/* Apply "+tag -tag" words. */
static void
apply_tags(notmuch_message_t *m, const char *tags)
{
	char *copy, *word, *save = NULL;

	if (tags == NULL)
		return;
	copy = xstrdup(tags);
	for (word = strtok_r(copy, " \t", &save); word != NULL;
	     word = strtok_r(NULL, " \t", &save)) {
		if (word[0] == '-')
			notmuch_message_remove_tag(m, word + 1);
		else
			notmuch_message_add_tag(m, word + (word[0] == '+'));
	}
	free(copy);
}

static int
index_one(struct indexer *ix, const struct job *j)
{
	notmuch_message_t *m = NULL;
	notmuch_status_t nst;

	nst = notmuch_database_begin_atomic(ix->db);
	if (nst == NOTMUCH_STATUS_SUCCESS)
		nst = notmuch_database_index_file(ix->db, j->path, NULL, &m);
	if (nst == NOTMUCH_STATUS_SUCCESS) {
		/* Every tag change inside one freeze, as notmuch new does:
		 * the document is written once (a second thaw wrote it
		 * again: 8% of the indexing's CPU).  The flag tags follow the
		 * file's flags over new.tags (a read file loses "unread");
		 * the caller's tags come last and win. */
		notmuch_message_freeze(m);
		for (size_t i = 0; i < ix->nnew_tags; i++)
			notmuch_message_add_tag(m, ix->new_tags[i]);
		if (ix->sync_flags)
			notmuch_message_maildir_flags_to_tags(m);
		apply_tags(m, j->tags);
		notmuch_message_thaw(m);
	} else if (nst == NOTMUCH_STATUS_DUPLICATE_MESSAGE_ID &&
		   ix->sync_flags) {
		notmuch_message_maildir_flags_to_tags(m);
	}
	if (m != NULL)
		notmuch_message_destroy(m);
	notmuch_database_end_atomic(ix->db);
	if (nst == NOTMUCH_STATUS_SUCCESS ||
	    nst == NOTMUCH_STATUS_DUPLICATE_MESSAGE_ID)
		return 0;
	if (nst == NOTMUCH_STATUS_FILE_NOT_EMAIL)
		return 1; /* refused: the caller must say so */
	if (nst == NOTMUCH_STATUS_FILE_ERROR)
		return -1; /* this file only (moved away?): retried next run */
	set_failed(ix, "cannot index a message", nst, NULL);
	return -1;
}

/* Close the database (committing) and publish what it held. */
static void
commit(struct indexer *ix)
{
	notmuch_status_t nst;

	if (ix->db == NULL)
		return;
	nst = notmuch_database_destroy(ix->db);
	ix->db = NULL;
	pthread_mutex_lock(&ix->mu);
	for (size_t i = 0; i < ix->nuncommitted; i++)
		if (nst == NOTMUCH_STATUS_SUCCESS)
			push(&ix->done, &ix->ndone, &ix->capdone,
			     ix->uncommitted[i]);
		else
			push(&ix->failed, &ix->nfailed, &ix->capfailed,
			     ix->uncommitted[i]);
	ix->nuncommitted = 0;
	pthread_mutex_unlock(&ix->mu);
	if (nst != NOTMUCH_STATUS_SUCCESS)
		set_failed(ix, "cannot commit the database", nst, NULL);
}

static struct job *
next_job(struct indexer *ix)
{
	struct job *j;

	pthread_mutex_lock(&ix->mu);
	while (ix->head == NULL && !ix->finishing)
		pthread_cond_wait(&ix->work_cv, &ix->mu);
	j = ix->head;
	if (j != NULL) {
		ix->head = j->next;
		if (ix->head == NULL)
			ix->tail = NULL;
	}
	pthread_mutex_unlock(&ix->mu);
	return j;
}

static void
job_free(struct job *j)
{
	free(j->path);
	free(j->tags);
	free(j);
}

/* Open the database in the thread, timed for index_stats. */
static int
thread_open_db(struct indexer *ix)
{
	struct timespec t0;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = open_db(ix);
	pthread_mutex_lock(&ix->mu);
	ix->stats.opened += rc == 0;
	ix->stats.open_s += clock_seconds_since(&t0);
	pthread_mutex_unlock(&ix->mu);
	return rc;
}

/* The thread has finished: how long after the last file was handed over
 * (the whole tail, commit included). */
static void
note_finished(struct indexer *ix, int committed, double commit_s)
{
	ix->stats.commit_s = commit_s;
	if (committed && ix->stats.files > 0)
		ix->stats.tail_s = clock_seconds_since(&ix->t_last_submit);
	ix->stats.run_s = clock_seconds_since(&ix->t_start);
}

static void *
indexer_thread(void *arg)
{
	struct indexer *ix = arg;
	struct timespec t0;
	struct job *j;
	int had_db;

	if (ix->prepare && ix->status == PM_OK)
		(void)thread_open_db(ix);
	while ((j = next_job(ix)) != NULL) {
		int r = ix->status != PM_OK ||
				(ix->db == NULL && thread_open_db(ix) != 0)
			    ? -1
			    : index_one(ix, j);

		pthread_mutex_lock(&ix->mu);
		ix->progress++;
		if (r == 0)
			push(&ix->uncommitted, &ix->nuncommitted,
			     &ix->capuncommitted, j->cookie);
		else if (r > 0)
			push(&ix->refused, &ix->nrefused, &ix->caprefused,
			     j->cookie);
		else
			push(&ix->failed, &ix->nfailed, &ix->capfailed,
			     j->cookie);
		pthread_mutex_unlock(&ix->mu);
		job_free(j);
	}
	had_db = ix->db != NULL;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	commit(ix);
	pthread_mutex_lock(&ix->mu);
	note_finished(ix, had_db, had_db ? clock_seconds_since(&t0) : 0);
	ix->exited = 1;
	pthread_cond_broadcast(&ix->done_cv);
	pthread_mutex_unlock(&ix->mu);
	return NULL;
}

enum pm_status
index_start(const char *config_path, struct indexer **ix_r, struct pm_err *err)
{
	struct indexer *ix = xcalloc(1, sizeof(*ix));

	(void)err;
	pthread_mutex_init(&ix->mu, NULL);
	pthread_cond_init(&ix->work_cv, NULL);
	pthread_cond_init(&ix->done_cv, NULL);
	ix->config_path = config_path ? xstrdup(config_path) : NULL;
	*ix_r = ix;
	return PM_OK;
}

/* Start the thread on first use (ix->mu held): a run with nothing to
 * index never starts it, so it never opens the database.  Returns 0, or
 * -1 when no thread could be started (ix->status says why). */
static int
start_locked(struct indexer *ix)
{
	int rc;

	if (ix->started)
		return 0;
	if (ix->status != PM_OK)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &ix->t_start);
	rc = pthread_create(&ix->thread, NULL, indexer_thread, ix);
	if (rc != 0) {
		ix->status = PM_SOFTWARE;
		(void)snprintf(ix->msg, sizeof(ix->msg),
			       "cannot start the indexer thread: %s",
			       strerror(rc));
		return -1;
	}
	ix->started = ix->stats.started = 1;
	return 0;
}

void
index_prepare(struct indexer *ix)
{
	pthread_mutex_lock(&ix->mu);
	if (!ix->started && !ix->sync) {
		ix->prepare = 1;
		(void)start_locked(ix);
	}
	pthread_mutex_unlock(&ix->mu);
}

void
index_submit(struct indexer *ix, const char *path, const char *tags,
	     void *cookie)
{
	struct job *j = xcalloc(1, sizeof(*j));

	j->path = xstrdup(path);
	j->tags = tags ? xstrdup(tags) : NULL;
	j->cookie = cookie;
	pthread_mutex_lock(&ix->mu);
	if (start_locked(ix) != 0) {
		/* no thread: the file stays pending for the next run */
		push(&ix->failed, &ix->nfailed, &ix->capfailed, cookie);
		pthread_mutex_unlock(&ix->mu);
		job_free(j);
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &ix->t_last_submit);
	ix->stats.files++;
	if (ix->tail != NULL)
		ix->tail->next = j;
	else
		ix->head = j;
	ix->tail = j;
	ix->queued++;
	pthread_cond_signal(&ix->work_cv);
	pthread_mutex_unlock(&ix->mu);
}

int
index_idle(struct indexer *ix)
{
	int idle;

	pthread_mutex_lock(&ix->mu);
	idle = ix->progress == ix->queued;
	pthread_mutex_unlock(&ix->mu);
	return idle;
}

void
index_get_stats(struct indexer *ix, struct index_stats *stats_r)
{
	pthread_mutex_lock(&ix->mu);
	*stats_r = ix->stats;
	pthread_mutex_unlock(&ix->mu);
}

/* Hand over one of the cookie lists. */
static size_t
take(struct indexer *ix, void ***list, size_t *n, size_t *cap,
     void ***cookies_r)
{
	size_t k;

	pthread_mutex_lock(&ix->mu);
	*cookies_r = *list;
	k = *n;
	*list = NULL;
	*n = *cap = 0;
	pthread_mutex_unlock(&ix->mu);
	return k;
}

size_t
index_take_done(struct indexer *ix, void ***cookies_r)
{
	return take(ix, &ix->done, &ix->ndone, &ix->capdone, cookies_r);
}

size_t
index_take_refused(struct indexer *ix, void ***cookies_r)
{
	return take(ix, &ix->refused, &ix->nrefused, &ix->caprefused,
		    cookies_r);
}

size_t
index_take_failed(struct indexer *ix, void ***cookies_r)
{
	return take(ix, &ix->failed, &ix->nfailed, &ix->capfailed, cookies_r);
}

enum pm_status
index_wait(struct indexer *ix, int timeout, struct pm_err *err)
{
	struct timespec deadline;
	enum pm_status st = PM_OK;
	unsigned long seen;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += timeout;
	pthread_mutex_lock(&ix->mu);
	if (!ix->started) {
		/* nothing was ever submitted: no thread, no database */
		st = ix->status == PM_OK
			 ? PM_OK
			 : err_set(err, ix->status, "%s", ix->msg);
		pthread_mutex_unlock(&ix->mu);
		return st;
	}
	ix->finishing = 1;
	seen = ix->progress;
	pthread_cond_broadcast(&ix->work_cv);
	while (!ix->exited && st == PM_OK) {
		/* In slices, so that a stop request (stop.h) ends the wait
		 * too: what is not indexed stays pending in the journal. */
		struct timespec slice;

		/* The bound is on waiting without progress (a lock held
		 * elsewhere), not on a slow machine's indexing. */
		if (ix->progress != seen) {
			seen = ix->progress;
			clock_gettime(CLOCK_REALTIME, &deadline);
			deadline.tv_sec += timeout;
		}

		clock_gettime(CLOCK_REALTIME, &slice);
		slice.tv_nsec += 200 * 1000000L;
		if (slice.tv_nsec >= 1000000000L) {
			slice.tv_sec++;
			slice.tv_nsec -= 1000000000L;
		}
		if (slice.tv_sec > deadline.tv_sec ||
		    (slice.tv_sec == deadline.tv_sec &&
		     slice.tv_nsec > deadline.tv_nsec))
			slice = deadline;
		if (pthread_cond_timedwait(&ix->done_cv, &ix->mu, &slice) !=
		    ETIMEDOUT)
			continue;
		if (stop_requested())
			st = err_set(err, PM_TEMPFAIL,
				     "indexing interrupted by signal (%s); it "
				     "will be caught up by the next run or "
				     "'popmuch index'",
				     stop_signal_name());
		else if (slice.tv_sec == deadline.tv_sec &&
			 slice.tv_nsec == deadline.tv_nsec)
			st =
			    err_set(err, PM_TEMPFAIL,
				    "indexing made no progress for %d seconds "
				    "(the notmuch database stayed locked?); it "
				    "will be caught up by the next run or "
				    "'popmuch index'",
				    timeout);
	}
	if (st == PM_OK && ix->status != PM_OK)
		st = err_set(err, ix->status, "%s", ix->msg);
	pthread_mutex_unlock(&ix->mu);
	return st;
}

void
index_free(struct indexer **ixp)
{
	struct indexer *ix = *ixp;
	struct job *j;
	int exited;

	if (ix == NULL)
		return;
	*ixp = NULL;
	if (ix->sync) {
		commit(ix); /* no thread to stop */
		goto release;
	}
	if (!ix->started)
		goto release; /* never needed */
	pthread_mutex_lock(&ix->mu);
	ix->finishing = 1;
	pthread_cond_broadcast(&ix->work_cv);
	exited = ix->exited;
	pthread_mutex_unlock(&ix->mu);
	if (!exited) {
		/* Blocked on the notmuch lock: it ends with the process. */
		pthread_detach(ix->thread);
		abandoned = 1;
		return;
	}
	pthread_join(ix->thread, NULL);
release:
	while ((j = ix->head) != NULL) {
		ix->head = j->next;
		job_free(j);
	}
	for (size_t i = 0; i < ix->nnew_tags; i++)
		free(ix->new_tags[i]);
	free(ix->new_tags);
	free(ix->uncommitted);
	free(ix->done);
	free(ix->failed);
	free(ix->refused);
	free(ix->config_path);
	pthread_mutex_destroy(&ix->mu);
	pthread_cond_destroy(&ix->work_cv);
	pthread_cond_destroy(&ix->done_cv);
	free(ix);
}

int
index_abandoned(void)
{
	return abandoned;
}

/* ---- synchronous use (popmuch import) ------------------------------- */

static enum pm_status
sync_status(struct indexer *ix, struct pm_err *err)
{
	if (ix->status == PM_OK)
		return PM_OK;
	return err_set(err, ix->status, "%s", ix->msg);
}

static enum pm_status
sync_db(struct indexer *ix, struct pm_err *err)
{
	if (ix->status == PM_OK && ix->db == NULL)
		(void)open_db(ix);
	return sync_status(ix, err);
}

enum pm_status
index_sync_open(const char *config_path, struct indexer **ix_r,
		struct pm_err *err)
{
	struct indexer *ix = xcalloc(1, sizeof(*ix));
	enum pm_status st;

	pthread_mutex_init(&ix->mu, NULL);
	pthread_cond_init(&ix->work_cv, NULL);
	pthread_cond_init(&ix->done_cv, NULL);
	ix->sync = ix->exited = 1;
	ix->config_path = config_path ? xstrdup(config_path) : NULL;
	if ((st = sync_db(ix, err)) != PM_OK) {
		index_free(&ix);
		return st;
	}
	*ix_r = ix;
	return PM_OK;
}

static enum pm_status
copy_filenames(notmuch_message_t *m, char ***paths_r, size_t *n_r)
{
	notmuch_filenames_t *fns = notmuch_message_get_filenames(m);
	size_t cap = 0;

	for (; fns && notmuch_filenames_valid(fns);
	     notmuch_filenames_move_to_next(fns))
		push((void ***)paths_r, n_r, &cap,
		     xstrdup(notmuch_filenames_get(fns)));
	if (fns != NULL)
		notmuch_filenames_destroy(fns);
	return PM_OK;
}

enum pm_status
index_sync_files(struct indexer *ix, const char *id, char ***paths_r,
		 size_t *n_r, struct pm_err *err)
{
	notmuch_message_t *m = NULL;
	notmuch_status_t nst;
	enum pm_status st;

	*paths_r = NULL;
	*n_r = 0;
	if ((st = sync_db(ix, err)) != PM_OK)
		return st;
	nst = notmuch_database_find_message(ix->db, id, &m);
	if (nst != NOTMUCH_STATUS_SUCCESS)
		return nm_error(PM_INDEX, err, "cannot look up a Message-ID",
				nst, NULL);
	if (m == NULL)
		return PM_OK;
	st = copy_filenames(m, paths_r, n_r);
	notmuch_message_destroy(m);
	return st;
}

enum pm_status
index_sync_add(struct indexer *ix, const char *path, const char *tags,
	       struct pm_err *err)
{
	struct job j = {0};
	enum pm_status st;

	if ((st = sync_db(ix, err)) != PM_OK)
		return st;
	j.path = (char *)path;
	j.tags = (char *)tags;
	if (index_one(ix, &j) == 0)
		return PM_OK;
	if ((st = sync_status(ix, err)) != PM_OK)
		return st;
	return err_set(err, PM_IOERR, "notmuch cannot read %s", path);
}

enum pm_status
index_sync_commit(struct indexer *ix, struct pm_err *err)
{
	commit(ix);
	return sync_status(ix, err);
}

/* One Message-ID in the read-only db; a database another process
 * changed meanwhile is reopened once. */
static notmuch_status_t
find_files(notmuch_database_t *db, const char *id, char ***paths_r, size_t *n_r)
{
	notmuch_message_t *m = NULL;
	notmuch_status_t nst = notmuch_database_find_message(db, id, &m);

	if (nst != NOTMUCH_STATUS_SUCCESS &&
	    notmuch_database_reopen(db, NOTMUCH_DATABASE_MODE_READ_ONLY) ==
		NOTMUCH_STATUS_SUCCESS)
		nst = notmuch_database_find_message(db, id, &m);
	if (nst == NOTMUCH_STATUS_SUCCESS && m != NULL) {
		copy_filenames(m, paths_r, n_r);
		notmuch_message_destroy(m);
	}
	return nst;
}

enum pm_status
index_find_files(const char *config_path, const char *const *ids, size_t n,
		 void (*each)(void *ctx, size_t i, const char *path), void *ctx,
		 struct pm_err *err)
{
	notmuch_database_t *db = NULL;
	notmuch_status_t nst;
	enum pm_status st = PM_OK;
	char *msg = NULL, **paths;
	size_t np;

	nst = notmuch_database_open_with_config(NULL,
						NOTMUCH_DATABASE_MODE_READ_ONLY,
						config_path, NULL, &db, &msg);
	if (nst == NOTMUCH_STATUS_NO_DATABASE ||
	    nst == NOTMUCH_STATUS_FILE_ERROR) {
		/* (notmuch 0.37 says FILE_ERROR for a missing database) */
		free(msg);
		return PM_OK; /* no database yet: it holds nothing */
	}
	if (nst != NOTMUCH_STATUS_SUCCESS)
		return nm_error(PM_INDEX, err, "cannot open the database", nst,
				msg);
	free(msg);
	for (size_t i = 0; i < n && st == PM_OK; i++) {
		if (ids[i] == NULL)
			continue;
		paths = NULL;
		np = 0;
		nst = find_files(db, ids[i], &paths, &np);
		if (nst != NOTMUCH_STATUS_SUCCESS)
			st = nm_error(PM_INDEX, err,
				      "cannot look up a Message-ID", nst, NULL);
		for (size_t k = 0; k < np; k++) {
			if (st == PM_OK)
				each(ctx, i, paths[k]);
			free(paths[k]);
		}
		free(paths);
	}
	notmuch_database_destroy(db);
	return st;
}
