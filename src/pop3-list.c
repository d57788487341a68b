/* pop3-list.c: the scan listing of a POP3 session: STAT, LIST and UIDL,
 * each line range-checked, numbers ascending, UIDLs printable, 1-70
 * characters and unique.  Never prints (see pop3-list.h). */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "popmuch/parse.h"
#include "popmuch/pop3-list.h"
#include "popmuch/xmalloc.h"
#include "pop3-int.h"

enum pm_status
pop3_stat(struct pop3 *p, uint32_t *count_r, uint64_t *size_r,
	  struct pm_err *err)
{
	const char *text;
	enum pm_status st;

	uint64_t count;

	if ((st = pop3_cmd(p, "STAT", 0, &text, err)) != PM_OK)
		return st;
	if (parse_u64_prefix(text, &text, &count) != 0 || *text != ' ' ||
	    count > POP3_MSGS_MAX ||
	    parse_u64_prefix(text + 1, &text, size_r) != 0)
		return err_set(err, PM_PROTOCOL, "malformed STAT reply");
	*count_r = (uint32_t)count;
	return PM_OK;
}

static int
parse_num(const char *s, const char **end_r, uint32_t *num_r)
{
	uint64_t v;

	if (parse_u64_prefix(s, end_r, &v) != 0 || v == 0 || v > POP3_MSGS_MAX)
		return -1;
	*num_r = (uint32_t)v;
	return 0;
}

int
pop3_parse_list_line(const char *line, uint32_t *num_r, uint64_t *size_r)
{
	const char *s;

	if (parse_num(line, &s, num_r) != 0 || *s != ' ')
		return -1;
	while (*s == ' ')
		s++;
	if (parse_u64_prefix(s, &s, size_r) != 0)
		return -1;
	/* RFC 1939 allows more after the size; ignore it. */
	return *s == '\0' || *s == ' ' ? 0 : -1;
}

int
pop3_parse_uidl_line(const char *line, uint32_t *num_r, const char **uidl_r,
		     size_t *len_r)
{
	const char *s;
	size_t len;

	if (parse_num(line, &s, num_r) != 0 || *s != ' ')
		return -1;
	while (*s == ' ')
		s++;
	len = strlen(s);
	while (len > 0 && s[len - 1] == ' ')
		len--;
	if (len == 0 || len > POP3_UIDL_MAX)
		return -1;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e)
			return -1;
	*uidl_r = s;
	*len_r = len;
	return 0;
}

struct list_ctx {
	struct pop3_msg *msgs;
	size_t n, cap;
	int uidl_pass;
	size_t seen;		/* lines seen in the UIDL pass */
	pop3_intern_fn *intern; /* pop3_scan(): the caller's copies */
	void *intern_ctx;
};

/* Another message at the end of lc->msgs. */
static void
append_msg(struct list_ctx *lc, uint32_t num, uint64_t size, char *uidl)
{
	if (lc->n == lc->cap) {
		lc->cap = lc->cap ? lc->cap * 2 : 256;
		lc->msgs = xreallocarray(lc->msgs, lc->cap, sizeof(*lc->msgs));
	}
	lc->msgs[lc->n].num = num;
	lc->msgs[lc->n].borrowed = 0;
	lc->msgs[lc->n].size = size;
	lc->msgs[lc->n].uidl = uidl;
	lc->n++;
}

/* pop3_parse_uidl_line(), with the error a bad line is. */
static enum pm_status
take_uidl_line(const char *line, uint32_t *num_r, const char **uidl_r,
	       size_t *len_r, struct pm_err *err)
{
	if (pop3_parse_uidl_line(line, num_r, uidl_r, len_r) == 0)
		return PM_OK;
	return err_set(err, PM_PROTOCOL,
		       "malformed UIDL line from the server (a "
		       "unique id must be 1-70 printable characters)");
}

static enum pm_status
list_line(void *ctx, const char *line, struct pm_err *err)
{
	struct list_ctx *lc = ctx;
	uint32_t num;
	uint64_t size;

	if (pop3_parse_list_line(line, &num, &size) != 0)
		goto bad;
	/* Servers list in number order; require it, which also rules out
	 * repeated numbers. */
	if (lc->n > 0 && num <= lc->msgs[lc->n - 1].num)
		goto bad;
	append_msg(lc, num, size, NULL);
	return PM_OK;
bad:
	return err_set(err, PM_PROTOCOL,
		       "malformed or out-of-order LIST "
		       "line from the server");
}

