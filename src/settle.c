/* settle.c: how a delivered message becomes settled in its account's
 * journal: the unsettled entries an earlier run left are finished
 * (recovery, doc/HACKING.md step 3), delivered files go to the indexer
 * with a cookie naming their run and UIDL, and what the indexer
 * committed or refused is recorded (uidl_indexed, uidl_refused). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "popmuch/index.h"
#include "popmuch/log.h"
#include "popmuch/maildir.h"
#include "popmuch/uidl.h"
#include "popmuch/xmalloc.h"
#include "fetch-int.h"

/* The unsettled journal entries (pending or not yet indexed), copied
 * for recovery: only those, never one per kept message. */
struct collect {
	char **v;
	size_t n, cap;
};

static void
collect(const struct uidl_entry *e, void *ctx)
{
	struct collect *c = ctx;

	if (e->state != UIDL_PENDING && (e->indexed || e->refused))
		return;
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 256;
		c->v = xreallocarray(c->v, c->cap, sizeof(*c->v));
	}
	c->v[c->n++] = xstrdup(e->uidl);
}

static void
collect_free(struct collect *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->v[i]);
	free(c->v);
}

void
fetch_submit_index(struct run *r, const char *uidl, const char *path)
{
	struct cookie *c = xmalloc(sizeof(*c));

	c->run = r;
	c->uidl = uidl ? xstrdup(uidl) : NULL;
	c->path = xstrdup(path);
	index_submit(r->ix, path, r->acct->tags, c);
}

static void
cookie_free(struct cookie *c)
{
	free(c->uidl);
	free(c->path);
	free(c);
}

/* Settle one entry left by an earlier run: complete a delivery that
 * stopped between tmp/ and new/, forget one that never became durable,
 * and queue delivered files that were never indexed. */
static enum pm_status
recover_one(struct run *r, const char *uidl, struct pm_err *err)
{
	const struct uidl_entry *e = uidl_lookup(r->db, uidl);
	enum pm_status st = PM_OK;
	char *path;

	if (e->state == UIDL_PENDING && strcmp(e->file, UIDL_NO_FILE) == 0)
		return uidl_delivered(r->db, uidl, err); /* adopted */
	if (e->state == UIDL_PENDING) {
		switch (maildir_find(r->md, e->file)) {
		case MAILDIR_IN_TMP:
			st = maildir_complete(r->md, e->file, err);
			/* fall through */
		case MAILDIR_IN_NEW:
			if (st == PM_OK)
				st = uidl_delivered(r->db, uidl, err);
			break;
		case MAILDIR_MISSING:
			return uidl_forget(r->db, uidl, err);
		}
		if (st != PM_OK)
			return st;
		e = uidl_lookup(r->db, uidl);
	}
	if (e->indexed || e->refused)
		return PM_OK;
	if ((path = maildir_locate(r->md, e->file)) == NULL) {
		/* The file is gone (the person deleted it): nothing is left
		 * to index, and nothing must keep the entry pending. */
		return uidl_indexed(r->db, uidl, err);
	}
	fetch_submit_index(r, uidl, path);
	r->res->index_pending++;
	free(path);
	return PM_OK;
}

enum pm_status
fetch_recover(struct run *r, struct pm_err *err)
{
	struct collect c = {0};
	enum pm_status st = PM_OK;

	if (uidl_unsettled(r->db) > 0) /* else nothing to look for */
		uidl_foreach(r->db, collect, &c);
	for (size_t i = 0; i < c.n && st == PM_OK; i++)
		st = recover_one(r, c.v[i], err);
	collect_free(&c);
	if (st == PM_OK)
		st = uidl_sync(r->db, err);
	return st;
}

/* notmuch refused the file as not email: keep the message on the
 * server (uidl_refused) and say where the file is, once. */
static void
refused_by_notmuch(struct cookie *c)
{
	struct run *r = c->run;
	struct pm_err err;
	char *esc;

	r->res->index_pending--;
	r->res->not_mail++;
	if (c->uidl == NULL || r->db == NULL ||
	    uidl_lookup(r->db, c->uidl) == NULL)
		return;
	if (uidl_refused(r->db, c->uidl, &err) != PM_OK)
		fetch_warn(r, "%s", err.msg);
	esc = log_escape(c->uidl, strlen(c->uidl), 80);
	fetch_warn(r,
		   "notmuch does not take %s (unique id %s) for email, so "
		   "it is not indexed; the file stays there to read, and "
		   "the message stays on the server ('popmuch status' "
		   "lists it)",
		   c->path, esc);
	free(esc);
}

/* Record what the indexer committed (or refused) in each account's
 * journal.  Files that failed stay pending for the next run. */
void
fetch_apply_indexed(struct indexer *ix)
{
	void **done = NULL, **failed = NULL, **refused = NULL;
	size_t n = index_take_done(ix, &done);
	size_t nfailed = index_take_failed(ix, &failed);
	size_t nrefused = index_take_refused(ix, &refused);
	struct pm_err err;

	for (size_t i = 0; i < nfailed; i++)
		cookie_free(failed[i]);
	for (size_t i = 0; i < nrefused; i++) {
		refused_by_notmuch(refused[i]);
		cookie_free(refused[i]);
	}
	for (size_t i = 0; i < n; i++) {
		struct cookie *c = done[i];

		if (c->uidl != NULL && c->run->db != NULL &&
		    uidl_lookup(c->run->db, c->uidl))
			(void)uidl_indexed(c->run->db, c->uidl, &err);
		c->run->res->index_pending--;
		cookie_free(c);
	}
	free(failed);
	free(refused);
	free(done);
}
