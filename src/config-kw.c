/* config-kw.c: the configuration keywords.
 *
 * keywords[] has a row for every keyword, mpop's, popmuch's own and the
 * TUI's: honoured ones point at a handler that sets fields of the current
 * section (or global settings of struct config), refused ones fail with a
 * hint.  An unknown keyword gets a "did you mean" hint. */
#include "config.h"

#include <ctype.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "popmuch/account.h"
#include "popmuch/config.h"
#include "popmuch/http.h"
#include "popmuch/oauth2.h"
#include "popmuch/parse.h"
#include "popmuch/xmalloc.h"
#include "config-int.h"

#define FETCH_PARALLEL_MAX 64

/* ---- errors ------------------------------------------------------------ */

static enum pm_status
bad_arg(struct parse *p, const struct keyword *kw, const char *arg,
	const char *hint)
{
	return config_perr(p, kw->name, hint, "invalid argument \"%.100s\"",
			   arg);
}

static enum pm_status
need_arg(struct parse *p, const struct keyword *kw, const char *arg)
{
	if (*arg != '\0')
		return PM_OK;
	return config_perr(p, kw->name, NULL, "missing argument");
}

/* ---- small parsers ----------------------------------------------------- */

static int
parse_bool(const char *arg, int *v_r)
{
	if (*arg == '\0' || strcmp(arg, "on") == 0)
		*v_r = 1;
	else if (strcmp(arg, "off") == 0)
		*v_r = 0;
	else
		return -1;
	return 0;
}

/* ---- generic handlers -------------------------------------------------- */

static void
config_set_int(struct parse *p, int *slot, int f, int v)
{
	*slot = v;
	*p->cur_mask |= BIT(f);
}

/* A string that must be given. */
static enum pm_status
kw_string(struct parse *p, const struct keyword *kw, char *arg)
{
	if (need_arg(p, kw, arg) != PM_OK)
		return PM_CONFIG;
	config_set_str(p, kw->field, arg);
	return PM_OK;
}

/* A string; an empty argument unsets it (mpop). */
static enum pm_status
kw_string_opt(struct parse *p, const struct keyword *kw, char *arg)
{
	config_set_str(p, kw->field, *arg != '\0' ? arg : NULL);
	return PM_OK;
}

/* A file name or URI, with ~ expansion; an empty argument unsets it. */
static enum pm_status
kw_file_opt(struct parse *p, const struct keyword *kw, char *arg)
{
	char *path;

	if (*arg == '\0') {
		config_set_str(p, kw->field, NULL);
		return PM_OK;
	}
	path = account_expand_tilde(arg);
	config_set_str(p, kw->field, path);
	free(path);
	return PM_OK;
}

static enum pm_status
kw_bool(struct parse *p, const struct keyword *kw, char *arg)
{
	int v;

	if (parse_bool(arg, &v) != 0)
		return bad_arg(p, kw, arg, "use on or off");
	config_set_int(p, config_int_slot(p->cur, kw->field), kw->field, v);
	return PM_OK;
}

/* An old spelling whose meaning is the negation of a boolean field. */
static enum pm_status
kw_bool_negated(struct parse *p, const struct keyword *kw, char *arg)
{
	int v;

	if (parse_bool(arg, &v) != 0)
		return bad_arg(p, kw, arg, "use on or off");
	config_set_int(p, config_int_slot(p->cur, kw->field), kw->field, !v);
	return PM_OK;
}

static enum pm_status
kw_refuse(struct parse *p, const struct keyword *kw, char *arg)
{
	(void)arg;
	return config_perr(p, kw->name, kw->hint, "not supported by popmuch");
}

/* Refused, except that the empty argument (mpop: "disable this") matches
 * what popmuch does anyway. */
static enum pm_status
kw_refuse_nonempty(struct parse *p, const struct keyword *kw, char *arg)
{
	if (*arg == '\0')
		return PM_OK;
	return kw_refuse(p, kw, arg);
}

/* ---- keyword handlers -------------------------------------------------- */

static enum pm_status
kw_port(struct parse *p, const struct keyword *kw, char *arg)
{
	unsigned long v;

	if (need_arg(p, kw, arg) != PM_OK)
		return PM_CONFIG;
	if (parse_ulong(arg, 65535, &v) != 0 || v == 0)
		return bad_arg(p, kw, arg, "a port number from 1 to 65535");
	p->cur->port = (unsigned)v;
	*p->cur_mask |= BIT(F_port);
	return PM_OK;
}

