/* config.c: the mpop-compatible configuration file.
 *
 * The file is read whole, split into lines, and each line into a keyword
 * and one argument (mpop's rules: leading and trailing blanks dropped,
 * surrounding double quotes removed).  Each keyword has a row in
 * keywords[] (config-kw.c): honoured ones set fields of the current
 * section, refused ones fail with a hint.  An account starts as a copy of
 * the defaults; each parent then contributes the fields it set itself (its
 * own lines and its own parents'), tracked by a bit mask as mpop does. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "popmuch/account.h"
#include "popmuch/config.h"
#include "popmuch/parse.h"
#include "popmuch/fsutil.h"
#include "popmuch/xmalloc.h"
#include "config-int.h"

#define CONFIG_MAX_SIZE (1024 * 1024)

/* clang-format off */
/* Where each field of struct account is, and whether it is a string. */
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

/* ---- errors ------------------------------------------------------------ */

__attribute__((format(printf, 4, 5))) enum pm_status
config_perr(struct parse *p, const char *kw, const char *hint, const char *fmt,
	    ...)
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

/* Keep p->err's message in p->errors, the list of every error. */
static void
collect_error(struct parse *p)
{
	size_t len = p->errors != NULL ? strlen(p->errors) : 0;
	size_t add = strlen(p->err->msg);

	p->errors = xreallocarray(p->errors, len + add + 2, 1);
	if (len > 0)
		p->errors[len++] = '\n';
	memcpy(p->errors + len, p->err->msg, add + 1);
	p->nerrors++;
}

/* Set err to every error collected, whole lines only, with a count of
 * the ones that do not fit. */
static enum pm_status
report_errors(struct parse *p, struct pm_err *err)
{
	char tail[64];
	size_t keep = 0, n = 0, i;
	const char *s = p->errors;

	for (i = 0; s[i] != '\0'; i++) {
		if (s[i + 1] != '\n' && s[i + 1] != '\0')
			continue;
		if (i + 1 + sizeof(tail) >= PM_ERR_MSG_MAX)
			break;
		keep = i + 1;
		n++;
	}
	if (n == 0) { /* one line longer than the buffer: cut it */
		keep = PM_ERR_MSG_MAX - sizeof(tail) - 1;
		n = 1;
	}
	tail[0] = '\0';
	if (n < p->nerrors)
		(void)snprintf(tail, sizeof(tail), "\n(and %zu more errors)",
			       p->nerrors - n);
	return err_set(err, PM_CONFIG, "%.*s%s", (int)keep, s, tail);
}

__attribute__((format(printf, 3, 4))) void
config_note(struct parse *p, const char *kw, const char *fmt, ...)
{
	char note[512];
	struct config *cfg = p->cfg;
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(note, sizeof(note), fmt, ap);
	va_end(ap);
	cfg->notes =
	    xreallocarray(cfg->notes, cfg->nnotes + 1, sizeof(*cfg->notes));
	cfg->notes[cfg->nnotes++] =
	    xasprintf("%s:%d: %.64s: %s", p->file, p->line, kw, note);
}

/* ---- small parsers ----------------------------------------------------- */

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

/* Remove surrounding double quotes, in place, handling \" and \\ inside.
 * An argument that does not both start and end with a quote is left
 * alone (mpop).  Returns -1 for a stray quote inside a quoted one. */
int
config_unquote(char *s)
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

char *
config_trim(char *s)
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
config_str_slot(struct account *a, int f)
{
	return (char **)(void *)((char *)a + fields[f].off);
}

int *
config_int_slot(struct account *a, int f)
{
	return (int *)(void *)((char *)a + fields[f].off);
}

