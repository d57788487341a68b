/* fetch.c: the order of operations for one account, and for several.
 *
 * The safety contract (doc/HACKING.md): a message is synced in tmp/,
 * its journal intent is made durable, it is renamed into new/, and only
 * then recorded delivered and handed to the indexer.  DELE is sent only
 * for messages the journal holds as delivered with the same UIDL and
 * size, after the journal is synced; deletions count only after QUIT
 * answered +OK. */
#include "config.h"

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

#include "popmuch/auth.h"
#include "popmuch/fault.h"
#include "popmuch/fetch.h"
#include "popmuch/fsutil.h"
#include "popmuch/index.h"
#include "popmuch/log.h"
#include "popmuch/maildir.h"
#include "popmuch/net.h"
#include "popmuch/pop3.h"
#include "popmuch/retention.h"
#include "popmuch/uidl.h"
#include "popmuch/xmalloc.h"

#include <nettle/sha2.h>

/* Group commit: up to this many complete messages (or FETCH_BATCH_BYTES)
 * share the three syncs of one delivery round. */
#define FETCH_BATCH 64
#define FETCH_BATCH_BYTES (8u << 20)
/* A body may exceed twice its LIST size by this much before it is cut
 * off as endless, and may take 'timeout' seconds per FETCH_SLOW_BYTES
 * (plus two) before it is cut off as trickling: 180 s per 32 KB is
 * 180 bytes/s, slower than any real link. */
#define FETCH_BODY_SLACK ((uint64_t)64 << 20)
#define FETCH_SLOW_BYTES 32768

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
	int64_t now;
	/* the message being received */
	struct pop3_msg *msgs;
	size_t nmsgs;
	struct ret_msg *plan;
	size_t *fetch_idx; /* indexes into msgs of what to fetch */
	unsigned char *stored; /* per message: delivered by this run */
	/* complete messages waiting in tmp/ for the next group commit */
	struct held {
		size_t i; /* index into fetch_idx */
		struct maildir_tmp *t;
	} batch[FETCH_BATCH];
	size_t nbatch;
	uint64_t batch_bytes;
	int network; /* a session with the server (not "popmuch index") */
	/* bounds on the message being received (see sink_begin) */
	uint32_t cur_num;
	uint64_t cur_bytes, cur_max;
	time_t cur_deadline;
	/* deleted on the server while still waiting for the indexer */
	char **gone;
	size_t ngone;
	struct maildir_tmp *tmp;
};

