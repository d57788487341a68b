/* view-list.c: the search list (threads or messages of a query). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <glib.h>

#include "popmuch/xmalloc.h"
#include "layout.h"
#include "tui-int.h"

#define CHUNK 64 /* rows loaded per idle step */
#define AHEAD 2	 /* pages kept loaded ahead of the view */

struct listview {
	struct view base;
	char *name, *query;
	int threads;
	struct row *rows; /* positions [0, nhead), loaded from the top */
	size_t nhead, cap;
	struct db_list *loader;
	/* G before the whole list is loaded: its end, loaded backwards
	 * (oldest first): tail[k] is position total - 1 - k */
	struct row *tail;
	size_t ntail, total;
	/* base.nav.n: nhead, or total while there is a tail */
	char *keep_id; /* selection to find again after a reload */
	/* thread id -> its messages (row.msgs) when this list first showed
	 * it: reloads keep them, so that tagging a thread row leaves the
	 * replies that arrived later alone (notmuch-emacs' stable query) */
	GHashTable *first_msgs;
	int loading_to_end;
};

/* Rows [from, to) of rows: a thread seen before keeps the messages
 * it had then. */
static void
first_seen(struct listview *lv, struct row *rows, size_t from, size_t to)
{
	const char *had;
	size_t i;

	for (i = from; lv->threads && i < to; i++) {
		if (!rows[i].msgs)
			continue;
		had = g_hash_table_lookup(lv->first_msgs, rows[i].id);
		if (had) {
			free(rows[i].msgs);
			rows[i].msgs = xstrdup(had);
		} else {
			g_hash_table_insert(lv->first_msgs, xstrdup(rows[i].id),
					    xstrdup(rows[i].msgs));
		}
	}
}

/* The row at position i, or NULL while it is not loaded (between the
 * top and a tail). */
static struct row *
row_at(struct listview *lv, size_t i)
{
	if (i < lv->nhead)
		return &lv->rows[i];
	if (lv->tail && i < lv->total && i >= lv->total - lv->ntail)
		return &lv->tail[lv->total - 1 - i];
	return NULL;
}

static void
tail_free(struct listview *lv)
{
	rows_free(&lv->tail, lv->ntail);
	lv->ntail = lv->total = 0;
}

/* Top and tail have met: one array again. */
static void
tail_merge(struct listview *lv)
{
	size_t need, i;

	if (!lv->tail || lv->nhead + lv->ntail < lv->total)
		return;
	need = lv->total - lv->nhead; /* the tail's rows not in the top */
	if (lv->cap < lv->total) {
		lv->rows = xreallocarray(lv->rows, lv->total, sizeof *lv->rows);
		lv->cap = lv->total;
	}
	for (i = 0; i < need; i++) /* tail[need-1] is position nhead */
		lv->rows[lv->nhead + i] = lv->tail[need - 1 - i];
	for (i = need; i < lv->ntail; i++) /* also in the top */
		row_clear(&lv->tail[i]);
	free(lv->tail);
	lv->tail = NULL;
	lv->nhead = lv->total;
	lv->ntail = lv->total = 0;
	db_list_free(&lv->loader);
	lv->base.nav.n = lv->nhead;
}

/* Top and tail met at a row: the list has real rows, not the estimate
 * lv->total; positions in the tail move up by the difference. */
static void
tail_settle(struct listview *lv, size_t real)
{
	size_t start = lv->total - lv->ntail, shift = lv->total - real, i;
	size_t *pos[2] = {&lv->base.nav.sel, &lv->base.nav.top};

	for (i = 0; i < 2; i++)
		if (*pos[i] >= start)
			*pos[i] -= shift;
		else if (*pos[i] >= real)
			*pos[i] = real ? real - 1 : 0;
	lv->total = lv->base.nav.n = real;
	tail_merge(lv);
}

/* Look for the junction among head rows [from, nhead): the first row of
 * the tail (its top) met again. */
static void
tail_meet_head(struct listview *lv, size_t from)
{
	size_t i, j;

	for (i = from; lv->tail && lv->ntail && i < lv->nhead; i++)
		if (strcmp(lv->rows[i].id, lv->tail[lv->ntail - 1].id) == 0) {
			for (j = i; j < lv->nhead; j++) /* the tail's rows */
				row_clear(&lv->rows[j]);
			lv->nhead = i;
			tail_settle(lv, i + lv->ntail);
			return;
		}
}

