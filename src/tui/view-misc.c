/* view-misc.c: saved searches, accounts, help and log screens. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "popmuch/xmalloc.h"
#include "layout.h"
#include "tui-int.h"

/* ---- saved searches --------------------------------------------------- */

struct saved {
	char *name, *query;
	long total, unread;
};

struct savedview {
	struct view base;
	struct saved *s;
};

static void
saved_add(struct savedview *sv, char *name, char *query)
{
	sv->s = xreallocarray(sv->s, sv->base.nav.n + 1, sizeof *sv->s);
	sv->s[sv->base.nav.n].name = name;
	sv->s[sv->base.nav.n].query = query;
	sv->s[sv->base.nav.n].total = sv->s[sv->base.nav.n].unread = -1;
	sv->base.nav.n++;
}

static void
saved_clear(struct savedview *sv)
{
	size_t i;

	for (i = 0; i < sv->base.nav.n; i++) {
		free(sv->s[i].name);
		free(sv->s[i].query);
	}
	free(sv->s);
	sv->s = NULL;
	sv->base.nav.n = 0;
}

static void
saved_load(struct savedview *sv)
{
	struct db *db = tui_db(sv->base.tui);
	char **names = NULL, **queries = NULL, *q;
	const char *name, *query;
	size_t i, n = 0;

	saved_clear(sv);
	/* popmuch's own (config, else defaults) first, then notmuch's */
	for (i = 0; tui_search(sv->base.tui, i, &name, &query); i++)
		saved_add(sv, xstrdup(name), xstrdup(query));
	if (db)
		n = db_named_queries(db, &names, &queries);
	for (i = 0; i < n; i++)
		saved_add(sv, names[i], queries[i]);
	free(names);
	free(queries);
	for (i = 0; db && i < sv->base.nav.n; i++) {
		sv->s[i].total = db_count(db, sv->s[i].query);
		q = db_query_and(sv->s[i].query, "tag:unread");
		sv->s[i].unread = db_count(db, q);
		free(q);
	}
}

static void
saved_draw_row(struct view *v, size_t i, int y, int cols, int sel)
{
	struct saved *e = &((struct savedview *)v)->s[i];
	char *s, *f;

	s = xasprintf(" %8ld %8ld  %-16s %s", e->total, e->unread, e->name,
		      e->query);
	f = layout_fit(s, cols, 1);
	disp_text(y, 0, f,
		  sel ? (e->unread > 0 ? ST_SEL_UNREAD : ST_SELECTED)
		      : (e->unread > 0 ? ST_UNREAD : ST_NORMAL));
	free(s);
	free(f);
}

static int
saved_action(struct view *v, enum tui_action a)
{
	struct savedview *sv = (struct savedview *)v;

	if (a == ACT_OPEN && sv->base.nav.n) {
		struct saved *e = &sv->s[sv->base.nav.sel];

		tui_push(v->tui, listview_new(v->tui, e->name, e->query, 1));
		return 1;
	}
	return 0;
}

static void
saved_reload(struct view *v)
{
	struct savedview *sv = (struct savedview *)v;
	size_t sel = sv->base.nav.sel;

	saved_load(sv);
	sv->base.nav.sel = sel;
}

static void
saved_title(struct view *v, char *buf, size_t size)
{
	(void)v;
	snprintf(buf, size, "saved searches  (total / unread)");
}

static void
saved_free(struct view *v)
{
	saved_clear((struct savedview *)v);
	free(v);
}

static const struct view_ops saved_ops = {
    .scope = SC_SAVED,
    .draw_row = saved_draw_row,
    .action = saved_action,
    .reload = saved_reload,
    .title = saved_title,
    .free = saved_free,
};

struct view *
savedview_new(struct tui *t)
{
	struct savedview *sv = xcalloc(1, sizeof *sv);

	sv->base.ops = &saved_ops;
	sv->base.tui = t;
	saved_load(sv);
	return &sv->base;
}

/* ---- accounts --------------------------------------------------------- */

static size_t
acct_count(struct view *v)
{
	const struct config *cfg = v->tui->cfg;

	return cfg ? cfg->naccounts : 0;
}

static void
acct_draw_row(struct view *v, size_t i, int y, int cols, int selected)
{
	fetch_draw_account(v->tui, v->tui->cfg->accounts[i], y, cols, selected);
}

static void
acct_title(struct view *v, char *buf, size_t size)
{
	(void)v;
	snprintf(buf, size, "accounts  (F or Enter: fetch all)");
}

static void
acct_free(struct view *v)
{
	free(v);
}

static const struct view_ops acct_ops = {
    .scope = SC_ACCOUNTS,
    .count = acct_count,
    .draw_row = acct_draw_row,
    .empty = "no accounts in the configuration",
    .row_lines = 2,
    .title = acct_title,
    .free = acct_free,
};

struct view *
accountsview_new(struct tui *t)
{
	struct view *v = xcalloc(1, sizeof *v);

	v->ops = &acct_ops;
	v->tui = t;
	return v;
}
