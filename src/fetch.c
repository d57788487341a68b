/* fetch.c: the order of operations for one account, and for several.
 *
 * The safety contract (doc/HACKING.md): a message is synced in tmp/,
 * its journal intent is made durable, it is renamed into new/, and only
 * then recorded delivered and handed to the indexer.  DELE is sent only
 * for messages the journal holds as delivered with the same UIDL and
 * size, after the journal is synced; deletions count only after QUIT
 * answered +OK. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "popmuch/account.h"
#include "popmuch/auth.h"
#include "popmuch/connect.h"
#include "popmuch/deliver.h"
#include "popmuch/failing.h"
#include "popmuch/fault.h"
#include "popmuch/fetch.h"
#include "popmuch/hdrhash.h"
#include "popmuch/index.h"
#include "popmuch/lastrun.h"
#include "popmuch/log.h"
#include "popmuch/maildir.h"
#include "popmuch/net.h"
#include "popmuch/pop3.h"
#include "popmuch/quirks.h"
#include "popmuch/retention.h"
#include "popmuch/uidl.h"
#include "popmuch/verify.h"
#include "popmuch/xmalloc.h"

/* A body may exceed twice its LIST size by this much before it is cut
 * off as endless, and may take 'timeout' seconds per FETCH_SLOW_BYTES
 * (plus two) before it is cut off as trickling: 180 s per 32 KB is
 * 180 bytes/s, slower than any real link. */
#define FETCH_BODY_SLACK ((uint64_t)64 << 20)
#define FETCH_SLOW_BYTES 32768

/* What this session knows of message i beyond the journal. */
enum {
	SEEN_STORED = 1,    /* retrieved, fenced and delivered now */
	SEEN_VERIFIED = 2,  /* its header matched the stored copy's */
	SEEN_TRUSTED = 4,   /* no header to compare: UIDL and size only */
	SEEN_NOT_MAIL = 8,  /* stored, but does not start like a message */
	SEEN_OTHER = 16,    /* its header is not the stored copy's: a new
			     * message under a reused UIDL */
};

struct run {
	const struct account *acct;
	const struct fetch_opts *opts;
	struct fetch_result *res;
	struct indexer *ix; /* shared by all runs; borrowed */
	char *state_dir;
	char *maildir_path;
	struct uidl_db *db;
	struct maildir *md;
	struct pop3 *p;
	struct delivery *dl;
	struct failing *failing;
	int64_t now;
	struct pop3_msg *msgs;
	size_t nmsgs;
	int server_uidl;	/* the UIDLs are the server's (not fp-) */
	struct ret_msg *plan;
	size_t *fetch_idx;	/* indexes into msgs of what to fetch */
	unsigned char *seen;	/* per message: SEEN_* */
	int network; /* a session with the server (not "popmuch index") */
	char *first_refusal; /* what the server said of the first RETR -ERR */
	/* the message being received (see sink_begin) */
	size_t cur; /* index into fetch_idx */
	uint64_t cur_bytes, cur_max;
	time_t cur_deadline;
};

/* Index cookies name the run and the UIDL. */
struct cookie {
	struct run *run;
	char *uidl;
	char *path;
};