static struct pop3_msg *
find_msg(struct list_ctx *lc, uint32_t num)
{
	size_t lo = 0, hi = lc->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (lc->msgs[mid].num == num)
			return &lc->msgs[mid];
		if (lc->msgs[mid].num < num)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static enum pm_status
uidl_line(void *ctx, const char *line, struct pm_err *err)
{
	struct list_ctx *lc = ctx;
	struct pop3_msg *m;
	const char *uidl;
	uint32_t num;
	size_t len;

	if (take_uidl_line(line, &num, &uidl, &len, err) != PM_OK)
		return PM_PROTOCOL;
	m = find_msg(lc, num);
	if (m == NULL || m->uidl != NULL)
		return err_set(err, PM_PROTOCOL,
			       "UIDL line for message %" PRIu32
			       " that LIST did not show, or twice",
			       num);
	m->uidl = xstrndup(uidl, len);
	lc->seen++;
	return PM_OK;
}

static int
cmp_str(const void *a, const void *b)
{
	const char *const *x = a, *const *y = b;

	return strcmp(*x, *y);
}

/* Sort a[0..n) by value: least significant byte first, one counting
 * pass a byte (a byte all share is skipped).  Hand-written: qsort()'s
 * comparisons were a tenth of a poll's CPU for 100,000 messages. */
static void
sort_ptrs(uintptr_t *a, size_t n)
{
	uintptr_t *tmp = xreallocarray(NULL, n + 1, sizeof(*tmp)), *src = a,
		  *dst = tmp, *swap;
	size_t count[256], sum, c;
	unsigned shift;

	for (shift = 0; n > 0 && shift < 8 * sizeof(*a); shift += 8) {
		memset(count, 0, sizeof(count));
		for (size_t i = 0; i < n; i++)
			count[(src[i] >> shift) & 0xff]++;
		if (count[(src[0] >> shift) & 0xff] == n)
			continue; /* all the same here */
		sum = 0;
		for (size_t b = 0; b < 256; b++) {
			c = count[b];
			count[b] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			dst[count[(src[i] >> shift) & 0xff]++] = src[i];
		swap = src;
		src = dst;
		dst = swap;
	}
	if (src != a)
		memcpy(a, src, n * sizeof(*a));
	free(tmp);
}

/* Every message has a UIDL and no two share one.  Borrowed UIDLs are
 * the intern's, one pointer per UIDL (pop3-list.h), and never equal to
 * one the listing copied (the intern did not know that one): so two
 * borrowed ones are the same UIDL exactly when they are the same
 * pointer, and only the copies are compared by their bytes. */
static enum pm_status
check_uidls(struct list_ctx *lc, struct pm_err *err)
{
	uintptr_t *ptr;
	const char **str;
	size_t np = 0, ns = 0;
	int dup = 0;

	if (lc->seen != lc->n)
		return err_set(err, PM_PROTOCOL,
			       "UIDL listed %zu messages but LIST %zu",
			       lc->seen, lc->n);
	for (size_t i = 0; i < lc->n; i++)
		np += lc->msgs[i].borrowed != 0;
	ptr = xreallocarray(NULL, np + 1, sizeof(*ptr));
	str = xreallocarray(NULL, lc->n - np + 1, sizeof(*str));
	np = 0;
	for (size_t i = 0; i < lc->n; i++)
		if (lc->msgs[i].borrowed)
			ptr[np++] = (uintptr_t)lc->msgs[i].uidl;
		else
			str[ns++] = lc->msgs[i].uidl;
	sort_ptrs(ptr, np);
	qsort(str, ns, sizeof(*str), cmp_str);
	for (size_t i = 1; i < np && !dup; i++)
		dup = ptr[i - 1] == ptr[i];
	for (size_t i = 1; i < ns && !dup; i++)
		dup = strcmp(str[i - 1], str[i]) == 0;
	free(ptr);
	free(str);
	if (dup)
		return err_set(err, PM_PROTOCOL,
			       "the server gave two messages the same "
			       "unique id (UIDL)");
	return PM_OK;
}

static enum pm_status
list_uidls(struct pop3 *p, struct list_ctx *lc, int sent, struct pm_err *err)
{
	const char *text;
	enum pm_status st;
	int ok;

	if (!sent && (st = pop3_write_line(p, "UIDL", 0, err)) != PM_OK)
		return st;
	if ((st = pop3_read_status(p, "UIDL", &ok, &text, err)) != PM_OK)
		return st;
	if (!ok)
		return PM_OK; /* no UIDL support: uidl stays NULL */
	if ((st = pop3_read_multiline(p, "UIDL", lc->n, uidl_line, lc, err)) !=
	    PM_OK)
		return st;
	return check_uidls(lc, err);
}

enum pm_status
pop3_list(struct pop3 *p, int want_uidl, struct pop3_msg **msgs_r, size_t *n_r,
	  struct pm_err *err)
{
	/* With PIPELINING, UIDL goes out with LIST: one round trip less. */
	int together = want_uidl && p->caps.pipelining;
	struct list_ctx lc = {0};
	enum pm_status st;
	const char *text;
	int ok;

	*msgs_r = NULL;
	*n_r = 0;
	st = pop3_write_line(p, "LIST", 0, err);
	if (st == PM_OK && together)
		st = pop3_write_line(p, "UIDL", 0, err);
	if (st == PM_OK)
		st = pop3_read_status(p, "LIST", &ok, &text, err);
	if (st == PM_OK && !ok)
		st = pop3_err_from_reply("LIST", text, err);
	if (st == PM_OK)
		st = pop3_read_multiline(p, "LIST", POP3_MSGS_MAX, list_line,
					 &lc, err);
	if (st == PM_OK && want_uidl)
		st = list_uidls(p, &lc, together, err);
	if (st != PM_OK) {
		pop3_msgs_free(lc.msgs, lc.n);
		return st;
	}
	*msgs_r = lc.msgs;
	*n_r = lc.n;
	return PM_OK;
}

/* ---- UIDL first, LIST only when sizes are needed ---------------------- */

static enum pm_status
scan_line(void *ctx, const char *line, struct pm_err *err)
{
	struct list_ctx *lc = ctx;
	const char *uidl;
	uint32_t num;
	size_t len;

	char key[POP3_UIDL_MAX + 1];
	const char *known = NULL;

	if (take_uidl_line(line, &num, &uidl, &len, err) != PM_OK)
		return PM_PROTOCOL;
	if (lc->intern != NULL) {
		memcpy(key, uidl, len); /* len <= POP3_UIDL_MAX */
		key[len] = '\0';
		known = lc->intern(lc->intern_ctx, key);
	}
	/* (the cast: a borrowed UIDL is never written or freed) */
	append_msg(lc, num, 0,
		   known != NULL ? (char *)known : xstrndup(uidl, len));
	lc->msgs[lc->n - 1].borrowed = known != NULL;
	lc->seen++;
	return PM_OK;
}

static int
cmp_num(const void *a, const void *b)
{
	const struct pop3_msg *x = a, *y = b;

	return x->num < y->num ? -1 : x->num > y->num;
}

/* In number order, each number once, each UIDL once. */
static enum pm_status
check_scan(struct list_ctx *lc, struct pm_err *err)
{
	for (size_t i = 1; i < lc->n; i++)
		if (lc->msgs[i].num < lc->msgs[i - 1].num) {
			qsort(lc->msgs, lc->n, sizeof(*lc->msgs), cmp_num);
			break;
		}
	for (size_t i = 1; i < lc->n; i++)
		if (lc->msgs[i].num == lc->msgs[i - 1].num)
			return err_set(err, PM_PROTOCOL,
				       "UIDL listed message %" PRIu32 " twice",
				       lc->msgs[i].num);
	return check_uidls(lc, err);
}

enum pm_status
pop3_scan(struct pop3 *p, pop3_intern_fn *intern, void *intern_ctx,
	  struct pop3_msg **msgs_r, size_t *n_r, uint32_t *stat_count_r,
	  uint64_t *stat_size_r, int *uidl_ok_r, struct pm_err *err)
{
	struct list_ctx lc = {.intern = intern, .intern_ctx = intern_ctx};
	const char *text;
	enum pm_status st;
	uint64_t count;
	int ok;

	*msgs_r = NULL;
	*n_r = 0;
	*uidl_ok_r = 0;
	/* With PIPELINING, UIDL goes out with STAT: one round trip. */
	st = pop3_write_line(p, "STAT", 0, err);
	if (st == PM_OK && p->caps.pipelining)
		st = pop3_write_line(p, "UIDL", 0, err);
	if (st == PM_OK)
		st = pop3_read_status(p, "STAT", &ok, &text, err);
	if (st == PM_OK && !ok)
		st = pop3_err_from_reply("STAT", text, err);
	if (st == PM_OK &&
	    (parse_u64_prefix(text, &text, &count) != 0 || *text != ' ' ||
	     count > POP3_MSGS_MAX ||
	     parse_u64_prefix(text + 1, &text, stat_size_r) != 0))
		st = err_set(err, PM_PROTOCOL, "malformed STAT reply");
	if (st == PM_OK && count > 0) {
		/* room for what STAT counts (at most POP3_MSGS_MAX); a
		 * server that lists more only makes it grow */
		lc.cap = (size_t)count;
		lc.msgs = xreallocarray(NULL, lc.cap, sizeof(*lc.msgs));
	}
	if (st == PM_OK && !p->caps.pipelining)
		st = pop3_write_line(p, "UIDL", 0, err);
	if (st == PM_OK)
		st = pop3_read_status(p, "UIDL", &ok, &text, err);
	if (st == PM_OK && !ok)
		return PM_OK; /* no UIDL: the caller lists with LIST */
	if (st == PM_OK)
		st = pop3_read_multiline(p, "UIDL", POP3_MSGS_MAX, scan_line,
					 &lc, err);
	if (st == PM_OK)
		st = check_scan(&lc, err);
	if (st != PM_OK) {
		pop3_msgs_free(lc.msgs, lc.n);
		return st;
	}
	*stat_count_r = (uint32_t)count;
	*uidl_ok_r = 1;
	*msgs_r = lc.msgs;
	*n_r = lc.n;
	return PM_OK;
}

struct sizes_ctx {
	struct list_ctx lc;
	unsigned char *got;
	size_t seen;
};

static enum pm_status
size_line(void *ctx, const char *line, struct pm_err *err)
{
	struct sizes_ctx *sc = ctx;
	struct pop3_msg *m;
	uint64_t size;
	uint32_t num;

	if (pop3_parse_list_line(line, &num, &size) != 0)
		return err_set(err, PM_PROTOCOL,
			       "malformed LIST line from the server");
	m = find_msg(&sc->lc, num);
	if (m == NULL || sc->got[m - sc->lc.msgs])
		return err_set(err, PM_PROTOCOL,
			       "LIST line for message %" PRIu32
			       " that UIDL did not show, or twice",
			       num);
	sc->got[m - sc->lc.msgs] = 1;
	m->size = size;
	sc->seen++;
	return PM_OK;
}

enum pm_status
pop3_list_sizes(struct pop3 *p, struct pop3_msg *msgs, size_t n,
		struct pm_err *err)
{
	struct sizes_ctx sc = {.lc = {.msgs = msgs, .n = n}};
	const char *text;
	enum pm_status st;

	sc.got = xcalloc(n + 1, 1);
	st = pop3_cmd(p, "LIST", 0, &text, err);
	if (st == PM_OK)
		st = pop3_read_multiline(p, "LIST", n, size_line, &sc, err);
	if (st == PM_OK && sc.seen != n)
		st = err_set(err, PM_PROTOCOL,
			     "UIDL listed %zu messages but LIST %zu", n,
			     sc.seen);
	free(sc.got);
	return st;
}

void
pop3_msgs_free(struct pop3_msg *msgs, size_t n)
{
	if (msgs == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		if (!msgs[i].borrowed)
			free(msgs[i].uidl);
	free(msgs);
}
