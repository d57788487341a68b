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
	struct nav nav;
};

static void
saved_add(struct savedview *sv, char *name, char *query)
{
	sv->s = xreallocarray(sv->s, sv->nav.n + 1, sizeof *sv->s);
	sv->s[sv->nav.n].name = name;
	sv->s[sv->nav.n].query = query;
	sv->s[sv->nav.n].total = sv->s[sv->nav.n].unread = -1;
	sv->nav.n++;
}

static void
saved_clear(struct savedview *sv)
{
	size_t i;

	for (i = 0; i < sv->nav.n; i++) {
		free(sv->s[i].name);
		free(sv->s[i].query);
	}
	free(sv->s);
	sv->s = NULL;
	sv->nav.n = 0;
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
	for (i = 0; db && i < sv->nav.n; i++) {
		sv->s[i].total = db_count(db, sv->s[i].query);
		q = db_query_and(sv->s[i].query, "tag:unread");
		sv->s[i].unread = db_count(db, q);
		free(q);
	}
}

static void
saved_draw(struct view *v, int rows, int cols)
{
	struct savedview *sv = (struct savedview *)v;
	size_t i;
	char *s, *f;

	nav_scroll(&sv->nav, rows);
	for (i = 0; i < (size_t)rows && sv->nav.top + i < sv->nav.n; i++) {
		struct saved *e = &sv->s[sv->nav.top + i];
		int sel = sv->nav.top + i == sv->nav.sel;

		s = xasprintf(" %8ld %8ld  %-16s %s", e->total, e->unread,
			      e->name, e->query);
		f = layout_fit(s, cols, 1);
		disp_text(1 + (int)i, 0, f,
			  sel ? (e->unread > 0 ? ST_SEL_UNREAD : ST_SELECTED)
			      : (e->unread > 0 ? ST_UNREAD : ST_NORMAL));
		free(s);
		free(f);
	}
}

static int
saved_action(struct view *v, enum tui_action a)
{
	struct savedview *sv = (struct savedview *)v;

	if (nav_action(&sv->nav, a, tui_rows()))
		return 1;
	if (a == ACT_OPEN && sv->nav.n) {
		struct saved *e = &sv->s[sv->nav.sel];

		tui_push(v->tui, listview_new(v->tui, e->name, e->query, 1));
		return 1;
	}
	return 0;
}

static void
saved_reload(struct view *v)
{
	struct savedview *sv = (struct savedview *)v;
	size_t sel = sv->nav.sel;

	saved_load(sv);
	sv->nav.sel = sel;
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
    .draw = saved_draw,
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

struct acctview {
	struct view base;
	struct nav nav;
};

static void
acct_draw(struct view *v, int rows, int cols)
{
	struct acctview *av = (struct acctview *)v;
	const struct config *cfg = v->tui->cfg;
	size_t i;

	av->nav.n = cfg ? cfg->naccounts : 0;
	if (av->nav.n == 0) {
		disp_text(2, 2, "no accounts in the configuration", ST_NORMAL);
		return;
	}
	nav_scroll(&av->nav, rows / 2);
	for (i = 0; i * 2 + 1 < (size_t)rows && av->nav.top + i < av->nav.n;
	     i++)
		fetch_draw_account(v->tui, cfg->accounts[av->nav.top + i],
				   1 + 2 * (int)i, cols,
				   av->nav.top + i == av->nav.sel);
}

static int
acct_action(struct view *v, enum tui_action a)
{
	struct acctview *av = (struct acctview *)v;

	return nav_action(&av->nav, a, tui_rows() / 2);
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
    .draw = acct_draw,
    .action = acct_action,
    .title = acct_title,
    .free = acct_free,
};

struct view *
accountsview_new(struct tui *t)
{
	struct acctview *av = xcalloc(1, sizeof *av);

	av->base.ops = &acct_ops;
	av->base.tui = t;
	return &av->base;
}
