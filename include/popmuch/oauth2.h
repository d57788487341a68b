/* oauth2.h: OAuth2 for POP3 (RFC 6749): the providers popmuch knows,
 * the authorization code flow with PKCE and a loopback redirect (RFC
 * 7636, RFC 8252), the device authorization grant (RFC 8628), and
 * refreshing an access token (with refresh token rotation).
 *
 * Never prints and never prompts: the caller shows the URL or the user
 * code between the _begin and the _finish calls.  Every endpoint must
 * pass http_url_check().  A provider's refusal becomes one sentence in
 * err (the provider's own text escaped, codes such as invalid_grant and
 * AADSTS700082 explained).  Tokens, codes and secrets never reach err or
 * the log. */
#ifndef POPMUCH_OAUTH2_H
#define POPMUCH_OAUTH2_H

#include <stdint.h>

#include "popmuch/config.h"
#include "popmuch/err.h"

/* A built-in provider: its endpoints (with "{tenant}" where the tenant
 * goes), default scope, and POP3 server. */
struct oauth2_provider {
	const char *name; /* "google", "microsoft", "custom" */
	const char *auth_url, *token_url, *device_url;
	const char *scope;
	const char *pop_host; /* NULL for custom */
	unsigned pop_port;    /* implicit TLS */
	const char *sasl;     /* the auth method, e.g. "xoauth2" */
};

/* The row for name (case-sensitive), or NULL.  Static, never freed. */
const struct oauth2_provider *oauth2_provider_find(const char *name);

/* What a token endpoint gave. */
struct oauth2_tokens {
	char *access;	    /* the access token (secret) */
	char *refresh;	    /* a new refresh token, or NULL (secret) */
	int64_t expires_at; /* when access expires (time(NULL) clock); 0 if
			     * the provider did not say */
};

/* Wipe and free the tokens in t (not t itself); t may be NULL. */
void oauth2_tokens_clear(struct oauth2_tokens *t);

/* An account's OAuth2 settings, resolved: URLs with the tenant filled
 * in, the scope, the client ID.  The client secret is fetched (through
 * oauth2_client_secret_eval) only when a request needs it. */
struct oauth2_client;

/* Resolve acct's settings.  The caller frees *c_r with
 * oauth2_client_free().
 * Returns: PM_OK; PM_CONFIG when acct has no oauth2_provider, no
 * oauth2_client_id, a bad oauth2_tenant, or an endpoint that
 * http_url_check() refuses. */
enum pm_status oauth2_client_new(const struct account *acct,
				 struct oauth2_client **c_r,
				 struct pm_err *err);
void oauth2_client_free(struct oauth2_client **c);

/* Trade a refresh token for a new access token (and maybe a rotated
 * refresh token); the caller clears *t_r with oauth2_tokens_clear().
 * Returns: PM_OK; PM_NOPERM when the provider refuses the refresh token
 * (invalid_grant, AADSTS700082, ...); PM_CONFIG for a client it refuses
 * (invalid_client, unauthorized_client) or a failing
 * oauth2_client_secret_eval; PM_NETWORK, PM_TIMEOUT, PM_CERT as
 * http_post_form(); PM_PROTOCOL for an answer that is not a token. */
enum pm_status oauth2_refresh(struct oauth2_client *c, const char *refresh,
			      struct oauth2_tokens *t_r, struct pm_err *err);

/* ---- authorization code flow with PKCE (oauth2-flow.c) ---------------- */

struct oauth2_code_flow;

/* Listen on 127.0.0.1 on a free port and make the authorization URL
 * (PKCE S256, a random state).  *url_r is borrowed from *flow_r.
 * The caller frees the flow with oauth2_code_flow_free().
 * Returns: PM_OK; PM_UNAVAILABLE when no loopback port can be had. */
enum pm_status oauth2_code_begin(struct oauth2_client *c,
				 struct oauth2_code_flow **flow_r,
				 const char **url_r, struct pm_err *err);

/* Accept one request on the loopback listener (waiting at most
 * wait_seconds), answer it, close the listener; check its state, and
 * trade its code (with the PKCE verifier) for tokens.
 * Returns: PM_OK; PM_NOPERM for a refusal (access_denied, a wrong state,
 * no code, a code or verifier the provider refuses); PM_TIMEOUT when no
 * browser came back in time; the other statuses of oauth2_refresh(). */
