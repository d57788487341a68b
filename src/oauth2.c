/* oauth2.c: OAuth2 providers, clients, token requests and the
 * provider's errors as sentences.  JSON through json-glib. */
#include "config.h"

#include <ctype.h>
#include <json-glib/json-glib.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "popmuch/http.h"
#include "popmuch/log.h"
#include "popmuch/oauth2.h"
#include "popmuch/secret.h"
#include "popmuch/xmalloc.h"

/* clang-format off */
static const struct oauth2_provider providers[] = {
	{"google",
	 "https://accounts.google.com/o/oauth2/v2/auth",
	 "https://oauth2.googleapis.com/token",
	 "https://oauth2.googleapis.com/device/code",
	 "https://mail.google.com/",
	 "pop.gmail.com", 995, "xoauth2"},
	{"microsoft",
	 "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/authorize",
	 "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token",
	 "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/devicecode",
	 "https://outlook.office.com/POP.AccessAsUser.All offline_access",
	 "outlook.office365.com", 995, "xoauth2"},
	{"custom", NULL, NULL, NULL, NULL, NULL, 0, "xoauth2"},
};
/* clang-format on */

const struct oauth2_provider *
oauth2_provider_find(const char *name)
{
	for (size_t i = 0; i < sizeof(providers) / sizeof(providers[0]); i++)
		if (strcmp(providers[i].name, name) == 0)
			return &providers[i];
	return NULL;
}

struct oauth2_client {
	const struct oauth2_provider *pv;
	char *account;
	char *auth_url, *token_url, *device_url, *scope;
	char *client_id, *secret, *secret_eval, *login_hint;
	int timeout;
	int secret_done;
};

void
oauth2_tokens_clear(struct oauth2_tokens *t)
{
	if (t == NULL)
		return;
	xfree_secret(t->access);
	xfree_secret(t->refresh);
	memset(t, 0, sizeof(*t));
}

/* url (may be NULL) with "{tenant}" replaced.  Caller frees. */
static char *
fill_tenant(const char *url, const char *tenant)
{
	const char *at;

	if (url == NULL)
		return NULL;
	if ((at = strstr(url, "{tenant}")) == NULL)
		return xstrdup(url);
	return xasprintf("%.*s%s%s", (int)(at - url), url, tenant,
			 at + strlen("{tenant}"));
}

/* A tenant goes into the URL's path: a name or ID, nothing else. */
static int
tenant_ok(const char *t)
{
	if (*t == '\0' || strlen(t) > 128)
		return 0;
	for (; *t != '\0'; t++)
		if (!isalnum((unsigned char)*t) && *t != '-' && *t != '.' &&
		    *t != '_')
			return 0;
	return 1;
}

static enum pm_status
client_urls(struct oauth2_client *c, const struct account *a,
	    struct pm_err *err)
{
	const char *tenant = a->oauth2_tenant ? a->oauth2_tenant : "common";
	enum pm_status st = PM_OK;

	if (!tenant_ok(tenant))
		return err_set(err, PM_CONFIG,
			       "oauth2_tenant '%.100s' is not a tenant name "
			       "or ID (common, consumers, organizations, or "
			       "the directory's ID)",
			       tenant);
	c->auth_url = fill_tenant(
	    a->oauth2_auth_url ? a->oauth2_auth_url : c->pv->auth_url, tenant);
	c->token_url = fill_tenant(a->oauth2_token_url ? a->oauth2_token_url
						       : c->pv->token_url,
				   tenant);
	c->device_url = fill_tenant(a->oauth2_device_url ? a->oauth2_device_url
							 : c->pv->device_url,
				    tenant);
	if (c->auth_url == NULL || c->token_url == NULL)
		return err_set(err, PM_CONFIG,
			       "oauth2_provider custom needs oauth2_auth_url "
			       "and oauth2_token_url");
	if ((st = http_url_check(c->auth_url, err)) == PM_OK &&
	    (st = http_url_check(c->token_url, err)) == PM_OK &&
	    c->device_url != NULL)
		st = http_url_check(c->device_url, err);
	return st;
}

enum pm_status
oauth2_client_new(const struct account *a, struct oauth2_client **c_r,
		  struct pm_err *err)
{
	struct oauth2_client *c;
	enum pm_status st;

