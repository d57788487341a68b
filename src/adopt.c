/* adopt.c: the readers of mpop's, fetchmail's and getmail6's records of
 * what they downloaded (formats in adopt.h).
 *
 * Hand-written because no library reads these files: each is the peer's
 * private format, read here as the peer itself writes it (mpop's
 * uidls.c, fetchmail's uid.c, getmail6's _retrieverbases.py).  A reader
 * parses a whole file into a scratch list first and adds it to the set
 * only when the file is sound, so a corrupt file adds nothing.  The set
 * is a sorted array, deduplicated after each file. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "popmuch/account.h"
#include "popmuch/adopt.h"
#include "popmuch/xmalloc.h"

#define ADOPT_UIDL_MAX 70
#define ADOPT_FILE_MAX (256L * 1024 * 1024)

struct adopt_set {
	struct adopt_entry *v;
	size_t n, cap;
};

/* One file being read: its lines, and what it adds so far. */
struct reader {
	const char *path;
	FILE *f;
	char *line;
	size_t linecap;
	ssize_t len;
	long lineno;
	struct adopt_set add;
};

/* ---- the set ----------------------------------------------------------- */

struct adopt_set *
adopt_set_new(void)
{
	return xcalloc(1, sizeof(struct adopt_set));
}

static void
entries_free(struct adopt_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i].uidl);
	free(s->v);
	s->v = NULL;
	s->n = s->cap = 0;
}

void
adopt_set_free(struct adopt_set **set)
{
	if (set == NULL || *set == NULL)
		return;
	entries_free(*set);
	free(*set);
	*set = NULL;
}

static void
push(struct adopt_set *s, const char *uidl, size_t len, int64_t first_seen,
     unsigned source)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->v = xreallocarray(s->v, s->cap, sizeof(*s->v));
	}
	s->v[s->n].uidl = xstrndup(uidl, len);
	s->v[s->n].first_seen = first_seen;
	s->v[s->n].sources = source;
	s->n++;
}

static int
entry_cmp(const void *a, const void *b)
{
	const struct adopt_entry *x = a, *y = b;

	return strcmp(x->uidl, y->uidl);
}

/* Move every entry of add into s, then sort s and merge equal UIDLs
 * (the earliest known first-seen time, the union of the sources). */
static void
merge(struct adopt_set *s, struct adopt_set *add)
{
	size_t i, o = 0;
	struct adopt_entry *e, *prev;

	for (i = 0; i < add->n; i++) {
		push(s, add->v[i].uidl, strlen(add->v[i].uidl),
		     add->v[i].first_seen, add->v[i].sources);
	}
	entries_free(add);
	if (s->n > 1)
		qsort(s->v, s->n, sizeof(*s->v), entry_cmp);
	for (i = 0; i < s->n; i++) {
		e = &s->v[i];
		prev = o > 0 ? &s->v[o - 1] : NULL;
		if (prev == NULL || strcmp(prev->uidl, e->uidl) != 0) {
			s->v[o++] = *e;
			continue;
		}
		if (e->first_seen >= 0 &&
		    (prev->first_seen < 0 || e->first_seen < prev->first_seen))
			prev->first_seen = e->first_seen;
		prev->sources |= e->sources;
		free(e->uidl);
	}
	s->n = o;
}

const struct adopt_entry *
adopt_lookup(const struct adopt_set *set, const char *uidl)
{
	struct adopt_entry key = {.uidl = (char *)(uintptr_t)uidl};

	if (set == NULL || set->n == 0)
		return NULL;
	return bsearch(&key, set->v, set->n, sizeof(*set->v), entry_cmp);
}

size_t
adopt_count(const struct adopt_set *set)
{
	return set != NULL ? set->n : 0;
}

const struct adopt_entry *
adopt_entry_at(const struct adopt_set *set, size_t i)
{
	return set != NULL && i < set->n ? &set->v[i] : NULL;
}

const char *
adopt_source_name(unsigned source)
{
	switch (source) {
	case ADOPT_MPOP:
		return "mpop";
	case ADOPT_FETCHMAIL:
		return "fetchmail";
	case ADOPT_GETMAIL:
		return "getmail6";
	default:
		return "?";
	}
}

/* ---- reading a file ---------------------------------------------------- */

