/* fetch-int.h: what the steps of one account's fetch share (fetch.c,
 * plan.c, retrieve.c): the run of one account and its helpers.  Not an
 * interface for other modules: everything outside goes through fetch.h. */
#ifndef POPMUCH_FETCH_INT_H
#define POPMUCH_FETCH_INT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "popmuch/err.h"
#include "popmuch/fetch.h"

/* A body may exceed twice its LIST size by this much before it is cut
 * off as endless, and may take 'timeout' seconds per FETCH_SLOW_BYTES
 * (plus two) before it is cut off as trickling: 180 s per 32 KB is
 * 180 bytes/s, slower than any real link. */
#define FETCH_BODY_SLACK ((uint64_t)64 << 20)
#define FETCH_SLOW_BYTES 32768

/* The indexer is fed before a batch is full as soon as it is idle, but
 * early deliveries are spaced FETCH_FEED_RATIO times the last one's
 * duration apart (each costs two syncs); without pipelining (a delivery
 * costs a round trip) only when the first waiting message has waited
 * FETCH_FEED_SLOW_MS too (retrieve.c). */
#define FETCH_FEED_RATIO 20
#define FETCH_FEED_SLOW_MS 1000

/* What this session knows of message i beyond the journal. */
enum {
	SEEN_STORED = 1,   /* retrieved, fenced and delivered now */
	SEEN_VERIFIED = 2, /* its header matched the stored copy's */
	SEEN_TRUSTED = 4,  /* no header to compare: UIDL and size only */
	SEEN_NOT_MAIL = 8, /* stored, but does not start like a message */
	SEEN_OTHER = 16,   /* its header is not the stored copy's: a new
			    * message under a reused UIDL */
	SEEN_ADOPTED = 32, /* --dry-run: would be adopted (adopt-local.c),
			    * known though nothing is journaled */
	SEEN_PEER = 64,	   /* --dry-run: would be adopted from a peer's
			    * record (known, never deleted) */
};

struct indexer;
struct uidl_db;
struct maildir;
struct pop3;
struct pop3_msg;
struct ret_msg;
struct delivery;
struct failing;

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
	int server_uidl; /* the UIDLs are the server's (not fp-) */
	struct ret_msg *plan;
	size_t *fetch_idx;   /* indexes into msgs of what to fetch */
	unsigned char *seen; /* per message: SEEN_* */
	int network; /* a session with the server (not "popmuch index") */
	char *first_refusal; /* what the server said of the first RETR -ERR */
	/* the message being received (see sink_begin) */
	size_t cur; /* index into fetch_idx */
	uint64_t cur_bytes, cur_max;
	time_t cur_deadline;
	struct timespec batch_t0;  /* when the first waiting message ended */
	struct timespec flushed_t; /* the end of the last delivery (zero:
				    * none yet) */
	double flush_cost;	   /* how long it took, seconds */
};

/* Index cookies name the run and the UIDL. */
struct cookie {
	struct run *run;
	char *uidl;
	char *path;
};

/* A warning for the person (through the run's events). */
void fetch_warn(struct run *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Some of the run's messages, as pop3_retr() takes them: nums[k] and
 * (for the fences; NULL when the UIDLs are not the server's) uidls[k]
 * of message idx[k]. */
struct pick {
	uint32_t *nums;
	const char **uidls;
	size_t *idx;
	size_t n;
};

/* Pick the messages i with want[i] set, or, when want is NULL, those the
 * plan fetches.  Free with fetch_pick_free(). */
void fetch_pick(const struct run *r, const unsigned char *want,
		struct pick *p_r);
void fetch_pick_free(struct pick *p);

/* The journal's entry for message i now (NULL: none, or no UIDL),
 * without a lookup where the listing borrowed the journal's copy of its
 * UIDL (fetch.c). */
struct uidl_entry;
const struct uidl_entry *fetch_entry(const struct run *r, size_t i);

/* ---- settle.c: from delivered to indexed ---- */

/* Queue a delivered file for the indexer, with the account's tags. */
void fetch_submit_index(struct run *r, const char *uidl, const char *path);

/* Settle the entries an earlier run left unsettled: complete a delivery
 * that stopped between tmp/ and new/, forget one that never became
 * durable, queue delivered files never indexed; then sync the journal.
 * Returns: PM_OK, or the journal's and the Maildir's statuses (PM_IOERR,
 * PM_DATAERR). */
enum pm_status fetch_recover(struct run *r, struct pm_err *err);

/* Record in each account's journal what the indexer committed (indexed)
 * or refused as not email (kept on the server, named once); files that
 * failed stay pending for the next run. */
void fetch_apply_indexed(struct indexer *ix);

/* ---- plan.c: the rule for DELE (doc/HACKING.md) ---- */

/* Adopt the peers' records on an account's first run, then make the
 * plan (retention.c), checking headers (TOP n 0) where the rule needs.
 * Returns: PM_OK; the statuses of verify_headers() and the journal's;
 * PM_DATAERR or PM_IOERR for a peer's record that cannot be read. */
enum pm_status plan_make(struct run *r, struct pm_err *err);

/* May message i be deleted in this session? */
int plan_deletable(struct run *r, size_t i);

/* ---- adopt-local.c: messages already in the Maildir ---- */

/* An account's first run (after adopt_peers): each message the server
 * lists that the journal does not hold (or holds only from a peer's
 * record) and that notmuch has a file for in the account's Maildir, by
 * the Message-ID of its header (TOP n 0) and with the same header
 * (hdrhash_file_matches()), is journaled as delivered and indexed with
 * that file and the server's header hash, and marked SEEN_VERIFIED (a
 * dry run journals nothing: SEEN_ADOPTED).  An empty Maildir costs no
 * command.  A notmuch database that cannot be read adopts nothing, with
 * a warning.
 * Returns: PM_OK; the statuses of verify_each_header() and the
 * journal's. */
enum pm_status adopt_local(struct run *r, struct pm_err *err);

/* ---- retrieve.c: RETR into the Maildir ---- */

/* Retrieve what the plan fetches, fenced, in group commits (deliver.c).
 * Returns: PM_OK; the statuses of pop3_retr() and delivery_flush();
 * after replies out of step, PM_PROTOCOL (pipelining is then turned off
 * for the account, quirks.h). */
enum pm_status retrieve_run(struct run *r, struct pm_err *err);

/* --dry-run: report what the plan would fetch and delete. */
void retrieve_report_would(struct run *r);

#endif