	*c_r = NULL;
	if (a->oauth2_provider == NULL ||
	    oauth2_provider_find(a->oauth2_provider) == NULL)
		return err_set(err, PM_CONFIG,
			       "account %s has no oauth2_provider", a->name);
	if (a->oauth2_client_id == NULL)
		return err_set(err, PM_CONFIG,
			       "account %s has no oauth2_client_id", a->name);
	c = xcalloc(1, sizeof(*c));
	c->pv = oauth2_provider_find(a->oauth2_provider);
	c->account = xstrdup(a->name);
	c->client_id = xstrdup(a->oauth2_client_id);
	c->secret =
	    a->oauth2_client_secret ? xstrdup(a->oauth2_client_secret) : NULL;
	c->secret_eval = a->oauth2_client_secret_eval
			     ? xstrdup(a->oauth2_client_secret_eval)
			     : NULL;
	c->login_hint = a->user ? xstrdup(a->user) : NULL;
	c->scope = xstrdup(a->oauth2_scope ? a->oauth2_scope
			   : c->pv->scope  ? c->pv->scope
					   : "");
	c->timeout = a->timeout > 0 && a->timeout < 60 ? a->timeout : 60;
	if ((st = client_urls(c, a, err)) != PM_OK) {
		oauth2_client_free(&c);
		return st;
	}
	*c_r = c;
	return PM_OK;
}

void
oauth2_client_free(struct oauth2_client **cp)
{
	struct oauth2_client *c = *cp;

	if (c == NULL)
		return;
	free(c->account);
	free(c->auth_url);
	free(c->token_url);
	free(c->device_url);
	free(c->scope);
	free(c->client_id);
	xfree_secret(c->secret);
	free(c->secret_eval);
	free(c->login_hint);
	free(c);
	*cp = NULL;
}

const char *
oauth2_client_scope(const struct oauth2_client *c)
{
	return c->scope;
}

const char *
oauth2_client_auth_url(const struct oauth2_client *c)
{
	return c->auth_url;
}

const char *
oauth2_client_device_url(const struct oauth2_client *c)
{
	return c->device_url;
}

const char *
oauth2_client_id(const struct oauth2_client *c)
{
	return c->client_id;
}

const char *
oauth2_client_login_hint(const struct oauth2_client *c)
{
	return c->login_hint;
}

int
oauth2_client_timeout(const struct oauth2_client *c)
{
	return c->timeout;
}

const char *
oauth2_client_provider(const struct oauth2_client *c)
{
	return c->pv->name;
}

/* The client secret, run through oauth2_client_secret_eval the first
 * time it is needed.  NULL without one (public clients). */
static enum pm_status
client_secret(struct oauth2_client *c, const char **secret_r,
	      struct pm_err *err)
{
	enum pm_status st;

	if (c->secret == NULL && c->secret_eval != NULL && !c->secret_done) {
		st = secret_eval(c->secret_eval, c->timeout, &c->secret, err);
		if (st != PM_OK)
			return err_prefix(err, "oauth2_client_secret_eval");
	}
	c->secret_done = 1;
	*secret_r = c->secret;
	return PM_OK;
}

/* ---- the provider's errors ---------------------------------------------- */

/* The AADSTS number in Microsoft's error_codes or error_description. */
static long
aadsts_code(JsonObject *o)
{
	const char *d, *at;

	if (json_object_has_member(o, "error_codes")) {
		JsonNode *n = json_object_get_member(o, "error_codes");
		JsonArray *arr =
		    JSON_NODE_HOLDS_ARRAY(n) ? json_node_get_array(n) : NULL;
		if (arr != NULL && json_array_get_length(arr) > 0)
			return (long)json_array_get_int_element(arr, 0);
	}
	if (json_object_has_member(o, "error_description") &&
	    (d = json_object_get_string_member(o, "error_description")) !=
		NULL &&
	    (at = strstr(d, "AADSTS")) != NULL)
		return strtol(at + 6, NULL, 10);
	return 0;
}