static enum pm_status
kw_timeout(struct parse *p, const struct keyword *kw, char *arg)
{
	unsigned long v;

	if (need_arg(p, kw, arg) != PM_OK)
		return PM_CONFIG;
	if (strcmp(arg, "off") == 0)
		return config_perr(
		    p, kw->name,
		    "popmuch always bounds network waits; give a "
		    "number of seconds, default 180",
		    "\"off\" is not supported");
	if (parse_ulong(arg, 86400, &v) != 0 || v == 0)
		return bad_arg(p, kw, arg, "seconds, from 1 to 86400");
	config_set_int(p, &p->cur->timeout, F_timeout, (int)v);
	return PM_OK;
}

static enum pm_status
kw_pipelining(struct parse *p, const struct keyword *kw, char *arg)
{
	int v;

	if (strcmp(arg, "auto") == 0)
		v = CFG_AUTO;
	else if (parse_bool(arg, &v) != 0)
		return bad_arg(p, kw, arg, "use auto, on or off");
	config_set_int(p, &p->cur->pipelining, F_pipelining, v);
	return PM_OK;
}

static enum pm_status
kw_auth(struct parse *p, const struct keyword *kw, char *arg)
{
	char *s;

	for (s = arg; *s != '\0'; s++)
		*s = (char)tolower((unsigned char)*s);
	if (*arg == '\0')
		arg = (char *)(uintptr_t) "on";
	if (strcmp(arg, "gssapi") == 0 || strcmp(arg, "ntlm") == 0 ||
	    strcmp(arg, "digest-md5") == 0)
		return config_perr(
		    p, kw->name, "use one of " ACCOUNT_AUTH_NAMES,
		    "method %s is not supported by popmuch", arg);
	if (!account_auth_known(arg))
		return bad_arg(p, kw, arg, "one of " ACCOUNT_AUTH_NAMES);
	config_set_str(p, F_auth, arg);
	return PM_OK;
}

static enum pm_status
kw_password(struct parse *p, const struct keyword *kw, char *arg)
{
	if (*arg != '\0')
		p->has_password = 1;
	return kw_string_opt(p, kw, arg);
}

static enum pm_status
kw_trust_file(struct parse *p, const struct keyword *kw, char *arg)
{
	char *path;

	/* mpop: "system" is the system store; empty trusts no CA, which
	 * leaves only tls_fingerprint (checked when the account ends). */
	if (strcmp(arg, "system") == 0) {
		config_set_str(p, F_tls_trust_file, NULL);
		return PM_OK;
	}
	path = account_expand_tilde(arg);
	config_set_str(p, kw->field, path);
	free(path);
	return PM_OK;
}

/* "AA:BB:..." with 32 (SHA-256) or 20 (SHA-1) bytes; stored upper case. */
static enum pm_status
kw_fingerprint(struct parse *p, const struct keyword *kw, char *arg)
{
	size_t len = strlen(arg), i;

	if (len == 0) {
		config_set_str(p, F_tls_fingerprint, NULL);
		return PM_OK;
	}
	if (len == 16 * 3 - 1)
		return config_perr(
		    p, kw->name,
		    "give the SHA-256 fingerprint; popmuch fetch "
		    "prints it when a certificate is refused",
		    "MD5 fingerprints are not accepted");
	if (len != 32 * 3 - 1 && len != 20 * 3 - 1)
		return bad_arg(p, kw, arg,
			       "a SHA-256 fingerprint, 32 hex pairs separated "
			       "by colons");
	for (i = 0; i < len; i++) {
		if (i % 3 == 2 ? arg[i] != ':'
			       : !isxdigit((unsigned char)arg[i]))
			return bad_arg(p, kw, arg,
				       "a SHA-256 fingerprint, 32 hex pairs "
				       "separated by colons");
		arg[i] = (char)toupper((unsigned char)arg[i]);
	}
	config_set_str(p, F_tls_fingerprint, arg);
	return PM_OK;
}

static enum pm_status
kw_received_header(struct parse *p, const struct keyword *kw, char *arg)
{
	int v;

	if (parse_bool(arg, &v) != 0)
		return bad_arg(p, kw, arg, "use off");
	if (v)
		return config_perr(
		    p, kw->name,
		    "popmuch stores messages byte-exact; remove this "
		    "line",
		    "adding a Received header is not supported");
	config_set_int(p, &p->cur->received_header, F_received_header, 0);
	return PM_OK;
}

