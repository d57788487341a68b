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

struct probe_report {
	char *host;
	unsigned port;
	const char *tls_mode;   /* "implicit TLS", "STLS", "none" */
	char *greeting;         /* escaped */
	char *capa;             /* escaped, one capability per line */
	int tls;                /* TLS was established */
	struct net_tls_info tls_info;
	char *cert_problem;     /* why verification refused it, or NULL */
	char *sasl;             /* offered SASL mechanisms */
	int user_cmd, apop;     /* USER, APOP offered */
	const char *auth_method; /* what "auth on" (or the config) picks */
	int login_tried, login_ok;
	char *login_error;
	int stat_ok;
	uint32_t count;
	uint64_t size;
	int uidl, pipelining, top;
	char **warnings;
	size_t nwarnings;
};

/* Probe acct (when not NULL) or the bare target "HOST[:PORT]" (port 995
 * means implicit TLS, anything else STLS when offered).  Logs in only
 * for an account.  rep is filled even on failure, as far as the probe
 * got; the caller frees it with probe_report_free().  Returns the
 * status of the first step that failed (certificate problems are
 * reported as warnings and the probe goes on without verification). */
enum pm_status probe_run(const struct account *acct, const char *target,
			 struct probe_report *rep, struct pm_err *err);

void probe_report_free(struct probe_report *rep);

#endif
