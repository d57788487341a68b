/* probe.c: the POP3 audit behind "popmuch probe".
 *
 * Its own connection sequence around connect_account(): the audit must see
 * a certificate that fetch would refuse, report a server without STLS
 * instead of stopping, and guess implicit TLS on an unknown port. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "popmuch/auth.h"
#include "popmuch/account.h"
#include "popmuch/connect.h"
#include "popmuch/log.h"
#include "popmuch/parse.h"
#include "popmuch/pop3.h"
#include "popmuch/pop3-list.h"
#include "popmuch/probe.h"
#include "popmuch/quirks.h"
#include "popmuch/xmalloc.h"

static void warn(struct probe_report *rep, const char *fmt, ...)
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

/* An account for a bare "HOST[:PORT]" or "[V6ADDR]:PORT": TLS on,
 * implicit on 995 (and without a port).  *guess_r is set for a port
 * that is neither 110 nor 995.  Returns -1 (*host_r still to free) when
 * PORT is not a number from 1 to 65535. */
static int
bare_account(struct account *a, const char *target, char **host_r, int *guess_r)
{
	const char *colon = strrchr(target, ':');
	unsigned long port = 995;
	int bad = 0;

	if (target[0] == '[' && colon != NULL && colon > target &&
	    colon[-1] == ']') {
		*host_r = xstrndup(target + 1, (size_t)(colon - target - 2));
		bad = parse_ulong(colon + 1, 65535, &port) != 0;
	} else if (colon != NULL && strchr(target, ':') == colon) {
		*host_r = xstrndup(target, (size_t)(colon - target));
		bad = parse_ulong(colon + 1, 65535, &port) != 0;
	} else {
		*host_r = xstrdup(target);
	}
	if (bad || port == 0)
		return -1;
	memset(a, 0, sizeof(*a));
	a->name = (char *)"probe";
	a->host = *host_r;
	a->port = (unsigned)port;
	a->timeout = 30;
	a->tls = 1;
	a->tls_starttls = port != 995;
	a->tls_certcheck = 1;
	a->pipelining = CFG_AUTO;
	a->keep = CFG_KEEP_ON;
	a->keep_max = -1;
	*guess_r = port != 995 && port != 110;
	return 0;
}

/* One attempt: TCP, implicit TLS or STLS as a says (connect_account, the
 * same steps a fetch takes).  *p_r holds the session even on failure
 * when the greeting was read; a missing STLS gives PM_UNAVAILABLE with
 * the session still usable. */
static enum pm_status
attempt(const struct account *a, struct probe_report *rep, struct pop3 **p_r,
	struct pm_err *err)
{
	enum pm_status st = connect_account(a, p_r, err);

	if (*p_r != NULL)
		rep->stls_offered = pop3_caps(*p_r)->stls;
	return st;
}

/* Connect as the account says (or guess for a bare host on an odd
 * port), and retry without verification when the certificate is
 * refused, so the audit can still show what the server presents. */
static enum pm_status
probe_connect(struct account *a, int guess, struct probe_report *rep,
	      struct pop3 **p, struct pm_err *err)
{
	enum pm_status st;

	if (guess)
		a->tls_starttls = 0;
	st = attempt(a, rep, p, err);
	if (guess && st != PM_OK && st != PM_CERT && *p == NULL) {
		/* Not TLS from the first byte: a plain POP3 port. */
		a->tls_starttls = 1;
		st = attempt(a, rep, p, err);
	}
	if (st == PM_CERT) {
		rep->cert_problem = xstrdup(err->msg);
		pop3_free(p);
		a->tls_certcheck = 0;
		a->tls_fingerprint = NULL;
		st = attempt(a, rep, p, err);
	}
	rep->tls_mode = !a->tls		  ? "none"
			: a->tls_starttls ? "STLS"
					  : "implicit TLS";
	return st;
}

static void
describe_caps(struct probe_report *rep, const struct pop3_caps *c)
{
	size_t len;

	rep->sasl = xstrdup(c->sasl);
	rep->user_cmd = c->user;
	rep->apop = c->apop_ts[0] != '\0';
	rep->uidl = c->uidl ? 1 : -1;
	rep->pipelining = c->pipelining;
	rep->top = c->top;
	rep->expire = c->expire;
	rep->capa = xasprintf(
	    "%s%s%s%s%s%s%s%s%s%s", c->capa ? "" : "(CAPA not supported) ",
	    c->top ? "TOP " : "", c->user ? "USER " : "",
	    c->uidl ? "UIDL " : "", c->pipelining ? "PIPELINING " : "",
	    rep->stls_offered ? "STLS " : "",
	    c->resp_codes ? "RESP-CODES " : "",
	    c->auth_resp_code ? "AUTH-RESP-CODE " : "",
	    c->sasl[0] ? "SASL " : "", c->sasl);
	len = strlen(rep->capa);
	if (len > 0 && rep->capa[len - 1] == ' ')
		rep->capa[len - 1] = '\0';
	if (c->login_delay > 0)
		warn(rep,
		     "the server allows a login only every %d seconds "
		     "(LOGIN-DELAY): fetch no more often than that",
		     c->login_delay);
}

static void
tls_warnings(struct probe_report *rep)
{
	time_t now = time(NULL);
	long days;

	if (!rep->tls) {
		warn(rep,
		     "no TLS: the password and your mail cross the "
		     "network in clear%s",
		     rep->stls_offered ? " (the server offers STLS: use "
					 "'tls on')"
				       : "");
		return;
	}
	if (rep->cert_problem != NULL)
		warn(rep, "the certificate would be refused: %s",
		     rep->cert_problem);
	days = (long)((rep->tls_info.not_after - now) / 86400);
	if (rep->tls_info.not_after > now && days < PROBE_EXPIRY_WARN_DAYS)
		warn(rep,
		     "the server's certificate expires in %ld day(s), "
		     "on the date above: tell its administrator",
		     days);
}