/* Open path for r.  *missing_r is set when it does not exist. */
static enum pm_status
reader_open(struct reader *r, const char *path, int *missing_r,
	    struct pm_err *err)
{
	memset(r, 0, sizeof(*r));
	r->path = path;
	*missing_r = 0;
	r->f = fopen(path, "re");
	if (r->f != NULL)
		return PM_OK;
	if (errno == ENOENT) {
		*missing_r = 1;
		return PM_OK;
	}
	return err_set(err, PM_IOERR, "%s: %s", path, strerror(errno));
}

/* The next line without its "\n" in r->line (r->len bytes, which may
 * hold NUL bytes).  Returns 1, 0 at the end, -1 on a read error. */
static int
reader_next(struct reader *r)
{
	errno = 0;
	r->len = getline(&r->line, &r->linecap, r->f);
	if (r->len < 0)
		return ferror(r->f) ? -1 : 0;
	r->lineno++;
	if (r->len > 0 && r->line[r->len - 1] == '\n')
		r->line[--r->len] = '\0';
	return 1;
}

static void
reader_close(struct reader *r)
{
	if (r->f != NULL)
		(void)fclose(r->f);
	free(r->line);
	entries_free(&r->add);
}

/* Fail for line r->lineno: "PATH:LINE: not a PEER file: why". */
__attribute__((format(printf, 4, 5))) static enum pm_status
reader_bad(struct reader *r, const char *peer, struct pm_err *err,
	   const char *fmt, ...)
{
	char why[256];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return err_set(err, PM_DATAERR,
		       "%s:%ld: not %s file as %s writes it (%s); move it "
		       "away to go on without it",
		       r->path, r->lineno,
		       peer[0] == 'm'	? "an mpop UIDLs"
		       : peer[0] == 'f' ? "a fetchmail .fetchids"
					: "a getmail6 oldmail",
		       peer, why);
}

/* Whether the len bytes at s are a UIDL as RFC 1939 allows it. */
static int
valid_uidl(const char *s, size_t len)
{
	if (len == 0 || len > ADOPT_UIDL_MAX)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (s[i] < 0x21 || s[i] > 0x7e)
			return 0;
	return 1;
}

/* One line of a peer's file (r->line, r->len): add what it holds to
 * r->add; PM_OK, or the error (reader_bad()). */
typedef enum pm_status (*line_fn)(struct reader *r, void *ctx,
				  struct pm_err *err);

/* Read path line by line through fn (and end, when not NULL, once the
 * file ends), then add its UIDLs to set; a missing file adds nothing. */
static enum pm_status
read_lines(struct adopt_set *set, const char *path, line_fn fn, line_fn end,
	   void *ctx, size_t *added_r, struct pm_err *err)
{
	struct reader r;
	enum pm_status st;
	int missing, rc = 0;

	if (added_r != NULL)
		*added_r = 0;
	if ((st = reader_open(&r, path, &missing, err)) != PM_OK || missing)
		return st;
	while (st == PM_OK && (rc = reader_next(&r)) > 0)
		st = fn(&r, ctx, err);
	if (st == PM_OK && rc < 0)
		st = err_set(err, PM_IOERR, "%s: %s", r.path,
			     strerror(errno ? errno : EIO));
	if (st == PM_OK && end != NULL)
		st = end(&r, ctx, err);
	if (st == PM_OK) {
		if (added_r != NULL)
			*added_r = r.add.n;
		merge(set, &r.add);
	}
	reader_close(&r);
	return st;
}

/* ---- mpop -------------------------------------------------------------- */

struct mpop_state {
	const char *host, *user; /* the mailbox wanted (NULL: any) */
	unsigned long left;	 /* UIDLs still to come in this list */
	int match;		 /* this list is the mailbox wanted */
};

/* " COUNT HOST USER": the list's count, and whether it is the one. */
static int
mpop_header(struct reader *r, struct mpop_state *m)
{
	char *p = r->line + 1, *end, *h;
	size_t hlen;

	errno = 0;
	m->left = strtoul(p, &end, 10);
	if (end == p || *end != ' ' || errno != 0 || m->left > 100000000UL)
		return -1;
	h = end + 1;
	hlen = strcspn(h, " ");
	if (hlen == 0 || h[hlen] != ' ')
		return -1;
	m->match = (m->host == NULL || (strlen(m->host) == hlen &&
					strncasecmp(h, m->host, hlen) == 0)) &&
		   (m->user == NULL || strcmp(h + hlen + 1, m->user) == 0);
	return 0;
}

