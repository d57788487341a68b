/* test-oauth2.c: the OAuth2 keywords and provider defaults, the URL
 * rule (https, or http to a loopback IP literal), form encoding, and the
 * provider errors as sentences. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "popmuch/config.h"
#include "popmuch/http.h"
#include "popmuch/oauth2.h"
#include "popmuch/xmalloc.h"
#include "tap.h"

static struct config *
parse(const char *text, struct pm_err *err)
{
	struct config *cfg = NULL;

	(void)config_parse_string("t", text, &cfg, err);
	return cfg;
}

static void
test_provider_defaults(void)
{
	struct pm_err err;
	struct config *cfg = parse("account g\noauth2_provider google\n"
				   "oauth2_client_id cid\nuser a@gmail.com\n"
				   "account m\noauth2_provider microsoft\n"
				   "oauth2_client_id cid\nauth oauthbearer\n"
				   "host pop.example\n",
				   &err);
	const struct account *g, *m;

	if (!ok(cfg != NULL, "google and microsoft accounts parse"))
		diag("  %s", err.msg);
	if (cfg == NULL)
		return;
	g = config_account(cfg, "g");
	m = config_account(cfg, "m");
	is_str(g->host, "pop.gmail.com", "google brings its POP3 host");
	is_int(g->port, 995, "... port 995");
	is_int(g->tls_starttls, 0, "... with implicit TLS");
	is_str(g->auth, "xoauth2", "... and XOAUTH2");
	is_str(m->host, "pop.example", "an account's own host wins");
	is_int(m->port, 0, "... and its port stays");
	is_str(m->auth, "oauthbearer", "an explicit auth method wins");
	config_free(&cfg);
}

static void
refused(const char *text, const char *want, const char *what)
{
	struct pm_err err;
	struct config *cfg = parse(text, &err);

	ok(cfg == NULL && err.code == PM_CONFIG, "refused: %s", what);
	if (!ok(strstr(err.msg, want) != NULL, "... message has \"%s\"", want))
		diag("  got: %s", err.msg);
	config_free(&cfg);
}

static void
test_refusals(void)
{
	refused("account a\noauth2_provider yahoo\n",
		"google, microsoft or "
		"custom",
		"an unknown provider");
	refused("account a\noauth2_provider google\n", "oauth2_client_id",
		"a provider without a client ID");
	refused("account a\nhost h\noauth2_provider custom\n"
		"oauth2_client_id c\n",
		"endpoints", "custom without URLs");
	refused("account a\noauth2_token_url http://auth.example/token\n",
		"not https", "plain http to a remote host");
	refused("account a\noauth2_auth_url http://localhost:80/a\n",
		"not https", "http to \"localhost\" (a name, not an address)");
}

static void
test_urls(void)
{
	struct pm_err err;

	is_int(http_url_check("https://login.example/x", &err), PM_OK,
	       "https is accepted");
	is_int(http_url_check("http://127.0.0.1:8080/t", &err), PM_OK,
	       "http to 127.0.0.1");
	is_int(http_url_check("http://127.3.4.5/t", &err), PM_OK,
	       "http to 127.0.0.0/8");
	is_int(http_url_check("http://[::1]:99/t", &err), PM_OK,
	       "http to [::1]");
	is_int(http_url_check("http://128.0.0.1/t", &err), PM_CONFIG,
	       "http to 128.0.0.1 is refused");
	is_int(http_url_check("http://127.0.0.1.evil.example/t", &err),
	       PM_CONFIG, "http to a name starting 127.0.0.1 is refused");
	is_int(http_url_check("ftp://127.0.0.1/t", &err), PM_CONFIG,
	       "ftp is refused");
	is_int(http_url_check("not a url", &err), PM_CONFIG,
	       "garbage is refused");
}

static void
test_form(void)
{
	const char *f[] = {"grant_type", "refresh_token", "refresh_token",
			   "a+b/c=d&e f", NULL};
	char *s = http_form_encode(f);

	is_str(s,
	       "grant_type=refresh_token&refresh_token=a%2Bb%2Fc%3Dd%26e%20f",
	       "form fields are escaped");
	xfree_secret(s);
}

static void
sentence(const char *code, const char *desc, enum pm_status want_st,
	 const char *want)
{
	struct pm_err err;
	enum pm_status st = oauth2_error(code, desc, &err);

	is_int(st, want_st, "%s: status", code);
	if (!ok(strstr(err.msg, want) != NULL && strchr(err.msg, '\n') == NULL,
		"%s: one line with \"%s\"", code, want))
		diag("  got: %s", err.msg);
}

static void
test_errors(void)
{
	sentence("invalid_grant", NULL, PM_NOPERM,
		 "refused the refresh token or code as expired or revoked "
		 "(invalid_grant)");
	sentence("invalid_client", NULL, PM_CONFIG, "check oauth2_client_id");
	sentence("unauthorized_client", NULL, PM_CONFIG,
		 "may not use this kind of sign-in");
	sentence("invalid_grant",
		 "AADSTS700082: The refresh token has expired due to "
		 "inactivity.\r\nTrace ID: x",
		 PM_NOPERM,
		 "90 days without use (invalid_grant, AADSTS700082)");
	sentence("invalid_client",
		 "AADSTS7000218: The request body must "
		 "contain client_assertion or client_secret",
		 PM_CONFIG, "Allow public client flows");
	sentence("invalid_request",
		 "AADSTS50020: User account from identity "
		 "provider does not exist in tenant",
		 PM_CONFIG, "consumers");
	sentence("server_error", "weird\x01text", PM_NOPERM,
		 "(server_error: weird\\x01text)");
}

int
main(void)
{
	test_provider_defaults();
	test_refusals();
	test_urls();
	test_form();
	test_errors();
	return done_testing();
}
