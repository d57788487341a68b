/* config.c: the mpop-compatible configuration file.
 *
 * The file is read whole, split into lines, and each line into a keyword
 * and one argument (mpop's rules: leading and trailing blanks dropped,
 * surrounding double quotes removed).  Each keyword has a row in
 * keywords[]: honoured ones set fields of the current section, refused
 * ones fail with a hint.  An account starts as a copy of the defaults;
 * each parent then contributes the fields it set itself (its own lines
 * and its own parents'), tracked by a bit mask as mpop does. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "popmuch/config.h"
#include "popmuch/xmalloc.h"

#define CONFIG_MAX_SIZE (1024 * 1024)
#define FETCH_PARALLEL_MAX 64

/* clang-format off */
/* Every field of struct account that a keyword sets: name, is a string. */
#define FIELD_LIST(X)                                                        \
	X(host, 1) X(port, 0) X(timeout, 0) X(pipelining, 0)                 \
	X(source_ip, 1) X(tls, 0) X(tls_starttls, 0) X(tls_certcheck, 0)     \
	X(tls_trust_file, 1) X(tls_fingerprint, 1) X(tls_host_override, 1)   \
	X(tls_priorities, 1) X(tls_cert_file, 1) X(tls_key_file, 1)          \
	X(tls_crl_file, 1) X(auth, 1) X(user, 1) X(password, 1)              \
	X(passwordeval, 1) X(maildir, 1) X(received_header, 0) X(keep, 0)    \
	X(keep_seconds, 0) X(keep_max, 0) X(skipsize, 0) X(killsize, 0)      \
	X(only_new, 0) X(uidl_fingerprint, 0) X(tags, 1)                     \
	X(notmuch_config, 1)

enum field_id {
#define FIELD_ENUM(name, is_str) F_##name,
	FIELD_LIST(FIELD_ENUM)
#undef FIELD_ENUM
	F_COUNT
};

static const struct field {
	size_t off;
	size_t size;
	int is_str;
} fields[] = {
#define FIELD_ROW(name, is_str)                                              \
	{offsetof(struct account, name),                                     \
	 sizeof(((struct account *)0)->name), is_str},
	FIELD_LIST(FIELD_ROW)
#undef FIELD_ROW
};

/* clang-format on */
#define BIT(f) ((uint64_t)1 << (f))

struct parse {
	const char *file;
	int line;
	struct config *cfg;
	uint64_t *masks; /* parallel to cfg->accounts */
	struct account *defaults;
	uint64_t defaults_mask; /* marks of the defaults section (unused) */
	struct account *cur;	/* NULL before "defaults" or "account" */
	uint64_t *cur_mask;
	int has_password;
	struct pm_err *err;
};

struct keyword;
typedef enum pm_status (*kw_fn)(struct parse *p, const struct keyword *kw,
				char *arg);

/* Flags of a keyword row. */
#define KW_GLOBAL 0x1 /* only in the defaults section; sets struct config */
#define KW_WORDS 0x2  /* several words: the handler unquotes each itself */

struct keyword {
	const char *name;
	kw_fn fn;
	int field; /* F_* for the generic handlers, else -1 */
	unsigned flags;
	const char *hint; /* why it is refused, or what to write instead */
};

static const struct keyword keywords[];
static const size_t nkeywords;

/* ---- errors ------------------------------------------------------------ */

__attribute__((format(printf, 4, 5))) static enum pm_status
perr(struct parse *p, const char *kw, const char *hint, const char *fmt, ...)
{
	char reason[512];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	return err_set(p->err, PM_CONFIG, "%s:%d: %.64s: %s%s%s%s", p->file,
		       p->line, kw, reason, hint ? " (" : "", hint ? hint : "",
		       hint ? ")" : "");
}

static enum pm_status
bad_arg(struct parse *p, const struct keyword *kw, const char *arg,
	const char *hint)
{
	return perr(p, kw->name, hint, "invalid argument \"%.100s\"", arg);
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

/* A decimal number without sign, at most max. */
static int
parse_ulong(const char *s, unsigned long max, unsigned long *v_r)
{
	unsigned long v = 0;

	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (v > (max - (unsigned long)(*s - '0')) / 10)
			return -1;
		v = v * 10 + (unsigned long)(*s - '0');
	}
	*v_r = v;
	return 0;
}