static enum pm_status
kw_keep(struct parse *p, const struct keyword *kw, char *arg)
{
	int64_t secs = 0;
	enum cfg_keep k;
	int v;

	if (parse_bool(arg, &v) == 0) {
		k = v ? CFG_KEEP_ON : CFG_KEEP_OFF;
	} else if (config_parse_duration(arg, &secs) == 0 && secs > 0) {
		k = CFG_KEEP_DAYS;
	} else {
		return bad_arg(p, kw, arg,
			       "on, off, or a duration such as 30d, 12h, "
			       "90m, 3600s");
	}
	p->cur->keep = k;
	p->cur->keep_seconds = secs;
	*p->cur_mask |= BIT(F_keep) | BIT(F_keep_seconds);
	return PM_OK;
}

static enum pm_status
kw_keep_max(struct parse *p, const struct keyword *kw, char *arg)
{
	unsigned long v;

	if (need_arg(p, kw, arg) != PM_OK)
		return PM_CONFIG;
	if (strcmp(arg, "off") == 0)
		p->cur->keep_max = -1;
	else if (parse_ulong(arg, LONG_MAX, &v) == 0)
		p->cur->keep_max = (long)v;
	else
		return bad_arg(p, kw, arg, "a number of messages, or off");
	*p->cur_mask |= BIT(F_keep_max);
	return PM_OK;
}

/* killsize, skipsize: "off", 0 (also off) or a size with k, m, g. */
static enum pm_status
kw_size(struct parse *p, const struct keyword *kw, char *arg)
{
	uint64_t v = 0;

	if (need_arg(p, kw, arg) != PM_OK)
		return PM_CONFIG;
	if (strcmp(arg, "off") != 0 && config_parse_size(arg, &v) != 0)
		return bad_arg(p, kw, arg,
			       "off, or a size in bytes with an optional k, m "
			       "or g suffix");
	if (kw->field == F_killsize)
		p->cur->killsize = v;
	else
		p->cur->skipsize = v;
	*p->cur_mask |= BIT(kw->field);
	return PM_OK;
}

/* "+tag -tag ...": each word adds or removes one tag. */
static enum pm_status
kw_tags(struct parse *p, const struct keyword *kw, char *arg)
{
	char *out = xmalloc(strlen(arg) + 1), *w, *save = NULL;
	size_t o = 0;

	for (w = strtok_r(arg, " \t", &save); w != NULL;
	     w = strtok_r(NULL, " \t", &save)) {
		if ((w[0] != '+' && w[0] != '-') || w[1] == '\0') {
			free(out);
			return config_perr(
			    p, kw->name,
			    "write +tag to add and -tag to remove, "
			    "e.g. tags \"+work -inbox\"",
			    "invalid tag operation \"%.100s\"", w);
		}
		if (o > 0)
			out[o++] = ' ';
		memcpy(out + o, w, strlen(w));
		o += strlen(w);
	}
	out[o] = '\0';
	config_set_str(p, F_tags, o > 0 ? out : NULL);
	free(out);
	return PM_OK;
}

static enum pm_status
kw_uidl_fallback(struct parse *p, const struct keyword *kw, char *arg)
{
	if (strcmp(arg, "top") == 0)
		config_set_int(p, &p->cur->uidl_fingerprint, F_uidl_fingerprint,
			       1);
	else if (strcmp(arg, "off") == 0)
		config_set_int(p, &p->cur->uidl_fingerprint, F_uidl_fingerprint,
			       0);
	else
		return bad_arg(p, kw, arg, "top or off");
	return PM_OK;
}

static enum pm_status
kw_fetch_parallel(struct parse *p, const struct keyword *kw, char *arg)
{
	unsigned long v;

	if (need_arg(p, kw, arg) != PM_OK)
		return PM_CONFIG;
	if (parse_ulong(arg, FETCH_PARALLEL_MAX, &v) != 0 || v == 0)
		return bad_arg(p, kw, arg, "a number from 1 to 64");
	p->cfg->fetch_parallel = (int)v;
	return PM_OK;
}

/* ---- the TUI's keywords ------------------------------------------------ */

/* The next blank-separated word of *s, unquoted ("a b" and \" \\ inside
 * quotes); *s moves past it.  NULL at the end, or with *bad set for an
 * unterminated quote. */
