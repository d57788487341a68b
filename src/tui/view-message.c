/* view-message.c: one message, or one of its parts, in the pager. */
#include "config.h"

#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "popmuch/xmalloc.h"
#include "layout.h"
#include "msg.h"
#include "tui-int.h"
#include "view-compose.h"

/* One screen line: a piece of a body line. */
struct dline {
	size_t line, off, len;
};

struct msgview {
	struct view base;
	struct view *parent; /* thread or list view, for n/p */
	struct row row;	     /* own copy */
	enum msg_mode mode;
	struct msg_view *mv;
	struct dline *dl;
	size_t ndl;
	int wrap_cols;
	struct nav nav; /* top = first shown display line */
	char *find;	/* the text being found (/), or NULL */
	size_t match;	/* the display line of the current match */
	int part;	/* a part's pager (msgview_part_new), else -1 */
	char *label;	/* its title */
};

static void
add_notes(struct msg_view *v)
{
	size_t i, n = v->natt;

	for (i = 0; i < n; i++) {
		char *s;

		if (!(v->att[i].flags & MP_ATTACHMENT))
			continue;
		s = xasprintf("[attachment %zu: %s (%s, %zu bytes); "
			      "v: the parts]",
			      i + 1, v->att[i].filename, v->att[i].type,
			      v->att[i].size);
		v->lines =
		    xreallocarray(v->lines, v->nlines + 1, sizeof *v->lines);
		v->kinds = xreallocarray(v->kinds, v->nlines + 1, 1);
		v->lines[v->nlines] = s;
		v->kinds[v->nlines++] = ML_NOTE;
	}
}

/* The message's file now (a tagger may have renamed it), or NULL. */
static const char *
msg_file(struct msgview *m)
{
	if ((!m->row.path || access(m->row.path, R_OK) != 0) &&
	    tui_db(m->base.tui)) {
		char *p =
		    db_message_path(m->base.tui->db, m->row.id, m->row.path);

		free(m->row.path);
		m->row.path = p;
	}
	return m->row.path;
}

/* msg_set_log: a renderer that failed, into the TUI's log */
static void
render_log(void *arg, const char *s)
{
	tui_log(arg, "%s", s);
}

static void
render(struct msgview *m)
{
	struct pm_err err;

	msg_view_free(&m->mv);
	free(m->dl);
	m->dl = NULL;
	m->ndl = 0;
	m->wrap_cols = 0;
	m->nav.sel = m->nav.top = 0;
	err_clear(&err);
	msg_set_log(render_log, m->base.tui);
	if (!msg_file(m)) {
		tui_status(m->base.tui, 1, "message %s has no file", m->row.id);
		return;
	}
	if ((m->part >= 0
		 ? msg_render_part(m->row.path, m->part, m->base.tui->html_cmd,
				   &m->mv, &err)
		 : msg_render(m->row.path, m->mode, m->base.tui->html_cmd,
			      &m->mv, &err)) != PM_OK) {
		tui_status(m->base.tui, 1, "%s", err.msg);
		return;
	}
	if (m->mode != MSG_RAW)
		add_notes(m->mv);
	if (m->mv->decrypted) /* pinentry-curses may have drawn over us */
		disp_force_redraw();
	if (m->part < 0 && (m->row.flags & ROW_UNREAD)) {
		rows_tag_action(m->base.tui, &m->row, 0, ACT_UNREAD);
		row_apply_tags(&m->row, "-unread");
	}
}

static void
wrap(struct msgview *m, int cols)
{
	size_t i, off, len, n;

	if (!m->mv || m->wrap_cols == cols)
		return;
	free(m->dl);
	m->dl = NULL;
	m->ndl = 0;
	for (i = 0; i < m->mv->nlines; i++) {
		const char *s = m->mv->lines[i];

		len = strlen(s);
		off = 0;
		do {
			n = layout_wrap(s + off, len - off, cols);
			m->dl = xreallocarray(m->dl, m->ndl + 1, sizeof *m->dl);
			m->dl[m->ndl++] = (struct dline){i, off, n};
			off += n;
		} while (off < len);
	}
	m->wrap_cols = cols;
	m->nav.n = m->ndl;
}

