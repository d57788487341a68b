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
#include "popmuch/adopt.h"
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
#include "popmuch/pool.h"
#include "popmuch/pop3-list.h"
#include "popmuch/quirks.h"
#include "popmuch/retention.h"
#include "popmuch/uidl.h"
#include "popmuch/verify.h"
#include "popmuch/xmalloc.h"
#include "fetch-int.h"

void
fetch_warn(struct run *r, const char *fmt, ...)
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

static int
picked(const struct run *r, const unsigned char *want, size_t i)
{
	return want != NULL ? want[i] != 0 : r->plan[i].fetch != 0;
}

void
fetch_pick(const struct run *r, const unsigned char *want, struct pick *p_r)
{
	const char **uidls;
	size_t n = 0;

	/* sized to what is picked: a poll of 100,000 picks none */
	for (size_t i = 0; i < r->nmsgs; i++)
		n += picked(r, want, i) != 0;
	uidls = xcalloc(n + 1, sizeof(*uidls));
	p_r->nums = xcalloc(n + 1, sizeof(*p_r->nums));
	p_r->idx = xcalloc(n + 1, sizeof(*p_r->idx));
	p_r->n = 0;
	for (size_t i = 0; i < r->nmsgs; i++)
		if (picked(r, want, i)) {
			p_r->idx[p_r->n] = i;
			uidls[p_r->n] = r->msgs[i].uidl;
			p_r->nums[p_r->n++] = r->msgs[i].num;
		}
	if (!r->server_uidl) {
		free(uidls);
		uidls = NULL;
	}
	p_r->uidls = uidls;
}

void
fetch_pick_free(struct pick *p)
{
	free(p->nums);
	free((void *)p->uidls);
	free(p->idx);
	memset(p, 0, sizeof(*p));
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

/* ---- deletion ---------------------------------------------------------- */

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
			     "run tries again",
			     refused);
	return st;
}

static enum pm_status
delete_and_quit(struct run *r, struct pm_err *err)
{
	uint32_t *nums;
	size_t *idx;
	unsigned char *ok;
	size_t n = 0, most = 0;
	enum pm_status st;

	/* sized to what the plan deletes (plan_deletable() needs dele) */
	for (size_t i = 0; i < r->nmsgs; i++)
		most += r->plan[i].dele;
	nums = xcalloc(most + 1, sizeof(*nums));
	idx = xcalloc(most + 1, sizeof(*idx));
	ok = xcalloc(most + 1, 1);
	for (size_t i = 0; i < r->nmsgs; i++)
		if (plan_deletable(r, i)) {
			idx[n] = i;
			nums[n++] = r->msgs[i].num;
		}
	/* Every delivered record must be durable before any DELE. */
	st = uidl_sync(r->db, err);
	if (st == PM_OK && n > 0)
		st = pop3_dele(r->p, nums, n, ok, err);
	FAULT("before-quit");
	/* Only deletions need QUIT's answer (a round trip on a slow link). */
	if (st == PM_OK)
		st = n > 0 ? pop3_quit(r->p, err)
			   : pop3_quit_unanswered(r->p, err);
	if (st == PM_OK)
		st = note_deleted(r, idx, ok, n, err);
	free(nums);
	free(idx);
	free(ok);
	return st;
}

/* The journal's entry for message i when its UIDL is the journal's own
 * copy (pop3_scan's intern), without a lookup; else NULL. */
static const struct uidl_entry *
borrowed_entry(const struct run *r, size_t i)
{
	return r->msgs[i].borrowed ? uidl_entry_of(r->db, r->msgs[i].uidl)
				   : NULL;
}

/* Forget delivered (or deleted) and indexed UIDLs the server no longer
 * has: a later message that reuses the UIDL is new. */
static const char *
listed_uidl(void *ctx, size_t i, const struct uidl_entry **hint_r)
{
	struct run *r = ctx;

	*hint_r = borrowed_entry(r, i); /* a hint: prune checks it */
	return r->msgs[i].uidl;
}