static enum pm_status
mpop_line(struct reader *r, void *ctx, struct pm_err *err)
{
	struct mpop_state *m = ctx;

	if (m->left > 0) {
		if (!valid_uidl(r->line, (size_t)r->len))
			return reader_bad(r, "mpop", err,
					  "a UIDL of the list is missing or "
					  "invalid");
		if (m->match)
			push(&r->add, r->line, (size_t)r->len, -1, ADOPT_MPOP);
		m->left--;
		return PM_OK;
	}
	if (r->len == 0 || r->line[0] == '#')
		return PM_OK;
	if (r->line[0] != ' ' || mpop_header(r, m) != 0)
		return reader_bad(r, "mpop", err,
				  "expected \" COUNT HOST USER\"");
	return PM_OK;
}

static enum pm_status
mpop_end(struct reader *r, void *ctx, struct pm_err *err)
{
	struct mpop_state *m = ctx;

	if (m->left == 0)
		return PM_OK;
	return reader_bad(r, "mpop", err,
			  "the file ends %lu UIDLs before its list does",
			  m->left);
}

enum pm_status
adopt_read_mpop(struct adopt_set *set, const char *path, const char *host,
		const char *user, size_t *added_r, struct pm_err *err)
{
	struct mpop_state m = {.host = host, .user = user};

	return read_lines(set, path, mpop_line, mpop_end, &m, added_r, err);
}

/* ---- fetchmail --------------------------------------------------------- */

struct fetchids_state {
	const char *host, *user;
};

/* "USER@HOST UIDL": a UIDL has no blank, a user may have an @. */
static enum pm_status
fetchids_line(struct reader *r, void *ctx, struct pm_err *err)
{
	struct fetchids_state *f = ctx;
	char *sp, *at;

	if (r->len == 0)
		return PM_OK;
	sp = memrchr(r->line, ' ', (size_t)r->len);
	at = sp != NULL ? memrchr(r->line, '@', (size_t)(sp - r->line)) : NULL;
	if (at == NULL || at == r->line || at + 1 == sp ||
	    memchr(r->line, '\0', (size_t)r->len) != NULL ||
	    !valid_uidl(sp + 1, strlen(sp + 1)))
		return reader_bad(r, "fetchmail", err,
				  "expected \"USER@HOST UIDL\"");
	*sp = *at = '\0';
	if ((f->host == NULL || strcasecmp(at + 1, f->host) == 0) &&
	    (f->user == NULL || strcmp(r->line, f->user) == 0))
		push(&r->add, sp + 1, strlen(sp + 1), -1, ADOPT_FETCHMAIL);
	return PM_OK;
}

enum pm_status
adopt_read_fetchids(struct adopt_set *set, const char *path, const char *host,
		    const char *user, size_t *added_r, struct pm_err *err)
{
	struct fetchids_state f = {.host = host, .user = user};

	return read_lines(set, path, fetchids_line, NULL, &f, added_r, err);
}

/* ---- getmail6 ---------------------------------------------------------- */

/* "UIDL\0SECONDS" */
static enum pm_status
getmail_line(struct reader *r, void *ctx, struct pm_err *err)
{
	char *nul, *end = NULL;
	long long t;

	(void)ctx;
	if (r->len == 0)
		return PM_OK;
	nul = memchr(r->line, '\0', (size_t)r->len);
	errno = 0;
	t = nul != NULL && nul[1] >= '0' && nul[1] <= '9'
		? strtoll(nul + 1, &end, 10)
		: -1;
	if (t < 0 || errno != 0 || end != r->line + r->len ||
	    !valid_uidl(r->line, (size_t)(nul - r->line)))
		return reader_bad(r, "getmail6", err,
				  "expected UIDL, NUL, seconds");
	push(&r->add, r->line, (size_t)(nul - r->line), (int64_t)t,
	     ADOPT_GETMAIL);
	return PM_OK;
}

enum pm_status
adopt_read_getmail(struct adopt_set *set, const char *path, size_t *added_r,
		   struct pm_err *err)
{
	return read_lines(set, path, getmail_line, NULL, NULL, added_r, err);
}

/* ---- where each peer keeps its file ------------------------------------ */

/* s with every %U replaced by user and %H by host (mpop).  Caller
 * frees. */
static char *
mpop_expand(const char *s, const char *host, const char *user)
{
	size_t cap = strlen(s) + 1, o = 0, add;
	char *out = xmalloc(cap);
	const char *rep;

	for (; *s != '\0'; s++) {
		rep = s[0] == '%' && s[1] == 'U'   ? user
		      : s[0] == '%' && s[1] == 'H' ? host
						   : NULL;
		add = rep != NULL ? strlen(rep) : 1;
		if (o + add + 1 > cap) {
			cap = (o + add + 1) * 2;
			out = xreallocarray(out, cap, 1);
		}
		if (rep == NULL) {
			out[o++] = *s;
			continue;
		}
		memcpy(out + o, rep, add);
		o += add;
		s++;
	}
	out[o] = '\0';
	return out;
}