int
config_parse_size(const char *s, uint64_t *size_r)
{
	uint64_t v = 0;
	unsigned shift = 0;
	const char *p = s;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (*p == 'k' || *p == 'K')
		shift = 10;
	else if (*p == 'm' || *p == 'M')
		shift = 20;
	else if (*p == 'g' || *p == 'G')
		shift = 30;
	else if (*p != '\0')
		return -1;
	if (shift != 0 && *++p != '\0')
		return -1;
	if (shift != 0 && v > (UINT64_MAX >> shift))
		return -1;
	*size_r = v << shift;
	return 0;
}

int
config_parse_duration(const char *s, int64_t *seconds_r)
{
	int64_t v = 0, unit;
	const char *p = s;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (INT64_MAX - (*p - '0')) / 10)
			return -1;
		v = v * 10 + (*p - '0');
	}
	/* clang-format off */
	switch (*p) {
	case 'd': unit = 86400; break;
	case 'h': unit = 3600; break;
	case 'm': unit = 60; break;
	case 's': unit = 1; break;
	default: return -1;
	}
	/* clang-format on */
	if (p[1] != '\0' || v > INT64_MAX / unit)
		return -1;
	*seconds_r = v * unit;
	return 0;
}

/* "~" or "~/..." at the start becomes $HOME.  Caller frees. */
static char *
expand_tilde(const char *s)
{
	const char *home;
	struct passwd *pw;

	if (s[0] != '~' || (s[1] != '\0' && s[1] != '/'))
		return xstrdup(s);
	home = getenv("HOME");
	if (home == NULL || *home == '\0') {
		pw = getpwuid(getuid());
		home = pw != NULL ? pw->pw_dir : "";
	}
	return xasprintf("%s%s", home, s + 1);
}

/* Remove surrounding double quotes, in place, handling \" and \\ inside.
 * An argument that does not both start and end with a quote is left
 * alone (mpop).  Returns -1 for a stray quote inside a quoted one. */
static int
unquote(char *s)
{
	size_t len = strlen(s), i, o = 0;

	if (len < 2 || s[0] != '"' || s[len - 1] != '"')
		return 0;
	for (i = 1; i < len - 1; i++) {
		if (s[i] == '\\' && (s[i + 1] == '"' || s[i + 1] == '\\') &&
		    i + 1 < len - 1) {
			s[o++] = s[++i];
			continue;
		}
		if (s[i] == '"')
			return -1;
		s[o++] = s[i];
	}
	s[o] = '\0';
	return 0;
}

static int
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static char *
trim(char *s)
{
	size_t len;

	while (is_blank(*s))
		s++;
	len = strlen(s);
	while (len > 0 && is_blank(s[len - 1]))
		s[--len] = '\0';
	return s;
}

/* ---- fields ------------------------------------------------------------ */

static char **
str_slot(struct account *a, int f)
{
	return (char **)(void *)((char *)a + fields[f].off);
}

static void
set_str(struct parse *p, int f, const char *val)
{
	char **slot = str_slot(p->cur, f);

	xfree_secret(*slot);
	*slot = val != NULL ? xstrdup(val) : NULL;
	*p->cur_mask |= BIT(f);
}

static void
set_int(struct parse *p, int *slot, int f, int v)
{
	*slot = v;
	*p->cur_mask |= BIT(f);
}

/* Copy the fields in mask from src to dst. */
static void
account_override(struct account *dst, const struct account *src, uint64_t mask)
{
	char **d, *s;
	int f;

	for (f = 0; f < F_COUNT; f++) {
		if (!(mask & BIT(f)))
			continue;
		if (!fields[f].is_str) {
			memcpy((char *)dst + fields[f].off,
			       (const char *)src + fields[f].off,
			       fields[f].size);
			continue;
		}
		d = str_slot(dst, f);
		s = *str_slot((struct account *)(uintptr_t)src, f);
		xfree_secret(*d);
		*d = s != NULL ? xstrdup(s) : NULL;
	}
}