void
config_set_str(struct parse *p, int f, const char *val)
{
	char **slot = config_str_slot(p->cur, f);

	xfree_secret(*slot);
	*slot = val != NULL ? xstrdup(val) : NULL;
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
		d = config_str_slot(dst, f);
		s = *config_str_slot((struct account *)(uintptr_t)src, f);
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
			xfree_secret(*config_str_slot(a, f));
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

/* ---- sections ---------------------------------------------------------- */

/* Account names become directory names under the state directory
 * (parse_basename_ok()), and no hidden ones. */
static int
valid_account_name(const char *s)
{
	if (!parse_basename_ok(s) || *s == '.')
		return 0;
	for (; *s != '\0'; s++)
		if (*s == ':' || *s == ',' || isspace((unsigned char)*s) ||
		    iscntrl((unsigned char)*s))
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
		name = config_trim(list);
		if (*name == '\0')
			return config_perr(p, "account",
					   "account NAME : PARENT,...",
					   "missing parent account name");
		i = account_index(p->cfg, name);
		if (i == (size_t)-1)
			return config_perr(p, "account",
					   "a parent must be defined above the "
					   "account that inherits from it",
					   "unknown parent account %.100s",
					   name);
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
	name = config_trim(arg);
	p->cur = p->scratch; /* until the account is accepted */
	p->cur_mask = &p->scratch_mask;
	if (*name == '\0')
		return config_perr(p, "account", "account NAME [: PARENT,...]",
				   "missing account name");
	if (!valid_account_name(name))
		return config_perr(
		    p, "account",
		    "no '/', ':', ',', blanks or control characters, "
		    "and no leading '.'",
		    "invalid account name \"%.100s\"", name);
	if (account_index(p->cfg, name) != (size_t)-1)
		return config_perr(p, "account", "account names must be unique",
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
	/* mpop's "account default : NAME" with one parent may be an alias */
	if (strcmp(name, "default") == 0 && colon != NULL &&
	    strchr(colon + 1, ',') == NULL) {
		p->default_index = (long)n;
		p->default_own_lines = 0;
		free(p->default_parent);
		p->default_parent = xstrdup(config_trim(colon + 1));
	}
	return PM_OK;
}

/* mpop fetched the account named "default" when run without names;
 * "account default : NAME" with no lines of its own only says which one.
 * Drop that copy (it would fetch NAME's mailbox twice) and keep NAME as
 * cfg->default_account. */
static void
resolve_default_alias(struct parse *p)
{
	struct config *cfg = p->cfg;
	size_t i = (size_t)p->default_index, n;

	if (p->default_index < 0 || p->default_own_lines > 0 ||
	    account_index(cfg, p->default_parent) == (size_t)-1)
		return;
	cfg->default_account = xstrdup(p->default_parent);
	account_free(cfg->accounts[i]);
	n = cfg->naccounts - i - 1;
	memmove(&cfg->accounts[i], &cfg->accounts[i + 1],
		n * sizeof(*cfg->accounts));
	memmove(&p->masks[i], &p->masks[i + 1], n * sizeof(*p->masks));
	cfg->naccounts--;
}

/* ---- lines ------------------------------------------------------------- */

static enum pm_status
section_keyword(struct parse *p, const struct keyword *kw, char *arg)
{
	if (p->cur == NULL && (kw->flags & KW_GLOBAL))
		return kw->fn(p, kw, arg);
	if (p->cur == NULL)
		return config_perr(p, kw->name,
				   "start with defaults or account NAME",
				   "used before any defaults or account line");
	if ((kw->flags & KW_GLOBAL) && p->cur != p->defaults)
		return config_perr(
		    p, kw->name, "move it to the defaults section",
		    "is a global setting, not an account setting");
	if (p->default_index >= 0 &&
	    p->cur == p->cfg->accounts[p->default_index])
		p->default_own_lines++;
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
	arg = config_trim(arg);
	kw = config_keyword_find(cmd);
	if ((kw == NULL || !(kw->flags & KW_WORDS)) && config_unquote(arg) != 0)
		return config_perr(p, cmd,
				   "write \\\" for a quote inside quotes",
				   "stray quote inside a quoted argument");
	if (strcmp(cmd, "defaults") == 0) {
		if (*arg != '\0')
			return config_perr(p, cmd, NULL, "takes no argument");
		p->cur = p->defaults;
		p->cur_mask = &p->defaults_mask;
		return PM_OK;
	}
	if (strcmp(cmd, "account") == 0)
		return start_account(p, arg);
	if (kw == NULL)
		return config_unknown_keyword(p, cmd);
	return section_keyword(p, kw, arg);
}

/* ---- checks when the file is read -------------------------------------- */

static enum pm_status
check_tls(struct parse *p, struct account *a)
{
	if ((a->tls_key_file == NULL) != (a->tls_cert_file == NULL))
		return config_perr(
		    p, "account", "set both or neither",
		    "account %s: tls_key_file and tls_cert_file go "
		    "together",
		    a->name);
	if (a->tls_fingerprint != NULL && !a->tls_certcheck)
		return config_perr(
		    p, "account",
		    "remove tls_certcheck off; the pin is a check",
		    "account %s: tls_fingerprint with tls_certcheck "
		    "off",
		    a->name);
	if (a->tls_trust_file == NULL || *a->tls_trust_file != '\0')
		return PM_OK;
	/* An empty tls_trust_file trusts no CA: only a pin can verify. */
	if (a->tls_fingerprint == NULL && a->tls && a->tls_certcheck)
		return config_perr(p, "account",
				   "set tls_fingerprint, or remove the empty "
				   "tls_trust_file line to use the system CAs",
				   "account %s: tls_trust_file is empty, so no "
				   "certificate can be verified",
				   a->name);
	config_set_str(p, F_tls_trust_file, NULL);
	return PM_OK;
}

static enum pm_status
check_duplicate(struct parse *p, size_t i)
{
	const struct account *a = p->cfg->accounts[i], *b;
	size_t j;

	for (j = 0; j < i; j++) {
		b = p->cfg->accounts[j];
		if (b->host == NULL || strcasecmp(a->host, b->host) != 0 ||
		    account_port(a) != account_port(b) ||
		    (a->user == NULL) != (b->user == NULL) ||
		    (a->user != NULL && strcmp(a->user, b->user) != 0))
			continue;
		return config_perr(
		    p, "account",
		    "remove one; mpop's \"account default : NAME\" "
		    "line only chose mpop's default account",
		    "accounts %s and %s fetch the same mailbox", b->name,
		    a->name);
	}
	return PM_OK;
}

/* Check every account, collecting each error. */
static void
check_accounts(struct parse *p)
{
	struct account *a;
	size_t i;

	for (i = 0; i < p->cfg->naccounts; i++) {
		a = p->cfg->accounts[i];
		p->line = a->line;
		p->cur = a;
		p->cur_mask = &p->masks[i];
		if (config_oauth2_check(p, a) != PM_OK)
			collect_error(p);
		if (a->host == NULL) {
			(void)config_perr(p, "account", "add a host line",
					  "account %s has no host", a->name);
			collect_error(p);
		}
		if (check_tls(p, a) != PM_OK)
			collect_error(p);
		if (a->host != NULL && check_duplicate(p, i) != PM_OK)
			collect_error(p);
	}
}

/* ---- entry points ------------------------------------------------------ */

static enum pm_status
parse_text(const char *name, const char *text, struct config **cfg_r,
	   int *has_password_r, struct pm_err *err)
{
	struct parse p = {.file = name, .err = err, .default_index = -1};
	char *copy = xstrdup(text), *line = copy, *nl;
	enum pm_status st = PM_OK;
	size_t len;

	p.cfg = xcalloc(1, sizeof(*p.cfg));
	p.cfg->path = xstrdup(name);
	p.cfg->fetch_parallel = 4;
	p.cfg->send_with_fetch = 1;
	p.defaults = account_defaults();
	p.scratch = account_defaults();
	for (p.line = 1; line != NULL; p.line++) {
		nl = strchr(line, '\n');
		if (nl != NULL)
			*nl++ = '\0';
		len = strlen(line);
		if (len > 0 && line[len - 1] == '\r')
			line[len - 1] = '\0';
		if (parse_line(&p, line) != PM_OK)
			collect_error(&p);
		line = nl;
	}
	resolve_default_alias(&p);
	check_accounts(&p);
	if (p.nerrors > 0)
		st = report_errors(&p, err);
	xwipe(copy, strlen(text));
	free(copy);
	account_free(p.defaults);
	account_free(p.scratch);
	free(p.masks);
	free(p.errors);
	free(p.default_parent);
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
			/* the text may hold a password: leave no copy */
			buf = xgrow_secret(buf, len, cap * 2);
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
	xwipe_registers(); /* before any thread inherits them */
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

	if (i == (size_t)-1 && cfg->default_account != NULL &&
	    strcmp(name, "default") == 0)
		i = account_index(cfg, cfg->default_account);
	return i == (size_t)-1 ? NULL : cfg->accounts[i];
}

enum pm_status
config_select(const struct config *cfg, char *const *names, size_t n,
	      const struct account ***accts_r, size_t *n_r, struct pm_err *err)
{
	const struct account **a;

	if (n == 0) {
		if (cfg->naccounts == 0)
			return err_set(err, PM_CONFIG,
				       "%s: no account is configured",
				       cfg->path ? cfg->path : "config");
		a = xcalloc(cfg->naccounts, sizeof(*a));
		for (size_t i = 0; i < cfg->naccounts; i++)
			a[i] = cfg->accounts[i];
		*accts_r = a;
		*n_r = cfg->naccounts;
		return PM_OK;
	}
	a = xcalloc(n, sizeof(*a));
	for (size_t i = 0; i < n; i++)
		if ((a[i] = config_account(cfg, names[i])) == NULL) {
			free(a);
			return err_set(err, PM_USAGE,
				       "no account named '%s' in %s", names[i],
				       cfg->path ? cfg->path : "config");
		}
	*accts_r = a;
	*n_r = n;
	return PM_OK;
}

/* $XDG_CONFIG_HOME/rel, else ~/.config/rel.  Caller frees. */
static char *
xdg_config_file(const char *rel)
{
	const char *xdg = getenv("XDG_CONFIG_HOME");
	char *home, *path;

	if (xdg != NULL && xdg[0] == '/')
		return xasprintf("%s/%s", xdg, rel);
	home = account_home();
	path = xasprintf("%s/.config/%s", home ? home : "", rel);
	free(home);
	return path;
}

char *
config_default_path(void)
{
	return xdg_config_file("popmuch/config");
}

char *
config_find_path(int *is_mpop_r)
{
	char *own = config_default_path(), *mpop[2];
	int i;

	if (is_mpop_r != NULL)
		*is_mpop_r = 0;
	if (access(own, F_OK) == 0)
		return own;
	/* as mpop 1.4 (mpop --version names it): ~/.mpoprc when it
	 * exists, else the XDG file */
	mpop[0] = account_expand_tilde("~/.mpoprc");
	mpop[1] = xdg_config_file("mpop/config");
	for (i = 0; i < 2 && access(mpop[i], F_OK) != 0; i++)
		;
	if (i == 2) {
		free(mpop[0]);
		free(mpop[1]);
		return own;
	}
	free(own);
	free(mpop[1 - i]);
	if (is_mpop_r != NULL)
		*is_mpop_r = 1;
	return mpop[i];
}

char *
config_notes_text(const struct config *cfg, int is_mpop)
{
	size_t i, len = 0;
	char *text, *o;

	if (is_mpop)
		len += strlen(cfg->path) + 160;
	for (i = 0; i < cfg->nnotes; i++)
		len += strlen(cfg->notes[i]) + 1;
	if (len == 0)
		return NULL;
	o = text = xmalloc(len + 1);
	if (is_mpop)
		o += sprintf(o,
			     "reading mpop's %s, as there is no popmuch "
			     "configuration (copy it to %s to change it "
			     "for popmuch alone)\n",
			     cfg->path, "~/.config/popmuch/config");
	for (i = 0; i < cfg->nnotes; i++)
		o += sprintf(o, "%s\n", cfg->notes[i]);
	return text;
}

int
config_shown_before(const char *stamp, const char *text)
{
	size_t len = strlen(text), got = 0;
	char *old = xmalloc(len + 2), *tmp;
	int fd = open(stamp, O_RDONLY | O_CLOEXEC), same = 0;
	ssize_t n;

	while (fd >= 0 && got < len + 1 &&
	       (n = read(fd, old + got, len + 1 - got)) > 0)
		got += (size_t)n;
	if (fd >= 0) {
		same = got == len && memcmp(old, text, len) == 0;
		(void)close(fd);
	}
	free(old);
	if (same)
		return 1;
	/* record it */
	tmp = xstrdup(stamp);
	if (strrchr(tmp, '/') != NULL && strrchr(tmp, '/') != tmp) {
		*strrchr(tmp, '/') = '\0';
		(void)fsutil_mkdirs(tmp, NULL);
	}
	free(tmp);
	(void)fsutil_write_atomic(stamp, text, len, NULL);
	return 0;
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
	for (i = 0; i < (*cfg)->nnotes; i++)
		free((*cfg)->notes[i]);
	free((*cfg)->notes);
	free((*cfg)->default_account);
	free((*cfg)->path);
	free(*cfg);
	*cfg = NULL;
}
