/* status.h: what "popmuch status" shows for an account.
 *
 * Read from the account's state directory without taking the lock (a
 * running fetch is shown as such).  Never prints. */
#ifndef POPMUCH_STATUS_H
#define POPMUCH_STATUS_H

#include <stdint.h>

#include "popmuch/config.h"
#include "popmuch/err.h"

struct status_info {
	int has_run;             /* a last-run file exists */
	int64_t last_time;
	char last_status[32];    /* "OK", "NETWORK", ... */
	char last_message[512];
	uint32_t on_server, kept, fetched, deleted;
	int running;             /* the account lock is held now */
	uint64_t journal_entries; /* messages known (delivered or kept) */
	uint64_t index_pending;   /* delivered, not yet indexed */
	uint64_t due_now;         /* retention would delete at the next run */
	int64_t next_due;         /* when the next one falls due, 0 if none */
};

/* Collect the status of acct. */
enum pm_status status_collect(const struct account *acct,
			      struct status_info *info, struct pm_err *err);

#endif