static void
ev_warning(struct run *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
ev_warning(struct run *r, const char *fmt, ...)
{
	const struct fetch_events *ev = r->opts->events;
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (ev != NULL && ev->warning != NULL)
		ev->warning(ev->ctx, r->acct->name, buf);
}

struct collect {
	char **v;
	size_t n, cap;
	int unsettled; /* only pending or not yet indexed entries */
};

static void
collect(const struct uidl_entry *e, void *ctx)
{
	struct collect *c = ctx;

	if (c->unsettled && e->state != UIDL_PENDING &&
	    (e->indexed || e->refused))
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

static void
submit_index(struct run *r, const char *uidl, const char *path)
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
	submit_index(r, uidl, path);
	r->res->index_pending++;
	free(path);
	return PM_OK;
}

static enum pm_status
recover(struct run *r, struct pm_err *err)
{
	struct collect c = {.unsettled = 1};
	enum pm_status st = PM_OK;

	uidl_foreach(r->db, collect, &c);
	for (size_t i = 0; i < c.n && st == PM_OK; i++)
		st = recover_one(r, c.v[i], err);
	collect_free(&c);
	if (st == PM_OK)
		st = uidl_sync(r->db, err);
	return st;
}

/* Connect and log in: no credential before TLS when TLS is on.  A
 * server whose replies once went out of step under pipelining is spoken
 * to one command at a time (quirks.h), unless 'pipelining on' says
 * otherwise. */
static enum pm_status
connect_login(struct run *r, struct pm_err *err)
{
	enum pm_status st = connect_account(r->acct, &r->p, err);

	if (st != PM_OK)
		return st;
	if (r->acct->pipelining != CFG_ON &&
	    quirks_no_pipelining(r->state_dir, NULL))
		pop3_set_pipelining(r->p, 0);
	return auth_login(r->p, r->acct, net_is_tls(pop3_conn(r->p)),
			  &r->res->warn_cleartext, err);
}

/* ---- the plan -------------------------------------------------------- */

/* The header hash the journal holds for e, or that its file gives (a
 * record written before journal version 2); "" when neither is known. */
static void
stored_hash(struct run *r, const struct uidl_entry *e,
	    char hex_r[HDRHASH_HEX + 1])
{
	char *path = r->md != NULL ? maildir_locate(r->md, e->file) : NULL;

	hex_r[0] = '\0';
	if (e->hash != NULL)
		memcpy(hex_r, e->hash, HDRHASH_HEX + 1);
	else if (path != NULL && hdrhash_file(path, hex_r, NULL) != 0)
		hex_r[0] = '\0';
	free(path);
}

/* Known means: delivered for this UIDL with this size.  A delivered
 * UIDL listed with another size, or one deleted that the server still
 * lists, is marked in check[] (its header decides, see verify()). */
static void
classify(struct run *r, unsigned char *check)
{
	for (size_t i = 0; i < r->nmsgs; i++) {
		const struct pop3_msg *m = &r->msgs[i];
		const struct uidl_entry *e =
			m->uidl ? uidl_lookup(r->db, m->uidl) : NULL;
		struct ret_msg *pm = &r->plan[i];

		pm->num = m->num;
		pm->size = m->size;
		pm->known = 0;
		if (e == NULL || (r->seen[i] & SEEN_OTHER))
			continue;
		if ((e->state == UIDL_DELIVERED && e->size == m->size) ||
		    (e->state != UIDL_PENDING &&
		     (r->seen[i] & SEEN_VERIFIED))) {
			pm->known = 1;
		} else if (e->state == UIDL_PENDING && r->opts->dry_run &&
			   r->md != NULL &&
			   maildir_find(r->md, e->file) != MAILDIR_MISSING) {
			/* (a dry run does not recover: an unfinished
			 * delivery whose file is there counts as known) */
			pm->known = 1;
		} else if (e->state != UIDL_PENDING && check != NULL) {
			check[i] = 1;
		}
		pm->first_seen = e->first_seen;
	}
}

static void
policy(struct run *r, struct ret_policy *pol)
{
	const char *why;

	retention_policy_from(r->acct, pol);
	if (uidl_damaged(r->db, &why))
		pol->no_delete = 1;
	if (r->nmsgs > 0 && !r->server_uidl && !r->acct->uidl_fingerprint) {
		/* No UIDL: only fetch-and-delete is possible (checked by
		 * the caller); every message is new. */
		pol->only_new = 0;
	}
}

/* The verdict on message i, whose header hash the server gave as got
 * ("" when it would not say). */
static void
judge(struct run *r, size_t i, const char *got)
{
	const struct pop3_msg *m = &r->msgs[i];
	const struct uidl_entry *e = uidl_lookup(r->db, m->uidl);
	char want[HDRHASH_HEX + 1];
	struct pm_err err;
	char *esc;

	stored_hash(r, e, want);
	if (got[0] == '\0' || want[0] == '\0') {
		/* Nothing to compare: UIDL and size are all there is (as
		 * mpop); anything else is fetched again rather than lost. */
		if (e->state == UIDL_DELIVERED && e->size == m->size)
			r->seen[i] |= SEEN_TRUSTED;
		return;
	}
	if (strcmp(got, want) == 0) {
		r->seen[i] |= SEEN_VERIFIED;
		if (!r->opts->dry_run &&
		    uidl_confirmed(r->db, m->uidl, m->size, &err) != PM_OK)
			ev_warning(r, "%s", err.msg);
		return;
	}
	r->seen[i] |= SEEN_OTHER;
	esc = log_escape(m->uidl, strlen(m->uidl), 80);
	ev_warning(r, "the server reuses unique id %s for a different "
		      "message (its header is not the stored one's); "
		      "fetching it as new", esc);
	free(esc);
}

/* Ask the server for the header of each message marked in check[] and
 * judge it.  A server without TOP leaves them unverified. */
static enum pm_status
verify(struct run *r, const unsigned char *check, struct pm_err *err)
{
	uint32_t *nums = xcalloc(r->nmsgs + 1, sizeof(*nums));
	const char **uidls = xcalloc(r->nmsgs + 1, sizeof(*uidls));
	size_t *idx = xcalloc(r->nmsgs + 1, sizeof(*idx)), n = 0;
	char(*got)[HDRHASH_HEX + 1];
	enum pm_status st;

	for (size_t i = 0; i < r->nmsgs; i++)
		if (check[i]) {
			idx[n] = i;
			uidls[n] = r->msgs[i].uidl;
			nums[n++] = r->msgs[i].num;
		}
	got = xcalloc(n + 1, sizeof(*got));
	st = verify_headers(r->p, nums, uidls, n, got, err);
	if (st == PM_UNAVAILABLE) {
		ev_warning(r, "the server does not answer TOP, so popmuch "
			      "cannot check that a known unique id still "
			      "names the message it stored; it relies on "
			      "UIDL and size alone");
		st = PM_OK;
	}
	for (size_t k = 0; k < n && st == PM_OK; k++)
		judge(r, idx[k], got[k]);
	free(got);
	free(nums);
	free(uidls);
	free(idx);
	return st;
}

/* The plan (retention.c), made twice when headers must be checked: a
 * known UIDL with another size or still listed after its deletion, and
 * every known message the first plan would delete without fetching it,
 * is checked against the header recorded when it was stored (the rule
 * for DELE in doc/HACKING.md).  On a server that changes nothing, this
 * asks nothing. */
static enum pm_status
make_plan(struct run *r, struct pm_err *err)
{
	unsigned char *check = xcalloc(r->nmsgs + 1, 1);
	struct ret_policy pol;
	enum pm_status st = PM_OK;
	const char *why;
	size_t n = 0;

	r->plan = xcalloc(r->nmsgs ? r->nmsgs : 1, sizeof(*r->plan));
	r->seen = xcalloc(r->nmsgs + 1, 1);
	policy(r, &pol);
	if (uidl_damaged(r->db, &why))
		ev_warning(r, "%s; nothing will be deleted on the server in "
			      "this run", why);
	if (r->server_uidl || r->acct->uidl_fingerprint) {
		classify(r, check);
		retention_plan(r->plan, r->nmsgs, &pol, r->now);
		for (size_t i = 0; i < r->nmsgs; i++) {
			if (r->plan[i].dele && r->plan[i].known &&
			    !r->plan[i].fetch && !r->plan[i].killed)
				check[i] = 1;
			n += check[i];
		}
		/* fingerprints are header hashes already */
		if (n > 0 && r->server_uidl)
			st = verify(r, check, err);
		else if (n > 0)
			for (size_t i = 0; i < r->nmsgs; i++)
				r->seen[i] |= check[i] ? SEEN_TRUSTED : 0;
	}
	free(check);
	if (st != PM_OK)
		return st;
	classify(r, NULL);
	retention_plan(r->plan, r->nmsgs, &pol, r->now);
	return PM_OK;
}

/* ---- retrieval -------------------------------------------------------- */

static enum pm_status
sink_begin(void *ctx, size_t i, struct pm_err *err)
{
	struct run *r = ctx;
	const struct pop3_msg *m = &r->msgs[r->fetch_idx[i]];
	uint64_t slices = m->size / FETCH_SLOW_BYTES;

	/* LIST sizes are advisory, so the bounds are generous: they only
	 * stop a body that never ends and a server that trickles. */
	r->cur = i;
	r->cur_bytes = 0;
	r->cur_max = m->size > (UINT64_MAX - FETCH_BODY_SLACK) / 2
			     ? UINT64_MAX
			     : 2 * m->size + FETCH_BODY_SLACK;
	r->cur_deadline = time(NULL) +
			  (time_t)r->acct->timeout *
				  (time_t)(2 + (slices > 100000 ? 100000 : slices));
	return delivery_begin(r->dl, m->uidl, m->size, r->fetch_idx[i], err);
}

static enum pm_status
sink_data(void *ctx, const char *buf, size_t len, struct pm_err *err)
{
	struct run *r = ctx;
	uint32_t num = r->msgs[r->fetch_idx[r->cur]].num;

	r->cur_bytes += len;
	if (r->cur_bytes > r->cur_max)
		return err_set(err, PM_PROTOCOL,
			       "message %" PRIu32 " goes on far beyond the "
			       "size the server gave (%" PRIu64 " bytes so "
			       "far); stopped", num, r->cur_bytes);
	if (time(NULL) > r->cur_deadline)
		return err_set(err, PM_TIMEOUT,
			       "message %" PRIu32 " arrives too slowly (%"
			       PRIu64 " bytes so far); stopped",
			       num, r->cur_bytes);
	return delivery_data(r->dl, buf, len, err);
}

/* A message is in new/ and its delivered record written: index it. */
static void
delivered(void *ctx, const struct delivered *d)
{
	struct run *r = ctx;
	const struct fetch_events *ev = r->opts->events;

	submit_index(r, d->uidl, d->path);
	r->seen[d->tag] |= SEEN_STORED | (d->mail ? 0 : SEEN_NOT_MAIL);
	r->res->index_pending++;
	r->res->fetched++;
	r->res->bytes += d->size;
	if (ev != NULL && ev->progress != NULL)
		ev->progress(ev->ctx, r->acct->name, r->res->fetched,
			     r->res->bytes);
}

/* Deliver what waits (deliver.c).  Under pipelining each message was
 * fenced as it arrived (pop3_retr); one at a time, a fence after the
 * last one proves the replies were in step for all of them first: when
 * it fails they are dropped, never stored. */
static enum pm_status
flush(struct run *r, int fence, struct pm_err *err)
{
	const struct pop3_msg *m = &r->msgs[r->fetch_idx[r->cur]];
	enum pm_status st;

	if (fence && delivery_waiting(r->dl) > 0 &&
	    !pop3_caps(r->p)->pipelining &&
	    (st = pop3_fence(r->p, m->num, r->server_uidl ? m->uidl : NULL,
			     err)) != PM_OK) {
		if (pop3_desynced(r->p))
			delivery_discard(r->dl);
		return st;
	}
	return delivery_flush(r->dl, delivered, r, err);
}

static enum pm_status
sink_end(void *ctx, size_t i, struct pm_err *err)
{
	struct run *r = ctx;
	enum pm_status st;

	(void)i;
	if ((st = delivery_end(r->dl, err)) != PM_OK)
		return st;
	return delivery_full(r->dl) ? flush(r, 1, err) : PM_OK;
}

/* RETR -ERR: that message is skipped and the rest goes on (it stays on
 * the server and is tried again each run; the person hears of it when
 * it first fails and then once a day: failing.h). */
static enum pm_status
sink_refused(void *ctx, size_t i, const char *text, struct pm_err *err)
{
	struct run *r = ctx;
	const struct pop3_msg *m = &r->msgs[r->fetch_idx[i]];
	char *esc = log_escape(m->uidl ? m->uidl : "-",
			       strlen(m->uidl ? m->uidl : "-"), 80);
	int64_t since = r->now;
	char when[64] = "";

	(void)err;
	if (r->res->refused++ == 0)
		r->first_refusal = xasprintf("message %" PRIu32
					     " (unique id %s): %s",
					     m->num, esc, text);
	if (m->uidl == NULL || failing_note(r->failing, m->uidl, r->now, &since)) {
		if (since < r->now)
			(void)snprintf(when, sizeof(when),
				       "; failing for %lld hour(s)",
				       (long long)((r->now - since) / 3600));
		ev_warning(r, "the server would not send message %" PRIu32
			      " (unique id %s): %s; it stays on the server "
			      "and every run tries it again%s",
			   m->num, esc, text, when);
		r->res->told = 1;
	}
	free(esc);
	return PM_OK;
}

static void
report_would(struct run *r)
{
	const struct fetch_events *ev = r->opts->events;

	for (size_t i = 0; i < r->nmsgs && ev && ev->would; i++) {
		const struct ret_msg *pm = &r->plan[i];
		const char *u = r->msgs[i].uidl ? r->msgs[i].uidl : "-";

		if (pm->fetch)
			ev->would(ev->ctx, r->acct->name, "fetch", pm->num, u,
				  pm->size);
		if (pm->dele)
			ev->would(ev->ctx, r->acct->name,
				  pm->killed ? "delete-unread" : "delete",
				  pm->num, u, pm->size);
	}
}

/* The replies went out of step: nothing is deleted in this session
 * (the caller stops), and the server is spoken to one command at a time
 * from now on. */
static void
out_of_step(struct run *r, const char *why)
{
	struct pm_err err;

	if (quirks_set_no_pipelining(r->state_dir, r->now, why, &err) != PM_OK)
		ev_warning(r, "%s", err.msg);
	ev_warning(r, "the server's replies were out of step: nothing is "
		      "deleted in this run, what was not proven in step was "
		      "not stored, and from now on the server is fetched "
		      "without pipelining");
}

static enum pm_status
retrieve(struct run *r, struct pm_err *err)
{
	const struct fetch_events *ev = r->opts->events;
	struct pop3_sink sink = {sink_begin, sink_data, sink_end, sink_refused,
				 r};
	uint32_t *nums = xcalloc(r->nmsgs + 1, sizeof(*nums));
	const char **uidls = xcalloc(r->nmsgs + 1, sizeof(*uidls));
	uint64_t total = 0;
	uint32_t ndele = 0;
	enum pm_status st;
	struct pm_err ferr;
	size_t n = 0;

	r->fetch_idx = xcalloc(r->nmsgs + 1, sizeof(*r->fetch_idx));
	for (size_t i = 0; i < r->nmsgs; i++) {
		ndele += r->plan[i].dele;
		r->res->skipped += r->plan[i].skipped;
		if (!r->plan[i].fetch)
			continue;
		r->fetch_idx[n] = i;
		uidls[n] = r->msgs[i].uidl;
		nums[n++] = r->msgs[i].num;
		total += r->msgs[i].size;
	}
	r->res->to_fetch = (uint32_t)n;
	if (ev != NULL && ev->planned != NULL)
		ev->planned(ev->ctx, r->acct->name, (uint32_t)n, total, ndele);
	r->dl = delivery_new(r->md, r->db, r->now);
	st = pop3_retr(r->p, nums, r->server_uidl ? uidls : NULL, n, -1,
		       &sink, err);
	delivery_drop_current(r->dl);
	if (st == PM_OK) {
		st = flush(r, 1, err);
	} else if (pop3_desynced(r->p) && !pop3_caps(r->p)->pipelining) {
		delivery_discard(r->dl); /* not proven in step */
	} else if (flush(r, 0, &ferr) != PM_OK) {
		/* The connection broke: what arrived complete is kept
		 * (fenced under pipelining; otherwise it is verified by
		 * its header before any later DELE). */
		ev_warning(r, "%s", ferr.msg);
	}
	if (pop3_desynced(r->p))
		out_of_step(r, err->msg);
	free(nums);
	free(uidls);
	return st;
}

/* ---- deletion ---------------------------------------------------------- */

/* Not indexed yet (notmuch was busy): does the stored file at least
 * start like a message, as notmuch needs? */
static int
stored_as_mail(struct run *r, const struct uidl_entry *e)
{
	char *path = maildir_locate(r->md, e->file);
	char hex[HDRHASH_HEX + 1];
	int mail = 0;

	if (path != NULL && hdrhash_file(path, hex, &mail) != 0)
		mail = 0;
	free(path);
	return mail;
}

/* May message i be deleted now?  The rule of doc/HACKING.md: killed
 * unread by policy; or retrieved in this session, fenced, durable and
 * starting like a message; or held by the journal as delivered and
 * indexed, its header checked against the stored copy's in this session
 * (or, with no header to compare, UIDL and size). */
static int
deletable(struct run *r, size_t i)
{
	const struct pop3_msg *m = &r->msgs[i];
	const struct uidl_entry *e;

	if (!r->plan[i].dele)
		return 0;
	if (r->plan[i].killed)
		return 1;
	if (r->seen[i] & SEEN_STORED)
		return !(r->seen[i] & SEEN_NOT_MAIL);
	if (m->uidl == NULL)
		return 0;
	e = uidl_lookup(r->db, m->uidl);
	return e != NULL && e->state == UIDL_DELIVERED && !e->refused &&
	       (r->seen[i] & (SEEN_VERIFIED | SEEN_TRUSTED)) &&
	       (e->indexed || stored_as_mail(r, e));
}

/* The server committed the deletions (QUIT +OK): mark them deleted.
 * They are forgotten once the server stops listing them (prune), so a
 * server that said +OK and kept them is not fetched from again. */
static enum pm_status
note_deleted(struct run *r, const size_t *idx, const unsigned char *ok,
	     size_t n, struct pm_err *err)
{
	enum pm_status st = PM_OK;
	size_t refused = 0;

	for (size_t k = 0; k < n && st == PM_OK; k++) {
		const char *u = r->msgs[idx[k]].uidl;

		if (!ok[k]) {
			refused++;
			continue;
		}
		r->res->deleted++;
		if (u != NULL && uidl_lookup(r->db, u) != NULL)
			st = uidl_deleted(r->db, u, err);
	}
	if (st == PM_OK && refused > 0)
		st = err_set(err, PM_PROTOCOL,
			     "the server refused to delete %zu message(s) "
			     "(DELE); they stay on the server and the next "
			     "run tries again", refused);
	return st;
}

static enum pm_status
delete_and_quit(struct run *r, struct pm_err *err)
{
	uint32_t *nums = xcalloc(r->nmsgs + 1, sizeof(*nums));
	size_t *idx = xcalloc(r->nmsgs + 1, sizeof(*idx));
	unsigned char *ok = xcalloc(r->nmsgs + 1, 1);
	size_t n = 0;
	enum pm_status st;

	for (size_t i = 0; i < r->nmsgs; i++)
		if (deletable(r, i)) {
			idx[n] = i;
			nums[n++] = r->msgs[i].num;
		}
	/* Every delivered record must be durable before any DELE. */
	st = uidl_sync(r->db, err);
	if (st == PM_OK && n > 0)
		st = pop3_dele(r->p, nums, n, ok, err);
	FAULT("before-quit");
	if (st == PM_OK)
		st = pop3_quit(r->p, err);
	if (st == PM_OK)
		st = note_deleted(r, idx, ok, n, err);
	free(nums);
	free(idx);
	free(ok);
	return st;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Forget delivered (or deleted) and indexed UIDLs the server no longer
 * has: a later message that reuses the UIDL is new. */
static enum pm_status
prune(struct run *r, struct pm_err *err)
{
	struct collect c = {0};
	char **server = xcalloc(r->nmsgs + 1, sizeof(*server));
	const struct uidl_entry *e;
	enum pm_status st = PM_OK;

	for (size_t i = 0; i < r->nmsgs; i++)
		server[i] = r->msgs[i].uidl;
	qsort(server, r->nmsgs, sizeof(*server), cmp_str);
	uidl_foreach(r->db, collect, &c);
	for (size_t i = 0; i < c.n && st == PM_OK; i++) {
		if (bsearch(&c.v[i], server, r->nmsgs, sizeof(*server),
			    cmp_str) != NULL)
			continue;
		e = uidl_lookup(r->db, c.v[i]);
		if (e->state != UIDL_PENDING && (e->indexed || e->refused))
			st = uidl_forget(r->db, c.v[i], err);
	}
	collect_free(&c);
	free(server);
	return st;
}

/* No UIDL: fall back to header fingerprints when asked to, else refuse
 * unless messages are deleted after download. */
static enum pm_status
check_uidl_support(struct run *r, struct pm_err *err)
{
	r->server_uidl = r->nmsgs > 0 && r->msgs[0].uidl != NULL;
	if (r->nmsgs == 0 || r->server_uidl)
		return PM_OK;
	if (r->acct->uidl_fingerprint)
		return verify_fingerprints(r->p, r->msgs, r->nmsgs, err);
	if (r->acct->keep == CFG_KEEP_OFF)
		return PM_OK;
	return err_set(err, PM_UNAVAILABLE,
		       "the server does not support UIDL, so popmuch cannot "
		       "tell which messages it has already downloaded; with "
		       "'keep' on that would download every message again "
		       "each run. Use 'keep off' (download and delete), or "
		       "'uidl_fallback top' to identify messages by a "
		       "fingerprint of their headers");
}

/* A run that skipped messages the server would not send ends 75: the
 * rest was fetched and deleted as planned; the warning was printed when
 * due (failing.h), and the exit status is quiet otherwise. */
static enum pm_status
partial(struct run *r, struct pm_err *err)
{
	if (r->res->refused == 0)
		return PM_OK;
	r->res->quiet = !r->res->told;
	return err_set(err, PM_TEMPFAIL,
		       "%" PRIu32 " message(s) could not be retrieved and stay "
		       "on the server; the server refused %s",
		       r->res->refused, r->first_refusal);
}

/* Everything after the lock is taken and the journal recovered. */
static enum pm_status
session(struct run *r, struct pm_err *err)
{
	enum pm_status st;

	if ((st = connect_login(r, err)) != PM_OK)
		return st;
	if ((st = pop3_list(r->p, 1, &r->msgs, &r->nmsgs, err)) != PM_OK)
		return st;
	r->res->on_server = (uint32_t)r->nmsgs;
	if ((st = check_uidl_support(r, err)) != PM_OK)
		return st;
	if ((st = make_plan(r, err)) != PM_OK)
		return st;
	if (r->opts->dry_run) {
		report_would(r);
		return pop3_quit(r->p, err);
	}
	if ((st = retrieve(r, err)) != PM_OK)
		return st;
	if ((st = delete_and_quit(r, err)) != PM_OK)
		return st;
	r->res->kept = r->res->on_server - r->res->deleted;
	if (r->server_uidl || r->nmsgs == 0)
		st = prune(r, err);
	return st == PM_OK ? partial(r, err) : st;
}

static enum pm_status
run_account(struct run *r, int network, struct pm_err *err)
{
	enum pm_status st;
	char *mailbox = account_mailbox_id(r->acct);

	r->now = (int64_t)time(NULL);
	r->network = network;
	st = account_state_dir(r->acct->name, &r->state_dir, err);
	if (st == PM_OK)
		st = account_maildir(r->acct, &r->maildir_path, err);
	if (st == PM_OK)
		st = uidl_open(r->state_dir, mailbox, r->opts->wait_lock,
			       &r->db, err);
	free(mailbox);
	if (st != PM_OK)
		return st;
	if (uidl_switched(r->db) != NULL)
		ev_warning(r, "%s", uidl_switched(r->db));
	r->failing = failing_load(r->state_dir);
	if (r->opts->dry_run) {
		/* Change nothing; only look at the Maildir if it is there,
		 * so that unfinished deliveries count as known. */
		if (access(r->maildir_path, F_OK) == 0 &&
		    (st = maildir_open(r->maildir_path, &r->md, err)) != PM_OK)
			return st;
		return network ? session(r, err) : PM_OK;
	}
	if ((st = maildir_open(r->maildir_path, &r->md, err)) != PM_OK)
		return st;
	if ((st = recover(r, err)) != PM_OK)
		return st;
	maildir_clean_tmp(r->md); /* after recovery used what tmp/ held */
	return network ? session(r, err) : PM_OK;
}

/* ---- several accounts ---------------------------------------------- */

struct pool {
	pthread_mutex_t mu;
	struct run *runs;
	size_t n, next;
	int network;
};

static void *
worker(void *arg)
{
	struct pool *pl = arg;
	struct run *r;

	for (;;) {
		pthread_mutex_lock(&pl->mu);
		r = pl->next < pl->n ? &pl->runs[pl->next++] : NULL;
		pthread_mutex_unlock(&pl->mu);
		if (r == NULL)
			return NULL;
		err_clear(&r->res->err);
		r->res->status = run_account(r, pl->network, &r->res->err);
		if (r->res->status != PM_OK)
			err_prefix(&r->res->err, "%s", r->acct->name);
		pop3_free(&r->p); /* closes the connection now */
	}
}

static void
run_pool(struct pool *pl, int parallel)
{
	pthread_t th[64];
	int n = parallel < 1 ? 1 : parallel > 64 ? 64 : parallel;
	int started = 0;

	if ((size_t)n > pl->n)
		n = (int)pl->n;
	pthread_mutex_init(&pl->mu, NULL);
	for (int i = 1; i < n; i++)
		if (pthread_create(&th[started], NULL, worker, pl) == 0)
			started++;
	worker(pl); /* this thread works too */
	for (int i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	pthread_mutex_destroy(&pl->mu);
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
		ev_warning(r, "%s", err.msg);
	esc = log_escape(c->uidl, strlen(c->uidl), 80);
	ev_warning(r, "notmuch does not take %s (unique id %s) for email, so "
		      "it is not indexed; the file stays there to read, and "
		      "the message stays on the server ('popmuch status' "
		      "lists it)", c->path, esc);
	free(esc);
}

/* Record what the indexer committed (or refused) in each account's
 * journal.  Files that failed stay pending for the next run. */
static void
apply_indexed(struct indexer *ix)
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

/* The record "popmuch status" and the TUI show (lastrun.h). */
static void
write_last_run(struct run *r)
{
	const struct fetch_result *res = r->res;
	struct lastrun lr = {
		.time = r->now,
		.on_server = res->on_server,
		.fetched = res->fetched,
		.deleted = res->deleted,
		.kept = res->kept,
		.skipped = res->skipped,
		.index_pending = res->index_pending,
	};
	struct pm_err err;

	(void)snprintf(lr.status, sizeof(lr.status), "%s",
		       err_name(res->status));
	(void)snprintf(lr.message, sizeof(lr.message), "%s",
		       res->status == PM_OK ? "" : res->err.msg);
	if (lastrun_write(r->state_dir, &lr, &err) != PM_OK)
		ev_warning(r, "%s", err.msg);
}

static void
finish_run(struct run *r)
{
	const struct fetch_events *ev = r->opts->events;
	struct pm_err err;

	if (r->failing != NULL && !r->opts->dry_run && r->network &&
	    r->res->on_server > 0 && failing_save(r->failing, &err) != PM_OK)
		ev_warning(r, "%s", err.msg);
	failing_free(&r->failing);
	delivery_free(&r->dl);
	if (r->db != NULL) {
		/* A damaged journal is rewritten clean (the damaged copy is
		 * kept beside it) once a whole run has settled against the
		 * server; until then nothing is deleted. */
		int force = uidl_damaged(r->db, NULL) && r->network &&
			    r->res->status == PM_OK && !r->opts->dry_run;

		if (uidl_sync(r->db, &err) != PM_OK ||
		    uidl_compact(r->db, force, &err) != PM_OK)
			ev_warning(r, "%s", err.msg);
		if (!r->opts->dry_run)
			write_last_run(r);
	}
	if (r->res->index_pending > 0 && !r->opts->dry_run &&
	    r->res->status == PM_OK)
		ev_warning(r, "%" PRIu32 " delivered message(s) are not indexed "
			      "yet; the next run or 'popmuch index' will "
			      "index them",
			   r->res->index_pending);
	uidl_free(&r->db);
	maildir_free(&r->md);
	pop3_msgs_free(r->msgs, r->nmsgs);
	free(r->plan);
	free(r->fetch_idx);
	free(r->seen);
	free(r->first_refusal);
	free(r->state_dir);
	free(r->maildir_path);
	if (ev != NULL && ev->done != NULL)
		ev->done(ev->ctx, r->res);
}

static enum pm_status
fetch_common(const struct config *cfg, char *const *names, size_t n,
	     const struct fetch_opts *opts, int network,
	     struct fetch_result **results_r, size_t *nresults_r,
	     struct pm_err *err)
{
	const struct account **accts = NULL;
	struct fetch_result *res;
	struct pool pl = {0};
	struct indexer *ix;
	enum pm_status st, worst = PM_OK;
	size_t na = 0;
	struct pm_err ierr;

	if ((st = config_select(cfg, names, n, &accts, &na, err)) != PM_OK)
		return st;
	/* One indexer: libnotmuch allows one writer per database. */
	if ((st = index_start(accts[0]->notmuch_config, &ix, err)) != PM_OK) {
		free(accts);
		return st;
	}
	res = xcalloc(na, sizeof(*res));
	pl.runs = xcalloc(na, sizeof(*pl.runs));
	pl.n = na;
	pl.network = network;
	for (size_t i = 0; i < na; i++) {
		pl.runs[i] = (struct run){.acct = accts[i], .opts = opts,
					  .res = &res[i], .ix = ix};
		res[i].account = accts[i]->name;
	}
	run_pool(&pl, opts->parallel);
	st = index_wait(ix, opts->index_timeout, &ierr);
	apply_indexed(ix);
	for (size_t i = 0; i < na; i++) {
		if (st != PM_OK && st != PM_TEMPFAIL &&
		    res[i].status == PM_OK) {
			res[i].status = st;
			res[i].err = ierr;
			err_prefix(&res[i].err, "%s", accts[i]->name);
		}
		finish_run(&pl.runs[i]);
		if (err_severity(res[i].status) > err_severity(worst))
			worst = res[i].status;
	}
	index_free(&ix);
	free(pl.runs);
	free(accts);
	*results_r = res;
	*nresults_r = na;
	return worst;
}

enum pm_status
fetch_accounts(const struct config *cfg, char *const *names, size_t n,
	       const struct fetch_opts *opts, struct fetch_result **results_r,
	       size_t *nresults_r, struct pm_err *err)
{
	return fetch_common(cfg, names, n, opts, 1, results_r, nresults_r,
			    err);
}

enum pm_status
fetch_catch_up_index(const struct config *cfg, const struct fetch_opts *opts,
		     struct fetch_result **results_r, size_t *nresults_r,
		     struct pm_err *err)
{
	return fetch_common(cfg, NULL, 0, opts, 0, results_r, nresults_r,
			    err);
}
