/* view-pager.c: help (generated from the key table) and the log. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "popmuch/xmalloc.h"
#include "layout.h"
#include "tui-int.h"

struct pagerview {
	struct view base;
	char **lines; /* owned (help) or NULL (log: the TUI's log) */
	size_t n;
	struct nav nav;
	const char *title;
};

static void
pager_lines(struct pagerview *pv, char ***lines, size_t *n)
{
	if (pv->lines) {
		*lines = pv->lines;
		*n = pv->n;
	} else {
		*lines = pv->base.tui->log;
		*n = pv->base.tui->nlog;
	}
}

static void
pager_draw(struct view *v, int rows, int cols)
{
	struct pagerview *pv = (struct pagerview *)v;
	char **lines, *f;
	size_t n, i;

	pager_lines(pv, &lines, &n);
	pv->nav.n = n;
	if (pv->nav.top + (size_t)rows > n)
		pv->nav.top = n > (size_t)rows ? n - (size_t)rows : 0;
	if (n == 0)
		disp_text(2, 2, "(empty)", ST_NORMAL);
	for (i = 0; i < (size_t)rows && pv->nav.top + i < n; i++) {
		f = layout_fit(lines[pv->nav.top + i], cols, 0);
		disp_text(1 + (int)i, 0, f, ST_NORMAL);
		free(f);
	}
}

static int
pager_action(struct view *v, enum tui_action a)
{
	struct pagerview *pv = (struct pagerview *)v;
	size_t page = (size_t)tui_rows();

	switch (a) {
	case ACT_DOWN:
		pv->nav.top++;
		break;
	case ACT_UP:
		if (pv->nav.top)
			pv->nav.top--;
		break;
	case ACT_PGDN:
		pv->nav.top += page - 1;
		break;
	case ACT_PGUP:
		pv->nav.top =
		    pv->nav.top > page - 1 ? pv->nav.top - page + 1 : 0;
		break;
	case ACT_TOP:
		pv->nav.top = 0;
		break;
	case ACT_BOTTOM: {
		/* the lines, not nav.n: a G right after the screen opened
		 * comes before its first draw (pager_draw clamps) */
		char **lines;

		pager_lines(pv, &lines, &pv->nav.top);
		break;
	}
	default:
		return 0;
	}
	return 1;
}

static void
pager_title(struct view *v, char *buf, size_t size)
{
	snprintf(buf, size, "%s", ((struct pagerview *)v)->title);
}

static void
pager_free(struct view *v)
{
	struct pagerview *pv = (struct pagerview *)v;
	size_t i;

	for (i = 0; i < pv->n; i++)
		free(pv->lines[i]);
	free(pv->lines);
	free(pv);
}

static const struct view_ops pager_ops = {
    .scope = SC_PAGER,
    .draw = pager_draw,
    .action = pager_action,
    .title = pager_title,
    .free = pager_free,
};

static void
add_line(struct pagerview *pv, char *s)
{
	pv->lines = xreallocarray(pv->lines, pv->n + 1, sizeof *pv->lines);
	pv->lines[pv->n++] = s;
}

static void
add_binding(const struct key_binding *b, void *arg)
{
	struct pagerview *pv = arg;
	char buf[32], *pad;
	const char *name = keys_name(b->key, buf, sizeof buf);

	pad = layout_fit(name, 12, 1);
	add_line(pv, xasprintf("  %s %s", pad, keys_action_help(b->action)));
	free(pad);
}

static const char *
scope_name(unsigned scope)
{
	switch (scope) {
	case SC_LIST:
		return "search list";
	case SC_THREAD:
		return "thread";
	case SC_MESSAGE:
		return "message";
	case SC_SAVED:
		return "saved searches";
	case SC_ACCOUNTS:
		return "accounts";
	case SC_ATTACH:
		return "attachments";
	default:
		return "this screen";
	}
}

struct view *
helpview_new(struct tui *t, unsigned scope)
{
	struct pagerview *pv = xcalloc(1, sizeof *pv);

	pv->base.ops = &pager_ops;
	pv->base.tui = t;
	pv->title = "help  (q: back)";
	add_line(pv, xasprintf("Keys of the %s screen:", scope_name(scope)));
	add_line(pv, xstrdup(""));
	keys_each(scope, add_binding, pv);
	add_line(pv, xstrdup(""));
	add_line(pv, xstrdup("Search: / takes a notmuch query, e.g. "
			     "from:alice tag:unread date:1w.."));
	add_line(pv, xstrdup("Fetch: F fetches every account; A shows "
			     "progress and the last results."));
	return &pv->base;
}

struct view *
logview_new(struct tui *t)
{
	struct pagerview *pv = xcalloc(1, sizeof *pv);

	pv->base.ops = &pager_ops;
	pv->base.tui = t;
	pv->title = "log of this session  (q: back)";
	pv->nav.top =
	    t->nlog > (size_t)tui_rows() ? t->nlog - (size_t)tui_rows() : 0;
	return &pv->base;
}
