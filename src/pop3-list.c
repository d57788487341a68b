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
	size_t seen; /* lines seen in the UIDL pass */
};

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
	if (lc->n == lc->cap) {
		lc->cap = lc->cap ? lc->cap * 2 : 256;
		lc->msgs = xreallocarray(lc->msgs, lc->cap, sizeof(*lc->msgs));
	}
	lc->msgs[lc->n].num = num;
	lc->msgs[lc->n].size = size;
	lc->msgs[lc->n].uidl = NULL;
	lc->n++;
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

	if (pop3_parse_uidl_line(line, &num, &uidl, &len) != 0)
		return err_set(err, PM_PROTOCOL,
			       "malformed UIDL line from the server (a "
			       "unique id must be 1-70 printable characters)");
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
cmp_uidl(const void *a, const void *b)
{
	const struct pop3_msg *const *x = a, *const *y = b;

	return strcmp((*x)->uidl, (*y)->uidl);
}

/* Every message has a UIDL and no two share one. */
static enum pm_status
check_uidls(struct list_ctx *lc, struct pm_err *err)
{
	struct pop3_msg **sorted;
	enum pm_status st = PM_OK;

	if (lc->seen != lc->n)
		return err_set(err, PM_PROTOCOL,
			       "UIDL listed %zu messages but LIST %zu",
			       lc->seen, lc->n);
	sorted = xreallocarray(NULL, lc->n, sizeof(*sorted));
	for (size_t i = 0; i < lc->n; i++)
		sorted[i] = &lc->msgs[i];
	qsort(sorted, lc->n, sizeof(*sorted), cmp_uidl);
	for (size_t i = 1; i < lc->n; i++)
		if (strcmp(sorted[i - 1]->uidl, sorted[i]->uidl) == 0) {
			st = err_set(err, PM_PROTOCOL,
				     "the server gave two messages the same "
				     "unique id (UIDL)");
			break;
		}
	free(sorted);
	return st;
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

void
pop3_msgs_free(struct pop3_msg *msgs, size_t n)
{
	if (msgs == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		free(msgs[i].uidl);
	free(msgs);
}
