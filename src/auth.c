/* auth.c: logging in: USER/PASS, APOP, SASL (GNU SASL), OAuth2 forms. */
#include "config.h"

#include <gsasl.h>
#include <nettle/md5.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "popmuch/account.h"
#include "popmuch/auth.h"
#include "popmuch/log.h"
#include "popmuch/secret.h"
#include "popmuch/token.h"
#include "popmuch/xmalloc.h"

/* RFC 5034 4: the AUTH command line, CRLF included, is at most 255. */
#define AUTH_LINE_MAX 255

struct method {
	const char *name; /* as in config (lower case) */
	const char *mech; /* SASL name, or "USER"/"APOP" */
	int reveals;	  /* sends the password (or token) in clear */
	int client_first; /* may send an initial response */
	int automatic;	  /* "auth on" may pick it */
};

/* Strongest first: the order "auth on" tries them in (account.h). */
static const struct method methods[] = {
#define AUTH_METHOD(n, mech, reveals, client_first, automatic)                 \
	{n, mech, reveals, client_first, automatic},
    ACCOUNT_AUTH_LIST(AUTH_METHOD)
#undef AUTH_METHOD
};
#define NMETHODS (sizeof(methods) / sizeof(methods[0]))

static int
sasl_offered(const struct pop3_caps *caps, const char *mech)
{
	size_t len = strlen(mech);
	const char *s = caps->sasl;

	while ((s = strstr(s, mech)) != NULL) {
		if ((s == caps->sasl || s[-1] == ' ') &&
		    (s[len] == '\0' || s[len] == ' '))
			return 1;
		s += len;
	}
	return 0;
}

static int
offered(const struct pop3_caps *caps, const struct method *m)
{
	if (strcmp(m->mech, "USER") == 0)
		return caps->user || !caps->capa; /* RFC 1939 servers */
	if (strcmp(m->mech, "APOP") == 0)
		return caps->apop_ts[0] != '\0';
	return sasl_offered(caps, m->mech);
}

/* Can GNU SASL do mech as a client?  (gsasl_client_support_p needs a
 * context; a short-lived one keeps this safe in any thread.) */
static int
sasl_supported(const char *mech)
{
	Gsasl *ctx = NULL;
	int ok;

	if (gsasl_init(&ctx) != GSASL_OK)
		return 0;
	ok = gsasl_client_support_p(ctx, mech);
	gsasl_done(ctx);
	return ok;
}

static const struct method *
method_by_name(const char *name)
{
	for (size_t i = 0; i < NMETHODS; i++)
		if (strcasecmp(methods[i].name, name) == 0)
			return &methods[i];
	return NULL;
}

static const struct method *
choose(const struct account *acct, const struct pop3_caps *caps, int tls,
       struct pm_err *err)
{
	const char *want = acct->auth ? acct->auth : "on";
	const struct method *m;

	if (strcasecmp(want, "on") != 0) {
		m = method_by_name(want);
		if (m == NULL) {
			err_set(err, PM_CONFIG, "unknown auth method '%s'",
				want);
			return NULL;
		}
		return m; /* explicit: tried even if not advertised */
	}
	for (size_t i = 0; i < NMETHODS; i++) {
		m = &methods[i];
		if (!m->automatic || (m->reveals && !tls) || !offered(caps, m))
			continue;
		if (strcmp(m->mech, "USER") != 0 &&
		    strcmp(m->mech, "APOP") != 0 && !sasl_supported(m->mech))
			continue;
		return m;
	}
	if (!tls)
		err_set(err, PM_UNAVAILABLE,
			"the server offers no authentication method that "
			"keeps the password secret without TLS (offered: "
			"%s%s); turn TLS on, or set 'auth user' explicitly "
			"to send the password in clear",
			caps->sasl[0] ? caps->sasl : "",
			caps->user ? " USER" : "");
	else
		err_set(err, PM_UNAVAILABLE,
			"the server offers no supported authentication "
			"method (offered: %s%s)",
			caps->sasl[0] ? caps->sasl : "none",
			caps->user ? " USER" : "");
	return NULL;
}

const char *
auth_choose(const struct account *acct, const struct pop3_caps *caps, int tls,
	    struct pm_err *err)
{
	const struct method *m = choose(acct, caps, tls, err);

	return m ? m->mech : NULL;
}

static enum pm_status
login_user(struct pop3 *p, const char *user, const char *pass,
	   struct pm_err *err)
{
	char *uline = xasprintf("USER %s", user);
	char *pline = xasprintf("PASS %s", pass);
	/* USER and PASS travel together when the server pipelines. */
	enum pm_status st = pop3_cmd2(p, uline, 0, pline, 1, err);