/* The same from the tail's side: the top's last row in the tail. */
static void
tail_meet_tail(struct listview *lv)
{
	size_t j, k;

	for (j = 0; lv->tail && lv->nhead && j < lv->ntail; j++)
		if (strcmp(lv->tail[j].id, lv->rows[lv->nhead - 1].id) == 0) {
			for (k = j; k < lv->ntail; k++) /* also in the top */
				row_clear(&lv->tail[k]);
			lv->ntail = j;
			tail_settle(lv, lv->nhead + j);
			return;
		}
}

static void
list_start(struct listview *lv)
{
	struct pm_err err;
	struct db *db = tui_db(lv->base.tui);

	db_list_free(&lv->loader);
	tail_free(lv);
	rows_free(&lv->rows, lv->nhead);
	lv->base.nav.n = lv->nhead = lv->cap = 0;
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

	while (lv->loader && lv->nhead < want &&
	       !(lv->tail && lv->nhead + lv->ntail >= lv->total)) {
		before = lv->nhead;
		if (!db_list_more(lv->loader, &lv->rows, &lv->nhead, &lv->cap,
				  CHUNK))
			db_list_free(&lv->loader);
		first_seen(lv, lv->rows, before, lv->nhead);
		if (!lv->tail)
			lv->base.nav.n = lv->nhead;
		tail_meet_head(lv, before);
		for (; lv->keep_id && before < lv->nhead; before++)
			if (strcmp(lv->rows[before].id, lv->keep_id) == 0) {
				lv->base.nav.sel = before;
				free(lv->keep_id);
				lv->keep_id = NULL;
			}
	}
	if (!lv->loader && lv->keep_id) { /* gone: keep the position */
		free(lv->keep_id);
		lv->keep_id = NULL;
	}
	tail_merge(lv);
	if (!lv->loader && lv->tail) { /* the list shrank meanwhile */
		tail_free(lv);
		lv->base.nav.n = lv->nhead;
		if (lv->base.nav.sel >= lv->base.nav.n)
			lv->base.nav.sel =
			    lv->base.nav.n ? lv->base.nav.n - 1 : 0;
	}
}

/* Load the tail (again, longer) until position from is in it. */
static void
tail_load(struct listview *lv, size_t from)
{
	struct db *db = tui_db(lv->base.tui);
	size_t k;

	if (!lv->tail || !db || from >= lv->total - lv->ntail ||
	    lv->nhead + lv->ntail >= lv->total)
		return;
	k = lv->total - from + CHUNK;
	if (k < lv->ntail * 2)
		k = lv->ntail * 2;
	if (k > lv->total - lv->nhead)
		k = lv->total - lv->nhead;
	rows_free(&lv->tail, lv->ntail);
	lv->ntail = db_list_tail(db, lv->query, lv->threads, k, &lv->tail);
	first_seen(lv, lv->tail, 0, lv->ntail);
	tail_meet_tail(lv);
	tail_merge(lv);
}

/* Make position pos loaded, from the top or from the tail, whichever is
 * nearer. */
static void
ensure_row(struct listview *lv, size_t pos)
{
	if (pos >= lv->base.nav.n || row_at(lv, pos))
		return;
	if (lv->tail && pos - lv->nhead > lv->total - lv->ntail - pos)
		tail_load(lv, pos);
	else
		list_load(lv, pos + 1);
}

/* G: the end of the list without loading every row on the way: count
 * the rows, load the last page oldest first.  Falls back to loading all
 * when that is not possible. */
static void
list_bottom(struct listview *lv)
{
	struct db *db = tui_db(lv->base.tui);
	size_t page = (size_t)tui_rows(); /* one screen: more on the way up */
	long total;

	if (!lv->loader || lv->tail || !db)
		return;
	/* messages: the count; threads: at most that many (counting the
	 * threads costs a walk of every message), settled when the top and
	 * the tail meet */
	total = db_count(db, lv->query);
	if (total <= (long)(lv->nhead + page)) {
		list_load(lv, (size_t)-1);
		return;
	}
	lv->total = (size_t)total;
	lv->ntail = db_list_tail(db, lv->query, lv->threads, page, &lv->tail);
	first_seen(lv, lv->tail, 0, lv->ntail);
	if (lv->ntail == 0) {
		tail_free(lv);
		list_load(lv, (size_t)-1);
		return;
	}
	lv->base.nav.n = lv->total;
	tail_meet_tail(lv);
	tail_merge(lv);
}