static void
account_free(struct account *a)
{
	int f;

	if (a == NULL)
		return;
	for (f = 0; f < F_COUNT; f++)
		if (fields[f].is_str)
			xfree_secret(*str_slot(a, f));
	free(a->name);
	free(a->file);
	free(a);
}

static struct account *
account_defaults(void)
{
	struct account *a = xcalloc(1, sizeof(*a));

	a->timeout = 180;
	a->pipelining = CFG_AUTO;
	a->tls = 1;
	a->tls_starttls = 1;
	a->tls_certcheck = 1;
	a->auth = xstrdup("on");
	a->received_header = 0;
	a->keep = CFG_KEEP_OFF;
	a->keep_max = -1;
	a->only_new = 1;
	return a;
}

/* ---- generic handlers -------------------------------------------------- */

static enum pm_status
need_arg(struct parse *p, const struct keyword *kw, const char *arg)
{
	if (*arg != '\0')
		return PM_OK;
	return perr(p, kw->name, NULL, "missing argument");
}

/* A string that must be given. */
static enum pm_status
kw_string(struct parse *p, const struct keyword *kw, char *arg)
{
	if (need_arg(p, kw, arg) != PM_OK)
		return PM_CONFIG;
	set_str(p, kw->field, arg);
	return PM_OK;
}

/* A string; an empty argument unsets it (mpop). */
static enum pm_status
kw_string_opt(struct parse *p, const struct keyword *kw, char *arg)
{
	set_str(p, kw->field, *arg != '\0' ? arg : NULL);
	return PM_OK;
}

/* A file name or URI, with ~ expansion; an empty argument unsets it. */
static enum pm_status
kw_file_opt(struct parse *p, const struct keyword *kw, char *arg)
{
	char *path;

	if (*arg == '\0') {
		set_str(p, kw->field, NULL);
		return PM_OK;
	}
	path = expand_tilde(arg);
	set_str(p, kw->field, path);
	free(path);
	return PM_OK;
}

static enum pm_status
kw_bool(struct parse *p, const struct keyword *kw, char *arg)
{
	int v;

	if (parse_bool(arg, &v) != 0)
		return bad_arg(p, kw, arg, "use on or off");
	set_int(p, (int *)(void *)((char *)p->cur + fields[kw->field].off),
		kw->field, v);
	return PM_OK;
}

/* An old spelling whose meaning is the negation of a boolean field. */
static enum pm_status
kw_bool_negated(struct parse *p, const struct keyword *kw, char *arg)
{
	int v;

	if (parse_bool(arg, &v) != 0)
		return bad_arg(p, kw, arg, "use on or off");
	set_int(p, (int *)(void *)((char *)p->cur + fields[kw->field].off),
		kw->field, !v);
	return PM_OK;
}

static enum pm_status
kw_refuse(struct parse *p, const struct keyword *kw, char *arg)
{
	(void)arg;
	return perr(p, kw->name, kw->hint, "not supported by popmuch");
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
		return perr(p, kw->name,
			    "popmuch always bounds network waits; give a "
			    "number of seconds, default 180",
			    "\"off\" is not supported");
	if (parse_ulong(arg, 86400, &v) != 0 || v == 0)
		return bad_arg(p, kw, arg, "seconds, from 1 to 86400");
	set_int(p, &p->cur->timeout, F_timeout, (int)v);
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
	set_int(p, &p->cur->pipelining, F_pipelining, v);
	return PM_OK;
}

/* clang-format off */
static const char *const auth_methods[] = {
	"on", "user", "apop", "plain", "login", "cram-md5", "scram-sha-1",
	"scram-sha-256", "xoauth2", "oauthbearer", "external",
};
/* clang-format on */

