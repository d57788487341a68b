/* nmstore.c: notmuch for compose and the outbox (see nmstore.h). */
#include "config.h"

#include <errno.h>
#include <notmuch.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "popmuch/nmstore.h"
#include "popmuch/xmalloc.h"

static enum pm_status
nm_fail(struct pm_err *err, const char *what, notmuch_status_t nst, char *msg)
{
	size_t len = msg ? strlen(msg) : 0;

	while (len > 0 && msg[len - 1] == '\n')
		msg[--len] = '\0';
	err_set(err, PM_INDEX, "notmuch: %s: %s%s%s", what,
		notmuch_status_to_string(nst), len ? ": " : "", len ? msg : "");
	free(msg);
	return PM_INDEX;
}

enum pm_status
nmstore_find_one(const char *notmuch_config, const char *query, char **path_r,
		 struct pm_err *err)
{
	notmuch_database_t *db = NULL;
	notmuch_query_t *q;
	notmuch_messages_t *msgs = NULL;
	notmuch_status_t nst;
	unsigned count = 0;
	char *msg = NULL;
	enum pm_status st = PM_OK;

	nst = notmuch_database_open_with_config(
	    NULL, NOTMUCH_DATABASE_MODE_READ_ONLY, notmuch_config, NULL, &db,
	    &msg);
	if (nst != NOTMUCH_STATUS_SUCCESS)
		return nm_fail(err, "cannot open the database", nst, msg);
	free(msg);
	q = notmuch_query_create(db, query);
	if (q == NULL ||
	    notmuch_query_count_messages(q, &count) != NOTMUCH_STATUS_SUCCESS)
		st = err_set(err, PM_INDEX, "notmuch: cannot search for %s",
			     query);
	else if (count != 1)
		st = err_set(err, PM_USAGE,
			     "%s matches %u messages; name exactly one (e.g. "
			     "id:MESSAGE-ID)",
			     query, count);
	else if (notmuch_query_search_messages(q, &msgs) !=
		     NOTMUCH_STATUS_SUCCESS ||
		 !notmuch_messages_valid(msgs))
		st = err_set(err, PM_INDEX, "notmuch: cannot search for %s",
			     query);
	else
		*path_r = xstrdup(
		    notmuch_message_get_filename(notmuch_messages_get(msgs)));
	notmuch_database_destroy(db); /* also frees q and msgs */
	return st;
}

/* One sent copy, in the child. */
static notmuch_status_t
record_one(notmuch_database_t *db, const char *path, const char *irt)
{
	notmuch_message_t *m = NULL;
	notmuch_status_t nst = notmuch_database_index_file(db, path, NULL, &m);

	if (nst == NOTMUCH_STATUS_SUCCESS ||
	    nst == NOTMUCH_STATUS_DUPLICATE_MESSAGE_ID) {
		notmuch_message_add_tag(m, "sent");
		notmuch_message_destroy(m);
		nst = NOTMUCH_STATUS_SUCCESS;
	} else if (nst == NOTMUCH_STATUS_FILE_ERROR) {
		return NOTMUCH_STATUS_SUCCESS; /* gone: nothing to index */
	}
	m = NULL;
	if (nst == NOTMUCH_STATUS_SUCCESS && irt != NULL &&
	    notmuch_database_find_message(db, irt, &m) ==
		NOTMUCH_STATUS_SUCCESS &&
	    m != NULL) {
		notmuch_message_add_tag(m, "replied");
		/* notmuch maps the tag "replied" to maildir flag R */
		notmuch_message_tags_to_maildir_flags(m);
		notmuch_message_destroy(m);
	}
	return nst;
}

/* In the child: 0 done, 1 database error. */
static int
record(const char *notmuch_config, const char *const *paths,
       const char *const *irts, size_t n)
{
	notmuch_database_t *db = NULL;
	notmuch_status_t nst;
	char *msg = NULL;

	nst = notmuch_database_open_with_config(
	    NULL, NOTMUCH_DATABASE_MODE_READ_WRITE, notmuch_config, NULL, &db,
	    &msg);
	free(msg);
	msg = NULL;
	/* no database yet (nothing fetched so far): create it, as index.c */
	if (nst != NOTMUCH_STATUS_SUCCESS &&
	    notmuch_database_create_with_config(NULL, notmuch_config, NULL, &db,
						&msg) !=
		NOTMUCH_STATUS_SUCCESS) {
		free(msg);
		return 1;
	}
	free(msg);
	nst = NOTMUCH_STATUS_SUCCESS;
	for (size_t i = 0; i < n && nst == NOTMUCH_STATUS_SUCCESS; i++)
		nst = record_one(db, paths[i], irts[i]);
	if (notmuch_database_close(db) != NOTMUCH_STATUS_SUCCESS)
		nst = NOTMUCH_STATUS_XAPIAN_EXCEPTION;
	notmuch_database_destroy(db);
	return nst == NOTMUCH_STATUS_SUCCESS ? 0 : 1;
}

enum pm_status
nmstore_record_sent(const char *notmuch_config, const char *const *paths,
		    const char *const *in_reply_to, size_t n, int timeout,
		    struct pm_err *err)
{
	struct timespec ts = {0, 50 * 1000 * 1000};
	int status = 0;
	long waited = 0;
	pid_t pid, r;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return err_set(err, PM_INDEX, "cannot fork: %s",
			       strerror(errno));
	if (pid == 0)
		_exit(record(notmuch_config, paths, in_reply_to, n));
	while ((r = waitpid(pid, &status, WNOHANG)) == 0 &&
	       waited < (long)timeout * 20) {
		nanosleep(&ts, NULL);
		waited++;
	}
	if (r == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		return err_set(err, PM_TEMPFAIL,
			       "the notmuch database stayed locked for %d s; "
			       "the sent copies are indexed by the next "
			       "'popmuch send'",
			       timeout);
	}
	if (r < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return err_set(err, PM_INDEX,
			       "notmuch: cannot index the sent copies (%s%s)",
			       paths[0], n > 1 ? ", ..." : "");
	return PM_OK;
}