/* getmail6's file-name rule: each run of / : ; < > | becomes "-". */
static char *
getmail_clean(const char *s)
{
	static const char bad[] = "/:;<>|";
	char *out = xmalloc(strlen(s) + 1), *o = out;
	size_t i;

	for (i = 0; s[i] != '\0'; i++) {
		if (strchr(bad, s[i]) == NULL)
			*o++ = s[i];
		else if (i == 0 || strchr(bad, s[i - 1]) == NULL)
			*o++ = '-';
	}
	*o = '\0';
	return out;
}

/* Whether name is "oldmail-HOST-PORT-USER" (getmail_clean()ed). */
static int
getmail_name_matches(const char *name, const char *chost, const char *cuser)
{
	size_t hl = strlen(chost), ul = strlen(cuser), i;
	const char *p;

	if (strncmp(name, "oldmail-", 8) != 0)
		return 0;
	p = name + 8;
	if (strncasecmp(p, chost, hl) != 0 || p[hl] != '-')
		return 0;
	p += hl + 1;
	for (i = 0; p[i] >= '0' && p[i] <= '9'; i++)
		;
	return i > 0 && p[i] == '-' && strlen(p + i + 1) == ul &&
	       strcmp(p + i + 1, cuser) == 0;
}

/* Append path to the list *files (for adopt_load_account()). */
static void
note_file(char **files, const char *path)
{
	char *old = *files;

	*files = xasprintf("%s%s%s", old, *old ? "\n" : "", path);
	free(old);
}

static enum pm_status
load_getmail_dir(struct adopt_set *set, const char *dir,
		 const struct account *acct, char **files, struct pm_err *err)
{
	const char *user = acct->user ? acct->user : "";
	char *chost = getmail_clean(acct->host), *cuser = getmail_clean(user);
	char *path;
	DIR *d = opendir(dir);
	struct dirent *de;
	enum pm_status st = PM_OK;
	size_t n;

	while (d != NULL && st == PM_OK && (de = readdir(d)) != NULL) {
		if (!getmail_name_matches(de->d_name, chost, cuser))
			continue;
		path = xasprintf("%s/%s", dir, de->d_name);
		st = adopt_read_getmail(set, path, &n, err);
		if (st == PM_OK && n > 0)
			note_file(files, path);
		free(path);
	}
	if (d != NULL)
		(void)closedir(d);
	free(chost);
	free(cuser);
	return st;
}

enum pm_status
adopt_load_account(struct adopt_set *set, const struct account *acct,
		   char **files_r, struct pm_err *err)
{
	const char *user = acct->user ? acct->user : "";
	const char *fmhome = getenv("FETCHMAILHOME");
	const char *xdg = getenv("XDG_CONFIG_HOME");
	char *files = xstrdup(""), *tmpl, *path, *dirs[2];
	enum pm_status st;
	size_t n = 0;
	int i;

	if (files_r != NULL)
		*files_r = NULL;
	tmpl = acct->uidls_file
		   ? xstrdup(acct->uidls_file)
		   : account_expand_tilde("~/.mpop_uidls/%U_at_%H");
	path = mpop_expand(tmpl, acct->host, user);
	st = adopt_read_mpop(set, path, acct->host, user, &n, err);
	if (st == PM_OK && n > 0)
		note_file(&files, path);
	free(path);
	free(tmpl);

	path = fmhome != NULL && *fmhome == '/'
		   ? xasprintf("%s/.fetchids", fmhome)
		   : account_expand_tilde("~/.fetchids");
	if (st == PM_OK)
		st = adopt_read_fetchids(set, path, acct->host, user, &n, err);
	if (st == PM_OK && n > 0)
		note_file(&files, path);
	free(path);

	dirs[0] = xdg != NULL && *xdg == '/'
		      ? xasprintf("%s/getmail", xdg)
		      : account_expand_tilde("~/.config/getmail");
	dirs[1] = account_expand_tilde("~/.getmail");
	for (i = 0; i < 2; i++) {
		if (st == PM_OK)
			st = load_getmail_dir(set, dirs[i], acct, &files, err);
		free(dirs[i]);
	}
	if (files_r != NULL)
		*files_r = files;
	else
		free(files);
	return st;
}
