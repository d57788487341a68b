/* auth.h: logging in to a POP3 server.
 *
 * USER/PASS, APOP, and SASL (RFC 5034) through GNU SASL: PLAIN, LOGIN,
 * CRAM-MD5, SCRAM-SHA-1, SCRAM-SHA-256, XOAUTH2, OAUTHBEARER, EXTERNAL.
 * "auth on" picks the strongest offered mechanism; without TLS it never
 * picks one that reveals the password, and never APOP. */
#ifndef POPMUCH_AUTH_H
#define POPMUCH_AUTH_H

#include "popmuch/config.h"
#include "popmuch/err.h"
#include "popmuch/pop3.h"

/* Pick the method for acct given the server's capabilities and whether
 * the connection is encrypted: one of "user", "apop", or a SASL
 * mechanism name in upper case.  Returns a static string, or NULL with
 * err set (PM_CONFIG or PM_UNAVAILABLE) when none fits. */
const char *auth_choose(const struct account *acct,
			const struct pop3_caps *caps, int tls,
			struct pm_err *err);

/* Authenticate on p as acct, fetching the secret through secret_get()
 * only when needed.  Sends no credential over a connection without TLS
 * unless acct->auth names a clear-text method explicitly (then
 * warn_cleartext_r is set so the caller can warn).
 * Returns: PM_OK; PM_NOPERM when the server refuses the credentials;
 * PM_CONFIG for a missing user, an unknown method, a method that needs
 * TLS, a secret with a line break, or secret_get()'s PM_CONFIG;
 * PM_UNAVAILABLE when the server offers no usable method; PM_PROTOCOL
 * for a malformed or incomplete SASL exchange; PM_NETWORK, PM_TIMEOUT or
 * PM_TLS from the connection; PM_SOFTWARE when GNU SASL fails. */
enum pm_status auth_login(struct pop3 *p, const struct account *acct, int tls,
			  int *warn_cleartext_r, struct pm_err *err);

#endif