	free(uline);
	xfree_secret(pline);
	if (st == PM_PROTOCOL)
		st = err->code = PM_NOPERM;
	return st;
}

static enum pm_status
login_apop(struct pop3 *p, const struct pop3_caps *caps, const char *user,
	   const char *pass, struct pm_err *err)
{
	struct md5_ctx ctx;
	uint8_t digest[MD5_DIGEST_SIZE];
	char hex[2 * MD5_DIGEST_SIZE + 1], *line;
	enum pm_status st;

	if (caps->apop_ts[0] == '\0')
		return err_set(err, PM_UNAVAILABLE,
			       "auth apop: the server's greeting has no "
			       "APOP timestamp");
	md5_init(&ctx);
	md5_update(&ctx, strlen(caps->apop_ts), (const uint8_t *)caps->apop_ts);
	md5_update(&ctx, strlen(pass), (const uint8_t *)pass);
	md5_digest(&ctx, sizeof(digest), digest);
	for (size_t i = 0; i < sizeof(digest); i++)
		(void)snprintf(hex + 2 * i, 3, "%02x", digest[i]);
	line = xasprintf("APOP %s %s", user, hex);
	st = pop3_cmd(p, line, 1, NULL, err);
	xfree_secret(line);
	if (st == PM_PROTOCOL)
		st = err->code = PM_NOPERM;
	return st;
}

/* The client's first message for the OAuth2 mechanisms (RFC 7628 and
 * Google's XOAUTH2), base64; caller frees. */
static char *
oauth_initial(const char *mech, const char *user, const char *token,
	      const char *host, unsigned port)
{
	char *raw, *b64 = NULL;
	size_t b64len;

	if (strcmp(mech, "XOAUTH2") == 0)
		raw =
		    xasprintf("user=%s\001auth=Bearer %s\001\001", user, token);
	else
		raw = xasprintf("n,a=%s,\001host=%s\001port=%u\001"
				"auth=Bearer %s\001\001",
				user, host, port, token);
	if (gsasl_base64_to(raw, strlen(raw), &b64, &b64len) != GSASL_OK)
		fatal("base64 encoding failed");
	xfree_secret(raw);
	return b64;
}

static enum pm_status
sasl_reply_error(const char *text, struct pm_err *err)
{
	char *esc = log_escape(text, strlen(text), 200);
	enum pm_status st = pop3_resp_code_status(text);

	/* A plain -ERR to AUTH means the credentials were refused. */
	err_set(err, st == PM_PROTOCOL ? PM_NOPERM : st,
		"authentication refused by the server: %s", esc);
	free(esc);
	return err->code;
}

/* At most this many "+ " challenges in one exchange.  SCRAM needs two,
 * no mechanism popmuch offers more; a server that goes on is looping
 * (one answering every line with "+ " got the PLAIN credentials
 * 100,000 times). */
#define SASL_ROUNDS_MAX 8

/* One AUTH exchange.  s is NULL for the OAuth2 mechanisms, whose one
 * message popmuch builds itself. */
struct sasl_run {
	const char *mech;
	Gsasl_session *s;
	char *initial; /* owned: the client's first message, not yet sent */
	char *again;   /* owned: it, sent on the AUTH line, for a server
			* that asks for it once more */
	int done;      /* GNU SASL says the client side is complete */
	int oauth_err; /* the OAuth2 error challenge was answered */
	unsigned rounds;
};

/* Cancel the exchange (RFC 5034 4: "*") because the server asked for
 * more than the mechanism has to say. */
static enum pm_status
sasl_cancel(struct pop3 *p, const struct sasl_run *x, const char *why,
	    struct pm_err *err)
{
	(void)pop3_write_line(p, "*", 0, err);
	return err_set(err, PM_PROTOCOL,
		       "SASL %s: %s; authentication cancelled", x->mech, why);
}

/* Answer one "+ challenge" line.  x->initial is sent (and cleared)
 * first when the AUTH line could not carry it.  Once GNU SASL says the
 * client side is complete (for SCRAM: the server's signature checked),
 * or the OAuth2 error challenge has had its one "AQ==" (RFC 7628
 * 3.2.3), a further challenge is cancelled. */
static enum pm_status
sasl_answer(struct pop3 *p, struct sasl_run *x, const char *challenge,
	    struct pm_err *err)
{
	char *out = NULL;
	enum pm_status st;
	int rc;