static enum pm_status
kw_auth(struct parse *p, const struct keyword *kw, char *arg)
{
	size_t i;
	char *s;

	for (s = arg; *s != '\0'; s++)
		*s = (char)tolower((unsigned char)*s);
	if (*arg == '\0')
		arg = (char *)(uintptr_t) "on";
	if (strcmp(arg, "gssapi") == 0 || strcmp(arg, "ntlm") == 0 ||
	    strcmp(arg, "digest-md5") == 0)
		return perr(p, kw->name,
			    "use auth on, or one of user, plain, "
			    "scram-sha-256, xoauth2, oauthbearer, external",
			    "method %s is not supported by popmuch", arg);
	for (i = 0; i < sizeof(auth_methods) / sizeof(auth_methods[0]); i++)
		if (strcmp(arg, auth_methods[i]) == 0)
			break;
	if (i == sizeof(auth_methods) / sizeof(auth_methods[0]))
		return bad_arg(p, kw, arg,
			       "on, user, apop, plain, login, cram-md5, "
			       "scram-sha-1, scram-sha-256, xoauth2, "
			       "oauthbearer or external");
	set_str(p, F_auth, arg);
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
		set_str(p, F_tls_trust_file, NULL);
		return PM_OK;
	}
	path = expand_tilde(arg);
	set_str(p, kw->field, path);
	free(path);
	return PM_OK;
}

