/* secret.h: where a password comes from, and keeping it out of sight.
 *
 * Order: "password" from the config, else "passwordeval" (run only now,
 * when the password is needed), else ~/.netrc (machine host login user),
 * else a prompt without echo when stdin is a terminal.  Returned secrets
 * are wiped and freed with xfree_secret(). */
#ifndef POPMUCH_SECRET_H
#define POPMUCH_SECRET_H

#include "popmuch/config.h"
#include "popmuch/err.h"

/* Get the password (or OAuth2 token) for acct.  *secret_r is a new
 * string the caller frees with xfree_secret().  passwordeval: the first
 * line its command prints; the command must print it and exit within
 * acct->timeout seconds, else it is stopped (SIGTERM, then SIGKILL) and
 * reaped; what it leaves running in the background is not waited for.
 * Returns PM_OK; PM_NOPERM when none can be found; PM_CONFIG when
 * passwordeval fails (its exit status in err, never its output);
 * PM_TIMEOUT when it overran; PM_TEMPFAIL when a stop was requested
 * (stop.h) while it ran; PM_SOFTWARE when the configured password was
 * already wiped by secret_forget(). */
enum pm_status secret_get(const struct account *acct, char **secret_r,
			  struct pm_err *err);

/* Wipe the password the configuration holds for acct (in place: it
 * reads as "" from then on).  auth_login() calls it after logging in, so
 * that a "password" line is not in memory for the rest of the run. */
void secret_forget(const struct account *acct);

/* Run cmd through /bin/sh -c as passwordeval does: its first output
 * line is the secret (*secret_r, freed with xfree_secret()); it must
 * print it and exit within timeout seconds.
 * Returns: PM_OK; PM_CONFIG when it cannot run, fails or prints nothing
 * (its exit status in err, never its output); PM_TIMEOUT when it
 * overran; PM_TEMPFAIL when a stop was requested (stop.h). */
enum pm_status secret_eval(const char *cmd, int timeout, char **secret_r,
			   struct pm_err *err);

/* Look up host/user in the netrc file at path.  Returns a new string or
 * NULL.  Exported for tests. */
char *secret_netrc_lookup(const char *path, const char *host, const char *user);

#endif
