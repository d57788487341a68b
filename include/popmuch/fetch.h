/* fetch.h: the order of operations for fetching accounts.
 *
 * fetch_account() follows the safety contract of doc/HACKING.md: lock,
 * recover, connect, TLS, login, list, plan, RETR into the Maildir,
 * journal, index, DELE, QUIT.  It never prints; it reports through
 * struct fetch_events. */
#ifndef POPMUCH_FETCH_H
#define POPMUCH_FETCH_H

#include <stddef.h>
#include <stdint.h>

#include "popmuch/config.h"
#include "popmuch/err.h"
#include "popmuch/index.h"

struct fetch_result {
	const char *account; /* borrowed */
	enum pm_status status;
	struct pm_err err;
	uint32_t on_server; /* messages on the server at the start */
	uint32_t to_fetch;
	uint32_t fetched;
	uint64_t bytes;
	uint32_t deleted;	/* confirmed by QUIT +OK */
	uint32_t kept;		/* left on the server */
	uint32_t skipped;	/* over skipsize */
	uint32_t index_pending; /* delivered but not yet indexed */
	uint32_t refused;	/* the server would not send them (RETR -ERR) */
	uint32_t not_mail;  /* stored, but notmuch refused them as not email */
	int told;	    /* a refusal was reported in this run */
	int quiet;	    /* the status needs no message: what failed was
			     * reported recently (failing.h) */
	int warn_cleartext; /* password went out without TLS (explicit) */
	/* the indexer's counters: one indexer serves every account of a
	 * run, so they are the same in each result */
	struct index_stats index;
};

/* Callbacks may run on any thread, never two at once for one account.
 * Any may be NULL. */
struct fetch_events {
	/* after the plan is made */
	void (*planned)(void *ctx, const char *account, uint32_t to_fetch,
			uint64_t bytes_total, uint32_t to_delete);
	/* after each delivered message */
	void (*progress)(void *ctx, const char *account, uint32_t done,
			 uint64_t bytes_done);
	/* --dry-run: one call per message that would be downloaded
	 * ("fetch") or deleted ("delete") */
	void (*would)(void *ctx, const char *account, const char *what,
		      uint32_t num, const char *uidl, uint64_t size);
	/* a warning worth showing the user (already escaped) */
	void (*warning)(void *ctx, const char *account, const char *msg);
	/* the account is finished */
	void (*done)(void *ctx, const struct fetch_result *res);
	void *ctx;
};

struct fetch_opts {
	int dry_run;
	int wait_lock;	   /* --wait */
	int index_timeout; /* seconds to wait for the notmuch lock */
	int parallel;	   /* accounts at once (default 4) */
	const struct fetch_events *events;
};

/* Fetch the given accounts (all of cfg's when n is 0), up to
 * opts->parallel at once.  results_r gets one result per account, in
 * order (caller frees the array).  Returns the worst status. */
enum pm_status fetch_accounts(const struct config *cfg, char *const *names,
			      size_t n, const struct fetch_opts *opts,
			      struct fetch_result **results_r,
			      size_t *nresults_r, struct pm_err *err);

/* Index what earlier runs delivered but could not index ("popmuch
 * index").  Returns the worst status. */
enum pm_status fetch_catch_up_index(const struct config *cfg,
				    const struct fetch_opts *opts,
				    struct fetch_result **results_r,
				    size_t *nresults_r, struct pm_err *err);

#endif