static char *
next_word(char **s, int *bad)
{
	return parse_word(s, " \t", PARSE_QUOTE_STRICT, bad);
}

/* Split arg into at most max words; returns the count, or -1 (error set)
 * for a bad quote or too many words. */
static int
split_words(struct parse *p, const struct keyword *kw, char *arg, char **words,
	    int max)
{
	int n = 0, bad;
	char *w;

	while ((w = next_word(&arg, &bad)) != NULL) {
		if (n == max) {
			config_perr(p, kw->name, kw->hint, "too many words");
			return -1;
		}
		words[n++] = w;
	}
	if (bad) {
		config_perr(p, kw->name,
			    "close the quote, and write \\\" inside it",
			    "unterminated or misplaced quote");
		return -1;
	}
	return n;
}

static enum pm_status
kw_search(struct parse *p, const struct keyword *kw, char *arg)
{
	struct config *cfg = p->cfg;
	char *name, *query;
	int bad;

	name = next_word(&arg, &bad);
	query = config_trim(arg);
	if (name == NULL || *name == '\0' || *query == '\0' ||
	    config_unquote(query) != 0 || *query == '\0')
		return config_perr(p, kw->name, kw->hint,
				   bad ? "unterminated quote"
				       : "needs a name and a "
					 "query");
	cfg->searches = xreallocarray(cfg->searches, cfg->nsearches + 1,
				      sizeof(*cfg->searches));
	cfg->searches[cfg->nsearches].name = xstrdup(name);
	cfg->searches[cfg->nsearches].query = xstrdup(query);
	cfg->nsearches++;
	return PM_OK;
}

static enum pm_status
kw_fetch_interval(struct parse *p, const struct keyword *kw, char *arg)
{
	int64_t secs;

	if (strcmp(arg, "off") == 0 || strcmp(arg, "0") == 0) {
		p->cfg->fetch_interval = 0;
		return PM_OK;
	}
	if (config_parse_duration(arg, &secs) != 0 || secs < 10 ||
	    secs > 7 * 86400)
		return bad_arg(p, kw, arg,
			       "off, or a duration from 10s to 7d, such as "
			       "15m");
	p->cfg->fetch_interval = secs;
	return PM_OK;
}

/* "pgp sign|encrypt|off": the PGP/MIME default of the account's mail. */
static enum pm_status
kw_pgp(struct parse *p, const struct keyword *kw, char *arg)
{
	if (strcmp(arg, "off") == 0) {
		config_set_str(p, kw->field, NULL);
		return PM_OK;
	}
	if (strcmp(arg, "sign") != 0 && strcmp(arg, "encrypt") != 0)
		return bad_arg(p, kw, arg, "use sign, encrypt or off");
	config_set_str(p, kw->field, arg);
	return PM_OK;
}

static enum pm_status
kw_send_with_fetch(struct parse *p, const struct keyword *kw, char *arg)
{
	if (parse_bool(arg, &p->cfg->send_with_fetch) != 0)
		return bad_arg(p, kw, arg, "use on or off");
	return PM_OK;
}

static enum pm_status
kw_html_command(struct parse *p, const struct keyword *kw, char *arg)
{
	(void)kw;
	free(p->cfg->html_command);
	/* "builtin" keeps the built-in tag stripper: an empty command */
	p->cfg->html_command = *arg == '\0'		     ? NULL
			       : strcmp(arg, "builtin") == 0 ? xstrdup("")
							     : xstrdup(arg);
	return PM_OK;
}

static enum pm_status
kw_bind(struct parse *p, const struct keyword *kw, char *arg)
{
	struct config *cfg = p->cfg;
	struct cfg_bind *b;
	char *w[3];
	int n = split_words(p, kw, arg, w, 3);

	if (n < 0)
		return PM_CONFIG;
	if (n < 2)
		return config_perr(p, kw->name, kw->hint,
				   "needs a key and an action");
	cfg->binds =
	    xreallocarray(cfg->binds, cfg->nbinds + 1, sizeof(*cfg->binds));
	b = &cfg->binds[cfg->nbinds++];
	b->screen = n == 3 ? xstrdup(w[0]) : NULL;
	b->key = xstrdup(w[n - 2]);
	b->action = xstrdup(w[n - 1]);
	b->file = xstrdup(p->file);
	b->line = p->line;
	return PM_OK;
}

