/* db-tail.c: G on a long list: the last rows of a query's list without
 * reading the rows before them (db_list_tail in db.h). */
#include "config.h"

#include <notmuch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "popmuch/xmalloc.h"
#include "db-int.h"
#include "db.h"

/* A thread that may be among the last k: its newest matching message. */
struct cand {
	char *tid;
	time_t newest;
};

#define BATCH 64 /* thread ids resolved by one query */

/* "(thread:A or thread:B ...) and (query)" for n thread ids. */
static char *
threads_query(char *const *tids, size_t n, const char *query)
{
	size_t i, len = 3;
	char * or, *o, *qs;

	for (i = 0; i < n; i++)
		len += strlen(tids[i]) + 12;
	o = or = xmalloc(len);
	*o++ = '(';
	for (i = 0; i < n; i++)
		o += sprintf(o, "%sthread:%s", i ? " or " : "", tids[i]);
	*o++ = ')';
	*o = '\0';
	qs = db_query_and(or, query);
	free(or);
	return qs;
}

static void cand_insert(struct cand *cands, size_t *n, size_t k,
			struct cand *c);

/* The newest matching date of each thread of the batch, by one query
 * (newest first: a thread's first message is its newest), into cands.
 * Frees the batch's strings. */
static void
resolve_batch(struct db *db, const char *query, char **batch, size_t nb,
	      struct cand *cands, size_t *n, size_t k)
{
	char *qs = threads_query(batch, nb, query);
	notmuch_query_t *q = db_make_query(db, qs);
	notmuch_messages_t *ms = NULL;
	size_t left = nb, i;
	struct cand c;

	free(qs);
	if (q && notmuch_query_search_messages(q, &ms) == 0)
		for (; left && notmuch_messages_valid(ms);
		     notmuch_messages_move_to_next(ms)) {
			notmuch_message_t *m = notmuch_messages_get(ms);
			const char *tid = notmuch_message_get_thread_id(m);

			for (i = 0; tid && i < nb; i++)
				if (batch[i] && strcmp(batch[i], tid) == 0) {
					c.tid = batch[i];
					c.newest = notmuch_message_get_date(m);
					batch[i] = NULL;
					cand_insert(cands, n, k, &c);
					left--;
					break;
				}
			notmuch_message_destroy(m);
		}
	if (q)
		notmuch_query_destroy(q);
	for (i = 0; i < nb; i++)
		free(batch[i]);
}

/* The rows of the n threads of cands (newest ascending) into out, in
 * the same order, by one thread query; returns how many. */
static size_t
cand_rows(struct db *db, const char *query, struct cand *cands, size_t n,
	  struct row *out)
{
	char **tids = xcalloc(n ? n : 1, sizeof *tids), *qs;
	notmuch_query_t *q;
	notmuch_threads_t *ths = NULL;
	struct row *tmp = xcalloc(n ? n : 1, sizeof *tmp);
	size_t i, got = 0;

	for (i = 0; i < n; i++)
		tids[i] = cands[i].tid;
	qs = threads_query(tids, n, query);
	q = n ? db_make_query(db, qs) : NULL;
	free(qs);
	if (q && notmuch_query_search_threads(q, &ths) == 0)
		for (; got < n && notmuch_threads_valid(ths);
		     notmuch_threads_move_to_next(ths)) {
			notmuch_thread_t *t = notmuch_threads_get(ths);

			db_thread_row(t, &tmp[got++]); /* newest first */
			notmuch_thread_destroy(t);
		}
	if (q)
		notmuch_query_destroy(q);
	for (i = 0; i < got; i++)
		out[i] = tmp[got - 1 - i];
	free(tmp);
	free(tids);
	return got;
}

/* Insert c into cands (sorted by newest, ascending), keeping k. */
static void
cand_insert(struct cand *cands, size_t *n, size_t k, struct cand *c)
{
	size_t i = *n;

	if (*n == k) {
		if (c->newest >= cands[k - 1].newest) {
			free(c->tid);
			return;
		}
		free(cands[k - 1].tid);
		i = --*n;
	}
	while (i > 0 && cands[i - 1].newest > c->newest) {
		cands[i] = cands[i - 1];
		i--;
	}
	cands[i] = *c;
	(*n)++;
}

static int
seen_add(char ***seen, size_t *n, const char *tid)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (strcmp((*seen)[i], tid) == 0)
			return 0;
	*seen = xreallocarray(*seen, *n + 1, sizeof **seen);
	(*seen)[(*n)++] = xstrdup(tid);
	return 1;
}

/* The last k threads: walk the matching messages oldest first; a thread
 * not met yet has no matching message older than the current one, so
 * once the current date is past the newest date of the k-th candidate,
 * no thread met later can be among the last k. */
static size_t
tail_threads(struct db *db, const char *query, size_t k, struct row *out)
{
	notmuch_query_t *q = db_make_query(db, query);
	notmuch_messages_t *ms = NULL;
	struct cand *cands = xcalloc(k, sizeof *cands);
	char **seen = NULL, *batch[BATCH];
	size_t n = 0, nseen = 0, nb = 0, i;

	if (q)
		notmuch_query_set_sort(q, NOTMUCH_SORT_OLDEST_FIRST);
	if (q && notmuch_query_search_messages(q, &ms) == 0)
		for (; notmuch_messages_valid(ms);
		     notmuch_messages_move_to_next(ms)) {
			notmuch_message_t *m = notmuch_messages_get(ms);
			time_t d = notmuch_message_get_date(m);
			const char *tid = notmuch_message_get_thread_id(m);
			int past = n == k && d > cands[k - 1].newest;

			if (nb && (nb == BATCH || past)) {
				resolve_batch(db, query, batch, nb, cands, &n,
					      k);
				nb = 0;
				past = n == k && d > cands[k - 1].newest;
			}
			if (past) {
				notmuch_message_destroy(m);
				break;
			}
			if (tid && seen_add(&seen, &nseen, tid))
				batch[nb++] = xstrdup(tid);
			notmuch_message_destroy(m);
		}
	if (nb)
		resolve_batch(db, query, batch, nb, cands, &n, k);
	if (q)
		notmuch_query_destroy(q);
	i = cand_rows(db, query, cands, n, out);
	for (k = 0; k < n; k++)
		free(cands[k].tid);
	n = i;
	for (i = 0; i < nseen; i++)
		free(seen[i]);
	free(seen);
	free(cands);
	return n;
}

size_t
db_list_tail(struct db *db, const char *query, int threads, size_t k,
	     struct row **rows_r)
{
	struct row *rows = xcalloc(k ? k : 1, sizeof *rows);
	notmuch_query_t *q;
	notmuch_messages_t *ms = NULL;
	size_t n = 0;

	if (threads) {
		n = k ? tail_threads(db, query, k, rows) : 0;
	} else if ((q = db_make_query(db, query)) != NULL) {
		notmuch_query_set_sort(q, NOTMUCH_SORT_OLDEST_FIRST);
		if (notmuch_query_search_messages(q, &ms) == 0)
			for (; n < k && notmuch_messages_valid(ms);
			     notmuch_messages_move_to_next(ms)) {
				notmuch_message_t *m = notmuch_messages_get(ms);

				db_message_row(m, &rows[n++]);
				notmuch_message_destroy(m);
			}
		notmuch_query_destroy(q);
	}
	*rows_r = rows;
	return n;
}
