/* cli-auth.h: the person's side of "popmuch auth" (cli-auth.c), next to
 * main.c: the sign-in (a browser and a loopback redirect, or the device
 * flow's URL and code) on stdout, storing the grant, one login with it. */
#ifndef POPMUCH_CLI_AUTH_H
#define POPMUCH_CLI_AUTH_H

#include "popmuch/config.h"
#include "popmuch/err.h"

/* Sign account a in with its oauth2_provider (the device flow when
 * device is nonzero, else the code flow in a browser, waiting up to 300
 * seconds), store the refresh token (token.c), then log in once with it
 * and say so on stdout.
 * Returns: PM_OK; PM_NOPERM when the login with the new token fails;
 * else the status of the provider, the flow or the token store (e.g.
 * PM_CONFIG, PM_TEMPFAIL, PM_IO) with err set. */
enum pm_status cli_auth_account(const struct account *a, int device,
				struct pm_err *err);

#endif