/* Microsoft's codes that a person can act on. */
static const struct {
	long code;
	enum pm_status st;
	const char *what;
} aadsts[] = {
    {700082, PM_NOPERM,
     "Microsoft expired the refresh token after 90 days without use"},
    {50173, PM_NOPERM,
     "the refresh token was revoked because the password changed"},
    {70008, PM_NOPERM, "the refresh token or code has expired"},
    {65001, PM_NOPERM,
     "nobody has consented to this client ID reading mail; the tenant "
     "administrator must grant consent (popmuch.conf(5), OAUTH2)"},
    {50076, PM_NOPERM, "Microsoft wants a multi-factor sign-in again"},
    {700016, PM_CONFIG,
     "the client ID is not registered in this tenant; check "
     "oauth2_client_id and oauth2_tenant (personal accounts need "
     "consumers or common)"},
    {7000218, PM_CONFIG,
     "the app registration is not a public client; turn on \"Allow "
     "public client flows\" in its Authentication settings"},
    {50020, PM_CONFIG,
     "this account does not belong to the tenant; set oauth2_tenant "
     "(consumers for outlook.com, hotmail.com, live.com)"},
    {90072, PM_CONFIG,
     "this account does not belong to the tenant; set oauth2_tenant "
     "(consumers for outlook.com, hotmail.com, live.com)"},
};

/* The standard error codes (RFC 6749 5.2, RFC 8628 3.5). */
static const struct {
	const char *code;
	enum pm_status st;
	const char *what;
} oerrors[] = {
    {"invalid_grant", PM_NOPERM,
     "the provider refused the refresh token or code as expired or "
     "revoked"},
    {"invalid_client", PM_CONFIG,
     "the provider does not accept this client; check "
     "oauth2_client_id and oauth2_client_secret"},
    {"unauthorized_client", PM_CONFIG,
     "this client ID may not use this kind of sign-in; allow it in the "
     "app registration (for --device: the device flow)"},
    {"invalid_scope", PM_CONFIG,
     "the provider refused the scope; check oauth2_scope"},
    {"access_denied", PM_NOPERM, "the sign-in was declined"},
    {"expired_token", PM_NOPERM,
     "the code expired before the sign-in was approved"},
    {"invalid_request", PM_PROTOCOL, "the provider refused the request"},
};

static enum pm_status
error_sentence(const char *code, const char *desc, long aad, long http,
	       struct pm_err *err)
{
	char *ecode = log_escape(code, strlen(code), 64);
	char *edesc = log_escape(desc, strcspn(desc, "\r\n"), 160);
	const char *what = NULL;
	enum pm_status st = PM_NOPERM;

	for (size_t i = 0; aad != 0 && i < sizeof(aadsts) / sizeof(*aadsts);
	     i++)
		if (aadsts[i].code == aad)
			what = aadsts[i].what, st = aadsts[i].st;
	for (size_t i = 0;
	     what == NULL && i < sizeof(oerrors) / sizeof(*oerrors); i++)
		if (strcmp(oerrors[i].code, code) == 0)
			what = oerrors[i].what, st = oerrors[i].st;
	if (what != NULL && aad != 0)
		err_set(err, st, "%s (%s, AADSTS%ld)", what, ecode, aad);
	else if (what != NULL)
		err_set(err, st, "%s (%s)", what, ecode);
	else if (http != 0)
		err_set(err, st, "the provider refused (HTTP %ld, %s%s%s)",
			http, code[0] ? ecode : "no error code",
			desc[0] ? ": " : "", edesc);
	else
		err_set(err, st, "the provider refused (%s%s%s)",
			code[0] ? ecode : "no error code", desc[0] ? ": " : "",
			edesc);
	free(ecode);
	free(edesc);
	return st;
}

enum pm_status
oauth2_error(const char *code, const char *desc, struct pm_err *err)
{
	const char *at = desc != NULL ? strstr(desc, "AADSTS") : NULL;

	return error_sentence(code, desc != NULL ? desc : "",
			      at != NULL ? strtol(at + 6, NULL, 10) : 0, 0,
			      err);
}

static enum pm_status
provider_error(JsonObject *o, long http, struct pm_err *err)
{
	return error_sentence(
	    json_object_get_string_member_with_default(o, "error", ""),
	    json_object_get_string_member_with_default(o, "error_description",
						       ""),
	    aadsts_code(o), http, err);
}