static const char *const color_names[] = {
    "black", "red", "green", "yellow", "blue", "magenta", "cyan", "white",
};

/* "default", a colour name, "bright" + name (8-15), "colorN" (0-255). */
static int
parse_color(const char *s, int *c_r)
{
	unsigned long v;
	size_t i;

	if (strcmp(s, "default") == 0) {
		*c_r = CFG_COLOR_DEFAULT;
		return 0;
	}
	for (i = 0; i < 8; i++) {
		if (strcmp(s, color_names[i]) == 0 ||
		    (strncmp(s, "bright", 6) == 0 &&
		     strcmp(s + 6, color_names[i]) == 0)) {
			*c_r = (int)i + (s[0] == 'b' && s[1] == 'r' ? 8 : 0);
			return 0;
		}
	}
	if (strncmp(s, "color", 5) == 0 && parse_ulong(s + 5, 255, &v) == 0) {
		*c_r = (int)v;
		return 0;
	}
	return -1;
}

static int
parse_attr(const char *s, unsigned *attrs)
{
	static const struct {
		const char *name;
		unsigned bit;
	} names[] = {
	    {"bold", CFG_ATTR_BOLD},
	    {"underline", CFG_ATTR_UNDERLINE},
	    {"reverse", CFG_ATTR_REVERSE},
	    {"dim", CFG_ATTR_DIM},
	    {"standout", CFG_ATTR_STANDOUT},
	    {"blink", CFG_ATTR_BLINK},
	    {"normal", 0},
	    {"none", 0},
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i].name) == 0) {
			*attrs |= names[i].bit;
			return 0;
		}
	return -1;
}

static enum pm_status
kw_color(struct parse *p, const struct keyword *kw, char *arg)
{
	struct cfg_color c = {.bg = CFG_COLOR_DEFAULT};
	char *w[8];
	int n = split_words(p, kw, arg, w, 8), i = 2;

	if (n < 0)
		return PM_CONFIG;
	if (n < 2 || (strncmp(w[0], "tag:", 4) == 0 && w[0][4] == '\0'))
		return config_perr(p, kw->name, kw->hint,
				   "needs an element and a colour");
	if (parse_color(w[1], &c.fg) != 0)
		return config_perr(p, kw->name, kw->hint,
				   "unknown colour \"%.64s\"", w[1]);
	if (n > 2 && parse_color(w[2], &c.bg) == 0)
		i = 3;
	for (; i < n; i++)
		if (parse_attr(w[i], &c.attrs) != 0)
			return config_perr(
			    p, kw->name, kw->hint,
			    "unknown colour or attribute \"%.64s\"", w[i]);
	c.element = xstrdup(w[0]);
	c.file = xstrdup(p->file);
	c.line = p->line;
	p->cfg->colors = xreallocarray(p->cfg->colors, p->cfg->ncolors + 1,
				       sizeof(*p->cfg->colors));
	p->cfg->colors[p->cfg->ncolors++] = c;
	return PM_OK;
}

/* ---- OAuth2 (oauth2.h) ------------------------------------------------- */

static enum pm_status
kw_oauth2_provider(struct parse *p, const struct keyword *kw, char *arg)
{
	if (*arg == '\0') {
		config_set_str(p, F_oauth2_provider, NULL);
		return PM_OK;
	}
	if (oauth2_provider_find(arg) == NULL)
		return bad_arg(p, kw, arg, "google, microsoft or custom");
	config_set_str(p, F_oauth2_provider, arg);
	return PM_OK;
}

/* An endpoint URL: https, or http to a loopback address. */
static enum pm_status
kw_oauth2_url(struct parse *p, const struct keyword *kw, char *arg)
{
	struct pm_err e;

	if (*arg != '\0' && http_url_check(arg, &e) != PM_OK)
		return config_perr(p, kw->name, NULL, "%s", e.msg);
	config_set_str(p, kw->field, *arg != '\0' ? arg : NULL);
	return PM_OK;
}

static enum pm_status
kw_oauth2_secret(struct parse *p, const struct keyword *kw, char *arg)
{
	if (*arg != '\0')
		p->has_password =
		    1; /* the file must not be readable by others */
	return kw_string_opt(p, kw, arg);
}

