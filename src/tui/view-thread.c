/* view-thread.c: the messages of one thread as a reply tree. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "popmuch/xmalloc.h"
#include "layout.h"
#include "strbuf.h"
#include "tui-int.h"
#include "view-compose.h"

#define MAX_INDENT 12 /* levels of the tree drawn; deeper rows line up */

/* The rows of the reply tree are all kept (rows, in depth-first order,
 * as db_thread gives them); the list shows those not inside a folded
 * subthread: base.nav counts visible rows, vis[i] is the row of
 * visible position i. */
struct threadview {
	struct view base;
	char *thread_id, *query, *subject;
	struct row *rows;
	size_t nrows;
	char **tree;   /* per row: the tree drawing before the author */
	size_t *vis;   /* visible position -> row */
	char **folded; /* message ids of the folded subthreads */
	size_t nfolded;
	int expand_all; /* e: "(not matching)" rows shown in full */
};

/* The rows below row i in the tree: i + 1 up to its subtree's end. */
static size_t
subtree_end(const struct threadview *tv, size_t i)
{
	size_t j = i + 1;

	while (j < tv->nrows && tv->rows[j].depth > tv->rows[i].depth)
		j++;
	return j;
}

static int
is_folded(const struct threadview *tv, const char *id)
{
	size_t i;

	for (i = 0; i < tv->nfolded; i++)
		if (strcmp(tv->folded[i], id) == 0)
			return 1;
	return 0;
}

/* The tree drawing of every row, as notmuch-tree and alot draw it:
 * "├─" a reply with later siblings, "└─" the last one, "│ " under an
 * ancestor whose siblings follow.  Scanning backwards, more[k] says
 * whether a row of depth k follows before a shallower one. */
static void
tree_build(struct threadview *tv)
{
	int maxd = 0, d, k, from;
	unsigned char *more;
	struct strbuf b;
	size_t i;

	for (i = 0; i < tv->nrows; i++)
		if (tv->rows[i].depth > maxd)
			maxd = tv->rows[i].depth;
	more = xcalloc((size_t)maxd + 2, 1);
	tv->tree = xcalloc(tv->nrows ? tv->nrows : 1, sizeof *tv->tree);
	for (i = tv->nrows; i-- > 0;) {
		d = tv->rows[i].depth;
		b = (struct strbuf){0};
		strbuf_put(&b, "", 0);
		from = d > MAX_INDENT ? d - MAX_INDENT + 1 : 1;
		for (k = from; k < d; k++)
			strbuf_put(&b, more[k] ? "\xe2\x94\x82 " : "  ",
				   more[k] ? 4 : 2);
		if (d > 0)
			strbuf_put(&b,
				   more[d] ? "\xe2\x94\x9c\xe2\x94\x80"
					   : "\xe2\x94\x94\xe2\x94\x80",
				   6);
		tv->tree[i] = b.s;
		more[d] = 1;
		for (k = d + 1; k <= maxd; k++)
			more[k] = 0;
	}
	free(more);
}

/* The visible rows: none inside a folded subthread. */
static void
vis_build(struct threadview *tv)
{
	size_t i, n = 0;

	free(tv->vis);
	tv->vis = xcalloc(tv->nrows ? tv->nrows : 1, sizeof *tv->vis);
	for (i = 0; i < tv->nrows;) {
		tv->vis[n++] = i;
		i = is_folded(tv, tv->rows[i].id) ? subtree_end(tv, i) : i + 1;
	}
	tv->base.nav.n = n;
}

/* The visible position of row r (or of the folded row hiding it). */
static size_t
vis_of(const struct threadview *tv, size_t r)
{
	size_t i;

	for (i = tv->base.nav.n; i-- > 0;)
		if (tv->vis[i] <= r)
			return i;
	return 0;
}

static struct row *
sel_row(struct threadview *tv)
{
	return tv->base.nav.n ? &tv->rows[tv->vis[tv->base.nav.sel]] : NULL;
}