static void
msg_draw(struct view *v, int rows, int cols)
{
	struct msgview *m = (struct msgview *)v;
	static const enum disp_style kind_style[] = {
	    [ML_TEXT] = ST_NORMAL, [ML_HEADER] = ST_HEADER,
	    [ML_QUOTE] = ST_QUOTE, [ML_NOTE] = ST_TAGS,
	    [ML_GOOD] = ST_HEADER, [ML_BAD] = ST_ERROR,
	};
	size_t i;
	char *f;

	wrap(m, cols);
	/* scrolling: top is the position, sel follows it */
	if (m->nav.top + (size_t)rows > m->ndl)
		m->nav.top = m->ndl > (size_t)rows ? m->ndl - (size_t)rows : 0;
	for (i = 0; i < (size_t)rows && m->nav.top + i < m->ndl; i++) {
		struct dline *d = &m->dl[m->nav.top + i];

		f = layout_fitn(m->mv->lines[d->line] + d->off, d->len, cols,
				0);
		disp_text(1 + (int)i, 0, f,
			  m->find && m->nav.top + i == m->match
			      ? ST_SELECTED
			      : kind_style[m->mv->kinds[d->line]]);
		free(f);
	}
}

/* Does display line i hold the find text (ASCII case folded)? */
static int
line_matches(struct msgview *m, size_t i)
{
	const struct dline *d = &m->dl[i];
	const char *s = m->mv->lines[d->line] + d->off;
	size_t n = strlen(m->find), j, k;

	for (j = 0; n && j + n <= d->len; j++) {
		for (k = 0; k < n && tolower((unsigned char)s[j + k]) ==
					 tolower((unsigned char)m->find[k]);
		     k++)
			;
		if (k == n)
			return 1;
	}
	return 0;
}

/* Move to the next match after (dir > 0) or before the current one;
 * from says where to start.  Returns 1 when one was found. */
static int
find_step(struct msgview *m, size_t from, int dir)
{
	size_t i;

	for (i = from; m->find && i<m->ndl; i += dir> 0 ? 1 : (size_t)-1)
		if (line_matches(m, i)) {
			m->match = i;
			m->nav.top = i > 2 ? i - 2 : 0; /* a little context */
			return 1;
		}
	return 0;
}

static void
find_entered(struct tui *t, const char *text, void *arg)
{
	struct msgview *m = arg;

	if (!text)
		return;
	free(m->find);
	m->find = *text ? xstrdup(text) : NULL;
	if (!m->find)
		tui_status(t, 0, "find: off (n is the next message again)");
	else if (find_step(m, m->nav.top, 1))
		tui_status(t, 0, "found \"%s\" (n/N: next/previous)", m->find);
	else
		tui_status(t, 1, "not found: %s", m->find);
}

static void
pipe_entered(struct tui *t, const char *text, void *arg)
{
	struct msgview *m = arg;

	if (!text || !*text || !msg_file(m))
		return;
	if (m->part >= 0) /* the part, decoded */
		tui_pipe_part(t, m->row.path, m->part, m->label, text);
	else
		tui_pipe_status(t, text, tui_pipe_file(m->row.path, text));
}

static int
find_action(struct msgview *m, enum tui_action a)
{
	int dir = a == ACT_FIND_PREV ? -1 : 1;

	if (a == ACT_FIND) {
		tui_prompt(m->base.tui, "find: ", m->find ? m->find : "", 0, 0,
			   find_entered, m);
		return 1;
	}
	if (!m->find) {
		if (a == ACT_FIND_PREV)
			tui_status(m->base.tui, 0, "nothing to find: press /");
		return a == ACT_FIND_PREV;
	}
	if ((dir < 0 && m->match == 0) ||
	    !find_step(m, m->match + (size_t)dir, dir))
		tui_status(m->base.tui, 0, "no %s match for \"%s\"",
			   dir > 0 ? "further" : "earlier", m->find);
	return 1;
}

