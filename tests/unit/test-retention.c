/* test-retention.c: retention_plan, table-driven.
 *
 * Each case is a policy and a server list written as a string, one
 * letter per message in server order (message 1 first):
 *   n  new (unknown), size 100
 *   k  known, first seen DAY*10 seconds before now, size 100
 *   o  known, first seen exactly keep_seconds before now
 *   y  known, first seen keep_seconds - 1 before now
 *   B  new, size 5000 (over the sizes the cases use)
 *   K  known, size 5000
 * and the expected plan, one letter per message:
 *   f fetch   d delete (no fetch)   F fetch and delete
 *   s skipped  x killed   -  nothing (left on the server, not fetched) */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "popmuch/retention.h"
#include "tap.h"

#define NOW ((int64_t)1700000000)
#define DAY ((int64_t)86400)
#define MAXMSG 16

struct rcase {
	const char *name;
	enum cfg_keep keep;
	int64_t keep_seconds;
	long keep_max;
	uint64_t skipsize, killsize;
	int only_new, no_delete;
	const char *server;
	const char *want;
};

static const struct rcase cases[] = {
    {"keep off: fetch new, delete all", CFG_KEEP_OFF, 0, -1, 0, 0, 1, 0, "nkn",
     "FdF"},
    {"keep on: fetch new, delete nothing", CFG_KEEP_ON, 0, -1, 0, 0, 1, 0,
     "nkn", "f-f"},
    {"keep days: boundary exactly at keep_seconds", CFG_KEEP_DAYS, 30 * DAY, -1,
     0, 0, 1, 0, "oyn", "d-f"},
    {"keep days: old known deleted, new fetched, not deleted", CFG_KEEP_DAYS,
     5 * DAY, -1, 0, 0, 1, 0, "knk", "dfd"},
    {"keep days: zero days deletes known at once", CFG_KEEP_DAYS, 0, -1, 0, 0,
     1, 0, "kn", "df"},
    {"only_new off: refetch known", CFG_KEEP_ON, 0, -1, 0, 0, 0, 0, "kn", "ff"},
    {"only_new off, keep off: refetch and delete", CFG_KEEP_OFF, 0, -1, 0, 0, 0,
     0, "kn", "FF"},
    {"skipsize: big left alone, even with keep off", CFG_KEEP_OFF, 0, -1, 1000,
     0, 1, 0, "nBK", "Fss"},
    {"skipsize equal to size is not over it", CFG_KEEP_ON, 0, -1, 100, 0, 1, 0,
     "n", "f"},
    {"killsize with keep off: killed, never fetched", CFG_KEEP_OFF, 0, -1, 0,
     1000, 1, 0, "nBK", "Fxx"},
    {"killsize with keep on: not killed, not fetched", CFG_KEEP_ON, 0, -1, 0,
     1000, 1, 0, "nBK", "fss"},
    {"killsize with keep days: not killed", CFG_KEEP_DAYS, DAY, -1, 0, 1000, 1,
     0, "BK", "ss"},
    {"killsize wins over skipsize", CFG_KEEP_OFF, 0, -1, 1000, 2000, 1, 0, "B",
     "x"},
    {"keep_max 2 of 4 with keep on: oldest two go", CFG_KEEP_ON, 0, 2, 0, 0, 1,
     0, "kknn", "ddff"},
    {"keep_max 0: everything stored goes", CFG_KEEP_ON, 0, 0, 0, 0, 1, 0, "knk",
     "dFd"},
    {"keep_max larger than the list: nothing", CFG_KEEP_ON, 0, 10, 0, 0, 1, 0,
     "kkn", "--f"},
    {"keep_max counts skipped but never deletes them", CFG_KEEP_ON, 0, 2, 1000,
     0, 1, 0, "BkBnk", "sdsFd"},
    {"keep_max cannot reach its goal with only skipped left", CFG_KEEP_ON, 0, 1,
     1000, 0, 1, 0, "BBk", "ssd"},
    {"keep_max after keep days", CFG_KEEP_DAYS, 30 * DAY, 2, 0, 0, 1, 0, "oyyn",
     "dd-f"},
    {"keep_max with keep off changes nothing", CFG_KEEP_OFF, 0, 1, 0, 0, 1, 0,
     "kn", "dF"},
    {"no_delete, keep off: fetch, delete nothing", CFG_KEEP_OFF, 0, -1, 0, 0, 1,
     1, "nkn", "f-f"},
    {"no_delete with killsize: not killed, not fetched", CFG_KEEP_OFF, 0, -1, 0,
     1000, 1, 1, "nB", "fs"},
    {"no_delete with keep_max and keep days", CFG_KEEP_DAYS, DAY, 1, 0, 0, 1, 1,
     "kkn", "--f"},
    {"empty server", CFG_KEEP_OFF, 0, -1, 0, 0, 1, 0, "", ""},
};

