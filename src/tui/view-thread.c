/* view-thread.c: the messages of one thread as a reply tree. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "popmuch/xmalloc.h"
#include "layout.h"
#include "tui-int.h"
#include "view-compose.h"

#define MAX_INDENT 12

struct threadview {
	struct view base;
	char *thread_id, *query, *subject;
	struct row *rows;
};

static void
thread_load(struct threadview *tv)
{
	struct pm_err err;
	struct db *db = tui_db(tv->base.tui);
	char *keep =
	    tv->base.nav.n ? xstrdup(tv->rows[tv->base.nav.sel].id) : NULL;
	size_t i;

	rows_free(&tv->rows, tv->base.nav.n);
	tv->base.nav.n = 0;
	err_clear(&err);
	if (db && db_thread(db, tv->thread_id, tv->query, &tv->rows,
			    &tv->base.nav.n, &err) != PM_OK)
		tui_status(tv->base.tui, 1, "%s", err.msg);
	for (i = 0; keep && i < tv->base.nav.n; i++)
		if (strcmp(tv->rows[i].id, keep) == 0)
			tv->base.nav.sel = i;
	free(keep);
	if (!tv->subject && tv->base.nav.n)
		tv->subject = xstrdup(tv->rows[0].subject);
}

static void
draw_row(struct threadview *tv, struct row *r, int y, int cols, int sel)
{
	char date[32], *s, *f;
	int x = 0, d = r->depth < MAX_INDENT ? r->depth : MAX_INDENT;
	int unread = (r->flags & ROW_UNREAD) != 0;
	int matched = (r->flags & ROW_MATCHED) != 0;
	enum disp_style st = sel ? (unread ? ST_SEL_UNREAD : ST_SELECTED)
				 : (unread ? ST_UNREAD : ST_NORMAL);

	(void)tv;
	disp_fill(y, 0, sel ? st : ST_NORMAL);
	disp_text(y, x,
		  r->flags & ROW_FLAGGED ? "*"
		  : matched		 ? ">"
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
	if (x + 2 * d + 10 > cols)
		return;
	s = xasprintf("%*s%s%s", 2 * d, "", d ? "\xe2\x94\x94 " : "",
		      r->authors);
	f = layout_fit(s, cols - x > 70 ? 30 : 20, 1);
	disp_text(y, x, f, sel ? st : unread ? ST_UNREAD : ST_AUTHORS);
	x += (int)layout_width(f) + 1;
	free(s);
	free(f);
	if (!matched) { /* collapsed: who and when only */
		f = layout_fit("(not matching)", cols - x, 0);
		disp_text(y, x, f, st);
		free(f);
		return;
	}
	s = xasprintf("%s (%s)", r->subject, r->tags);
	f = layout_fit(s, cols - x, 0);
	disp_text(y, x, f, st);
	free(s);
	free(f);
}

static void
thread_draw_row(struct view *v, size_t i, int y, int cols, int selected)
{
	struct threadview *tv = (struct threadview *)v;

	draw_row(tv, &tv->rows[i], y, cols, selected);
}

static int
thread_action(struct view *v, enum tui_action a)
{
	struct threadview *tv = (struct threadview *)v;

	if (tv->base.nav.n == 0)
		return 0;
	if (a == ACT_OPEN) {
		tui_push(v->tui,
			 msgview_new(v->tui, &tv->rows[tv->base.nav.sel], v));
		return 1;
	}
	if (compose_action(v->tui, a, tv->rows[tv->base.nav.sel].id, /* r R f */
			   tv->rows[tv->base.nav.sel].path))
		return 1;
	if (a == ACT_NEXT_UNREAD) {
		size_t i;

		for (i = tv->base.nav.sel + 1; i < tv->base.nav.n; i++)
			if (tv->rows[i].flags & ROW_UNREAD) {
				tv->base.nav.sel = i;
				nav_scroll(&tv->base.nav, tui_rows());
				return 1;
			}
		tui_status(v->tui, 0, "no more unread messages in the thread");
		return 1;
	}
	return rows_tag_action(v->tui, &tv->rows[tv->base.nav.sel], 0, a);
}

static struct row *
thread_step(struct view *v, int dir)
{
	struct threadview *tv = (struct threadview *)v;

	if ((dir < 0 && tv->base.nav.sel == 0) ||
	    (dir > 0 && tv->base.nav.sel + 1 >= tv->base.nav.n))
		return NULL;
	tv->base.nav.sel += dir > 0 ? 1 : (size_t)-1;
	return &tv->rows[tv->base.nav.sel];
}

static void
thread_tagged(struct view *v, const char *id, int thread, const char *ops)
{
	struct threadview *tv = (struct threadview *)v;
	size_t i;

	for (i = 0; i < tv->base.nav.n; i++)
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

	snprintf(buf, size, "thread  [%zu message%s]  %s", tv->base.nav.n,
		 tv->base.nav.n == 1 ? "" : "s",
		 tv->subject ? tv->subject : "");
}

static void
thread_free(struct view *v)
{
	struct threadview *tv = (struct threadview *)v;

	rows_free(&tv->rows, tv->base.nav.n);
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
	for (i = 0; i < tv->base.nav.n; i++)
		if ((tv->rows[i].flags & ROW_MATCHED) &&
		    (tv->rows[i].flags & ROW_UNREAD))
			break;
	if (i == tv->base.nav.n)
		for (i = 0; i < tv->base.nav.n; i++)
			if (tv->rows[i].flags & ROW_MATCHED)
				break;
	tv->base.nav.sel = i < tv->base.nav.n ? i : 0;
	return &tv->base;
}
