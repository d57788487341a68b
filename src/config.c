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
config_perr(struct parse *p, const char *kw, const char *hint, const char *fmt, ...)
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
		if (*s == ':' || *s == ',' ||
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
		name = config_trim(list);
		if (*name == '\0')
			return config_perr(p, "account", "account NAME : PARENT,...",
				    "missing parent account name");
		i = account_index(p->cfg, name);
		if (i == (size_t)-1)
			return config_perr(p, "account",
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
	name = config_trim(arg);
	if (*name == '\0')
		return config_perr(p, "account", "account NAME [: PARENT,...]",
			    "missing account name");
	if (!valid_account_name(name))
		return config_perr(p, "account",
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
	return PM_OK;
}

/* ---- lines ------------------------------------------------------------- */

static enum pm_status
section_keyword(struct parse *p, const struct keyword *kw, char *arg)
{
	if (p->cur == NULL && (kw->flags & KW_GLOBAL))
		return kw->fn(p, kw, arg);
	if (p->cur == NULL)
		return config_perr(p, kw->name, "start with defaults or account NAME",
			    "used before any defaults or account line");
	if ((kw->flags & KW_GLOBAL) && p->cur != p->defaults)
		return config_perr(p, kw->name, "move it to the defaults section",
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
	arg = config_trim(arg);
	kw = config_keyword_find(cmd);
	if ((kw == NULL || !(kw->flags & KW_WORDS)) && config_unquote(arg) != 0)
		return config_perr(p, cmd, "write \\\" for a quote inside quotes",
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
		return config_perr(p, "account", "set both or neither",
			    "account %s: tls_key_file and tls_cert_file go "
			    "together",
			    a->name);
	if (a->tls_fingerprint != NULL && !a->tls_certcheck)
		return config_perr(p, "account",
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
		if (strcasecmp(a->host, b->host) != 0 ||
		    account_port(a) != account_port(b) ||
		    (a->user == NULL) != (b->user == NULL) ||
		    (a->user != NULL && strcmp(a->user, b->user) != 0))
			continue;
		return config_perr(p, "account",
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
		if (config_oauth2_check(p, a) != PM_OK)
			return PM_CONFIG;
		if (a->host == NULL)
			return config_perr(p, "account", "add a host line",
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
	p.cfg->send_with_fetch = 1;
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
				       "no account named '%s' in %s",
				       names[i], cfg->path ? cfg->path : "config");
		}
	*accts_r = a;
	*n_r = n;
	return PM_OK;
}

char *
config_default_path(void)
{
	const char *xdg = getenv("XDG_CONFIG_HOME");
	char *home, *path;

	if (xdg != NULL && xdg[0] == '/')
		return xasprintf("%s/popmuch/config", xdg);
	home = account_home();
	path = xasprintf("%s/.config/popmuch/config", home ? home : "");
	free(home);
	return path;
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

