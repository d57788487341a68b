/* cli-auth.c: the person's side of "popmuch auth" (see cli-auth.h). */
#include "config.h"

#include <stdio.h>

#include "popmuch/oauth2.h"
#include "popmuch/probe.h"
#include "popmuch/token.h"
#include "cli-auth.h"

#define AUTH_BROWSER_WAIT 300 /* seconds for the person to sign in */

static enum pm_status
auth_grant(int device, struct oauth2_client *c, struct oauth2_tokens *t,
	   struct pm_err *err)
{
	struct oauth2_code_flow *flow = NULL;
	struct oauth2_device d;
	const char *url;
	enum pm_status st;

	if (device) {
		if ((st = oauth2_device_begin(c, &d, err)) != PM_OK)
			return st;
		printf("To sign in, open %s on any device and enter the "
		       "code\n\n    %s\n\n",
		       d.verification_uri, d.user_code);
		if (d.verification_uri_complete != NULL)
			printf("(or open %s)\n", d.verification_uri_complete);
		printf("Waiting for the sign-in...\n");
		fflush(stdout);
		st = oauth2_device_poll(c, &d, t, err);
		oauth2_device_clear(&d);
		return st;
	}
	if ((st = oauth2_code_begin(c, &flow, &url, err)) != PM_OK)
		return st;
	printf("Open this URL in a browser to sign in:\n\n%s\n\n", url);
	if (oauth2_open_browser(url))
		printf("(a browser was started with xdg-open)\n");
	printf("Waiting for the browser (up to %d seconds)...\n",
	       AUTH_BROWSER_WAIT);
	fflush(stdout);
	st = oauth2_code_finish(flow, AUTH_BROWSER_WAIT, t, err);
	oauth2_code_flow_free(&flow);
	return st;
}

/* Sign in, store the grant, then log in once with it. */
enum pm_status
cli_auth_account(const struct account *a, int device, struct pm_err *err)
{
	struct oauth2_client *c = NULL;
	struct oauth2_tokens t = {0};
	struct probe_report rep;
	const char *where;
	enum pm_status st;

	if ((st = oauth2_client_new(a, &c, err)) != PM_OK)
		return st;
	st = auth_grant(device, c, &t, err);
	oauth2_client_free(&c);
	if (st == PM_OK)
		st = token_store_grant(a, &t, &where, err);
	oauth2_tokens_clear(&t);
	if (st != PM_OK)
		return st;
	printf("Signed in; the refresh token is stored in %s.\n", where);
	st = probe_run(a, a->name, &rep, err);
	if (st == PM_OK && rep.login_ok)
		printf("Logged in to %s as %s: the token works.\n", a->host,
		       a->user ? a->user : "?");
	else if (st == PM_OK)
		st = err_set(err, PM_NOPERM,
			     "the login with the new token "
			     "did not succeed");
	probe_report_free(&rep);
	return st;
}
