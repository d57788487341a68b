/* view-list.c: the search list (threads or messages of a query). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "popmuch/xmalloc.h"
#include "layout.h"
#include "tui-int.h"

#define CHUNK 64      /* rows loaded per idle step */
#define AHEAD 2       /* pages kept loaded ahead of the view */

struct listview {
	struct view base;
	char *name, *query;
	int threads;
	struct row *rows;
	size_t cap;
	struct nav nav;
	struct db_list *loader;
	char *keep_id; /* selection to find again after a reload */
	int loading_to_end;
};

static void
list_start(struct listview *lv)
{
	struct pm_err err;
	struct db *db = tui_db(lv->base.tui);

	db_list_free(&lv->loader);
	rows_free(&lv->rows, lv->nav.n);
	lv->nav.n = lv->cap = 0;
	if (!db)
		return;
	err_clear(&err);
	if (db_list_start(db, lv->query, lv->threads, &lv->loader, &err) !=
	    PM_OK)
		tui_status(lv->base.tui, 1, "%s", err.msg);
}

/* Load rows until want rows exist (or the end); restore the kept
 * selection when its row arrives. */
static void
list_load(struct listview *lv, size_t want)
{
	size_t before;

	while (lv->loader && lv->nav.n < want) {
		before = lv->nav.n;
		if (!db_list_more(lv->loader, &lv->rows, &lv->nav.n, &lv->cap,
				  CHUNK))
			db_list_free(&lv->loader);
		for (; lv->keep_id && before < lv->nav.n; before++)
			if (strcmp(lv->rows[before].id, lv->keep_id) == 0) {
				lv->nav.sel = before;
				free(lv->keep_id);
				lv->keep_id = NULL;
			}
	}
	if (!lv->loader && lv->keep_id) { /* gone: keep the position */
		free(lv->keep_id);
		lv->keep_id = NULL;
	}
}

static void
draw_row(struct listview *lv, struct row *r, int y, int cols, int selected)
{
	char date[32], count[32], *s, *f;
	int x = 0, w, sub, unread = (r->flags & ROW_UNREAD) != 0;
	enum disp_style st = selected ? (unread ? ST_SEL_UNREAD : ST_SELECTED)
				      : (unread ? ST_UNREAD : ST_NORMAL);

	disp_fill(y, 0, selected ? st : ST_NORMAL);
	disp_text(y, x, r->flags & ROW_FLAGGED ? "*" : " ",
		  selected ? st : ST_FLAGGED);
	x += 1;
	layout_date(r->date, time(NULL), date, sizeof date);
	f = layout_fit(date, 10, 1);
	disp_text(y, x, f, selected ? st : ST_DATE);
	free(f);
	x += 11;
	if (lv->threads) {
		if (r->matched == r->total)
			snprintf(count, sizeof count, "[%d]", r->total);
		else
			snprintf(count, sizeof count, "[%d/%d]", r->matched,
				 r->total);
		f = layout_fit(count, 8, 1);
		disp_text(y, x, f, st);
		free(f);
		x += 8;
	}
	w = cols - x > 60 ? 22 : cols - x > 45 ? 16 : 12;
	if (x + w + 10 > cols)
		return;
	f = layout_fit(r->authors, w, 1);
	disp_text(y, x, f, selected ? st : unread ? ST_UNREAD : ST_AUTHORS);
	free(f);
	x += w + 1;
	sub = cols - x;
	w = (int)layout_width(r->tags) + 3;
	s = layout_fit(r->subject, w < sub / 3 ? sub - w : sub - sub / 3, 0);
	disp_text(y, x, s, st);
	x += (int)layout_width(s);
	free(s);
	tui_draw_tags(y, x, cols, r->tags, selected ? (int)st : -1);
}

/* Overdraw the tags of f (" (a b c)" as fitted at column x) that have a
 * colour of their own. */
static void
draw_tag_colours(int y, int x, const char *f, const char *tags)
{
	size_t off = 2, len, flen = strlen(f);
	const char *w = tags;
	enum disp_style ts;
	char *pre, *piece;

	while (*w) {
		len = strcspn(w, " ");
		piece = xstrndup(w, len);
		ts = disp_tag_style(piece);
		if (ts != ST_TAGS && off + len <= flen &&
		    memcmp(f + off, w, len) == 0) {
			pre = xstrndup(f, off);
			disp_text(y, x + (int)layout_width(pre), piece, ts);
			free(pre);
		}
		free(piece);
		off += len + 1;
		w += len;
		w += *w == ' ';
	}
}

void
tui_draw_tags(int y, int x, int cols, const char *tags, int sel_style)
{
	char *s, *f;

	if (x >= cols)
		return;
	s = xasprintf(" (%s)", tags);
	f = layout_fit(s, cols - x, 0);
	disp_text(y, x, f, sel_style >= 0 ? (enum disp_style)sel_style
					  : ST_TAGS);
	if (sel_style < 0)
		draw_tag_colours(y, x, f, tags);
	free(s);
	free(f);
}