/* Index cookies name the run and the UIDL. */
struct cookie {
	struct run *run;
	char *uidl;
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

char *
fetch_state_dir(const char *account)
{
	const char *xdg = getenv("XDG_STATE_HOME");
	const char *home = getenv("HOME");

	if (xdg != NULL && xdg[0] == '/')
		return xasprintf("%s/popmuch/%s", xdg, account);
	return xasprintf("%s/.local/state/popmuch/%s", home ? home : ".",
			 account);
}

/* The account's Maildir: configured, or <mail_root>/<name>; it must lie
 * inside notmuch's mail root. */
static enum pm_status
locate_maildir(struct run *r, struct pm_err *err)
{
	char *root = NULL;
	enum pm_status st;

	st = index_mail_root(r->acct->notmuch_config, &root, err);
	if (st != PM_OK)
		return st;
	r->maildir_path = r->acct->maildir
				  ? xstrdup(r->acct->maildir)
				  : xasprintf("%s/%s", root, r->acct->name);
	if (!fsutil_path_inside(r->maildir_path, root))
		st = err_set(err, PM_CONFIG,
			     "the Maildir %s is outside notmuch's mail root "
			     "%s; move it inside, or point database.path "
			     "(or 'notmuch_config') elsewhere",
			     r->maildir_path, root);
	free(root);
	return st;
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

	if (c->unsettled && e->state != UIDL_PENDING && e->indexed)
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
	index_submit(r->ix, path, r->acct->tags, c);
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
	if (e->indexed)
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

unsigned
fetch_default_port(const struct account *a)
{
	if (a->port != 0)
		return a->port;
	return a->tls && !a->tls_starttls ? 995 : 110;
}

void
fetch_tls_opts(const struct account *a, struct net_tls_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->certcheck = a->tls_certcheck;
	o->trust_file = a->tls_trust_file;
	o->fingerprint = a->tls_fingerprint;
	o->host_override = a->tls_host_override;
	o->priorities = a->tls_priorities;
	o->cert_file = a->tls_cert_file;
	o->key_file = a->tls_key_file;
	o->crl_file = a->tls_crl_file;
}

enum pm_status
fetch_connect(const struct account *a, struct pop3 **p_r, struct pm_err *err)
{
	struct net_tls_opts tls;
	struct net_conn *conn;
	enum pm_status st;

	*p_r = NULL;
	fetch_tls_opts(a, &tls);
	st = net_connect(a->host, fetch_default_port(a), a->timeout, a->source_ip,
			 &conn, err);
	if (st != PM_OK)
		return st;
	if (a->tls && !a->tls_starttls &&
	    (st = net_tls_start(conn, a->host, &tls, err)) != PM_OK) {
		net_free(&conn);
		return st;
	}
	if ((st = pop3_open(conn, a->timeout, p_r, err)) != PM_OK)
		return st;
	if ((st = pop3_capa(*p_r, err)) != PM_OK)
		return st;
	if (a->tls && a->tls_starttls) {
		if (!pop3_caps(*p_r)->stls)
			return err_set(err, PM_UNAVAILABLE,
				       "the server does not offer STLS, so "
				       "TLS cannot start; nothing was sent "
				       "(use port 995 with 'tls_starttls "
				       "off', or 'tls off' at your own risk)");
		if ((st = pop3_stls(*p_r, a->host, &tls, err)) != PM_OK)
			return st;
	}
	if (a->pipelining != CFG_AUTO)
		pop3_set_pipelining(*p_r, a->pipelining == CFG_ON);
	return PM_OK;
}

/* Connect and log in: no credential before TLS when TLS is on. */
static enum pm_status
connect_login(struct run *r, struct pm_err *err)
{
	enum pm_status st = fetch_connect(r->acct, &r->p, err);

	if (st != PM_OK)
		return st;
	return auth_login(r->p, r->acct, net_is_tls(pop3_conn(r->p)),
			  &r->res->warn_cleartext, err);
}

/* Build the retention input from the server list and the journal. */
static void
make_plan(struct run *r)
{
	struct ret_policy pol;
	const char *why;

	r->plan = xcalloc(r->nmsgs ? r->nmsgs : 1, sizeof(*r->plan));
	for (size_t i = 0; i < r->nmsgs; i++) {
		const struct pop3_msg *m = &r->msgs[i];
		const struct uidl_entry *e =
			m->uidl ? uidl_lookup(r->db, m->uidl) : NULL;
		struct ret_msg *pm = &r->plan[i];

		pm->num = m->num;
		pm->size = m->size;
		if (e != NULL && e->size == m->size &&
		    (e->state == UIDL_DELIVERED ||
		     (r->opts->dry_run && r->md != NULL &&
		      maildir_find(r->md, e->file) != MAILDIR_MISSING))) {
			/* (a dry run does not recover: an unfinished
			 * delivery whose file is there counts as known) */
			pm->known = 1;
			pm->first_seen = e->first_seen;
		} else if (e != NULL && e->state == UIDL_DELIVERED) {
			char *esc = log_escape(m->uidl, strlen(m->uidl), 80);

			ev_warning(r, "the server reuses unique id %s for a "
				      "different message (size %" PRIu64
				      ", was %" PRIu64 "); fetching it as new",
				   esc, m->size, e->size);
			free(esc);
		}
	}
	retention_policy_from(r->acct, &pol);
	if (uidl_damaged(r->db, &why)) {
		ev_warning(r, "%s; nothing will be deleted on the server in "
			      "this run", why);
		pol.no_delete = 1;
	}
	if (r->nmsgs > 0 && r->msgs[0].uidl == NULL) {
		/* No UIDL: only fetch-and-delete is possible (checked by
		 * the caller); every message is new. */
		pol.only_new = 0;
	}
	retention_plan(r->plan, r->nmsgs, &pol, r->now);
}

static enum pm_status
sink_begin(void *ctx, size_t i, struct pm_err *err)
{
	struct run *r = ctx;
	const struct pop3_msg *m = &r->msgs[r->fetch_idx[i]];
	uint64_t slices = m->size / FETCH_SLOW_BYTES;

	/* LIST sizes are advisory, so the bounds are generous: they only
	 * stop a body that never ends and a server that trickles. */
	r->cur_num = m->num;
	r->cur_bytes = 0;
	r->cur_max = m->size > (UINT64_MAX - FETCH_BODY_SLACK) / 2
			     ? UINT64_MAX
			     : 2 * m->size + FETCH_BODY_SLACK;
	r->cur_deadline = time(NULL) +
			  (time_t)r->acct->timeout *
				  (time_t)(2 + (slices > 100000 ? 100000 : slices));
	return maildir_tmp_new(r->md, &r->tmp, err);
}

static enum pm_status
sink_data(void *ctx, const char *buf, size_t len, struct pm_err *err)
{
	struct run *r = ctx;

	r->cur_bytes += len;
	if (r->cur_bytes > r->cur_max)
		return err_set(err, PM_PROTOCOL,
			       "message %" PRIu32 " goes on far beyond the "
			       "size the server gave (%" PRIu64 " bytes so "
			       "far); stopped", r->cur_num, r->cur_bytes);
	if (time(NULL) > r->cur_deadline)
		return err_set(err, PM_TIMEOUT,
			       "message %" PRIu32 " arrives too slowly (%"
			       PRIu64 " bytes so far); stopped",
			       r->cur_num, r->cur_bytes);
	return maildir_tmp_write(r->tmp, buf, len, err);
}

/* After the batch's files are in new/: record, index, report. */
static enum pm_status
delivered(struct run *r, const struct held *h, const char *name,
	  uint64_t size, struct pm_err *err)
{
	const struct pop3_msg *m = &r->msgs[r->fetch_idx[h->i]];
	const struct fetch_events *ev = r->opts->events;
	enum pm_status st = PM_OK;
	char *path;

	if (m->uidl != NULL)
		st = uidl_delivered(r->db, m->uidl, err);
	FAULT("delivered");
	if (st != PM_OK)
		return st;
	path = maildir_new_path(r->md, name);
	submit_index(r, m->uidl, path);
	free(path);
	r->stored[r->fetch_idx[h->i]] = 1;
	r->res->index_pending++;
	r->res->fetched++;
	r->res->bytes += size;
	if (ev != NULL && ev->progress != NULL)
		ev->progress(ev->ctx, r->acct->name, r->res->fetched,
			     r->res->bytes);
	return PM_OK;
}

/* Deliver the batch (each file already synced): make their intents
 * durable, move them into new/, make that durable, then record them
 * delivered and hand them to the indexer (doc/HACKING.md, step 6). */
static enum pm_status
flush_batch(struct run *r, struct pm_err *err)
{
	size_t n = r->nbatch, moved = 0;
	char **names = xcalloc(n + 1, sizeof(*names));
	uint64_t *sizes = xcalloc(n + 1, sizeof(*sizes));
	enum pm_status st;

	r->nbatch = 0;
	r->batch_bytes = 0;
	st = PM_OK; /* every file of the batch was synced as it ended */
	FAULT("synced");
	for (size_t k = 0; k < n && st == PM_OK; k++) {
		const struct pop3_msg *m = &r->msgs[r->fetch_idx[r->batch[k].i]];

		if (m->uidl != NULL)
			st = uidl_intent_nosync(r->db, m->uidl, m->size, r->now,
						maildir_tmp_name(r->batch[k].t),
						err);
	}
	if (st == PM_OK && n > 0)
		st = uidl_sync(r->db, err);
	FAULT("intent");
	for (; moved < n && st == PM_OK; moved++) {
		names[moved] = xstrdup(maildir_tmp_name(r->batch[moved].t));
		sizes[moved] = maildir_tmp_size(r->batch[moved].t);
		st = maildir_tmp_move(&r->batch[moved].t, err);
		FAULT("renamed");
	}
	if (moved > 0) {
		enum pm_status st2 = maildir_sync_new(r->md, err);

		if (st == PM_OK)
			st = st2;
	}
	for (size_t k = 0; k < moved && st == PM_OK; k++)
		st = delivered(r, &r->batch[k], names[k], sizes[k], err);
	for (size_t k = 0; k < n; k++) {
		maildir_tmp_abort(&r->batch[k].t); /* what was not moved */
		free(names[k]);
	}
	free(names);
	free(sizes);
	return st;
}

/* The message is complete: close it and queue it for the next group
 * commit. */
static enum pm_status
sink_end(void *ctx, size_t i, struct pm_err *err)
{
	struct run *r = ctx;
	enum pm_status st;

	/* fsync this file only: a syncfs() per batch would also flush the
	 * notmuch database the indexer is writing on the same filesystem,
	 * which costs far more than it saves. */
	if ((st = maildir_tmp_sync(r->tmp, err)) != PM_OK)
		return st;
	r->batch_bytes += maildir_tmp_size(r->tmp);
	r->batch[r->nbatch].i = i;
	r->batch[r->nbatch].t = r->tmp;
	r->tmp = NULL;
	if (++r->nbatch == FETCH_BATCH || r->batch_bytes >= FETCH_BATCH_BYTES)
		return flush_batch(r, err);
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

/* The server's replies went out of step: what this run stored may be
 * shifted or cut.  Forget it in the journal, so that nothing is deleted
 * on its strength and the next run downloads it again (a duplicate file
 * at worst, never a loss). */
static void
distrust_run(struct run *r)
{
	struct pm_err err;
	uint32_t n = 0;

	for (size_t i = 0; i < r->nmsgs; i++) {
		if (!r->stored[i] || r->msgs[i].uidl == NULL)
			continue;
		if (uidl_forget(r->db, r->msgs[i].uidl, &err) != PM_OK)
			ev_warning(r, "%s", err.msg);
		r->stored[i] = 0;
		n++;
	}
	if (n > 0)
		ev_warning(r, "the server's replies were out of step: the %"
			      PRIu32 " message(s) stored in this run are not "
			      "trusted, nothing is deleted, and they will be "
			      "downloaded again next time", n);
}

static enum pm_status
retrieve(struct run *r, struct pm_err *err)
{
	const struct fetch_events *ev = r->opts->events;
	struct pop3_sink sink = {sink_begin, sink_data, sink_end, r};
	uint32_t *nums = xcalloc(r->nmsgs + 1, sizeof(*nums));
	uint64_t total = 0;
	uint32_t ndele = 0;
	enum pm_status st;
	size_t n = 0;

	r->fetch_idx = xcalloc(r->nmsgs + 1, sizeof(*r->fetch_idx));
	r->stored = xcalloc(r->nmsgs + 1, 1);
	for (size_t i = 0; i < r->nmsgs; i++) {
		ndele += r->plan[i].dele;
		r->res->skipped += r->plan[i].skipped;
		if (!r->plan[i].fetch)
			continue;
		r->fetch_idx[n] = i;
		nums[n++] = r->msgs[i].num;
		total += r->msgs[i].size;
	}
	r->res->to_fetch = (uint32_t)n;
	if (ev != NULL && ev->planned != NULL)
		ev->planned(ev->ctx, r->acct->name, (uint32_t)n, total, ndele);
	st = pop3_retr(r->p, nums, n, -1, &sink, err);
	maildir_tmp_abort(&r->tmp);
	/* Deliver what arrived complete even when the connection broke. */
	if (st == PM_OK) {
		st = flush_batch(r, err);
	} else {
		struct pm_err ferr;

		if (flush_batch(r, &ferr) != PM_OK)
			ev_warning(r, "%s", ferr.msg);
	}
	/* A stray reply in a pipelined stream shifts every later message:
	 * make sure the replies are still in step before anything fetched
	 * now is trusted (and so ever deleted). */
	if (st == PM_OK && n > 0 && pop3_caps(r->p)->pipelining)
		st = pop3_check_sync(r->p, nums[n - 1],
				     r->msgs[r->fetch_idx[n - 1]].size, err);
	if (pop3_desynced(r->p))
		distrust_run(r);
	free(nums);
	return st;
}

/* The messages that may be deleted now: planned for deletion, and
 * either killed unread by policy (killsize) or held by the journal as
 * delivered with the same UIDL and size. */
static size_t
deletable(struct run *r, uint32_t *nums, size_t *idx)
{
	size_t n = 0;

	for (size_t i = 0; i < r->nmsgs; i++) {
		const struct pop3_msg *m = &r->msgs[i];
		const struct uidl_entry *e;
		int safe;

		if (!r->plan[i].dele)
			continue;
		if (r->plan[i].killed) {
			safe = 1;
		} else if (m->uidl == NULL) {
			/* without UIDL only what this run stored */
			safe = r->stored[i];
		} else {
			e = uidl_lookup(r->db, m->uidl);
			safe = e != NULL && e->state == UIDL_DELIVERED &&
			       e->size == m->size;
		}
		if (safe) {
			idx[n] = i;
			nums[n++] = m->num;
		}
	}
	return n;
}

static enum pm_status
delete_and_quit(struct run *r, struct pm_err *err)
{
	uint32_t *nums = xcalloc(r->nmsgs + 1, sizeof(*nums));
	size_t *idx = xcalloc(r->nmsgs + 1, sizeof(*idx));
	unsigned char *ok = xcalloc(r->nmsgs + 1, 1);
	size_t n = deletable(r, nums, idx), refused = 0;
	const struct uidl_entry *e;
	enum pm_status st;

	/* Every delivered record must be durable before any DELE. */
	st = uidl_sync(r->db, err);
	if (st == PM_OK && n > 0)
		st = pop3_dele(r->p, nums, n, ok, err);
	FAULT("before-quit");
	if (st == PM_OK)
		st = pop3_quit(r->p, err);
	for (size_t i = 0; st == PM_OK && i < n; i++) {
		const char *u = r->msgs[idx[i]].uidl;

		if (!ok[i]) {
			refused++;
			continue;
		}
		r->res->deleted++;
		/* Keep what still waits for the indexer: prune() forgets
		 * it once it is indexed. */
		e = u ? uidl_lookup(r->db, u) : NULL;
		if (e != NULL && e->indexed) {
			st = uidl_forget(r->db, u, err);
		} else if (e != NULL) {
			r->gone = xreallocarray(r->gone, r->ngone + 1,
						sizeof(*r->gone));
			r->gone[r->ngone++] = xstrdup(u);
		}
	}
	free(nums);
	free(idx);
	free(ok);
	if (st == PM_OK && refused > 0)
		st = err_set(err, PM_PROTOCOL,
			     "the server refused to delete %zu message(s) "
			     "(DELE); they stay on the server and the next "
			     "run tries again", refused);
	return st;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Forget delivered and indexed UIDLs the server no longer has (deleted
 * by us or elsewhere): a later message that reuses the UIDL is new. */
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
		if (e->state == UIDL_DELIVERED && e->indexed)
			st = uidl_forget(r->db, c.v[i], err);
	}
	collect_free(&c);
	free(server);
	return st;
}

/* ---- servers without UIDL ----------------------------------------- */

/* With "uidl_fallback top", a message's id is a SHA-256 of its header
 * (TOP n 0) and its size: stable while the message stays on the
 * server, and never taken from what the server calls it. */
struct fp_ctx {
	struct run *r;
	struct sha256_ctx sha;
};

static enum pm_status
fp_begin(void *ctx, size_t i, struct pm_err *err)
{
	struct fp_ctx *f = ctx;

	sha256_init(&f->sha);
	return PM_OK;
}

static enum pm_status
fp_data(void *ctx, const char *buf, size_t len, struct pm_err *err)
{
	struct fp_ctx *f = ctx;

	sha256_update(&f->sha, len, (const uint8_t *)buf);
	return PM_OK;
}

static enum pm_status
fp_end(void *ctx, size_t i, struct pm_err *err)
{
	struct fp_ctx *f = ctx;
	struct pop3_msg *m = &f->r->msgs[i];
	uint8_t d[SHA256_DIGEST_SIZE];
	char hex[2 * 20 + 1];
	unsigned dup = 1;

	sha256_update(&f->sha, sizeof(m->size), (const uint8_t *)&m->size);
	sha256_digest(&f->sha, sizeof(d), d);
	for (size_t k = 0; k < 20; k++)
		(void)snprintf(hex + 2 * k, 3, "%02x", d[k]);
	/* Identical headers and size: number the copies in server order. */
	for (size_t k = 0; k < i; k++)
		if (strncmp(f->r->msgs[k].uidl + 3, hex, 40) == 0)
			dup++;
	m->uidl = dup == 1 ? xasprintf("fp-%s", hex)
			   : xasprintf("fp-%s-%u", hex, dup);
	return PM_OK;
}

static enum pm_status
fingerprint_all(struct run *r, struct pm_err *err)
{
	struct fp_ctx f = {.r = r};
	struct pop3_sink sink = {fp_begin, fp_data, fp_end, &f};
	uint32_t *nums = xcalloc(r->nmsgs + 1, sizeof(*nums));
	enum pm_status st;

	for (size_t i = 0; i < r->nmsgs; i++)
		nums[i] = r->msgs[i].num;
	st = pop3_retr(r->p, nums, r->nmsgs, 0, &sink, err);
	free(nums);
	return st;
}

/* No UIDL: fall back to header fingerprints when asked to, else refuse
 * unless messages are deleted after download. */
static enum pm_status
check_uidl_support(struct run *r, struct pm_err *err)
{
	if (r->nmsgs == 0 || r->msgs[0].uidl != NULL)
		return PM_OK;
	if (r->acct->uidl_fingerprint)
		return fingerprint_all(r, err);
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
	make_plan(r);
	if (r->opts->dry_run) {
		report_would(r);
		return pop3_quit(r->p, err);
	}
	if ((st = retrieve(r, err)) != PM_OK)
		return st;
	if ((st = delete_and_quit(r, err)) != PM_OK)
		return st;
	r->res->kept = r->res->on_server - r->res->deleted;
	if (r->nmsgs == 0 || r->msgs[0].uidl != NULL)
		st = prune(r, err);
	return st;
}

static enum pm_status
run_account(struct run *r, int network, struct pm_err *err)
{
	enum pm_status st;

	r->now = (int64_t)time(NULL);
	r->network = network;
	r->state_dir = fetch_state_dir(r->acct->name);
	if ((st = locate_maildir(r, err)) != PM_OK)
		return st;
	if ((st = uidl_open(r->state_dir, r->opts->wait_lock, &r->db, err)) !=
	    PM_OK)
		return st;
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

/* Record what the indexer committed in each account's journal. */
static void
apply_indexed(struct indexer *ix)
{
	void **done = NULL, **failed = NULL;
	size_t n = index_take_done(ix, &done);
	size_t nfailed = index_take_failed(ix, &failed);
	struct pm_err err;

	/* Failed files stay pending in the journal for the next run. */
	for (size_t i = 0; i < nfailed; i++) {
		struct cookie *c = failed[i];

		free(c->uidl);
		free(c);
	}
	free(failed);

	for (size_t i = 0; i < n; i++) {
		struct cookie *c = done[i];

		if (c->uidl != NULL && c->run->db != NULL &&
		    uidl_lookup(c->run->db, c->uidl))
			(void)uidl_indexed(c->run->db, c->uidl, &err);
		c->run->res->index_pending--;
		free(c->uidl);
		free(c);
	}
	free(done);
}

static void
write_last_run(const struct run *r)
{
	const struct fetch_result *res = r->res;
	char *path = xasprintf("%s/last-run", r->state_dir);
	char *tmp = xasprintf("%s/last-run.tmp", r->state_dir);
	FILE *f = fopen(tmp, "w");

	if (f != NULL) {
		fprintf(f,
			"time %lld\nstatus %s\non_server %" PRIu32
			"\nfetched %" PRIu32 "\ndeleted %" PRIu32
			"\nkept %" PRIu32 "\nskipped %" PRIu32
			"\nindex_pending %" PRIu32 "\nmessage %s\n",
			(long long)r->now, err_name(res->status),
			res->on_server, res->fetched, res->deleted, res->kept,
			res->skipped, res->index_pending,
			res->status == PM_OK ? "" : res->err.msg);
		if (fclose(f) != 0 || rename(tmp, path) != 0)
			(void)unlink(tmp);
	}
	free(path);
	free(tmp);
}

static void
finish_run(struct run *r)
{
	const struct fetch_events *ev = r->opts->events;
	struct pm_err err;

	/* Deleted on the server and now indexed: nothing left to track. */
	for (size_t i = 0; i < r->ngone; i++) {
		const struct uidl_entry *e =
			r->db ? uidl_lookup(r->db, r->gone[i]) : NULL;

		if (e != NULL && e->indexed)
			(void)uidl_forget(r->db, r->gone[i], &err);
		free(r->gone[i]);
	}
	free(r->gone);
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
	free(r->stored);
	free(r->state_dir);
	free(r->maildir_path);
	if (ev != NULL && ev->done != NULL)
		ev->done(ev->ctx, r->res);
}

static enum pm_status
select_accounts(const struct config *cfg, char *const *names, size_t n,
		const struct account ***accts_r, size_t *n_r,
		struct pm_err *err)
{
	const struct account **a;

	if (n == 0) {
		if (cfg->naccounts == 0)
			return err_set(err, PM_CONFIG,
				       "%s: no account is configured",
				       cfg->path ? cfg->path : "config");
		a = xcalloc(cfg->naccounts, sizeof(*a));
		for (size_t i = 0; i < cfg->naccounts; i++)
			a[i] = cfg->accounts[i];
		*accts_r = a;
		*n_r = cfg->naccounts;
		return PM_OK;
	}
	a = xcalloc(n, sizeof(*a));
	for (size_t i = 0; i < n; i++)
		if ((a[i] = config_account(cfg, names[i])) == NULL) {
			free(a);
			return err_set(err, PM_USAGE,
				       "no account named '%s' in %s",
				       names[i], cfg->path ? cfg->path : "config");
		}
	*accts_r = a;
	*n_r = n;
	return PM_OK;
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

	if ((st = select_accounts(cfg, names, n, &accts, &na, err)) != PM_OK)
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
