/* autoconfig.c: Thunderbird's autoconfig for popmuch setup (see
 * autoconfig.h): the documents fetched with http.c, read with GMarkup. */
#include "config.h"

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "popmuch/autoconfig.h"
#include "popmuch/http.h"
#include "popmuch/parse.h"
#include "popmuch/xmalloc.h"

/* The fields of one <incomingServer type="pop3"> that matter. */
enum field { F_NONE, F_HOST, F_PORT, F_SOCKET, F_USER, F_COUNT };

struct reading {
	const char *address;
	int depth;	  /* of the element being read */
	int server;	  /* depth of the pop3 incomingServer, or 0 */
	enum field field; /* the child whose text is read */
	char val[F_COUNT][256];
	int found;	 /* srv is filled */
	const char *why; /* why no server was usable; static */
	struct setup_server *srv;
	char *user;
	size_t usize;
};

static const char *const field_names[F_COUNT] = {NULL, "hostname", "port",
						 "socketType", "username"};

/* s with Thunderbird's placeholders replaced, into out (size bytes).
 * Returns 0, or -1 when it does not fit. */
static int
expand(const char *s, const char *address, char *out, size_t size)
{
	const char *at = strrchr(address, '@');
	size_t o = 0, len;
	struct {
		const char *name, *val;
		size_t vlen;
	} ph[] = {
	    {"%EMAILADDRESS%", address, strlen(address)},
	    {"%EMAILLOCALPART%", address, (size_t)(at - address)},
	    {"%EMAILDOMAIN%", at + 1, strlen(at + 1)},
	};

	while (*s != '\0') {
		size_t k;

		for (k = 0; k < 3; k++)
			if (strncmp(s, ph[k].name, strlen(ph[k].name)) == 0)
				break;
		len = k < 3 ? ph[k].vlen : 1;
		if (o + len + 1 > size)
			return -1;
		memcpy(out + o, k < 3 ? ph[k].val : s, len);
		o += len;
		s += k < 3 ? strlen(ph[k].name) : 1;
	}
	out[o] = '\0';
	return 0;
}

/* A host name as a server may be given one: letters, digits, '-' and
 * '.', 1-253 bytes. */
