/* db.h: what the TUI reads from and writes to notmuch (src/tui/db.c the
 * reads, db-tail.c the end of a long list, db-tag.c the tagging: the only
 * TUI files with notmuch.h).
 *
 * The database is opened read-only with the user's notmuch config (as
 * the notmuch CLI finds it, honouring $NOTMUCH_CONFIG).  Results are
 * copied into the structs below; no notmuch object leaves db.c.  Writes
 * (tags) happen in a short-lived child process that opens the database
 * read-write, so the TUI itself never waits for or holds the write lock. */
#ifndef POPMUCH_TUI_DB_H
#define POPMUCH_TUI_DB_H

#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "popmuch/err.h"

enum row_flag {
	ROW_UNREAD = 1 << 0,
	ROW_FLAGGED = 1 << 1,
	ROW_DELETED = 1 << 2,
	ROW_MATCHED = 1 << 3, /* thread view: the message matches the query */
	ROW_ATTACH = 1 << 4,
};

/* One line of a list: a thread (thread mode) or a message. */
struct row {
	char *id;      /* thread id, or message id (without <>) */
	char *authors; /* thread authors, or the From display name */
	char *subject;
	char *tags;  /* space separated, sorted */
	char *path;  /* message mode and thread view: a file of the message */
	time_t date; /* newest message (thread) or the message's Date */
	int total, matched; /* thread: messages in the thread / matching */
	int depth;	    /* thread view: depth in the reply tree */
	/* thread rows: "id:A or id:B ..." the messages the thread had when
	 * the row was read (tagging a row tags those, as notmuch-emacs
	 * does, not a reply that arrived later) */
	char *msgs;
	unsigned flags; /* enum row_flag */
};

struct db;
struct db_list;

/* Open the notmuch database read-only.  Caller frees with db_close.
 * Returns: PM_OK, or PM_INDEX with err naming notmuch's reason. */
enum pm_status db_open(struct db **db_r, struct pm_err *err);
void db_close(struct db **db);

/* Re-read the database to see what other processes committed, and
 * return its revision (compare with an earlier one to know whether views
 * should reload). */
unsigned long db_refresh(struct db *db);

/* Start listing query (a notmuch query string), newest first, threads
 * when threads is nonzero, else messages.  Rows are produced in chunks
 * by db_list_more.  Caller frees with db_list_free.
 * Returns: PM_OK, or PM_INDEX (a bad query, notmuch failing) with err
 * set. */
enum pm_status db_list_start(struct db *db, const char *query, int threads,
			     struct db_list **l_r, struct pm_err *err);
/* The last k rows of query's list as db_list_start orders it, without
 * reading the rows before them (G on a long list): *rows_r[0] is the
 * last row, [1] the one before, ...  Returns how many (fewer than k only
 * when the list is shorter).  *rows_r is new (rows_free). */
size_t db_list_tail(struct db *db, const char *query, int threads, size_t k,
		    struct row **rows_r);
/* Append up to n more rows to the growing array *rows (*nrows used of
 * *cap).  Returns 1 while more rows may follow, 0 at the end (the query
 * is destroyed then). */
int db_list_more(struct db_list *l, struct row **rows, size_t *nrows,
		 size_t *cap, size_t n);
void db_list_free(struct db_list **l);

/* The messages of thread_id as a depth-first reply tree; ROW_MATCHED on
 * those that match query.  *rows_r is a new array the caller frees with
 * rows_free.
 * Returns: PM_OK, or PM_INDEX with err set. */
enum pm_status db_thread(struct db *db, const char *thread_id,
			 const char *query, struct row **rows_r, size_t *n_r,
			 struct pm_err *err);

/* Free n rows and the array; sets *rows to NULL. */
void rows_free(struct row **rows, size_t n);
/* Free the strings of one row. */
void row_clear(struct row *r);
/* Make dst (cleared first) a deep copy of src. */
void row_copy(struct row *dst, const struct row *src);

/* A current file of message id (after re-reading the database: tagging
 * may have renamed it for maildir flags); when that is not readable and
 * old (the last known path, or NULL) was in a Maildir, the file there
 * with the same unique name (the rename may be ahead of the database).
 * New string or NULL. */
char *db_message_path(struct db *db, const char *id, const char *old);
/* The session keys notmuch stashed for message id (index.decrypt=true:
 * its "session-key" properties), a NULL-terminated vector to free with
 * g_strfreev, or NULL when there are none. */
char **db_session_keys(struct db *db, const char *id);

/* Number of messages matching query (excluded tags honoured); -1 on
 * error. */
long db_count(struct db *db, const char *query);

/* Number of messages in the database (excluded tags too); -1 on error.
 * It grows when mail arrives, whatever tags change meanwhile. */
long db_count_all(struct db *db);

/* Named queries of the notmuch config ("query.NAME"), as parallel
 * arrays of new strings; caller frees each and both arrays. */
size_t db_named_queries(struct db *db, char ***names_r, char ***queries_r);

/* Every tag in the database (NULL-terminated array, caller frees each and
 * the array). */
char **db_all_tags(struct db *db);

/* Apply ops ("+a -b") to every message matching query, in a child
 * process that opens the database read-write and exits.  Returns the
 * child's pid (reap it with waitpid; exit status 0 means done), or -1
 * with err set. */
pid_t db_tag_spawn(const char *query, const char *ops, struct pm_err *err);

/* Apply ops in this process (used by the child; blocks on the lock).
 * Returns: PM_OK, or PM_INDEX when the database cannot be opened
 * read-write or a tag change fails (err may be NULL). */
enum pm_status db_tag_now(const char *query, const char *ops,
			  struct pm_err *err);

/* Update a row's tags and flags in memory after ops ("+a -b"). */
void row_apply_tags(struct row *r, const char *ops);

/* The ids of the messages matching query (no excluded tags: the
 * messages a tagger of query changes), unsorted, as a new array of n
 * new strings (*ids_r NULL when none). */
size_t db_message_ids(struct db *db, const char *query, char ***ids_r);

/* "id:A or id:B ..." (quoted) for n message ids; new string ("" for
 * none). */
char *db_ids_query(char *const *ids, size_t n);

/* Quote s as a notmuch query term ("id:" or "thread:" prefix included
 * by the caller); returns a new string. */
char *db_quote(const char *s);

/* "(a) and (b)" as a new query string, where a query that is "*" (or
 * empty) is left out: notmuch treats "*" as "everything" only as the
 * whole query, not inside parentheses. */
char *db_query_and(const char *a, const char *b);

/* query with "and not tag:X" for each of notmuch's search.exclude_tags
 * the query does not name itself: the messages a list of query shows,
 * for tagging them all (notmuch_query_add_tag_exclude does not reach a
 * tagger's query).  New string. */
char *db_shown_query(struct db *db, const char *query);

#endif