/* "AA:BB:..." with 32 (SHA-256) or 20 (SHA-1) bytes; stored upper case. */
static enum pm_status
kw_fingerprint(struct parse *p, const struct keyword *kw, char *arg)
{
	size_t len = strlen(arg), i;

	if (len == 0) {
		set_str(p, F_tls_fingerprint, NULL);
		return PM_OK;
	}
	if (len == 16 * 3 - 1)
		return perr(p, kw->name,
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
	set_str(p, F_tls_fingerprint, arg);
	return PM_OK;
}

static enum pm_status
kw_delivery(struct parse *p, const struct keyword *kw, char *arg)
{
	static const char hint[] = "popmuch delivers only to a Maildir that "
				   "notmuch indexes; use delivery maildir DIR "
				   "or remove the line";
	size_t n = strcspn(arg, " \t");
	char *dir;

	if (need_arg(p, kw, arg) != PM_OK)
		return PM_CONFIG;
	if ((n == 3 && strncmp(arg, "mda", 3) == 0) ||
	    (n == 4 && strncmp(arg, "mbox", 4) == 0) ||
	    (n == 8 && strncmp(arg, "exchange", 8) == 0))
		return perr(p, kw->name, hint, "method %.*s is not supported",
			    (int)n, arg);
	if (n != 7 || strncmp(arg, "maildir", 7) != 0)
		return bad_arg(p, kw, arg, "delivery maildir DIR");
	dir = trim(arg + n);
	if (unquote(dir) != 0)
		return perr(p, kw->name, "write \\\" for a quote inside quotes",
			    "stray quote in the directory");
	if (*dir == '\0')
		return perr(p, kw->name, "delivery maildir DIR",
			    "missing directory");
	dir = expand_tilde(dir);
	set_str(p, F_maildir, dir);
	free(dir);
	return PM_OK;
}

static enum pm_status
kw_received_header(struct parse *p, const struct keyword *kw, char *arg)
{
	int v;

	if (parse_bool(arg, &v) != 0)
		return bad_arg(p, kw, arg, "use off");
	if (v)
		return perr(p, kw->name,
			    "popmuch stores messages byte-exact; remove this "
			    "line",
			    "adding a Received header is not supported");
	set_int(p, &p->cur->received_header, F_received_header, 0);
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
			return perr(p, kw->name,
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
	set_str(p, F_tags, o > 0 ? out : NULL);
	free(out);
	return PM_OK;
}

static enum pm_status
kw_uidl_fallback(struct parse *p, const struct keyword *kw, char *arg)
{
	if (strcmp(arg, "top") == 0)
		set_int(p, &p->cur->uidl_fingerprint, F_uidl_fingerprint, 1);
	else if (strcmp(arg, "off") == 0)
		set_int(p, &p->cur->uidl_fingerprint, F_uidl_fingerprint, 0);
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
	char *p = *s + strspn(*s, " \t"), *w, *o;

	*bad = 0;
	if (*p == '\0')
		return NULL;
	if (*p != '"') {
		w = p;
		p += strcspn(p, " \t");
		if (*p != '\0')
			*p++ = '\0';
		*s = p;
		return w;
	}
	w = o = ++p;
	for (; *p != '\0' && *p != '"'; p++) {
		if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
			p++;
		*o++ = *p;
	}
	if (*p != '"' || (p[1] != '\0' && !is_blank(p[1]))) {
		*bad = 1;
		return NULL;
	}
	*o = '\0';
	*s = p[1] != '\0' ? p + 2 : p + 1;
	return w;
}

/* Split arg into at most max words; returns the count, or -1 (error set)
 * for a bad quote or too many words. */
static int
split_words(struct parse *p, const struct keyword *kw, char *arg,
	    char **words, int max)
{
	int n = 0, bad;
	char *w;

	while ((w = next_word(&arg, &bad)) != NULL) {
		if (n == max) {
			perr(p, kw->name, kw->hint, "too many words");
			return -1;
		}
		words[n++] = w;
	}
	if (bad) {
		perr(p, kw->name, "close the quote, and write \\\" inside it",
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
	query = trim(arg);
	if (name == NULL || *name == '\0' || *query == '\0' ||
	    unquote(query) != 0 || *query == '\0')
		return perr(p, kw->name, kw->hint,
			    bad ? "unterminated quote" : "needs a name and a "
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

static enum pm_status
kw_html_command(struct parse *p, const struct keyword *kw, char *arg)
{
	(void)kw;
	free(p->cfg->html_command);
	/* "builtin" keeps the built-in tag stripper: an empty command */
	p->cfg->html_command = *arg == '\0' ? NULL
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
		return perr(p, kw->name, kw->hint, "needs a key and an action");
	cfg->binds = xreallocarray(cfg->binds, cfg->nbinds + 1,
				   sizeof(*cfg->binds));
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
		return perr(p, kw->name, kw->hint,
			    "needs an element and a colour");
	if (parse_color(w[1], &c.fg) != 0)
		return perr(p, kw->name, kw->hint, "unknown colour \"%.64s\"",
			    w[1]);
	if (n > 2 && parse_color(w[2], &c.bg) == 0)
		i = 3;
	for (; i < n; i++)
		if (parse_attr(w[i], &c.attrs) != 0)
			return perr(p, kw->name, kw->hint,
				    "unknown colour or attribute \"%.64s\"",
				    w[i]);
	c.element = xstrdup(w[0]);
	c.file = xstrdup(p->file);
	c.line = p->line;
	p->cfg->colors = xreallocarray(p->cfg->colors, p->cfg->ncolors + 1,
				       sizeof(*p->cfg->colors));
	p->cfg->colors[p->cfg->ncolors++] = c;
	return PM_OK;
}

/* ---- the keyword table -------------------------------------------------
 * One row per keyword: honoured ones point at a handler (generic ones
 * take the field), refused ones at kw_refuse with the hint shown.  New
 * keywords are added here; "defaults" and "account" are handled by the
 * line parser itself. */

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
	REFUSE("uidls_file", kw_refuse,
	       "popmuch keeps its own crash-safe journal under "
	       "$XDG_STATE_HOME/popmuch/; delete this line"),
	HONOUR("only_new", kw_bool, F_only_new),
	HONOUR("keep", kw_keep, F_keep),
	HONOUR("killsize", kw_size, F_killsize),
	HONOUR("skipsize", kw_size, F_skipsize),
	REFUSE("filter", kw_refuse_nonempty,
	       "popmuch runs no header filters; use killsize and skipsize, "
	       "or tag and search with notmuch after delivery"),
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

static enum pm_status
unknown_keyword(struct parse *p, const char *cmd)
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
	return perr(p, cmd, best != NULL ? hint : "see popmuch.conf(5)",
		    "unknown keyword");
}

static const struct keyword *
keyword_find(const char *name)
{
	size_t i;

	for (i = 0; i < nkeywords; i++)
		if (strcmp(keywords[i].name, name) == 0)
			return &keywords[i];
	return NULL;
}

/* ---- sections ---------------------------------------------------------- */

/* Account names become directory names under the state directory. */
static int
valid_account_name(const char *s)
{
	if (*s == '\0' || *s == '.')
		return 0;
	for (; *s != '\0'; s++)
		if (*s == '/' || *s == ':' || *s == ',' ||
		    isspace((unsigned char)*s) || iscntrl((unsigned char)*s))
			return 0;
	return 1;
}

static size_t
account_index(const struct config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->naccounts; i++)
		if (strcmp(cfg->accounts[i]->name, name) == 0)
			return i;
	return (size_t)-1;
}

/* Apply the comma-separated parents in list to a, in order. */
static enum pm_status
apply_parents(struct parse *p, struct account *a, uint64_t *mask_r, char *list)
{
	char *name, *next;
	size_t i;

	for (; list != NULL; list = next) {
		next = strchr(list, ',');
		if (next != NULL)
			*next++ = '\0';
		name = trim(list);
		if (*name == '\0')
			return perr(p, "account", "account NAME : PARENT,...",
				    "missing parent account name");
		i = account_index(p->cfg, name);
		if (i == (size_t)-1)
			return perr(p, "account",
				    "a parent must be defined above the "
				    "account that inherits from it",
				    "unknown parent account %.100s", name);
		account_override(a, p->cfg->accounts[i], p->masks[i]);
		*mask_r |= p->masks[i];
	}
	return PM_OK;
}

static enum pm_status
start_account(struct parse *p, char *arg)
{
	char *colon = strchr(arg, ':'), *name;
	struct account *a;
	uint64_t mask = 0;
	size_t n = p->cfg->naccounts;

	if (colon != NULL)
		*colon = '\0';
	name = trim(arg);
	if (*name == '\0')
		return perr(p, "account", "account NAME [: PARENT,...]",
			    "missing account name");
	if (!valid_account_name(name))
		return perr(p, "account",
			    "no '/', ':', ',', blanks or control characters, "
			    "and no leading '.'",
			    "invalid account name \"%.100s\"", name);
	if (account_index(p->cfg, name) != (size_t)-1)
		return perr(p, "account", "account names must be unique",
			    "account %.100s is already defined", name);
	a = xcalloc(1, sizeof(*a));
	account_override(a, p->defaults, BIT(F_COUNT) - 1);
	if (colon != NULL && apply_parents(p, a, &mask, colon + 1) != PM_OK) {
		account_free(a);
		return PM_CONFIG;
	}
	a->name = xstrdup(name);
	a->file = xstrdup(p->file);
	a->line = p->line;
	p->cfg->accounts =
	    xreallocarray(p->cfg->accounts, n + 1, sizeof(*p->cfg->accounts));
	p->masks = xreallocarray(p->masks, n + 1, sizeof(*p->masks));
	p->cfg->accounts[n] = a;
	p->masks[n] = mask;
	p->cfg->naccounts = n + 1;
	p->cur = a;
	p->cur_mask = &p->masks[n];
	return PM_OK;
}

/* ---- lines ------------------------------------------------------------- */

static enum pm_status
section_keyword(struct parse *p, const struct keyword *kw, char *arg)
{
	if (p->cur == NULL && (kw->flags & KW_GLOBAL))
		return kw->fn(p, kw, arg);
	if (p->cur == NULL)
		return perr(p, kw->name, "start with defaults or account NAME",
			    "used before any defaults or account line");
	if ((kw->flags & KW_GLOBAL) && p->cur != p->defaults)
		return perr(p, kw->name, "move it to the defaults section",
			    "is a global setting, not an account setting");
	return kw->fn(p, kw, arg);
}

static enum pm_status
parse_line(struct parse *p, char *line)
{
	const struct keyword *kw;
	char *cmd, *arg;
	size_t n;

	cmd = line + strspn(line, " \t");
	if (*cmd == '#' || *cmd == '\0')
		return PM_OK;
	n = strcspn(cmd, " \t");
	arg = cmd + n;
	if (*arg != '\0')
		*arg++ = '\0';
	arg = trim(arg);
	kw = keyword_find(cmd);
	if ((kw == NULL || !(kw->flags & KW_WORDS)) && unquote(arg) != 0)
		return perr(p, cmd, "write \\\" for a quote inside quotes",
			    "stray quote inside a quoted argument");
	if (strcmp(cmd, "defaults") == 0) {
		if (*arg != '\0')
			return perr(p, cmd, NULL, "takes no argument");
		p->cur = p->defaults;
		p->cur_mask = &p->defaults_mask;
		return PM_OK;
	}
	if (strcmp(cmd, "account") == 0)
		return start_account(p, arg);
	if (kw == NULL)
		return unknown_keyword(p, cmd);
	return section_keyword(p, kw, arg);
}

/* ---- checks when the file is read -------------------------------------- */

static unsigned
effective_port(const struct account *a)
{
	if (a->port != 0)
		return a->port;
	return a->tls && !a->tls_starttls ? 995 : 110;
}

static enum pm_status
check_tls(struct parse *p, struct account *a)
{
	if ((a->tls_key_file == NULL) != (a->tls_cert_file == NULL))
		return perr(p, "account", "set both or neither",
			    "account %s: tls_key_file and tls_cert_file go "
			    "together",
			    a->name);
	if (a->tls_fingerprint != NULL && !a->tls_certcheck)
		return perr(p, "account",
			    "remove tls_certcheck off; the pin is a check",
			    "account %s: tls_fingerprint with tls_certcheck "
			    "off",
			    a->name);
	if (a->tls_trust_file == NULL || *a->tls_trust_file != '\0')
		return PM_OK;
	/* An empty tls_trust_file trusts no CA: only a pin can verify. */
	if (a->tls_fingerprint == NULL && a->tls && a->tls_certcheck)
		return perr(p, "account",
			    "set tls_fingerprint, or remove the empty "
			    "tls_trust_file line to use the system CAs",
			    "account %s: tls_trust_file is empty, so no "
			    "certificate can be verified",
			    a->name);
	set_str(p, F_tls_trust_file, NULL);
	return PM_OK;
}

static enum pm_status
check_duplicate(struct parse *p, size_t i)
{
	const struct account *a = p->cfg->accounts[i], *b;
	size_t j;

	for (j = 0; j < i; j++) {
		b = p->cfg->accounts[j];
		if (strcasecmp(a->host, b->host) != 0 ||
		    effective_port(a) != effective_port(b) ||
		    (a->user == NULL) != (b->user == NULL) ||
		    (a->user != NULL && strcmp(a->user, b->user) != 0))
			continue;
		return perr(p, "account",
			    "remove one; mpop's \"account default : NAME\" "
			    "line only chose mpop's default account",
			    "accounts %s and %s fetch the same mailbox",
			    b->name, a->name);
	}
	return PM_OK;
}

static enum pm_status
check_accounts(struct parse *p)
{
	struct account *a;
	size_t i;

	for (i = 0; i < p->cfg->naccounts; i++) {
		a = p->cfg->accounts[i];
		p->line = a->line;
		p->cur = a;
		p->cur_mask = &p->masks[i];
		if (a->host == NULL)
			return perr(p, "account", "add a host line",
				    "account %s has no host", a->name);
		if (check_tls(p, a) != PM_OK || check_duplicate(p, i) != PM_OK)
			return PM_CONFIG;
	}
	return PM_OK;
}

/* ---- entry points ------------------------------------------------------ */

static enum pm_status
parse_text(const char *name, const char *text, struct config **cfg_r,
	   int *has_password_r, struct pm_err *err)
{
	struct parse p = {.file = name, .err = err};
	char *copy = xstrdup(text), *line = copy, *nl;
	enum pm_status st = PM_OK;
	size_t len;

	p.cfg = xcalloc(1, sizeof(*p.cfg));
	p.cfg->path = xstrdup(name);
	p.cfg->fetch_parallel = 4;
	p.defaults = account_defaults();
	for (p.line = 1; st == PM_OK && line != NULL; p.line++) {
		nl = strchr(line, '\n');
		if (nl != NULL)
			*nl++ = '\0';
		len = strlen(line);
		if (len > 0 && line[len - 1] == '\r')
			line[len - 1] = '\0';
		st = parse_line(&p, line);
		line = nl;
	}
	if (st == PM_OK)
		st = check_accounts(&p);
	xwipe(copy, strlen(text));
	free(copy);
	account_free(p.defaults);
	free(p.masks);
	if (st != PM_OK) {
		config_free(&p.cfg);
		return st;
	}
	*has_password_r = p.has_password;
	*cfg_r = p.cfg;
	err_clear(err);
	return PM_OK;
}

enum pm_status
config_parse_string(const char *name, const char *text, struct config **cfg_r,
		    struct pm_err *err)
{
	int has_password;

	*cfg_r = NULL;
	return parse_text(name, text, cfg_r, &has_password, err);
}

/* Read the open file fd whole into a new NUL-terminated buffer. */
static enum pm_status
read_fd(int fd, const char *path, size_t size_hint, char **text_r,
	struct pm_err *err)
{
	size_t cap = size_hint + 1, len = 0;
	char *buf = xmalloc(cap);
	ssize_t n;

	for (;;) {
		if (len + 1 == cap) {
			if (cap > CONFIG_MAX_SIZE)
				break;
			buf = xreallocarray(buf, cap, 2);
			cap *= 2;
		}
		n = read(fd, buf + len, cap - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			xwipe(buf, len);
			free(buf);
			return err_set(err, PM_IOERR, "%s: %s", path,
				       strerror(errno));
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > CONFIG_MAX_SIZE || memchr(buf, '\0', len) != NULL) {
		xwipe(buf, len);
		free(buf);
		return err_set(err, PM_CONFIG,
			       "%s: not a text file of at most "
			       "1 MiB",
			       path);
	}
	buf[len] = '\0';
	*text_r = buf;
	return PM_OK;
}

enum pm_status
config_load(const char *path, struct config **cfg_r, struct pm_err *err)
{
	struct stat st;
	char *text = NULL;
	int fd, has_password = 0;
	enum pm_status rc;

	*cfg_r = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_set(err, PM_IOERR, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		(void)close(fd);
		return err_set(err, PM_IOERR, "%s: not a regular file", path);
	}
	rc = read_fd(fd, path,
		     st.st_size > 0 && st.st_size < CONFIG_MAX_SIZE
			 ? (size_t)st.st_size
			 : 4096,
		     &text, err);
	(void)close(fd);
	if (rc != PM_OK)
		return rc;
	rc = parse_text(path, text, cfg_r, &has_password, err);
	xwipe(text, strlen(text));
	free(text);
	if (rc == PM_OK && has_password &&
	    (st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		config_free(cfg_r);
		return err_set(err, PM_CONFIG,
			       "%s: contains a password but is "
			       "readable by others; chmod 600 %s",
			       path, path);
	}
	return rc;
}

struct account *
config_account(const struct config *cfg, const char *name)
{
	size_t i = account_index(cfg, name);

	return i == (size_t)-1 ? NULL : cfg->accounts[i];
}

char *
config_default_path(void)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home;
	struct passwd *pw;

	if (xdg != NULL && xdg[0] == '/')
		return xasprintf("%s/popmuch/config", xdg);
	home = getenv("HOME");
	if (home == NULL || *home == '\0') {
		pw = getpwuid(getuid());
		home = pw != NULL ? pw->pw_dir : "";
	}
	return xasprintf("%s/.config/popmuch/config", home);
}

static void
tui_settings_free(struct config *cfg)
{
	size_t i;

	for (i = 0; i < cfg->nsearches; i++) {
		free(cfg->searches[i].name);
		free(cfg->searches[i].query);
	}
	free(cfg->searches);
	for (i = 0; i < cfg->nbinds; i++) {
		free(cfg->binds[i].screen);
		free(cfg->binds[i].key);
		free(cfg->binds[i].action);
		free(cfg->binds[i].file);
	}
	free(cfg->binds);
	for (i = 0; i < cfg->ncolors; i++) {
		free(cfg->colors[i].element);
		free(cfg->colors[i].file);
	}
	free(cfg->colors);
	free(cfg->html_command);
}

void
config_free(struct config **cfg)
{
	size_t i;

	if (cfg == NULL || *cfg == NULL)
		return;
	for (i = 0; i < (*cfg)->naccounts; i++)
		account_free((*cfg)->accounts[i]);
	free((*cfg)->accounts);
	tui_settings_free(*cfg);
	free((*cfg)->path);
	free(*cfg);
	*cfg = NULL;
}