static void
list_draw(struct view *v, int rows, int cols)
{
	struct listview *lv = (struct listview *)v;
	size_t i;

	list_load(lv, lv->nav.top + (size_t)rows * AHEAD);
	nav_scroll(&lv->nav, rows);
	if (lv->nav.n == 0) {
		disp_text(2, 2, lv->loader ? "loading..." : "no messages",
			  ST_NORMAL);
		return;
	}
	for (i = 0; i < (size_t)rows && lv->nav.top + i < lv->nav.n; i++)
		draw_row(lv, &lv->rows[lv->nav.top + i], 1 + (int)i, cols,
			 lv->nav.top + i == lv->nav.sel);
}

static void
list_reload(struct view *v)
{
	struct listview *lv = (struct listview *)v;
	size_t sel = lv->nav.sel, top = lv->nav.top;

	if (lv->nav.n && !lv->keep_id)
		lv->keep_id = xstrdup(lv->rows[lv->nav.sel].id);
	list_start(lv);
	lv->nav.sel = sel;
	lv->nav.top = top;
	list_load(lv, top + (size_t)tui_rows() * AHEAD);
}

static int
list_idle(struct view *v)
{
	struct listview *lv = (struct listview *)v;

	if (!lv->loader)
		return 0;
	list_load(lv, lv->nav.n + CHUNK);
	return lv->loader != NULL;
}

static int
list_action(struct view *v, enum tui_action a)
{
	struct listview *lv = (struct listview *)v;
	struct tui *t = v->tui;
	struct row *r;

	if (a == ACT_BOTTOM || a == ACT_PGDN)
		list_load(lv, a == ACT_BOTTOM ? (size_t)-1
			  : lv->nav.sel + (size_t)tui_rows() * (AHEAD + 1));
	if (nav_action(&lv->nav, a, tui_rows()))
		return 1;
	if (a == ACT_THREADS) {
		lv->threads = !lv->threads;
		lv->nav.sel = lv->nav.top = 0;
		list_start(lv);
		return 1;
	}
	if (lv->nav.n == 0)
		return 0;
	r = &lv->rows[lv->nav.sel];
	if (a == ACT_OPEN) {
		if (lv->threads)
			tui_push(t, threadview_new(t, r->id, lv->query));
		else
			tui_push(t, msgview_new(t, r, v));
		return 1;
	}
	return rows_tag_action(t, r, lv->threads, a);
}

static struct row *
list_step(struct view *v, int dir)
{
	struct listview *lv = (struct listview *)v;

	if (lv->threads || lv->nav.n == 0)
		return NULL;
	if (dir > 0)
		list_load(lv, lv->nav.sel + 2);
	if ((dir < 0 && lv->nav.sel == 0) ||
	    (dir > 0 && lv->nav.sel + 1 >= lv->nav.n))
		return NULL;
	lv->nav.sel += dir > 0 ? 1 : (size_t)-1;
	nav_scroll(&lv->nav, tui_rows());
	return &lv->rows[lv->nav.sel];
}

static void
list_tagged(struct view *v, const char *id, int thread, const char *ops)
{
	struct listview *lv = (struct listview *)v;
	size_t i;

	if (thread != lv->threads)
		return;
	for (i = 0; i < lv->nav.n; i++)
		if (strcmp(lv->rows[i].id, id) == 0)
			row_apply_tags(&lv->rows[i], ops);
}

static void
list_title(struct view *v, char *buf, size_t size)
{
	struct listview *lv = (struct listview *)v;

	const char *what = lv->threads ? "thread" : "message";

	if (lv->loader && lv->nav.n == 0)
		snprintf(buf, size, "%s  [loading]  %s", lv->name, lv->query);
	else
		snprintf(buf, size, "%s  [%zu%s %s%s]  %s", lv->name, lv->nav.n,
			 lv->loader ? "+" : "", what,
			 lv->nav.n == 1 && !lv->loader ? "" : "s", lv->query);
}

static void
list_free(struct view *v)
{
	struct listview *lv = (struct listview *)v;

	db_list_free(&lv->loader);
	rows_free(&lv->rows, lv->nav.n);
	free(lv->keep_id);
	free(lv->name);
	free(lv->query);
	free(lv);
}

static const struct view_ops list_ops = {
	.scope = SC_LIST,
	.draw = list_draw,
	.action = list_action,
	.reload = list_reload,
	.idle = list_idle,
	.step = list_step,
	.tagged = list_tagged,
	.title = list_title,
	.free = list_free,
};

struct view *
listview_new(struct tui *t, const char *name, const char *query, int threads)
{
	struct listview *lv = xcalloc(1, sizeof *lv);

	lv->base.ops = &list_ops;
	lv->base.tui = t;
	lv->name = xstrdup(name);
	lv->query = xstrdup(query);
	lv->threads = threads;
	list_start(lv);
	return &lv->base;
}