static void
draw_row(struct listview *lv, struct row *r, int y, int cols, int selected)
{
	char date[32], count[32], *s, *f;
	int x = 0, w, sub, unread = (r->flags & ROW_UNREAD) != 0;
	enum disp_style st = selected ? (unread ? ST_SEL_UNREAD : ST_SELECTED)
				      : (unread ? ST_UNREAD : ST_NORMAL);

	disp_fill(y, 0, selected ? st : ST_NORMAL);
	disp_text(y, x,
		  view_marked(&lv->base, r->id) ? "#"
		  : r->flags & ROW_FLAGGED	? "*"
						: " ",
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
	disp_text(y, x, f,
		  sel_style >= 0 ? (enum disp_style)sel_style : ST_TAGS);
	if (sel_style < 0)
		draw_tag_colours(y, x, f, tags);
	free(s);
	free(f);
}

/* Before the rows are drawn: load what is about to show, and pages
 * ahead; or say why there is none. */
static void
list_draw(struct view *v, int rows, int cols)
{
	struct listview *lv = (struct listview *)v;
	size_t i;

	(void)cols;
	for (i = 0; i < (size_t)rows; i++)
		ensure_row(lv, lv->base.nav.top + i);
	if (!lv->tail) /* keep pages ahead loaded */
		list_load(lv, lv->base.nav.top + (size_t)rows * AHEAD);
	if (lv->base.nav.n == 0)
		disp_text(2, 2, lv->loader ? "loading..." : "no messages",
			  ST_NORMAL);
}

static void
list_draw_row(struct view *v, size_t i, int y, int cols, int selected)
{
	struct listview *lv = (struct listview *)v;
	struct row *r = row_at(lv, i);

	if (r)
		draw_row(lv, r, y, cols, selected);
	else
		disp_text(y, 2, "...", ST_NORMAL);
}

static void
list_reload(struct view *v)
{
	struct listview *lv = (struct listview *)v;
	size_t sel = lv->base.nav.sel, top = lv->base.nav.top,
	       n = lv->base.nav.n, i;
	int at_end = lv->tail && sel >= lv->nhead;

	if (lv->base.nav.n && !lv->keep_id && row_at(lv, lv->base.nav.sel))
		lv->keep_id = xstrdup(row_at(lv, lv->base.nav.sel)->id);
	list_start(lv);
	if (at_end) { /* near the end of a long list: keep the end */
		list_bottom(lv);
		if (lv->tail) {
			lv->base.nav.sel = n - sel <= lv->base.nav.n
					       ? lv->base.nav.n - (n - sel)
					       : 0;
			lv->base.nav.top = n - top <= lv->base.nav.n
					       ? lv->base.nav.n - (n - top)
					       : 0;
			tail_load(lv, lv->base.nav.top);
			for (i = 0; lv->keep_id && i < lv->ntail; i++)
				if (strcmp(lv->tail[i].id, lv->keep_id) == 0)
					lv->base.nav.sel = lv->total - 1 - i;
			free(lv->keep_id);
			lv->keep_id = NULL;
			return;
		}
	}
	lv->base.nav.sel = sel;
	lv->base.nav.top = top;
	list_load(lv, top + (size_t)tui_rows() * AHEAD);
}

static int
list_idle(struct view *v)
{
	struct listview *lv = (struct listview *)v;

	if (!lv->loader)
		return 0;
	list_load(lv, lv->nhead + CHUNK);
	return lv->loader != NULL;
}

/* T: +tag/-tag words for every message of the query, in one tagger
 * (rows update when the database change reloads the list). */
static void
tag_all_entered(struct tui *t, const char *text, void *arg)
{
	struct listview *lv = arg;
	char *copy, *w, *save = NULL;
	int ok = text && *text;

	if (!ok)
		return;
	copy = xstrdup(text);
	for (w = strtok_r(copy, " ", &save); w && ok;
	     w = strtok_r(NULL, " ", &save))
		ok = (*w == '+' || *w == '-') && w[1];
	free(copy);
	if (!ok) {
		tui_status(t, 1,
			   "tag every message: each word is +tag or -tag");
		return;
	}
	{
		char *q = tui_db(t) ? db_shown_query(t->db, lv->query)
				    : xstrdup(lv->query);

		tui_tag(t, q, text);
		free(q);
	}
	tui_status(t, 0, "tagging every message of %s: %s", lv->query, text);
}

static int
list_action(struct view *v, enum tui_action a)
{
	struct listview *lv = (struct listview *)v;
	struct tui *t = v->tui;
	struct row *r;

	if (a == ACT_BOTTOM)
		list_bottom(lv);
	else if (a == ACT_PGDN && !lv->tail)
		list_load(lv,
			  lv->base.nav.sel + (size_t)tui_rows() * (AHEAD + 1));
	if (view_move(v, a)) {
		ensure_row(lv, lv->base.nav.sel); /* the selection is a row */
		return 1;
	}
	if (a == ACT_THREADS) {
		marks_clear(v); /* thread ids and message ids differ */
		lv->threads = !lv->threads;
		lv->base.nav.sel = lv->base.nav.top = 0;
		list_start(lv);
		return 1;
	}
	if (a == ACT_TAG_ALL) {
		tui_prompt(t,
			   "tag every message of the search (+tag -tag): ", "",
			   1, 0, tag_all_entered, lv);
		return 1;
	}
	if (a == ACT_NEXT_UNREAD) {
		size_t i;

		for (i = lv->base.nav.sel + 1; i < lv->base.nav.n; i++) {
			ensure_row(lv, i);
			if ((r = row_at(lv, i)) && (r->flags & ROW_UNREAD)) {
				lv->base.nav.sel = i;
				nav_scroll(&lv->base.nav, tui_rows());
				return 1;
			}
		}
		tui_status(t, 0, "no more unread %s",
			   lv->threads ? "threads" : "messages");
		return 1;
	}
	if (lv->base.nav.n == 0 || !(r = row_at(lv, lv->base.nav.sel)))
		return 0;
	if (a == ACT_OPEN) {
		if (lv->threads)
			tui_push(t, threadview_new(t, r->id, lv->query));
		else
			tui_push(t, msgview_new(t, r, v));
		return 1;
	}
	return view_tag_action(v, r, lv->threads, a);
}

static struct row *
list_step(struct view *v, int dir)
{
	struct listview *lv = (struct listview *)v;

	if (lv->threads || lv->base.nav.n == 0)
		return NULL;
	if (dir > 0 && !lv->tail)
		list_load(lv, lv->base.nav.sel + 2);
	if ((dir < 0 && lv->base.nav.sel == 0) ||
	    (dir > 0 && lv->base.nav.sel + 1 >= lv->base.nav.n))
		return NULL;
	lv->base.nav.sel += dir > 0 ? 1 : (size_t)-1;
	ensure_row(lv, lv->base.nav.sel);
	nav_scroll(&lv->base.nav, tui_rows());
	return row_at(lv, lv->base.nav.sel);
}

static void
list_tagged(struct view *v, const char *id, int thread, const char *ops)
{
	struct listview *lv = (struct listview *)v;
	size_t i;

	if (thread != lv->threads)
		return;
	for (i = 0; i < lv->nhead; i++)
		if (strcmp(lv->rows[i].id, id) == 0)
			row_apply_tags(&lv->rows[i], ops);
	for (i = 0; i < lv->ntail; i++)
		if (strcmp(lv->tail[i].id, id) == 0)
			row_apply_tags(&lv->tail[i], ops);
}

static void
list_title(struct view *v, char *buf, size_t size)
{
	struct listview *lv = (struct listview *)v;

	const char *what = lv->threads ? "thread" : "message";
	char marked[32] = "";

	if (v->nmarks)
		snprintf(marked, sizeof marked, ", %zu marked", v->nmarks);
	if (lv->tail && lv->threads) /* the count is an estimate */
		snprintf(buf, size, "%s  [%zu+ threads%s]  %s", lv->name,
			 lv->nhead + lv->ntail, marked, lv->query);
	else if (lv->loader && lv->base.nav.n == 0)
		snprintf(buf, size, "%s  [loading]  %s", lv->name, lv->query);
	else
		snprintf(buf, size, "%s  [%zu%s %s%s%s]  %s", lv->name,
			 lv->base.nav.n, lv->loader && !lv->tail ? "+" : "",
			 what, lv->base.nav.n == 1 && !lv->loader ? "" : "s",
			 marked, lv->query);
}

static void
list_free(struct view *v)
{
	struct listview *lv = (struct listview *)v;

	db_list_free(&lv->loader);
	tail_free(lv);
	rows_free(&lv->rows, lv->nhead);
	free(lv->keep_id);
	g_hash_table_destroy(lv->first_msgs);
	free(lv->name);
	free(lv->query);
	free(lv);
}

static const struct view_ops list_ops = {
    .scope = SC_LIST,
    .draw_row = list_draw_row,
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
	lv->first_msgs =
	    g_hash_table_new_full(g_str_hash, g_str_equal, free, free);
	list_start(lv);
	return &lv->base;
}
