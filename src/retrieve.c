/* retrieve.c: RETR of what the plan fetches into the Maildir: the
 * bounds on each body, the fences that prove replies in step before a
 * group commit (deliver.c), RETR -ERR skipped (failing.c), replies out
 * of step (quirks.c). */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "popmuch/clock.h"
#include "popmuch/deliver.h"
#include "popmuch/failing.h"
#include "popmuch/index.h"
#include "popmuch/log.h"
#include "popmuch/pop3.h"
#include "popmuch/quirks.h"
#include "popmuch/retention.h"
#include "popmuch/xmalloc.h"
#include "fetch-int.h"

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
	r->cur_deadline =
	    time(NULL) + (time_t)r->acct->timeout *
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
			       "far); stopped",
			       num, r->cur_bytes);
	if (time(NULL) > r->cur_deadline)
		return err_set(err, PM_TIMEOUT,
			       "message %" PRIu32
			       " arrives too slowly (%" PRIu64
			       " bytes so far); stopped",
			       num, r->cur_bytes);
	return delivery_data(r->dl, buf, len, err);
}

/* A message is in new/ and its delivered record written: index it. */
static void
delivered(void *ctx, const struct delivered *d)
{
	struct run *r = ctx;
	const struct fetch_events *ev = r->opts->events;

	fetch_submit_index(r, d->uidl, d->path);
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
	struct timespec t0;
	enum pm_status st;

	if (fence && delivery_waiting(r->dl) > 0 &&
	    !pop3_caps(r->p)->pipelining &&
	    (st = pop3_fence(r->p, m->num, r->server_uidl ? m->uidl : NULL,
			     err)) != PM_OK) {
		if (pop3_desynced(r->p))
			delivery_discard(r->dl);
		return st;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	st = delivery_flush(r->dl, delivered, r, err);
	r->flush_cost = clock_seconds_since(&t0);
	clock_gettime(CLOCK_MONOTONIC, &r->flushed_t);
	return st;
}

/* Deliver what waits before the batch is full as soon as the indexer
 * has nothing to do, so that indexing ends within a few messages of the
 * download.  Each delivery keeps the order of the rule (deliver.c);
 * what an early one costs is one more journal sync and one more sync of
 * new/, during which nothing is read from the server.  So early
 * deliveries are spaced at least FETCH_FEED_RATIO times the last
 * delivery's duration apart: at most about 1/FETCH_FEED_RATIO of the
 * time goes to them when the download, not the indexer, is the bound.
 * Without pipelining a delivery also costs a round trip (the fence
 * before it), so there the first waiting message must also have waited
 * FETCH_FEED_SLOW_MS. */
static int
feed_now(struct run *r)
{
	if (!pop3_caps(r->p)->pipelining)
		return clock_seconds_since(&r->batch_t0) * 1000 >=
			   FETCH_FEED_SLOW_MS &&
		       index_idle(r->ix);
	return clock_seconds_since(&r->flushed_t) >=
		   FETCH_FEED_RATIO * r->flush_cost &&
	       index_idle(r->ix);
}

static enum pm_status
sink_end(void *ctx, size_t i, struct pm_err *err)
{
	struct run *r = ctx;
	enum pm_status st;

	(void)i;
	if ((st = delivery_end(r->dl, err)) != PM_OK)
		return st;
	if (delivery_waiting(r->dl) == 1)
		clock_gettime(CLOCK_MONOTONIC, &r->batch_t0);
	return delivery_full(r->dl) || feed_now(r) ? flush(r, 1, err) : PM_OK;
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
		r->first_refusal =
		    xasprintf("message %" PRIu32 " (unique id %s): %s", m->num,
			      esc, text);
	if (m->uidl == NULL ||
	    failing_note(r->failing, m->uidl, r->now, &since)) {
		if (since < r->now)
			(void)snprintf(when, sizeof(when),
				       "; failing for %lld hour(s)",
				       (long long)((r->now - since) / 3600));
		fetch_warn(r,
			   "the server would not send message %" PRIu32
			   " (unique id %s): %s; it stays on the server "
			   "and every run tries it again%s",
			   m->num, esc, text, when);
		r->res->told = 1;
	}
	free(esc);
	return PM_OK;
}

void
retrieve_report_would(struct run *r)
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
		fetch_warn(r, "%s", err.msg);
	fetch_warn(r, "the server's replies were out of step: nothing is "
		      "deleted in this run, what was not proven in step was "
		      "not stored, and from now on the server is fetched "
		      "without pipelining");
}

enum pm_status
retrieve_run(struct run *r, struct pm_err *err)
{
	const struct fetch_events *ev = r->opts->events;
	struct pop3_sink sink = {sink_begin, sink_data, sink_end, sink_refused,
				 r};
	uint64_t total = 0;
	uint32_t ndele = 0;
	enum pm_status st;
	struct pm_err ferr;
	struct pick pk;

	fetch_pick(r, NULL, &pk);
	r->fetch_idx = pk.idx; /* the run owns it from here */
	for (size_t i = 0; i < r->nmsgs; i++) {
		ndele += r->plan[i].dele;
		r->res->skipped += r->plan[i].skipped;
	}
	for (size_t k = 0; k < pk.n; k++)
		total += r->msgs[pk.idx[k]].size;
	r->res->to_fetch = (uint32_t)pk.n;
	if (ev != NULL && ev->planned != NULL)
		ev->planned(ev->ctx, r->acct->name, (uint32_t)pk.n, total,
			    ndele);
	r->dl = delivery_new(r->md, r->db, r->now);
	if (pk.n > 0)
		index_prepare(r->ix); /* opens notmuch while RETR goes out */
	st = pop3_retr(r->p, pk.nums, pk.uidls, pk.n, -1, &sink, err);
	delivery_drop_current(r->dl);
	if (st == PM_OK) {
		st = flush(r, 1, err);
	} else if (pop3_desynced(r->p) && !pop3_caps(r->p)->pipelining) {
		delivery_discard(r->dl); /* not proven in step */
	} else if (flush(r, 0, &ferr) != PM_OK) {
		/* The connection broke: what arrived complete is kept
		 * (fenced under pipelining; otherwise it is verified by
		 * its header before any later DELE). */
		fetch_warn(r, "%s", ferr.msg);
	}
	if (pop3_desynced(r->p))
		out_of_step(r, err->msg);
	pk.idx = NULL;
	fetch_pick_free(&pk);
	return st;
}