static void
build(const struct rcase *c, struct ret_msg *m, size_t *n_r)
{
	size_t i, n = strlen(c->server);

	for (i = 0; i < n && i < MAXMSG; i++) {
		char k = c->server[i];

		memset(&m[i], 0x55, sizeof(m[i])); /* outputs must be set */
		m[i].num = (uint32_t)i + 1;
		m[i].size = (k == 'B' || k == 'K') ? 5000 : 100;
		m[i].known = k != 'n' && k != 'B';
		m[i].first_seen = k == 'o'   ? NOW - c->keep_seconds
				  : k == 'y' ? NOW - c->keep_seconds + 1
					     : NOW - 10 * DAY;
	}
	*n_r = i;
}

static char
letter(const struct ret_msg *m)
{
	if ((m->fetch | m->dele | m->skipped | m->killed) & ~1)
		return '?';
	if (m->killed)
		return (m->dele && !m->fetch && !m->skipped) ? 'x' : '?';
	if (m->skipped)
		return (!m->fetch && !m->dele) ? 's' : '?';
	if (m->fetch)
		return m->dele ? 'F' : 'f';
	return m->dele ? 'd' : '-';
}

static void
run_case(const struct rcase *c)
{
	struct ret_policy p = {
	    .keep = c->keep,
	    .keep_seconds = c->keep_seconds,
	    .keep_max = c->keep_max,
	    .skipsize = c->skipsize,
	    .killsize = c->killsize,
	    .only_new = c->only_new,
	    .no_delete = c->no_delete,
	};
	struct ret_msg m[MAXMSG];
	char got[MAXMSG + 1];
	size_t n, i;

	build(c, m, &n);
	retention_plan(m, n, &p, NOW);
	for (i = 0; i < n; i++)
		got[i] = letter(&m[i]);
	got[n] = '\0';
	is_str(got, c->want, "%s (%s)", c->name, c->server);
}

static void
test_policy_from(void)
{
	struct account a;
	struct ret_policy p;

	memset(&a, 0, sizeof(a));
	memset(&p, 0x55, sizeof(p));
	a.keep = CFG_KEEP_DAYS;
	a.keep_seconds = 7 * DAY;
	a.keep_max = 500;
	a.skipsize = 10;
	a.killsize = 20;
	a.only_new = 1;
	retention_policy_from(&a, &p);
	ok(p.keep == CFG_KEEP_DAYS && p.keep_seconds == 7 * DAY &&
	       p.keep_max == 500 && p.skipsize == 10 && p.killsize == 20 &&
	       p.only_new == 1 && p.no_delete == 0,
	   "retention_policy_from copies the account's settings");
}

/* Extreme times must not overflow (UBSan would abort). */
static void
test_extremes(void)
{
	struct ret_policy p = {.keep = CFG_KEEP_DAYS,
			       .keep_seconds = INT64_MAX,
			       .keep_max = -1,
			       .only_new = 1};
	struct ret_msg m = {
	    .num = 1, .size = 1, .known = 1, .first_seen = INT64_MIN};

	retention_plan(&m, 1, &p, INT64_MIN + 5);
	is_int(m.dele, 0, "keep days near INT64_MIN: no overflow, kept");
	p.keep_seconds = 0;
	m.first_seen = INT64_MAX;
	retention_plan(&m, 1, &p, NOW);
	is_int(m.dele, 0, "first seen in the future: kept");
}

int
main(void)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i]);
	test_policy_from();
	test_extremes();
	return done_testing();
}
