/* token.h: an account's OAuth2 tokens, kept between runs.
 *
 * One record per account: the refresh token, the cached access token and
 * its expiry, and when the refresh token was obtained and last used.  It
 * lives in the Secret Service key ring (libsecret; attributes
 * popmuch-account=NAME) when a session bus with a Secret Service is
 * there, else in the 0600 file $XDG_STATE_HOME/popmuch/NAME/oauth2-token.
 * It never goes into the config file, a log or the process list; a
 * rotated refresh token replaces the old one atomically (the file by
 * rename, the key ring item in one call).
 *
 * token_access() is what the fetch path calls: it never prompts and never
 * opens a browser. */
#ifndef POPMUCH_TOKEN_H
#define POPMUCH_TOKEN_H

#include <stdint.h>

#include "popmuch/config.h"
#include "popmuch/err.h"
#include "popmuch/oauth2.h"

/* An access token this close to its expiry is refreshed first. */
#define TOKEN_EXPIRY_MARGIN 120
/* status warns when the refresh token has not been used for this many
 * days (Microsoft drops one after 90 days without use). */
#define TOKEN_IDLE_WARN_DAYS 60
#define TOKEN_IDLE_LIMIT_DAYS 90

/* Store a fresh grant (from popmuch auth) for acct, replacing any older
 * record.  *backend_r (may be NULL) is "the key ring" or the file's path,
 * borrowed until the thread's next call.
 * Returns: PM_OK; PM_NOPERM when t has no refresh token (nothing stored:
 * cron could not go on); PM_IOERR, PM_NOSPACE, PM_CANTCREAT when it
 * cannot be written. */
enum pm_status token_store_grant(const struct account *acct,
				 const struct oauth2_tokens *t,
				 const char **backend_r, struct pm_err *err);

/* The access token for acct (*access_r, freed with xfree_secret): the
 * cached one while it is valid for TOKEN_EXPIRY_MARGIN more seconds and
 * force_refresh is 0, else a refreshed one (a rotated refresh token is
 * stored before this returns).  Never prompts.
 * Returns: PM_OK; PM_NOPERM with "run 'popmuch auth NAME'" in err when
 * there is no record or the provider refuses the refresh token (the
 * record is left as it was); PM_DATAERR for a damaged record; PM_IOERR,
 * PM_NOSPACE, PM_CANTCREAT from the store; the other statuses of
 * oauth2_refresh(). */
enum pm_status token_access(const struct account *acct, int force_refresh,
			    char **access_r, struct pm_err *err);

struct token_info {
	int present;		  /* a record exists */
	char backend[64];	  /* "key ring" or "file" */
	int64_t access_expires;	  /* 0: none cached */
	int64_t refresh_obtained; /* when this refresh token came */
	int64_t refresh_used;	  /* last successful refresh, 0 never */
};

/* What status shows about acct's tokens; no secret in it.
 * Returns: PM_OK (present 0 when there is no record); PM_DATAERR for a
 * damaged record; PM_IOERR when the file cannot be read. */
enum pm_status token_info(const struct account *acct, struct token_info *info_r,
			  struct pm_err *err);

#endif