	if (++x->rounds > SASL_ROUNDS_MAX)
		return sasl_cancel(p, x, "the server sent too many challenges",
				   err);
	if (x->again != NULL) {
		/* An empty first challenge after AUTH with an initial
		 * response: a server that did not take it (RFC 1734 style)
		 * gets it once more, and only once. */
		x->initial = x->again;
		x->again = NULL;
		if (x->rounds != 1 || challenge[0] != '\0') {
			xfree_secret(x->initial);
			x->initial = NULL;
		}
	}
	if (x->initial != NULL) {
		st = pop3_write_line(p, x->initial, 1, err);
		xfree_secret(x->initial);
		x->initial = NULL;
		return st;
	}
	if (x->s == NULL && !x->oauth_err) {
		x->oauth_err = 1; /* the token was refused: say nothing more */
		return pop3_write_line(p, "AQ==", 0, err);
	}
	if (x->s == NULL)
		return sasl_cancel(p, x,
				   "the server sent another challenge after "
				   "the OAuth2 error reply",
				   err);
	if (x->done)
		return sasl_cancel(p, x,
				   "the server sent a challenge after the "
				   "exchange was complete",
				   err);
	rc = gsasl_step64(x->s, challenge, &out);
	if (rc != GSASL_OK && rc != GSASL_NEEDS_MORE) {
		(void)pop3_write_line(p, "*", 0, err);
		return err_set(
		    err, rc == GSASL_BASE64_ERROR ? PM_PROTOCOL : PM_NOPERM,
		    "SASL: %s (the server's challenge was refused)",
		    gsasl_strerror(rc));
	}
	x->done = rc == GSASL_OK;
	st = pop3_write_line(p, out, 1, err);
	xfree_secret(out);
	return st;
}

/* Run AUTH mech to its end.  initial (owned, may be NULL) is the
 * client's first response; done says whether GNU SASL already finished
 * with it.  A server that says +OK before the client side of s is
 * complete (SCRAM without the server's proof) is refused. */
static enum pm_status
sasl_exchange(struct pop3 *p, const char *mech, Gsasl_session *s, char *initial,
	      int done, struct pm_err *err)
{
	struct sasl_run x = {mech, s, initial, NULL, done, 0, 0};
	const char *line, *text;
	enum pm_status st;
	char *cmd;
	int ok, secret = 0;

	if (x.initial != NULL &&
	    strlen("AUTH ") + strlen(mech) + 1 + strlen(x.initial) + 2 <=
		AUTH_LINE_MAX) {
		cmd = xasprintf("AUTH %s %s", mech,
				x.initial[0] ? x.initial : "=");
		x.again = x.initial;
		x.initial = NULL;
		secret = 1;
	} else {
		cmd = xasprintf("AUTH %s", mech);
	}
	st = pop3_write_line(p, cmd, secret, err);
	xfree_secret(cmd);
	while (st == PM_OK) {
		if ((st = pop3_read_line(p, &line, err)) != PM_OK)
			break;
		ok = pop3_parse_status(line, &text);
		if (ok == 1 && s != NULL && !x.done)
			st = err_set(err, PM_PROTOCOL,
				     "the server accepted %s authentication "
				     "before it was complete (for SCRAM: "
				     "without proving it knows the password)",
				     mech);
		if (ok == 1)
			break;
		if (ok == 0) {
			st = sasl_reply_error(text, err);
			break;
		}
		if (line[0] != '+' || (line[1] != ' ' && line[1] != '\0')) {
			st = err_set(err, PM_PROTOCOL,
				     "invalid SASL reply from the server");
			break;
		}
		st = sasl_answer(p, &x, line[1] ? line + 2 : "", err);
	}
	xfree_secret(x.initial);
	xfree_secret(x.again);
	return st;
}

/* GNU SASL frees its copies of the password (and SCRAM's salted
 * password, which logs in as well) without wiping them: wipe them in
 * place first.  They are strings GNU SASL allocated; only the pointer
 * it hands out is const. */
static void
sasl_wipe(Gsasl_session *s)
{
	static const Gsasl_property props[] = {GSASL_PASSWORD,
					       GSASL_SCRAM_SALTED_PASSWORD};
	const char *v;

	for (size_t i = 0; i < sizeof(props) / sizeof(props[0]); i++)
		if ((v = gsasl_property_fast(s, props[i])) != NULL)
			xwipe((char *)(uintptr_t)v, strlen(v));
}