enum pm_status oauth2_code_finish(struct oauth2_code_flow *flow,
				  int wait_seconds, struct oauth2_tokens *t_r,
				  struct pm_err *err);
void oauth2_code_flow_free(struct oauth2_code_flow **flow);

/* Run xdg-open on url, detached, when there is a display ($DISPLAY or
 * $WAYLAND_DISPLAY) and xdg-open is installed.  Returns 1 if started. */
int oauth2_open_browser(const char *url);

/* ---- device authorization grant (oauth2-flow.c) ----------------------- */

struct oauth2_device {
	char *device_code; /* secret */
	char *user_code;
	char *verification_uri;
	char *verification_uri_complete; /* NULL if not given */
	int interval;			 /* seconds between polls */
	int64_t expires_at;		 /* when device_code expires */
};

/* Ask the device endpoint for a user code.  The caller clears *d_r with
 * oauth2_device_clear().
 * Returns: PM_OK; PM_CONFIG when the provider has no device endpoint or
 * refuses the client; PM_PROTOCOL for an answer without the codes; the
 * other statuses of oauth2_refresh(). */
enum pm_status oauth2_device_begin(struct oauth2_client *c,
				   struct oauth2_device *d_r,
				   struct pm_err *err);

/* Poll the token endpoint as RFC 8628 3.5 says (interval; slow_down adds
 * 5 seconds; authorization_pending waits) until the person approves.
 * Returns: PM_OK; PM_NOPERM for access_denied or expired_token (or the
 * code's lifetime passing); the other statuses of oauth2_refresh(). */
enum pm_status oauth2_device_poll(struct oauth2_client *c,
				  struct oauth2_device *d,
				  struct oauth2_tokens *t_r,
				  struct pm_err *err);
void oauth2_device_clear(struct oauth2_device *d);

/* ---- shared by oauth2.c and oauth2-flow.c ----------------------------- */

/* POST fields to c's token endpoint, adding client_id and (when
 * configured) client_secret, and parse a token answer into *t_r.  When
 * error_r is not NULL, an OAuth2 error answer's code (e.g.
 * "authorization_pending") is put there (caller frees), else NULL.
 * Returns: as oauth2_refresh(). */
enum pm_status oauth2_token_request(struct oauth2_client *c,
				    const char *const *fields,
				    struct oauth2_tokens *t_r, char **error_r,
				    struct pm_err *err);

/* POST fields (client_id added) to url and parse a JSON object answer;
 * the caller unrefs *obj_r (a JsonObject).  error_r as
 * oauth2_token_request().
 * Returns: as oauth2_refresh(). */
enum pm_status oauth2_post_json(struct oauth2_client *c, const char *url,
				const char *const *fields, void **obj_r,
				char **error_r, struct pm_err *err);

/* Set err to the sentence for an OAuth2 error code (and description,
 * may be NULL, whose AADSTS number counts).
 * Returns: the code's status: PM_NOPERM (invalid_grant, access_denied,
 * expired_token, unknown codes), PM_CONFIG (invalid_client,
 * unauthorized_client, invalid_scope, AADSTS codes of the registration),
 * PM_PROTOCOL (invalid_request). */
enum pm_status oauth2_error(const char *code, const char *desc,
			    struct pm_err *err);

/* The non-empty string member name of the JsonObject obj, copied (caller
 * frees; xfree_secret for a token), or NULL. */
char *oauth2_json_dup(void *obj, const char *name);

/* Borrowed accessors of a resolved client. */
const char *oauth2_client_scope(const struct oauth2_client *c);
const char *oauth2_client_auth_url(const struct oauth2_client *c);
const char *oauth2_client_device_url(const struct oauth2_client *c);
const char *oauth2_client_id(const struct oauth2_client *c);
const char *oauth2_client_login_hint(const struct oauth2_client *c);
int oauth2_client_timeout(const struct oauth2_client *c);
const char *oauth2_client_provider(const struct oauth2_client *c);

#endif
