/* probe.c: the POP3 audit behind "popmuch probe". */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "popmuch/auth.h"
#include "popmuch/fetch.h"
#include "popmuch/log.h"
#include "popmuch/pop3.h"
#include "popmuch/probe.h"
#include "popmuch/xmalloc.h"

static void
warn(struct probe_report *rep, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
warn(struct probe_report *rep, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		fatal("out of memory");
	va_end(ap);
	rep->warnings = xreallocarray(rep->warnings, rep->nwarnings + 1,
				      sizeof(*rep->warnings));
	rep->warnings[rep->nwarnings++] = s;
}

/* An account for a bare "HOST[:PORT]": TLS on, implicit on 995. */
static void
bare_account(struct account *a, const char *target, char **host_r)
{
	const char *colon = strrchr(target, ':');
	unsigned port = 995;

	if (colon != NULL && strchr(target, ']') == NULL &&
	    strchr(target, ':') == colon) {
		port = (unsigned)strtoul(colon + 1, NULL, 10);
		*host_r = xstrndup(target, (size_t)(colon - target));
	} else {
		*host_r = xstrdup(target);
	}
	memset(a, 0, sizeof(*a));
	a->name = (char *)"probe";
	a->host = *host_r;
	a->port = port ? port : 995;
	a->timeout = 30;
	a->tls = 1;
	a->tls_starttls = a->port != 995;
	a->tls_certcheck = 1;
	a->pipelining = CFG_AUTO;
	a->keep = CFG_KEEP_ON;
	a->keep_max = -1;
}

static void
describe_caps(struct probe_report *rep, const struct pop3_caps *c)
{
	rep->sasl = xstrdup(c->sasl);
	rep->user_cmd = c->user;
	rep->apop = c->apop_ts[0] != '\0';
	rep->uidl = c->uidl;
	rep->pipelining = c->pipelining;
	rep->top = c->top;
	rep->capa = xasprintf("%s%s%s%s%s%s%s%s%s",
			      c->capa ? "" : "(CAPA not supported)",
			      c->top ? "TOP " : "", c->user ? "USER " : "",
			      c->uidl ? "UIDL " : "",
			      c->pipelining ? "PIPELINING " : "",
			      c->stls ? "STLS " : "",
			      c->resp_codes ? "RESP-CODES " : "",
			      c->sasl[0] ? "SASL " : "", c->sasl);
	if (c->expire == 0)
		warn(rep, "the server announces EXPIRE 0: it deletes mail "
			  "once downloaded, so other clients will not see it");
	if (c->login_delay > 0)
		warn(rep, "the server allows a login only every %d seconds "
			  "(LOGIN-DELAY)", c->login_delay);
}

/* Connect, retrying without verification when the certificate is
 * refused, so the audit can still show what the server presents. */
static enum pm_status
probe_connect(struct account *a, struct probe_report *rep, struct pop3 **p,
	      struct pm_err *err)
{
	enum pm_status st = fetch_connect(a, p, err);

	if (st == PM_CERT) {
		rep->cert_problem = xstrdup(err->msg);
		pop3_free(p);
		a->tls_certcheck = 0;
		a->tls_fingerprint = NULL;
		st = fetch_connect(a, p, err);
	}
	return st;
}

static void
tls_warnings(struct probe_report *rep, const struct account *a)
{
	time_t now = time(NULL);

	if (!rep->tls) {
		warn(rep, "no TLS: the password and your mail cross the "
			  "network in clear");
		return;
	}
	if (rep->tls_info.not_after != 0 &&
	    rep->tls_info.not_after - now < 30 * 86400)
		warn(rep, "the server's certificate expires in %ld day(s)",
		     (long)((rep->tls_info.not_after - now) / 86400));
	if (rep->cert_problem != NULL)
		warn(rep, "the certificate would be refused: %s",
		     rep->cert_problem);
	(void)a;
}

static void
login(const struct account *a, struct pop3 *p, struct probe_report *rep)
{
	struct pm_err err;
	int clear;

	rep->auth_method = auth_choose(a, pop3_caps(p), rep->tls, &err);
	if (rep->auth_method == NULL) {
		rep->login_error = xstrdup(err.msg);
		return;
	}
	rep->login_tried = 1;
	if (auth_login(p, a, rep->tls, &clear, &err) != PM_OK) {
		rep->login_error = xstrdup(err.msg);
		return;
	}
	rep->login_ok = 1;
	rep->stat_ok = pop3_stat(p, &rep->count, &rep->size, &err) == PM_OK;
	if (!rep->uidl)
		rep->uidl = pop3_cmd(p, "UIDL 1", 0, NULL, &err) == PM_OK;
}

enum pm_status
probe_run(const struct account *acct, const char *target,
	  struct probe_report *rep, struct pm_err *err)
{
	struct account a;
	struct pop3 *p = NULL;
	char *host = NULL;
	enum pm_status st;

	memset(rep, 0, sizeof(*rep));
	if (acct != NULL)
		a = *acct;
	else
		bare_account(&a, target, &host);
	rep->host = xstrdup(a.host);
	rep->port = fetch_default_port(&a);
	rep->tls_mode = !a.tls ? "none" : a.tls_starttls ? "STLS"
							 : "implicit TLS";
	st = probe_connect(&a, rep, &p, err);
	if (p != NULL) {
		rep->tls = net_is_tls(pop3_conn(p));
		if (rep->tls)
			(void)net_tls_info(pop3_conn(p), &rep->tls_info);
		describe_caps(rep, pop3_caps(p));
		rep->greeting = xstrdup(pop3_greeting(p));
	}
	if (st == PM_OK) {
		tls_warnings(rep, &a);
		if (acct != NULL)
			login(&a, p, rep);
		if (acct != NULL && !rep->uidl && a.keep != CFG_KEEP_OFF)
			warn(rep, "no UIDL, but 'keep' is on: popmuch will "
				  "refuse to fetch (it could not tell old "
				  "mail from new)");
		if (acct != NULL && a.keep == CFG_KEEP_OFF)
			warn(rep, "'keep off': mail is deleted from the "
				  "server once stored, so the only copy will "
				  "be local: back it up");
		(void)pop3_quit(p, err);
	}
	pop3_free(&p);
	free(host);
	return st;
}

void
probe_report_free(struct probe_report *rep)
{
	free(rep->host);
	free(rep->greeting);
	free(rep->capa);
	free(rep->cert_problem);
	free(rep->sasl);
	free(rep->login_error);
	for (size_t i = 0; i < rep->nwarnings; i++)
		free(rep->warnings[i]);
	free(rep->warnings);
	memset(rep, 0, sizeof(*rep));
}