static void
tree_free(struct threadview *tv)
{
	size_t i;

	for (i = 0; tv->tree && i < tv->nrows; i++)
		free(tv->tree[i]);
	free(tv->tree);
	tv->tree = NULL;
	rows_free(&tv->rows, tv->nrows);
	tv->nrows = 0;
}

static void
thread_load(struct threadview *tv)
{
	struct pm_err err;
	struct db *db = tui_db(tv->base.tui);
	char *keep = sel_row(tv) ? xstrdup(sel_row(tv)->id) : NULL;
	size_t i;

	tree_free(tv);
	err_clear(&err);
	if (db && db_thread(db, tv->thread_id, tv->query, &tv->rows, &tv->nrows,
			    &err) != PM_OK)
		tui_status(tv->base.tui, 1, "%s", err.msg);
	tree_build(tv);
	vis_build(tv);
	for (i = 0; keep && i < tv->nrows; i++)
		if (strcmp(tv->rows[i].id, keep) == 0)
			tv->base.nav.sel = vis_of(tv, i);
	free(keep);
	if (!tv->subject && tv->nrows)
		tv->subject = xstrdup(tv->rows[0].subject);
}

static void
draw_row(struct threadview *tv, size_t ri, int y, int cols, int sel)
{
	struct row *r = &tv->rows[ri];
	char date[32], *s, *f, more[32] = "";
	int x = 0, unread = (r->flags & ROW_UNREAD) != 0;
	int matched = (r->flags & ROW_MATCHED) != 0;
	enum disp_style st = sel ? (unread ? ST_SEL_UNREAD : ST_SELECTED)
				 : (unread ? ST_UNREAD : ST_NORMAL);
	size_t end = subtree_end(tv, ri);

	disp_fill(y, 0, sel ? st : ST_NORMAL);
	disp_text(y, x,
		  view_marked(&tv->base, r->id) ? "#"
		  : r->flags & ROW_FLAGGED	? "*"
		  : matched			? ">"
						: " ",
		  sel			   ? st
		  : r->flags & ROW_FLAGGED ? ST_FLAGGED
					   : ST_NORMAL);
	x += 2;
	layout_date(r->date, time(NULL), date, sizeof date);
	f = layout_fit(date, 10, 1);
	disp_text(y, x, f, sel ? st : ST_DATE);
	free(f);
	x += 11;
	if (x + 10 > cols)
		return;
	s = xasprintf("%s%s", tv->tree[ri], r->authors);
	f = layout_fit(s, cols - x > 70 ? 30 : 20, 1);
	disp_text(y, x, f, sel ? st : unread ? ST_UNREAD : ST_AUTHORS);
	x += (int)layout_width(f) + 1;
	free(s);
	free(f);
	if (end > ri + 1 && is_folded(tv, r->id))
		snprintf(more, sizeof more, "[+%zu] ", end - ri - 1);
	if (!matched && !tv->expand_all) /* who and when only */
		s = xasprintf("%s(not matching)", more);
	else
		s = xasprintf("%s%s (%s)", more, r->subject, r->tags);
	f = layout_fit(s, cols - x, 0);
	disp_text(y, x, f, st);
	free(s);
	free(f);
}

static void
thread_draw_row(struct view *v, size_t i, int y, int cols, int selected)
{
	struct threadview *tv = (struct threadview *)v;

	draw_row(tv, tv->vis[i], y, cols, selected);
}

/* z: fold the subthread under the selection, or unfold it. */
static void
fold_toggle(struct threadview *tv)
{
	size_t ri = tv->vis[tv->base.nav.sel], i;
	const char *id = tv->rows[ri].id;

	for (i = 0; i < tv->nfolded; i++)
		if (strcmp(tv->folded[i], id) == 0) {
			free(tv->folded[i]);
			tv->folded[i] = tv->folded[--tv->nfolded];
			vis_build(tv);
			return;
		}
	if (subtree_end(tv, ri) == ri + 1) {
		tui_status(tv->base.tui, 0, "no replies to fold");
		return;
	}
	tv->folded =
	    xreallocarray(tv->folded, tv->nfolded + 1, sizeof *tv->folded);
	tv->folded[tv->nfolded++] = xstrdup(id);
	vis_build(tv);
	tv->base.nav.sel = vis_of(tv, ri);
}

