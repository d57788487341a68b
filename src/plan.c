/* plan.c: the rule for DELE (doc/HACKING.md): which messages on the
 * server are the ones the journal holds, checked by header where sizes
 * or deletions make it matter, and which may be deleted in the session.
 * Also the adoption of other clients' records on a first run. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "popmuch/adopt.h"
#include "popmuch/filter.h"
#include "popmuch/hdrhash.h"
#include "popmuch/log.h"
#include "popmuch/maildir.h"
#include "popmuch/pop3.h"
#include "popmuch/retention.h"
#include "popmuch/uidl.h"
#include "popmuch/verify.h"
#include "popmuch/xmalloc.h"
#include "fetch-int.h"

/* The header hash the journal holds for e, or that its file gives (a
 * record written before journal version 2), cut to the journal's
 * UIDL_HASH_HEX digits; "" when neither is known. */
static void
stored_hash(struct run *r, const struct uidl_entry *e,
	    char hex_r[HDRHASH_HEX + 1])
{
	char *path = NULL;

	hex_r[0] = '\0';
	if (e->hash != NULL)
		memcpy(hex_r, e->hash, UIDL_HASH_HEX + 1);
	else if (r->md != NULL && e->file[0] != '\0' &&
		 (path = maildir_locate(r->md, e->file)) != NULL &&
		 hdrhash_file(path, hex_r, NULL) != 0)
		hex_r[0] = '\0';
	hex_r[UIDL_HASH_HEX] = '\0';
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
		const struct uidl_entry *e = fetch_entry(r, i);
		struct ret_msg *pm = &r->plan[i];

		pm->num = m->num;
		pm->size = m->size;
		pm->known = 0;
		if (r->seen[i] & (SEEN_ADOPTED | SEEN_PEER)) {
			pm->known = 1; /* a dry run's adoptions */
			continue;
		}
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
	if (strncmp(got, want, UIDL_HASH_HEX) == 0) {
		r->seen[i] |= SEEN_VERIFIED;
		if (!r->opts->dry_run &&
		    uidl_confirmed(r->db, m->uidl, m->size, &err) != PM_OK)
			fetch_warn(r, "%s", err.msg);
		return;
	}
	r->seen[i] |= SEEN_OTHER;
	esc = log_escape(m->uidl, strlen(m->uidl), 80);
	fetch_warn(r,
		   "the server reuses unique id %s for a different "
		   "message (its header is not the stored one's); "
		   "fetching it as new",
		   esc);
	free(esc);
}

/* Ask the server for the header of each message marked in check[] and
 * judge it.  A server without TOP leaves them unverified. */
static enum pm_status
verify(struct run *r, const unsigned char *check, struct pm_err *err)
{
	char(*got)[HDRHASH_HEX + 1];
	enum pm_status st;
	struct pick pk;

	fetch_pick(r, check, &pk);
	got = xcalloc(pk.n + 1, sizeof(*got));
	st = verify_headers(r->p, pk.nums, pk.uidls, pk.n, got, err);
	if (st == PM_UNAVAILABLE) {
		fetch_warn(r, "the server does not answer TOP, so popmuch "
			      "cannot check that a known unique id still "
			      "names the message it stored; it relies on "
			      "UIDL and size alone");
		st = PM_OK;
	}
	for (size_t k = 0; k < pk.n && st == PM_OK; k++)
		judge(r, pk.idx[k], got[k]);
	free(got);
	fetch_pick_free(&pk);
	return st;
}

/* Is e (a message's entry, or NULL) one adopted from a peer's record
 * (never deleted, so never worth a header check)? */
static int
adopted(const struct uidl_entry *e)
{
	return e != NULL && strcmp(e->file, UIDL_NO_FILE) == 0;
}

/* An account's first run: what another client (mpop, fetchmail,
 * getmail6) recorded as downloaded from this mailbox is adopted, not
 * fetched again: journaled with no file (UIDL_NO_FILE) and its
 * first-seen time, so 'keep 30d' counts from the peer's.  popmuch never
 * deletes such a message: a peer's record alone does not show that a
 * copy exists (doc/HACKING.md). */
static enum pm_status
adopt_peers(struct run *r, struct pm_err *err)
{
	struct adopt_set *set;
	enum pm_status st;
	char *files = NULL;
	size_t n = 0;

	if (uidl_count(r->db) != 0 || !r->server_uidl || r->nmsgs == 0)
		return PM_OK;
	set = adopt_set_new();
	st = adopt_load_account(set, r->acct, &files, err);
	for (size_t i = 0; st == PM_OK && i < r->nmsgs; i++) {
		const struct pop3_msg *m = &r->msgs[i];
		const struct adopt_entry *a = adopt_lookup(set, m->uidl);

		if (a == NULL)
			continue;
		n++;
		if (r->opts->dry_run) {
			r->seen[i] |= SEEN_PEER;
			r->plan[i].first_seen =
			    a->first_seen >= 0 ? a->first_seen : r->now;
			continue;
		}
		st = uidl_intent_nosync(r->db, m->uidl, m->size,
					a->first_seen >= 0 ? a->first_seen
							   : r->now,
					UIDL_NO_FILE, NULL, err);
		if (st == PM_OK)
			st = uidl_delivered(r->db, m->uidl, err);
	}
	if (st == PM_OK && n > 0 && !r->opts->dry_run)
		st = uidl_sync(r->db, err);
	if (st == PM_OK && n > 0) {
		files[strcspn(files, "\n")] = '\0';
		fetch_warn(r,
			   "%s %zu message(s) that %s records as downloaded: "
			   "they are not fetched again, and popmuch leaves "
			   "them on the server",
			   r->opts->dry_run ? "would adopt" : "adopted", n,
			   files);
	}
	free(files);
	adopt_set_free(&set);
	return st;
}