static enum pm_status
login_sasl(struct pop3 *p, const struct account *acct, const struct method *m,
	   const char *secret, struct pm_err *err)
{
	Gsasl *ctx = NULL;
	Gsasl_session *s = NULL;
	char *initial = NULL;
	enum pm_status st;
	int rc;

	if (strcmp(m->mech, "XOAUTH2") == 0 ||
	    strcmp(m->mech, "OAUTHBEARER") == 0)
		return sasl_exchange(p, m->mech, NULL,
				     oauth_initial(m->mech, acct->user, secret,
						   acct->host,
						   account_port(acct)),
				     1, err);
	if ((rc = gsasl_init(&ctx)) != GSASL_OK)
		return err_set(err, PM_SOFTWARE, "GNU SASL: %s",
			       gsasl_strerror(rc));
	if ((rc = gsasl_client_start(ctx, m->mech, &s)) != GSASL_OK) {
		gsasl_done(ctx);
		return err_set(err, PM_UNAVAILABLE, "GNU SASL cannot do %s: %s",
			       m->mech, gsasl_strerror(rc));
	}
	if (acct->user != NULL)
		gsasl_property_set(s, GSASL_AUTHID, acct->user);
	if (secret != NULL)
		gsasl_property_set(s, GSASL_PASSWORD, secret);
	gsasl_property_set(s, GSASL_SERVICE, "pop");
	gsasl_property_set(s, GSASL_HOSTNAME, acct->host);
	rc = GSASL_NEEDS_MORE;
	if (m->client_first) {
		rc = gsasl_step64(s, "", &initial);
		if (rc != GSASL_OK && rc != GSASL_NEEDS_MORE)
			initial = NULL;
	}
	st = sasl_exchange(p, m->mech, s, initial, rc == GSASL_OK, err);
	sasl_wipe(s);
	gsasl_finish(s);
	gsasl_done(ctx);
	return st;
}

/* A CR or LF would end the command line early and let the rest of the
 * string be read as another command. */
static int
has_line_break(const char *s)
{
	return s[strcspn(s, "\r\n")] != '\0';
}

/* What the account must have for method m, checked before anything is
 * sent. */
static enum pm_status
check_account(const struct account *acct, const struct method *m, int tls,
	      struct pm_err *err)
{
	if (strcmp(m->mech, "EXTERNAL") == 0 &&
	    (!tls || acct->tls_cert_file == NULL))
		return err_set(err, PM_CONFIG,
			       "auth external needs TLS with a client "
			       "certificate (tls_cert_file, tls_key_file)");
	if (acct->user == NULL && strcmp(m->mech, "EXTERNAL") != 0)
		return err_set(err, PM_CONFIG, "no 'user' configured");
	if (acct->user != NULL && has_line_break(acct->user))
		return err_set(err, PM_CONFIG,
			       "the user name contains a line break");
	return PM_OK;
}

/* An account with oauth2_provider: the access token from token.h; when
 * the server refuses it, one forced refresh and one more try. */
static enum pm_status
login_oauth2(struct pop3 *p, const struct account *acct, const struct method *m,
	     int tls, int *warn_cleartext_r, struct pm_err *err)
{
	char *token = NULL;
	enum pm_status st;

	*warn_cleartext_r = !tls;
	for (int round = 0; round < 2; round++) {
		if ((st = token_access(acct, round, &token, err)) != PM_OK)
			return st;
		if (has_line_break(token)) {
			xfree_secret(token);
			return err_set(err, PM_PROTOCOL,
				       "the provider's access token contains "
				       "a line break");
		}
		st = login_sasl(p, acct, m, token, err);
		xfree_secret(token);
		if (st != PM_NOPERM)
			break;
	}
	return st;
}

enum pm_status
auth_login(struct pop3 *p, const struct account *acct, int tls,
	   int *warn_cleartext_r, struct pm_err *err)
{
	const struct pop3_caps *caps = pop3_caps(p);
	const struct method *m = choose(acct, caps, tls, err);
	char *secret = NULL;
	enum pm_status st;

	*warn_cleartext_r = 0;
	if (m == NULL)
		return err->code;
	if ((st = check_account(acct, m, tls, err)) != PM_OK)
		return st;
	if (acct->oauth2_provider != NULL &&
	    (strcmp(m->mech, "XOAUTH2") == 0 ||
	     strcmp(m->mech, "OAUTHBEARER") == 0))
		return login_oauth2(p, acct, m, tls, warn_cleartext_r, err);
	if (strcmp(m->mech, "EXTERNAL") != 0 &&
	    (st = secret_get(acct, &secret, err)) != PM_OK)
		return st;
	if (secret != NULL && has_line_break(secret)) {
		xfree_secret(secret);
		return err_set(err, PM_CONFIG,
			       "the password contains a line break");
	}
	*warn_cleartext_r = m->reveals && !tls;
	if (strcmp(m->mech, "USER") == 0)
		st = login_user(p, acct->user, secret, err);
	else if (strcmp(m->mech, "APOP") == 0)
		st = login_apop(p, caps, acct->user, secret, err);
	else
		st = login_sasl(p, acct, m, secret, err);
	xfree_secret(secret);
	secret_forget(acct); /* one login per account and run */
	xwipe_registers();
	return st;
}