static int
msg_action(struct view *v, enum tui_action a)
{
	struct msgview *m = (struct msgview *)v;
	struct row *r;

	if ((a == ACT_FIND || a == ACT_FIND_PREV ||
	     (a == ACT_NEXT_MSG && m->find)) &&
	    find_action(m, a))
		return 1; /* while finding, n is the next match */
	if (nav_scroll_action(&m->nav, a, tui_rows()))
		return 1; /* msg_draw clamps top */
	/* a part's pager: no tagging, replying, n/p */
	if (m->part >= 0 && a != ACT_PIPE && a != ACT_ATTACHMENTS)
		return 0;
	switch (a) {
	case ACT_NEXT_MSG:
	case ACT_PREV_MSG:
		r = m->parent && m->parent->ops->step
			? m->parent->ops->step(m->parent,
					       a == ACT_NEXT_MSG ? 1 : -1)
			: NULL;
		if (!r) {
			tui_status(v->tui, 0, "no %s message",
				   a == ACT_NEXT_MSG ? "next" : "previous");
			return 1;
		}
		row_copy(&m->row, r);
		render(m);
		return 1;
	case ACT_HEADERS:
		m->mode =
		    m->mode == MSG_FULL_HEADERS ? MSG_NORMAL : MSG_FULL_HEADERS;
		render(m);
		return 1;
	case ACT_RAW:
		m->mode = m->mode == MSG_RAW ? MSG_NORMAL : MSG_RAW;
		render(m);
		return 1;
	case ACT_NEXT_UNREAD: /* the next unread one of the list below */
		do
			r = m->parent && m->parent->ops->step
				? m->parent->ops->step(m->parent, 1)
				: NULL;
		while (r && !(r->flags & ROW_UNREAD));
		if (!r) {
			tui_status(v->tui, 0, "no more unread messages");
			return 1;
		}
		row_copy(&m->row, r);
		render(m);
		return 1;
	case ACT_PIPE: /* the whole message, as it is (git am, ...) */
		tui_prompt(v->tui,
			   m->part >= 0 ? "pipe the part to: "
					: "pipe the message to: ",
			   "", 0, 0, pipe_entered, m);
		return 1;
	case ACT_ATTACHMENTS:
		if (!m->mv || m->mv->natt == 0) {
			tui_status(v->tui, 0, "no MIME parts");
			return 1;
		}
		tui_push(v->tui,
			 attachview_new(v->tui, m->row.id, m->row.path, m->mv));
		return 1;
	case ACT_REPLY:
	case ACT_REPLY_ALL:
	case ACT_FORWARD: /* compose */
		return compose_action(v->tui, a, m->row.id, m->row.path);
	default:
		return rows_tag_action(v->tui, &m->row, 0, a);
	}
}

static void
msg_tagged(struct view *v, const char *id, int thread, const char *ops)
{
	struct msgview *m = (struct msgview *)v;

	if (!thread && strcmp(m->row.id, id) == 0)
		row_apply_tags(&m->row, ops);
}

static void
msg_title(struct view *v, char *buf, size_t size)
{
	struct msgview *m = (struct msgview *)v;
	size_t pct =
	    m->ndl ? (m->nav.top + (size_t)tui_rows()) * 100 / m->ndl : 100;

	if (m->part >= 0)
		snprintf(buf, size, "%s  [%zu%%]", m->label,
			 pct > 100 ? 100 : pct);
	else
		snprintf(buf, size, "%s  [%zu%%%s]  (%s)", m->row.subject,
			 pct > 100 ? 100 : pct,
			 m->mode == MSG_RAW ? " raw" : "", m->row.tags);
}

static void
msg_free(struct view *v)
{
	struct msgview *m = (struct msgview *)v;

	msg_view_free(&m->mv);
	row_clear(&m->row);
	free(m->dl);
	free(m->find);
	free(m->label);
	free(m);
}

static const struct view_ops msg_ops = {
    .scope = SC_MESSAGE,
    .draw = msg_draw,
    .action = msg_action,
    .tagged = msg_tagged,
    .title = msg_title,
    .free = msg_free,
};

/* msg_set_session_keys: from the database (index.decrypt stashes them) */
static char **
stashed_keys(const char *id, void *arg)
{
	struct tui *t = arg;

	return tui_db(t) ? db_session_keys(t->db, id) : NULL;
}

struct view *
msgview_new(struct tui *t, const struct row *r, struct view *parent)
{
	msg_set_session_keys(stashed_keys, t);
	struct msgview *m = xcalloc(1, sizeof *m);

	m->base.ops = &msg_ops;
	m->base.tui = t;
	m->parent = parent;
	m->part = -1;
	row_copy(&m->row, r);
	render(m);
	return &m->base;
}

struct view *
msgview_part_new(struct tui *t, const char *id, const char *path, int part,
		 const char *label)
{
	struct msgview *m = xcalloc(1, sizeof *m);
	struct row r = {.id = (char *)id,
			.authors = (char *)"",
			.subject = (char *)label,
			.tags = (char *)"",
			.path = (char *)path};

	m->base.ops = &msg_ops;
	m->base.tui = t;
	m->part = part;
	m->label = xstrdup(label);
	row_copy(&m->row, &r);
	render(m);
	return &m->base;
}