struct filter_ctx {
	struct run *r;
	const size_t *idx;
	int no_delete; /* the run deletes nothing (a damaged journal) */
};

/* One message's header: what mpop's filter says of it. */
static void
filter_one(void *ctx, size_t k, const char *header, size_t len)
{
	struct filter_ctx *f = ctx;
	struct ret_msg *pm = &f->r->plan[f->idx[k]];
	enum filter_verdict v;
	struct pm_err err;

	if (filter_run(f->r->acct->filter, header, len, pm->size, &v, &err) !=
	    PM_OK) {
		/* a failing filter fetches the message: nothing is lost */
		fetch_warn(
		    f->r, "filter: %s; message %" PRIu32 " is fetched as usual",
		    err.msg, pm->num);
		return;
	}
	if (v == FILTER_KILL && !f->no_delete) {
		pm->fetch = 0;
		pm->dele = 1;
		pm->killed = 1;
	} else if (v != FILTER_FETCH) {
		pm->fetch = 0;
		pm->dele = 0;
		pm->skipped = 1;
	}
}

/* mpop's filter (filter.h): run on the header (TOP n 0) of each message
 * the plan would fetch.  Exit 1 deletes it unread, as killsize does, by
 * the person's own rule (but not in a run that deletes nothing); exit 2
 * leaves it on the server. */
static enum pm_status
run_filter(struct run *r, int no_delete, struct pm_err *err)
{
	struct filter_ctx f = {r, NULL, no_delete};
	enum pm_status st;
	struct pick pk;

	fetch_pick(r, NULL, &pk);
	f.idx = pk.idx;
	st = verify_each_header(r->p, pk.nums, pk.uidls, pk.n, filter_one, &f,
				err);
	fetch_pick_free(&pk);
	return st;
}

/* The plan (retention.c), made twice when headers must be checked: a
 * known UIDL with another size or still listed after its deletion, and
 * every known message the first plan would delete without fetching it,
 * is checked against the header recorded when it was stored (the rule
 * for DELE in doc/HACKING.md).  On a server that changes nothing, this
 * asks nothing. */
enum pm_status
plan_make(struct run *r, struct pm_err *err)
{
	unsigned char *check = xcalloc(r->nmsgs + 1, 1);
	struct ret_policy pol;
	enum pm_status st = PM_OK;
	int first = uidl_count(r->db) == 0;
	const char *why;
	size_t n = 0;
	int planned = 0;

	r->plan = xcalloc(r->nmsgs ? r->nmsgs : 1, sizeof(*r->plan));
	r->seen = xcalloc(r->nmsgs + 1, 1);
	if ((st = adopt_peers(r, err)) != PM_OK ||
	    (first && (st = adopt_local(r, err)) != PM_OK)) {
		free(check);
		return st;
	}
	/* One lookup per message: the entries stay valid (uidl.h) while
	 * the plan is made, twice when headers were checked between. */
	policy(r, &pol);
	if (uidl_damaged(r->db, &why))
		fetch_warn(r,
			   "%s; nothing will be deleted on the server in "
			   "this run",
			   why);
	if (r->server_uidl || r->acct->uidl_fingerprint) {
		classify(r, check);
		retention_plan(r->plan, r->nmsgs, &pol, r->now);
		for (size_t i = 0; i < r->nmsgs; i++) {
			if (r->plan[i].dele && r->plan[i].known &&
			    !r->plan[i].fetch && !r->plan[i].killed &&
			    !adopted(fetch_entry(r, i)) &&
			    !(r->seen[i] & SEEN_VERIFIED))
				check[i] = 1;
			n += check[i];
		}
		/* fingerprints are header hashes already */
		if (n > 0 && r->server_uidl)
			st = verify(r, check, err);
		else if (n > 0)
			for (size_t i = 0; i < r->nmsgs; i++)
				r->seen[i] |= check[i] ? SEEN_TRUSTED : 0;
		/* nothing to check: seen[] is as it was, so the plan just
		 * made is the one a second pass would make */
		planned = n == 0;
	}
	free(check);
	if (st != PM_OK)
		return st;
	if (!planned) {
		classify(r, NULL);
		retention_plan(r->plan, r->nmsgs, &pol, r->now);
	}
	for (size_t i = 0; i < r->nmsgs; i++)
		if (!r->plan[i].killed &&
		    (adopted(fetch_entry(r, i)) || (r->seen[i] & SEEN_PEER)))
			r->plan[i].dele = 0; /* plan_deletable() refuses it */
	return r->acct->filter != NULL ? run_filter(r, pol.no_delete, err)
				       : PM_OK;
}

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
int
plan_deletable(struct run *r, size_t i)
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
	if (adopted(e))
		return 0; /* no copy here to vouch for it */
	return e != NULL && e->state == UIDL_DELIVERED && !e->refused &&
	       (r->seen[i] & (SEEN_VERIFIED | SEEN_TRUSTED)) &&
	       (e->indexed || stored_as_mail(r, e));
}
