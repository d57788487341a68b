/* status.h: what "popmuch status" shows for an account.
 *
 * Read from the account's state directory and its Maildir; contacts no
 * server.  Never prints. */
#ifndef POPMUCH_STATUS_H
#define POPMUCH_STATUS_H

#include <limits.h>
#include <stdint.h>

#include "popmuch/config.h"
#include "popmuch/err.h"
#include "popmuch/token.h"

struct status_info {
	int has_run; /* a last-run file exists */
	int64_t last_time;
	char last_status[32]; /* "OK", "NETWORK", ... */
	char last_message[PM_ERR_MSG_MAX];
	uint32_t on_server, kept, fetched, deleted;
	int running;		  /* a popmuch holds the account now */
	uint64_t journal_entries; /* messages known (delivered or kept) */
	uint64_t index_pending;	  /* delivered, not yet indexed */
	uint64_t due_now;	  /* retention would delete at the next run */
	int64_t next_due;	  /* when the next one falls due, 0 if none */
	/* added later, kept at the end */
	int64_t maildir_count;	 /* messages in new/ and cur/, -1 unknown */
	char maildir[PATH_MAX];	 /* the account's Maildir, "" unknown */
	uint64_t not_mail;	 /* stored, refused by notmuch, kept on the
				  * server */
	uint64_t failing;	 /* the server would not send them */
	int64_t failing_since;	 /* the earliest of those first failed */
	char no_pipelining[512]; /* why pipelining stays off, "" if not */
	char damaged[512];	 /* why the journal is damaged, "" if not */
	/* OAuth2 accounts (oauth2_provider): the token record, no secret */
	int oauth2;		 /* the account uses OAuth2 */
	struct token_info token; /* token.present 0: no token yet */
	int token_idle_days;	 /* days since the refresh token was last
				  * obtained or used */
	int token_warn;		 /* idle for TOKEN_IDLE_WARN_DAYS or more */
};

/* Collect the status of acct.  The journal is read without the account
 * lock (uidl_open_readonly), so a fetch starting meanwhile is never
 * refused; a running fetch is shown as running.  The
 * Maildir is found through notmuch's configuration when the account
 * names none, and counted only when that works.
 * Returns: PM_OK; PM_CONFIG when no state directory can be named
 * (account_state_dir()); PM_DATAERR or PM_IOERR when last-run cannot be
 * read (lastrun_read(); a missing one is no error); uidl_open_readonly()'s
 * status when the journal cannot be read. */
enum pm_status status_collect(const struct account *acct,
			      struct status_info *info, struct pm_err *err);

#endif
