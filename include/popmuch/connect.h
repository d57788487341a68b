/* connect.h: from an account's settings to a POP3 session, before login.
 *
 * The steps every connection takes, fetch's and probe's alike: TCP with
 * the account's timeout and source address, implicit TLS or STLS
 * (refusing to go on when STLS is missing), CAPA, the pipelining
 * setting.  Never prints. */
#ifndef POPMUCH_CONNECT_H
#define POPMUCH_CONNECT_H

#include "popmuch/config.h"
#include "popmuch/err.h"

struct pop3;

/* Connect to acct's server (on account_port()) and read its greeting
 * and capabilities.  No credential is sent.  On failure *p_r may still
 * hold a session (the greeting was read) to free with pop3_free().
 * Returns: PM_OK; PM_UNAVAILABLE when STLS is needed and not offered
 * (*p_r then holds the plain session, still usable); from the steps:
 * PM_NETWORK, PM_TIMEOUT, PM_TLS, PM_CERT (refused certificate),
 * PM_PROTOCOL. */
enum pm_status connect_account(const struct account *acct, struct pop3 **p_r,
			       struct pm_err *err);

#endif