enum pm_status
config_oauth2_check(struct parse *p, struct account *a)
{
	const struct oauth2_provider *pv;

	if (a->oauth2_provider == NULL)
		return PM_OK;
	pv = oauth2_provider_find(a->oauth2_provider);
	if (a->oauth2_client_id == NULL)
		return config_perr(p, "account",
				   "register popmuch with the provider and set "
				   "oauth2_client_id (popmuch.conf(5), OAUTH2)",
				   "account %s: oauth2_provider without "
				   "oauth2_client_id",
				   a->name);
	if (pv->pop_host == NULL &&
	    (a->oauth2_auth_url == NULL || a->oauth2_token_url == NULL))
		return config_perr(
		    p, "account", "set oauth2_auth_url and oauth2_token_url",
		    "account %s: oauth2_provider custom needs the "
		    "provider's endpoints",
		    a->name);
	if (a->host == NULL && pv->pop_host != NULL) {
		config_set_str(p, F_host, pv->pop_host);
		if (a->port == 0) {
			a->port = pv->pop_port;
			a->tls_starttls = 0;
		}
	}
	if (a->auth == NULL || strcmp(a->auth, "on") == 0)
		config_set_str(p, F_auth, pv->sasl);
	return PM_OK;
}

/* ---- the keyword table -------------------------------------------------
 * One row per keyword: honoured ones point at a handler (generic ones
 * take the field), refused ones at kw_refuse with the hint shown.  New
 * keywords are added here; "defaults" and "account" are handled by the
 * line parser itself (config.c). */

/* clang-format off */
#define HONOUR(name, fn, field) {name, fn, field, 0, NULL}
#define REFUSE(name, fn, hint) {name, fn, -1, 0, hint}

static const struct keyword keywords[] = {
	/* connection */
	HONOUR("host", kw_string, F_host),
	HONOUR("port", kw_port, F_port),
	HONOUR("timeout", kw_timeout, F_timeout),
	HONOUR("pipelining", kw_pipelining, F_pipelining),
	HONOUR("source_ip", kw_string_opt, F_source_ip),
	REFUSE("proxy_host", kw_refuse_nonempty,
	       "SOCKS proxies are not supported yet; remove the line"),
	REFUSE("proxy_port", kw_refuse_nonempty,
	       "SOCKS proxies are not supported yet; remove the line"),
	REFUSE("socket", kw_refuse,
	       "unix domain sockets are not supported yet; use host and "
	       "port"),
	/* TLS */
	HONOUR("tls", kw_bool, F_tls),
	HONOUR("tls_starttls", kw_bool, F_tls_starttls),
	HONOUR("tls_nostarttls", kw_bool_negated, F_tls_starttls),
	HONOUR("tls_certcheck", kw_bool, F_tls_certcheck),
	HONOUR("tls_nocertcheck", kw_bool_negated, F_tls_certcheck),
	HONOUR("tls_trust_file", kw_trust_file, F_tls_trust_file),
	HONOUR("tls_crl_file", kw_file_opt, F_tls_crl_file),
	HONOUR("tls_fingerprint", kw_fingerprint, F_tls_fingerprint),
	HONOUR("tls_key_file", kw_file_opt, F_tls_key_file),
	HONOUR("tls_cert_file", kw_file_opt, F_tls_cert_file),
	HONOUR("tls_priorities", kw_string_opt, F_tls_priorities),
	HONOUR("tls_host_override", kw_string_opt, F_tls_host_override),
	REFUSE("tls_min_dh_prime_bits", kw_refuse_nonempty,
	       "deprecated in mpop too; set tls_priorities instead, e.g. "
	       "tls_priorities NORMAL"),
	REFUSE("tls_force_sslv3", kw_refuse,
	       "SSLv3 is broken and popmuch requires TLS 1.2; remove the "
	       "line"),
	/* authentication */
	HONOUR("auth", kw_auth, F_auth),
	HONOUR("user", kw_string_opt, F_user),
	HONOUR("password", kw_password, F_password),
	HONOUR("passwordeval", kw_string_opt, F_passwordeval),
	REFUSE("ntlmdomain", kw_refuse_nonempty,
	       "NTLM authentication is not supported; remove the line"),
	/* delivery and retention */
	HONOUR("delivery", kw_delivery, F_maildir),
	HONOUR("uidls_file", kw_uidls_file, F_uidls_file),
	HONOUR("only_new", kw_bool, F_only_new),
	HONOUR("keep", kw_keep, F_keep),
	HONOUR("killsize", kw_size, F_killsize),
	HONOUR("skipsize", kw_size, F_skipsize),
	HONOUR("filter", kw_filter, F_filter),
	HONOUR("received_header", kw_received_header, F_received_header),
	REFUSE("eval", kw_refuse,
	       "popmuch runs no commands while reading its configuration; "
	       "use passwordeval for passwords, or generate this file"),
	/* popmuch's own */
	HONOUR("keep_max", kw_keep_max, F_keep_max),
	HONOUR("tags", kw_tags, F_tags),
	HONOUR("notmuch_config", kw_file_opt, F_notmuch_config),
	HONOUR("uidl_fallback", kw_uidl_fallback, F_uidl_fingerprint),
	{"fetch_parallel", kw_fetch_parallel, -1, KW_GLOBAL, NULL},
	/* OAuth2 */
	HONOUR("oauth2_provider", kw_oauth2_provider, F_oauth2_provider),
	HONOUR("oauth2_client_id", kw_string_opt, F_oauth2_client_id),
	HONOUR("oauth2_client_secret", kw_oauth2_secret,
	       F_oauth2_client_secret),
	HONOUR("oauth2_client_secret_eval", kw_string_opt,
	       F_oauth2_client_secret_eval),
	HONOUR("oauth2_tenant", kw_string_opt, F_oauth2_tenant),
	HONOUR("oauth2_auth_url", kw_oauth2_url, F_oauth2_auth_url),
	HONOUR("oauth2_token_url", kw_oauth2_url, F_oauth2_token_url),
	HONOUR("oauth2_device_url", kw_oauth2_url, F_oauth2_device_url),
	HONOUR("oauth2_scope", kw_string_opt, F_oauth2_scope),
	/* sending (compose.c, outbox.c) */
	HONOUR("from", kw_string_opt, F_from),
	HONOUR("sendmail_command", kw_string_opt, F_sendmail_command),
	{"send_with_fetch", kw_send_with_fetch, -1, KW_GLOBAL, NULL},
	HONOUR("pgp", kw_pgp, F_pgp),
	/* the TUI's, global */
	{"search", kw_search, -1, KW_GLOBAL | KW_WORDS,
	 "search NAME QUERY, e.g. search work \"tag:work and tag:unread\""},
	{"fetch_interval", kw_fetch_interval, -1, KW_GLOBAL, NULL},
	{"html_command", kw_html_command, -1, KW_GLOBAL, NULL},
	{"bind", kw_bind, -1, KW_GLOBAL | KW_WORDS,
	 "bind [SCREEN] KEY ACTION, e.g. bind list x archive"},
	{"color", kw_color, -1, KW_GLOBAL | KW_WORDS,
	 "color ELEMENT|tag:NAME FG [BG] [bold|underline|reverse|dim...]"},
};