static int
host_ok(const char *h)
{
	size_t n = strlen(h);

	if (n == 0 || n > 253 || h[0] == '-' || h[0] == '.')
		return 0;
	return strspn(h, "abcdefghijklmnopqrstuvwxyz"
			 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.") == n;
}

/* The end of a pop3 incomingServer: take it if it is usable. */
static void
server_end(struct reading *rd)
{
	const char *sock = rd->val[F_SOCKET];
	char host[256];
	unsigned long port;

	if (strcmp(sock, "SSL") != 0 && strcmp(sock, "STARTTLS") != 0) {
		rd->why = "its POP3 server takes no TLS (socketType plain)";
		return;
	}
	if (expand(rd->val[F_HOST], rd->address, host, sizeof(host)) != 0 ||
	    !host_ok(host) || parse_ulong(rd->val[F_PORT], 65535, &port) != 0 ||
	    port == 0) {
		rd->why = "its POP3 server has no valid hostname and port";
		return;
	}
	(void)snprintf(rd->srv->host, sizeof(rd->srv->host), "%s", host);
	rd->srv->port = (unsigned)port;
	rd->srv->implicit_tls = strcmp(sock, "SSL") == 0;
	rd->srv->oauth2 = NULL;
	if (expand(rd->val[F_USER], rd->address, rd->user, rd->usize) != 0)
		rd->user[0] = '\0';
	rd->found = 1;
}

static void
on_start(GMarkupParseContext *pc, const char *name, const char **attr_names,
	 const char **attr_values, void *ctx, GError **gerr)
{
	struct reading *rd = ctx;

	(void)pc;
	(void)gerr;
	rd->depth++;
	if (rd->server == 0 && !rd->found &&
	    strcmp(name, "incomingServer") == 0) {
		for (size_t i = 0; attr_names[i] != NULL; i++)
			if (strcmp(attr_names[i], "type") == 0 &&
			    strcmp(attr_values[i], "pop3") == 0) {
				rd->server = rd->depth;
				memset(rd->val, 0, sizeof(rd->val));
			}
		return;
	}
	if (rd->server == 0 || rd->depth != rd->server + 1)
		return;
	for (int f = F_HOST; f < F_COUNT; f++)
		if (strcmp(name, field_names[f]) == 0)
			rd->field = (enum field)f;
}

static void
on_end(GMarkupParseContext *pc, const char *name, void *ctx, GError **gerr)
{
	struct reading *rd = ctx;

	(void)pc;
	(void)name;
	(void)gerr;
	if (rd->server != 0 && rd->depth == rd->server) {
		server_end(rd);
		rd->server = 0;
	}
	rd->field = F_NONE;
	rd->depth--;
}

/* The text of a field, without the blanks around it (longer values
 * than the buffer are cut, and then fail the checks). */
static void
on_text(GMarkupParseContext *pc, const char *text, gsize len, void *ctx,
	GError **gerr)
{
	struct reading *rd = ctx;
	char *v;
	size_t have;

	(void)pc;
	(void)gerr;
	if (rd->field == F_NONE)
		return;
	v = rd->val[rd->field];
	have = strlen(v);
	while (have == 0 && len > 0 && g_ascii_isspace(*text)) {
		text++;
		len--;
	}
	if (len > sizeof(rd->val[0]) - 1 - have)
		len = sizeof(rd->val[0]) - 1 - have;
	memcpy(v + have, text, len);
	v[have + len] = '\0';
	for (have += len; have > 0 && g_ascii_isspace(v[have - 1]); have--)
		v[have - 1] = '\0';
}

enum pm_status
autoconfig_parse(const char *xml, size_t len, const char *address,
		 struct setup_server *srv, char *user_r, size_t size,
		 struct pm_err *err)
{
	static const GMarkupParser parser = {on_start, on_end, on_text, NULL,
					     NULL};
	struct reading rd = {.address = address,
			     .why = "it names no POP3 server",
			     .srv = srv,
			     .user = user_r,
			     .usize = size};
	GMarkupParseContext *pc;
	GError *gerr = NULL;
	enum pm_status st = PM_OK;

	user_r[0] = '\0';
	if (strchr(address, '@') == NULL)
		return err_set(err, PM_USAGE, "'%s' is no e-mail address",
			       address);
	pc = g_markup_parse_context_new(&parser, 0, &rd, NULL);
	if (!g_markup_parse_context_parse(pc, xml, (gssize)len, &gerr) ||
	    !g_markup_parse_context_end_parse(pc, &gerr)) {
		st = err_set(err, PM_PROTOCOL, "not an autoconfig document: %s",
			     gerr != NULL ? gerr->message : "bad XML");
		g_clear_error(&gerr);
	} else if (!rd.found) {
		st = err_set(err, PM_UNAVAILABLE, "%s", rd.why);
	}
	g_markup_parse_context_free(pc);
	if (st != PM_OK)
		user_r[0] = '\0';
	return st;
}

/* The three documents' URLs for address at domain (caller frees each). */
static void
urls(const char *address, const char *domain, char *url_r[3])
{
	const char *base = getenv("POPMUCH_AUTOCONFIG_URL");
	const char *const q[] = {"emailaddress", address, NULL};
	char *query = http_form_encode(q);

	if (base != NULL && *base != '\0') {
		url_r[0] = xasprintf("%s/mail/config-v1.1.xml?%s", base, query);
		url_r[1] = xasprintf(
		    "%s/.well-known/autoconfig/mail/config-v1.1.xml", base);
		url_r[2] = xasprintf("%s/v1.1/%s", base, domain);
	} else {
		url_r[0] =
		    xasprintf("https://autoconfig.%s/mail/config-v1.1.xml?%s",
			      domain, query);
		url_r[1] = xasprintf(
		    "https://%s/.well-known/autoconfig/mail/config-v1.1.xml",
		    domain);
		url_r[2] = xasprintf(
		    "https://autoconfig.thunderbird.net/v1.1/%s", domain);
	}
	free(query);
}

/* One document: fetched, HTTP 200, and a usable server in it. */
static enum pm_status
try_url(const char *url, const char *address, int timeout,
	struct setup_server *srv, char *user_r, size_t size, struct pm_err *err)
{
	struct http_resp resp;
	enum pm_status st = http_get(url, timeout, &resp, err);

	if (st != PM_OK)
		return st;
	if (resp.status != 200)
		st = err_set(err, PM_UNAVAILABLE, "%s: HTTP %ld", url,
			     resp.status);
	else if ((st = autoconfig_parse(resp.body, resp.len, address, srv,
					user_r, size, err)) != PM_OK)
		err_prefix(err, "%s", url);
	http_resp_clear(&resp);
	return st;
}

enum pm_status
autoconfig_lookup(const char *address, int timeout, struct setup_server *srv,
		  char *user_r, size_t size, struct pm_err *err)
{
	static const char *const how[] = {
	    "autoconfig (the domain's autoconfig server)",
	    "autoconfig (the domain's .well-known)",
	    "autoconfig (Thunderbird's ISPDB)"};
	const char *at = strrchr(address, '@');
	enum pm_status st = PM_UNAVAILABLE;
	char *url[3];
	int k;

	if (at == NULL || !host_ok(at + 1))
		return err_set(err, PM_USAGE,
			       "'%s' does not end in a domain name", address);
	urls(address, at + 1, url);
	for (k = 0; k < 3 && st != PM_OK; k++) {
		struct setup_server s = {0};

		st = try_url(url[k], address, timeout, &s, user_r, size, err);
		if (st == PM_OK) {
			s.how = how[k];
			*srv = s;
		}
	}
	for (k = 0; k < 3; k++)
		free(url[k]);
	return st == PM_OK ? PM_OK : PM_UNAVAILABLE;
}