static enum pm_status
prune(struct run *r, struct pm_err *err)
{
	return uidl_prune(r->db, r->nmsgs, listed_uidl, r, err);
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

/* The listing (doc/HACKING.md, step 4): STAT and UIDL, and LIST only
 * when the decision needs sizes the journal does not have.  When every
 * listed UIDL is one the journal holds delivered and STAT's total is
 * the sum of the sizes it recorded, those are the LIST sizes (a size
 * that changed changes the total, and LIST is sent: the rule, 4 and 5);
 * a new or deleted-but-listed UIDL needs LIST too.  A server without
 * UIDL is listed with LIST alone.  An empty journal (a first run) needs
 * every size: LIST and UIDL go out together, as before, sparing the
 * round trip STAT would cost. */
/* The listing's intern (pop3-list.h): a UIDL the journal holds is the
 * journal's own copy, valid until uidl_free() (uidl.h), which
 * finish_run() calls before it frees the listing. */
static const char *
journal_copy(void *ctx, const char *uidl)
{
	const struct uidl_entry *e = uidl_lookup(ctx, uidl);

	return e != NULL ? e->uidl : NULL;
}

const struct uidl_entry *
fetch_entry(const struct run *r, size_t i)
{
	const struct uidl_entry *e = borrowed_entry(r, i);

	if (e == NULL && r->msgs[i].uidl != NULL)
		e = uidl_lookup(r->db, r->msgs[i].uidl);
	return e;
}

static enum pm_status
list_messages(struct run *r, struct pm_err *err)
{
	const struct uidl_entry *e;
	uint64_t stat_size, total = 0;
	uint32_t stat_count;
	int uidl_ok;
	enum pm_status st;

	if (uidl_count(r->db) == 0)
		return pop3_list(r->p, 1, &r->msgs, &r->nmsgs, err);
	st = pop3_scan(r->p, journal_copy, r->db, &r->msgs, &r->nmsgs,
		       &stat_count, &stat_size, &uidl_ok, err);
	if (st != PM_OK)
		return st;
	if (!uidl_ok)
		return pop3_list(r->p, 0, &r->msgs, &r->nmsgs, err);
	for (size_t i = 0; i < r->nmsgs; i++) {
		/* (only a borrowed UIDL is a known one: no lookup) */
		e = borrowed_entry(r, i);
		if (e == NULL || e->state != UIDL_DELIVERED)
			return pop3_list_sizes(r->p, r->msgs, r->nmsgs, err);
		r->msgs[i].size = e->size;
		total += e->size;
	}
	if (stat_count == r->nmsgs && total == stat_size)
		return PM_OK;
	return pop3_list_sizes(r->p, r->msgs, r->nmsgs, err);
}

/* Everything after the login, the journal loaded and recovered. */
static enum pm_status
session(struct run *r, struct pm_err *err)
{
	enum pm_status st;

	if ((st = list_messages(r, err)) != PM_OK)
		return st;
	r->res->on_server = (uint32_t)r->nmsgs;
	if ((st = check_uidl_support(r, err)) != PM_OK)
		return st;
	if ((st = plan_make(r, err)) != PM_OK)
		return st;
	if (r->opts->dry_run) {
		retrieve_report_would(r);
		return pop3_quit(r->p, err);
	}
	if ((st = retrieve_run(r, err)) != PM_OK)
		return st;
	if ((st = delete_and_quit(r, err)) != PM_OK)
		return st;
	r->res->kept = r->res->on_server - r->res->deleted;
	if (r->server_uidl || r->nmsgs == 0)
		st = prune(r, err);
	return st == PM_OK ? partial(r, err) : st;
}

/* What a run knows before it speaks to the server: the journal, loaded
 * and recovered against the Maildir (whose path notmuch's configuration
 * may give: account.h). */
static enum pm_status
local_start(struct run *r, struct pm_err *err)
{
	enum pm_status st = account_maildir(r->acct, &r->maildir_path, err);

	if (st == PM_OK)
		st = uidl_load(r->db, err);
	if (st != PM_OK) {
		/* (finish_run() syncs the journal only when it was loaded) */
		uidl_free(&r->db);
		return st;
	}
	if (uidl_switched(r->db) != NULL)
		fetch_warn(r, "%s", uidl_switched(r->db));
	r->failing = failing_load(r->state_dir);
	if (r->opts->dry_run) {
		/* Change nothing; only look at the Maildir if it is there,
		 * so that unfinished deliveries count as known. */
		if (access(r->maildir_path, F_OK) == 0)
			return maildir_open(r->maildir_path, &r->md, err);
		return PM_OK;
	}
	if ((st = maildir_open(r->maildir_path, &r->md, err)) != PM_OK ||
	    (st = fetch_recover(r, err)) != PM_OK)
		return st;
	maildir_clean_tmp(r->md); /* after recovery used what tmp/ held */
	return PM_OK;
}

/* The connection and login (job 0) run beside local_start() (job 1):
 * the server's login and mailbox set-up hide the journal's load.
 * Nothing is sent after the login until both are done (run_account),
 * so the order of doc/HACKING.md holds from the first listing on. */
struct start {
	struct run *r;
	enum pm_status st[2];
	struct pm_err err[2];
};

static void
start_job(void *ctx, size_t i)
{
	struct start *s = ctx;

	s->st[i] = i == 0 ? connect_login(s->r, &s->err[0])
			  : local_start(s->r, &s->err[1]);
}

static enum pm_status
run_account(struct run *r, int network, struct pm_err *err)
{
	struct start s = {.r = r};
	enum pm_status st;
	char *mailbox = account_mailbox_id(r->acct);

	r->now = (int64_t)time(NULL);
	r->network = network;
	st = account_state_dir(r->acct->name, &r->state_dir, err);
	/* The lock first: a second run never reaches the server. */
	if (st == PM_OK)
		st = uidl_lock(r->state_dir, mailbox, r->opts->wait_lock,
			       &r->db, err);
	free(mailbox);
	if (st != PM_OK)
		return st;
	if (!network)
		return local_start(r, err);
	pool_run(2, 2, start_job, &s);
	/* a local failure first: it is what the user must mend */
	for (int i = 1; i >= 0; i--)
		if (s.st[i] != PM_OK) {
			*err = s.err[i];
			return s.st[i];
		}
	return session(r, err);
}

/* ---- several accounts ---------------------------------------------- */

struct accounts {
	struct run *runs;
	int network;
};

/* One account's run, on a thread of the pool. */
static void
account_job(void *ctx, size_t i)
{
	struct accounts *as = ctx;
	struct run *r = &as->runs[i];

	err_clear(&r->res->err);
	r->res->status = run_account(r, as->network, &r->res->err);
	if (r->res->status != PM_OK)
		err_prefix(&r->res->err, "%s", r->acct->name);
	pop3_free(&r->p); /* closes the connection now */
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
		fetch_warn(r, "%s", err.msg);
}

static void
finish_run(struct run *r)
{
	const struct fetch_events *ev = r->opts->events;
	struct pm_err err;

	if (r->failing != NULL && !r->opts->dry_run && r->network &&
	    r->res->on_server > 0 && failing_save(r->failing, &err) != PM_OK)
		fetch_warn(r, "%s", err.msg);
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
			fetch_warn(r, "%s", err.msg);
		if (!r->opts->dry_run)
			write_last_run(r);
	}
	if (r->res->index_pending > 0 && !r->opts->dry_run &&
	    r->res->status == PM_OK)
		fetch_warn(r,
			   "%" PRIu32 " delivered message(s) are not indexed "
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
	struct accounts pl = {0};
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
	pl.network = network;
	for (size_t i = 0; i < na; i++) {
		pl.runs[i] = (struct run){
		    .acct = accts[i], .opts = opts, .res = &res[i], .ix = ix};
		res[i].account = accts[i]->name;
	}
	pool_run(na, opts->parallel, account_job, &pl);
	st = index_wait(ix, opts->index_timeout, &ierr);
	fetch_apply_indexed(ix);
	for (size_t i = 0; i < na; i++) {
		index_get_stats(ix, &res[i].index);
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
	return fetch_common(cfg, names, n, opts, 1, results_r, nresults_r, err);
}

enum pm_status
fetch_catch_up_index(const struct config *cfg, const struct fetch_opts *opts,
		     struct fetch_result **results_r, size_t *nresults_r,
		     struct pm_err *err)
{
	return fetch_common(cfg, NULL, 0, opts, 0, results_r, nresults_r, err);
}