/* Warnings about what the retention setting meets on this server. */
static void
keep_warnings(struct probe_report *rep, const struct account *a)
{
	if (rep->expire == 0)
		warn(rep, "the server announces EXPIRE 0: it deletes mail "
			  "once downloaded, whatever 'keep' says, so no "
			  "other client will see it");
	else if (rep->expire > 0 && a != NULL &&
		 (a->keep == CFG_KEEP_ON ||
		  (a->keep == CFG_KEEP_DAYS &&
		   a->keep_seconds > (int64_t)rep->expire * 86400)))
		warn(rep,
		     "the server deletes mail %d day(s) after it is "
		     "downloaded (EXPIRE), sooner than 'keep' asks",
		     rep->expire);
	if (a == NULL)
		return;
	if (rep->uidl == 0 && a->keep != CFG_KEEP_OFF)
		warn(rep, "no UIDL, but 'keep' is on: popmuch will refuse "
			  "to fetch (it could not tell old mail from new); "
			  "use 'keep off'");
	if (a->keep == CFG_KEEP_OFF)
		warn(rep, "'keep off': mail is deleted from the server once "
			  "stored, so the only copy will be local: back it "
			  "up");
}

static enum pm_status
login(const struct account *a, struct pop3 *p, struct probe_report *rep,
      struct pm_err *err)
{
	enum pm_status st;
	int clear;

	rep->auth_method = auth_choose(a, pop3_caps(p), rep->tls, err);
	if (rep->auth_method == NULL) {
		rep->login_error = xasprintf("not tried: %s", err->msg);
		return err->code;
	}
	rep->login_tried = 1;
	if ((st = auth_login(p, a, rep->tls, &clear, err)) != PM_OK) {
		rep->login_error = xstrdup(err->msg);
		return st;
	}
	rep->login_ok = 1;
	rep->stat_ok = pop3_stat(p, &rep->count, &rep->size, err) == PM_OK;
	/* Asked even when CAPA announces it: fetch meets the answer, not
	 * the announcement. */
	if (rep->stat_ok && rep->count > 0)
		rep->uidl = pop3_cmd(p, "UIDL 1", 0, NULL, err) == PM_OK;
	return PM_OK;
}

/* Log in (for an account) unless the certificate would be refused;
 * returns the status fetch would meet. */
static enum pm_status
check_account(const struct account *a, struct pop3 *p, struct probe_report *rep,
	      struct pm_err *err)
{
	if (rep->cert_problem != NULL) {
		rep->login_error = xstrdup("not tried: the certificate was "
					   "refused (popmuch fetch stops "
					   "there too)");
		return err_set(err, PM_CERT, "%s", rep->cert_problem);
	}
	return login(a, p, rep, err);
}

/* What earlier fetches learnt about the server (quirks.h). */
static void
learnt_warnings(struct probe_report *rep, const struct account *a)
{
	char *dir = NULL, *why = NULL;
	struct pm_err err;

	if (account_state_dir(a->name, &dir, &err) == PM_OK &&
	    quirks_no_pipelining(dir, &why))
		warn(rep,
		     "popmuch fetches this account without pipelining "
		     "(%s); remove %s/no-pipelining to try it again",
		     why != NULL ? why : "recorded", dir);
	free(why);
	free(dir);
}

enum pm_status
probe_run(const struct account *acct, const char *target,
	  struct probe_report *rep, struct pm_err *err)
{
	struct account a;
	struct pop3 *p = NULL;
	struct pm_err qerr;
	char *host = NULL;
	enum pm_status st;
	int guess = 0, clean;

	memset(rep, 0, sizeof(*rep));
	rep->uidl = -1;
	rep->expire = -1;
	if (acct != NULL) {
		a = *acct;
	} else if (bare_account(&a, target, &host, &guess) != 0) {
		free(host);
		return err_set(err, PM_USAGE,
			       "%s: the port must be a number from 1 to 65535",
			       target);
	}
	rep->host = xstrdup(a.host);
	st = probe_connect(&a, guess, rep, &p, err);
	rep->port = account_port(&a);
	if (p != NULL && pop3_greeting(p)[0] != '\0')
		rep->greeting = xstrdup(pop3_greeting(p));
	clean = p != NULL && (st == PM_OK || st == PM_UNAVAILABLE);
	if (clean) {
		rep->tls = net_is_tls(pop3_conn(p));
		if (rep->tls)
			(void)net_tls_info(pop3_conn(p), &rep->tls_info);
		describe_caps(rep, pop3_caps(p));
		if (st == PM_UNAVAILABLE && acct == NULL) {
			/* A bare host on a port without STLS: audit it as
			 * it is. */
			rep->tls_mode = "none";
			st = PM_OK;
		}
	}
	if (clean)
		tls_warnings(rep);
	if (acct != NULL)
		learnt_warnings(rep, acct);
	if (st == PM_OK && acct != NULL)
		st = check_account(&a, p, rep, err);
	/* After the login: only it learns that UIDL is missing. */
	if (clean)
		keep_warnings(rep, acct ? &a : NULL);
	/* QUIT only on a session in step (a login refusal leaves it so). */
	if (clean && st != PM_NETWORK && st != PM_TIMEOUT &&
	    st != PM_PROTOCOL && st != PM_TLS)
		(void)pop3_quit(p, &qerr);
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