static int
thread_action(struct view *v, enum tui_action a)
{
	struct threadview *tv = (struct threadview *)v;
	struct row *r = sel_row(tv);
	size_t i;

	if (!r)
		return 0;
	switch (a) {
	case ACT_OPEN:
		tui_push(v->tui, msgview_new(v->tui, r, v));
		return 1;
	case ACT_FOLD:
		fold_toggle(tv);
		return 1;
	case ACT_EXPAND:
		tv->expand_all = !tv->expand_all;
		return 1;
	case ACT_NEXT_UNREAD:
		for (i = tv->base.nav.sel + 1; i < tv->base.nav.n; i++)
			if (tv->rows[tv->vis[i]].flags & ROW_UNREAD) {
				tv->base.nav.sel = i;
				nav_scroll(&tv->base.nav, tui_rows());
				return 1;
			}
		tui_status(v->tui, 0, "no more unread messages in the thread");
		return 1;
	default:
		break;
	}
	if (compose_action(v->tui, a, r->id, r->path)) /* r R f */
		return 1;
	return view_tag_action(v, r, 0, a);
}

static struct row *
thread_step(struct view *v, int dir)
{
	struct threadview *tv = (struct threadview *)v;

	if ((dir < 0 && tv->base.nav.sel == 0) ||
	    (dir > 0 && tv->base.nav.sel + 1 >= tv->base.nav.n))
		return NULL;
	tv->base.nav.sel += dir > 0 ? 1 : (size_t)-1;
	return sel_row(tv);
}

static void
thread_tagged(struct view *v, const char *id, int thread, const char *ops)
{
	struct threadview *tv = (struct threadview *)v;
	size_t i;

	for (i = 0; i < tv->nrows; i++)
		if (thread ? strcmp(tv->thread_id, id) == 0
			   : strcmp(tv->rows[i].id, id) == 0)
			row_apply_tags(&tv->rows[i], ops);
}

static void
thread_reload(struct view *v)
{
	thread_load((struct threadview *)v);
}

static void
thread_title(struct view *v, char *buf, size_t size)
{
	struct threadview *tv = (struct threadview *)v;

	char marked[32] = "";

	if (v->nmarks)
		snprintf(marked, sizeof marked, ", %zu marked", v->nmarks);
	snprintf(buf, size, "thread  [%zu message%s%s]  %s", tv->nrows,
		 tv->nrows == 1 ? "" : "s", marked,
		 tv->subject ? tv->subject : "");
}

static void
thread_free(struct view *v)
{
	struct threadview *tv = (struct threadview *)v;
	size_t i;

	tree_free(tv);
	free(tv->vis);
	for (i = 0; i < tv->nfolded; i++)
		free(tv->folded[i]);
	free(tv->folded);
	free(tv->thread_id);
	free(tv->query);
	free(tv->subject);
	free(tv);
}

static const struct view_ops thread_ops = {
    .scope = SC_THREAD,
    .draw_row = thread_draw_row,
    .action = thread_action,
    .reload = thread_reload,
    .step = thread_step,
    .tagged = thread_tagged,
    .title = thread_title,
    .free = thread_free,
};

struct view *
threadview_new(struct tui *t, const char *thread_id, const char *query)
{
	struct threadview *tv = xcalloc(1, sizeof *tv);
	size_t i;

	tv->base.ops = &thread_ops;
	tv->base.tui = t;
	tv->thread_id = xstrdup(thread_id);
	tv->query = xstrdup(query);
	thread_load(tv);
	/* start on the first matching unread message, else the first match */
	for (i = 0; i < tv->nrows; i++)
		if ((tv->rows[i].flags & ROW_MATCHED) &&
		    (tv->rows[i].flags & ROW_UNREAD))
			break;
	if (i == tv->nrows)
		for (i = 0; i < tv->nrows; i++)
			if (tv->rows[i].flags & ROW_MATCHED)
				break;
	tv->base.nav.sel = i < tv->nrows ? vis_of(tv, i) : 0;
	return &tv->base;
}
