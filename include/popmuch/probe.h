/* probe.h: "popmuch probe", the POP3 audit.
 *
 * Connects and collects what a person needs to judge a server, without
 * downloading mail.  Never prints: main.c prints the report. */
#ifndef POPMUCH_PROBE_H
#define POPMUCH_PROBE_H

#include <stddef.h>
#include <stdint.h>

#include "popmuch/config.h"
#include "popmuch/err.h"
#include "popmuch/net.h"

/* Days before a certificate's expiry from which probe warns. */
#define PROBE_EXPIRY_WARN_DAYS 14

struct probe_report {
	char *host;
	unsigned port;
	const char *tls_mode; /* "implicit TLS", "STLS", "none" (static) */
	char *greeting;	      /* escaped; NULL before the greeting */
	char *capa;	      /* escaped, space-separated; NULL when the
			       * probe never got as far as CAPA */
	int tls;	      /* TLS was established */
	struct net_tls_info tls_info;
	char *cert_problem;	 /* why verification refused it, or NULL */
	char *sasl;		 /* offered SASL mechanisms */
	int user_cmd, apop;	 /* USER, APOP offered */
	const char *auth_method; /* what "auth on" (or the config) picks */
	int login_tried, login_ok;
	char *login_error; /* why the login failed or was not tried */
	int stat_ok;
	uint32_t count;
	uint64_t size;
	int uidl; /* 1 yes, 0 no, -1 unknown (no CAPA and
		   * no message to try UIDL on) */
	int pipelining, top;
	char **warnings;
	size_t nwarnings;
	/* added later, kept at the end */
	int stls_offered; /* the server announced STLS before TLS */
	int expire;	  /* EXPIRE days, -1 never or not announced */
};

/* Probe acct (when not NULL) or the bare target "HOST[:PORT]" (no port
 * or 995: implicit TLS; 110: STLS, or no TLS when the server does not
 * offer it; any other port: implicit TLS tried first, then STLS).  Logs
 * in only for an account, and never over a connection whose
 * certificate would be refused.  rep is filled even on failure, as far
 * as the probe got; the caller frees it with probe_report_free().
 *
 * Returns: PM_USAGE (rep left empty: rep->host NULL) when a bare
 * target's port is not a number from 1 to 65535; else the status
 * "popmuch fetch" would meet on the way to the
 * mailbox: PM_OK; the first connection step that failed (PM_NETWORK,
 * PM_TIMEOUT, PM_TLS, PM_PROTOCOL, PM_CONFIG; PM_UNAVAILABLE when STLS is
 * needed and missing); PM_CERT when the account's certificate checks
 * would refuse the server; the login's status (PM_NOPERM, PM_CONFIG,
 * PM_UNAVAILABLE when no method fits).  For a bare host a refused
 * certificate is only a warning (the probe goes on without verification
 * and returns PM_OK), and a plain port without STLS is audited as it is. */
enum pm_status probe_run(const struct account *acct, const char *target,
			 struct probe_report *rep, struct pm_err *err);

void probe_report_free(struct probe_report *rep);

#endif