/* clang-format on */
static const size_t nkeywords = sizeof(keywords) / sizeof(keywords[0]);

/* Levenshtein distance of two short strings, or 99 when too long. */
static int
edit_distance(const char *a, const char *b)
{
	int row[65], i, j, prev, tmp, best;
	size_t la = strlen(a), lb = strlen(b);

	if (la > 64 || lb > 64)
		return 99;
	for (j = 0; j <= (int)lb; j++)
		row[j] = j;
	for (i = 1; i <= (int)la; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= (int)lb; j++) {
			tmp = row[j];
			best = prev + (a[i - 1] != b[j - 1]);
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			prev = tmp;
		}
	}
	return row[lb];
}

enum pm_status
config_unknown_keyword(struct parse *p, const char *cmd)
{
	static const char *const extra[] = {"account", "defaults"};
	const char *best = NULL, *name;
	int bestd = 3, d;
	size_t i;
	char hint[64];

	for (i = 0; i < nkeywords + 2; i++) {
		name = i < nkeywords ? keywords[i].name : extra[i - nkeywords];
		d = edit_distance(cmd, name);
		if (d < bestd) {
			bestd = d;
			best = name;
		}
	}
	if (best != NULL)
		(void)snprintf(hint, sizeof(hint), "did you mean %s?", best);
	return config_perr(p, cmd, best != NULL ? hint : "see popmuch.conf(5)",
			   "unknown keyword");
}

const struct keyword *
config_keyword_find(const char *name)
{
	size_t i;

	for (i = 0; i < nkeywords; i++)
		if (strcmp(keywords[i].name, name) == 0)
			return &keywords[i];
	return NULL;
}