/* ---- requests ----------------------------------------------------------- */

static JsonObject *
parse_object(const char *body, size_t len)
{
	JsonParser *jp = json_parser_new();
	JsonObject *o = NULL;
	JsonNode *root;

	if (json_parser_load_from_data(jp, body, (gssize)len, NULL) &&
	    (root = json_parser_get_root(jp)) != NULL &&
	    JSON_NODE_HOLDS_OBJECT(root))
		o = json_object_ref(json_node_get_object(root));
	g_object_unref(jp);
	return o;
}

/* fields plus client_id and client_secret, in a new NULL-terminated
 * array of borrowed strings. */
static const char **
with_client(const struct oauth2_client *c, const char *const *fields,
	    const char *secret)
{
	size_t n = 0, i = 0;
	const char **all;

	while (fields[n] != NULL)
		n++;
	all = xcalloc(n + 5, sizeof(*all));
	for (; i < n; i++)
		all[i] = fields[i];
	all[i++] = "client_id";
	all[i++] = c->client_id;
	if (secret != NULL) {
		all[i++] = "client_secret";
		all[i++] = secret;
	}
	return all;
}

enum pm_status
oauth2_post_json(struct oauth2_client *c, const char *url,
		 const char *const *fields, void **obj_r, char **error_r,
		 struct pm_err *err)
{
	struct http_resp resp;
	const char *secret;
	const char **all;
	enum pm_status st;
	JsonObject *o;

	*obj_r = NULL;
	if (error_r != NULL)
		*error_r = NULL;
	if ((st = client_secret(c, &secret, err)) != PM_OK)
		return st;
	all = with_client(c, fields, secret);
	st = http_post_form(url, all, c->timeout, &resp, err);
	free(all);
	if (st != PM_OK)
		return st;
	o = parse_object(resp.body, resp.len);
	http_resp_clear(&resp);
	if (o == NULL)
		return err_set(err, PM_PROTOCOL,
			       "%.200s answered HTTP %ld without a JSON "
			       "object",
			       url, resp.status);
	if (json_object_has_member(o, "error") || resp.status < 200 ||
	    resp.status > 299) {
		if (error_r != NULL)
			*error_r =
			    xstrdup(json_object_get_string_member_with_default(
				o, "error", ""));
		st = provider_error(o, resp.status, err);
		json_object_unref(o);
		return st;
	}
	*obj_r = o;
	return PM_OK;
}

char *
oauth2_json_dup(void *obj, const char *name)
{
	JsonObject *o = obj;
	const char *v =
	    json_object_get_string_member_with_default(o, name, NULL);

	return v != NULL && *v != '\0' ? xstrdup(v) : NULL;
}

enum pm_status
oauth2_token_request(struct oauth2_client *c, const char *const *fields,
		     struct oauth2_tokens *t_r, char **error_r,
		     struct pm_err *err)
{
	enum pm_status st;
	JsonObject *o;
	void *obj;
	gint64 expires;

	memset(t_r, 0, sizeof(*t_r));
	st = oauth2_post_json(c, c->token_url, fields, &obj, error_r, err);
	if (st != PM_OK)
		return st;
	o = obj;
	t_r->access = oauth2_json_dup(o, "access_token");
	t_r->refresh = oauth2_json_dup(o, "refresh_token");
	expires = json_object_get_int_member_with_default(o, "expires_in", 0);
	json_object_unref(o);
	if (t_r->access == NULL) {
		oauth2_tokens_clear(t_r);
		return err_set(err, PM_PROTOCOL,
			       "the token endpoint's answer has no "
			       "access_token");
	}
	if (expires > 0 && expires < (gint64)10 * 365 * 86400)
		t_r->expires_at = (int64_t)time(NULL) + expires;
	return PM_OK;
}

enum pm_status
oauth2_refresh(struct oauth2_client *c, const char *refresh,
	       struct oauth2_tokens *t_r, struct pm_err *err)
{
	const char *fields[] = {"grant_type", "refresh_token", "refresh_token",
				refresh, NULL};

	return oauth2_token_request(c, fields, t_r, NULL, err);
}
