/* tagger.c: tagging: the queue of tagging children (one runs at a
 * time) and the tag actions on the row under the selection. */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "popmuch/xmalloc.h"
#include "tagger.h"
#include "tui-int.h"

#define TAG_TIMEOUT_MS                                                         \
	5000 /* a tagger waiting longer for the lock is                        \
	      * stopped: the database is busy */

static void undo_drop(struct undo **u);
static struct undo *undo_record(struct tui *t, const char *query,
				const char *ops);
static void undo_push(struct tui *t, struct tagger *tg);
static void undo_last(struct tui *t);

/* Taggers run one at a time, in the order the person asked, so that
 * "*" then "*" again ends unflagged: the queue's head runs, the others
 * wait (pid 0). */
static void
tagger_start_next(struct tui *t)
{
	struct tagger *tg;
	struct pm_err err;

	while (t->ntaggers > 0 && t->taggers[0].pid == 0) {
		tg = &t->taggers[0];
		if (!tg->is_undo)
			tg->rec = undo_record(t, tg->query, tg->ops);
		err_clear(&err);
		tg->pid = db_tag_spawn(tg->query, tg->ops, &err);
		if (tg->pid > 0) {
			tg->started_ms = tui_now_ms();
			return;
		}
		tui_status(t, 1, "%s", err.msg);
		undo_drop(&tg->rec);
		free(tg->ops);
		free(tg->query);
		memmove(t->taggers, t->taggers + 1,
			--t->ntaggers * sizeof(*t->taggers));
	}
}

/* The head has finished: drop it and start the next. */
static void
tagger_pop(struct tui *t)
{
	undo_drop(&t->taggers[0].rec);
	free(t->taggers[0].ops);
	free(t->taggers[0].query);
	memmove(t->taggers, t->taggers + 1,
		--t->ntaggers * sizeof(*t->taggers));
	tagger_start_next(t);
}

void
tui_tag(struct tui *t, const char *query, const char *ops)
{
	t->taggers =
	    xreallocarray(t->taggers, t->ntaggers + 1, sizeof *t->taggers);
	t->taggers[t->ntaggers++] =
	    (struct tagger){.query = xstrdup(query), .ops = xstrdup(ops)};
	tui_log(t, "tag %s -- %s", ops, query);
	tagger_start_next(t);
}

/* ---- the targets of one tag action ----------------------------------- */

/* A tag action's targets: rows (ids, for updating the views at once)
 * and the query of their messages. */
struct tag_target {
	char **ids;
	size_t n;
	int thread;
	int add;	    /* the prompt: bare words are +tag (else -tag) */
	char *query;	    /* their messages */
	struct view *marks; /* whose marks they are (cleared once done) */
};

/* The query of row r's messages: a thread row's messages when it was
 * read (a reply that came later is left alone), else its id. */
static char *
row_term(const struct row *r, int thread)
{
	char *q, *term;

	if (thread && r->msgs && *r->msgs)
		return xasprintf("(%s)", r->msgs);
	q = db_quote(r->id);
	term = xasprintf("%s:%s", thread ? "thread" : "id", q);
	free(q);
	return term;
}

static void
target_add(struct tag_target *tt, const char *id, const char *term)
{
	char *q;

	tt->ids = xreallocarray(tt->ids, tt->n + 1, sizeof *tt->ids);
	tt->ids[tt->n++] = xstrdup(id);
	q = tt->query ? xasprintf("%s or %s", tt->query, term) : xstrdup(term);
	free(tt->query);
	tt->query = q;
}

static void
target_free(struct tag_target *tt)
{
	size_t i;

	for (i = 0; i < tt->n; i++)
		free(tt->ids[i]);
	free(tt->ids);
	free(tt->query);
	free(tt);
}

/* The marked rows of v, else row r. */
static struct tag_target *
target_new(struct view *v, const struct row *r, int thread)
{
	struct tag_target *tt = xcalloc(1, sizeof *tt);
	char *term;
	size_t i;

	tt->thread = thread;
	if (v && v->nmarks) {
		for (i = 0; i < v->nmarks; i++)
			target_add(tt, v->marks[i].id, v->marks[i].term);
		tt->marks = v;
		return tt;
	}
	term = row_term(r, thread);
	target_add(tt, r->id, term);
	free(term);
	return tt;
}

/* Tag the targets with ops and update every view at once; the database
 * change that follows reloads them for real. */
static void
tag_target(struct tui *t, struct tag_target *tt, const char *ops)
{
	struct view *v;
	size_t i;

	tui_tag(t, tt->query, ops);
	for (v = t->top; v; v = v->below)
		for (i = 0; v->ops->tagged && i < tt->n; i++)
			v->ops->tagged(v, tt->ids[i], tt->thread, ops);
	if (tt->marks) {
		tui_status(t, 0, "tagged %zu marked %s: %s", tt->n,
			   tt->thread ? "threads" : "messages", ops);
		marks_clear(tt->marks);
	} else {
		tui_status(t, 0, "tagged %s", ops);
	}
}

static void
tag_prompted(struct tui *t, const char *text, void *arg)
{
	struct tag_target *tt = arg;
	char *copy, *w, *save = NULL, *ops;

	if (!text) {
		target_free(tt);
		return;
	}
	copy = xstrdup(text);
	ops = xstrdup("");

	for (w = strtok_r(copy, " ", &save); w;
	     w = strtok_r(NULL, " ", &save)) {
		char *n;

		if (*w == '+' || *w == '-')
			n = xasprintf("%s%s%s", ops, *ops ? " " : "", w);
		else
			n = xasprintf("%s%s%c%s", ops, *ops ? " " : "",
				      tt->add ? '+' : '-', w);
		free(ops);
		ops = n;
	}
	free(copy);
	if (*ops)
		tag_target(t, tt, ops);
	free(ops);
	target_free(tt);
}

static int
has_flag_tag(const struct row *r, unsigned flag)
{
	return (r->flags & flag) != 0;
}

/* A tag action on the marked rows of v (v may be NULL), else on r. */
static int
tag_action(struct tui *t, struct view *v, struct row *r, int thread_row,
	   enum tui_action a)
{
	struct tag_target *tt;
	const char *ops;

	switch (a) {
	case ACT_UNREAD:
		ops = has_flag_tag(r, ROW_UNREAD) ? "-unread" : "+unread";
		break;
	case ACT_FLAGGED:
		ops = has_flag_tag(r, ROW_FLAGGED) ? "-flagged" : "+flagged";
		break;
	case ACT_DELETED:
		ops = has_flag_tag(r, ROW_DELETED) ? "-deleted" : "+deleted";
		break;
	case ACT_ARCHIVE:
		ops = "-inbox";
		break;
	case ACT_UNDO:
		undo_last(t);
		return 1;
	case ACT_TAG_ADD:
	case ACT_TAG_REMOVE:
		tt = target_new(v, r, thread_row);
		tt->add = a == ACT_TAG_ADD;
		tui_prompt(t,
			   tt->marks
			       ? (tt->add ? "add tags to the marked: "
					  : "remove tags from the marked: ")
			   : tt->add ? "add tags: "
				     : "remove tags: ",
			   "", 1, 0, tag_prompted, tt);
		return 1;
	default:
		return 0;
	}
	tt = target_new(v, r, thread_row);
	tag_target(t, tt, ops);
	target_free(tt);
	return 1;
}

int
rows_tag_action(struct tui *t, struct row *r, int thread_row, enum tui_action a)
{
	return tag_action(t, NULL, r, thread_row, a);
}

/* ---- marks ---------------------------------------------------------- */

int
view_marked(const struct view *v, const char *id)
{
	size_t i;

	for (i = 0; i < v->nmarks; i++)
		if (strcmp(v->marks[i].id, id) == 0)
			return 1;
	return 0;
}

void
marks_clear(struct view *v)
{
	size_t i;

	for (i = 0; i < v->nmarks; i++) {
		free(v->marks[i].id);
		free(v->marks[i].term);
	}
	free(v->marks);
	v->marks = NULL;
	v->nmarks = 0;
}

/* v: mark row r, or unmark it; then the next row, as mutt's tag-entry. */
static void
mark_toggle(struct view *v, const struct row *r, int thread)
{
	size_t i;

	for (i = 0; i < v->nmarks; i++)
		if (strcmp(v->marks[i].id, r->id) == 0) {
			free(v->marks[i].id);
			free(v->marks[i].term);
			v->marks[i] = v->marks[--v->nmarks];
			view_move(v, ACT_DOWN);
			return;
		}
	v->marks = xreallocarray(v->marks, v->nmarks + 1, sizeof *v->marks);
	v->marks[v->nmarks++] =
	    (struct mark){.id = xstrdup(r->id), .term = row_term(r, thread)};
	view_move(v, ACT_DOWN);
}

/* ---- undo ----------------------------------------------------------- */

#define UNDO_MAX 100 /* tag changes remembered */

static void
undo_drop(struct undo **u)
{
	size_t i;

	if (!*u)
		return;
	for (i = 0; i < (*u)->n; i++) {
		free((*u)->ops[i]);
		free((*u)->query[i]);
	}
	free((*u)->ops);
	free((*u)->query);
	free((*u)->what);
	free(*u);
	*u = NULL;
}

/* What undoes ops on query, read from the database just before the
 * tagger runs (the taggers before it have committed): for +tag the
 * messages that lack tag, for -tag those that have it. */
static struct undo *
undo_record(struct tui *t, const char *query, const char *ops)
{
	struct undo *u = xcalloc(1, sizeof *u);
	char *copy = xstrdup(ops), *w, *save = NULL, *q, *tag, **ids;
	size_t n, i;

	/* see what the taggers before it committed; the views reload
	 * then, so that no list reads on from before the reopen */
	if (tui_db(t) && db_refresh(t->db) != t->revision)
		tui_reload_all(t, 0);
	for (w = strtok_r(copy, " ", &save); w && t->db;
	     w = strtok_r(NULL, " ", &save)) {
		if ((*w != '+' && *w != '-') || !w[1])
			continue;
		tag = db_quote(w + 1);
		q = xasprintf("(%s) and %stag:%s", query,
			      *w == '+' ? "not " : "", tag);
		free(tag);
		n = db_message_ids(t->db, q, &ids);
		free(q);
		if (n) {
			u->ops =
			    xreallocarray(u->ops, u->n + 1, sizeof *u->ops);
			u->query =
			    xreallocarray(u->query, u->n + 1, sizeof *u->query);
			u->ops[u->n] =
			    xasprintf("%c%s", *w == '+' ? '-' : '+', w + 1);
			u->query[u->n++] = db_ids_query(ids, n);
		}
		for (i = 0; i < n; i++)
			free(ids[i]);
		free(ids);
	}
	free(copy);
	u->what = xstrdup(ops);
	return u;
}

/* The tagger of tg has committed: its undo joins the history. */
static void
undo_push(struct tui *t, struct tagger *tg)
{
	if (!tg->rec)
		return;
	if (tg->rec->n == 0) { /* it changed nothing */
		undo_drop(&tg->rec);
		return;
	}
	if (t->nundo == UNDO_MAX) {
		undo_drop(&t->undo[0]);
		memmove(t->undo, t->undo + 1, --t->nundo * sizeof *t->undo);
	}
	t->undo = xreallocarray(t->undo, t->nundo + 1, sizeof *t->undo);
	t->undo[t->nundo++] = tg->rec;
	tg->rec = NULL;
}

/* The taggers queued or running that are not undos. */
static size_t
changes_running(const struct tui *t)
{
	size_t i, n = 0;

	for (i = 0; i < t->ntaggers; i++)
		n += !t->taggers[i].is_undo;
	return n;
}

/* Undo the newest recorded change: its taggers join the queue. */
static void
undo_now(struct tui *t)
{
	struct undo *u;
	size_t i;

	if (t->nundo == 0) {
		tui_status(t, 0, "no tag change to undo");
		return;
	}
	u = t->undo[--t->nundo];
	for (i = 0; i < u->n; i++) {
		t->taggers = xreallocarray(t->taggers, t->ntaggers + 1,
					   sizeof *t->taggers);
		t->taggers[t->ntaggers++] =
		    (struct tagger){.query = xstrdup(u->query[i]),
				    .ops = xstrdup(u->ops[i]),
				    .is_undo = 1};
		tui_log(t, "undo: tag %s -- %s", u->ops[i], u->query[i]);
	}
	tui_status(t, 0, "undone: %s", u->what);
	undo_drop(&u);
	tagger_start_next(t);
}

/* U: undo the last tag change (then the one before, ...); one still
 * being saved is undone once it is. */
static void
undo_last(struct tui *t)
{
	if (changes_running(t) > t->undo_waiting) {
		t->undo_waiting++;
		tui_status(t, 0, "undo: once the tag change is saved");
		return;
	}
	undo_now(t);
}

/* A tagger has finished: the undos that waited for it. */
static void
undo_due(struct tui *t)
{
	while (t->undo_waiting > changes_running(t)) {
		t->undo_waiting--;
		undo_now(t);
	}
}

void
undo_free(struct tui *t)
{
	size_t i;

	for (i = 0; i < t->nundo; i++)
		undo_drop(&t->undo[i]);
	free(t->undo);
	t->undo = NULL;
	t->nundo = 0;
}

int
view_tag_action(struct view *v, struct row *r, int thread_row,
		enum tui_action a)
{
	switch (a) {
	case ACT_MARK:
		mark_toggle(v, r, thread_row);
		return 1;
	case ACT_UNMARK_ALL:
		if (!v->nmarks)
			tui_status(v->tui, 0, "nothing is marked");
		marks_clear(v);
		return 1;
	default:
		return tag_action(v->tui, v, r, thread_row, a);
	}
}

static void
tagger_done(struct tui *t, struct tagger *tg, int status)
{
	int ok = !tg->killed && WIFEXITED(status) && WEXITSTATUS(status) == 0;

	if (!ok && !tg->is_undo && t->undo_waiting > 0)
		t->undo_waiting--; /* it changed nothing to undo */
	if (tg->killed) {
		tui_status(t, 1,
			   "the notmuch database is busy (another "
			   "process holds its write lock): tags %s "
			   "not saved",
			   tg->ops);
		tui_reload_all(t, 0);
	} else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		tui_status(t, 1, "tagging %s failed (see the log)", tg->ops);
		tui_reload_all(t, 0);
	} else {
		undo_push(t, tg);
		/* The last queued change is committed: show the database as
		 * it is now, so that no list loaded before the commit keeps
		 * showing the old tags until the next revision check. */
		if (t->ntaggers == 1)
			tui_reload_all(t, 0);
	}
}
/* Stop the running tagger when it has waited too long for the notmuch
 * write lock. */
void
check_taggers(struct tui *t)
{
	struct tagger *tg = t->ntaggers > 0 ? &t->taggers[0] : NULL;

	if (tg == NULL || tg->pid <= 0 || tg->killed ||
	    tui_now_ms() - tg->started_ms < TAG_TIMEOUT_MS)
		return;
	kill(tg->pid, SIGTERM);
	tg->killed = 1;
}

/* At exit: let the queued taggers run, each until its deadline. */
void
finish_taggers(struct tui *t)
{
	struct timespec nap = {0, 20 * 1000000L};

	while (t->ntaggers > 0) {
		check_taggers(t);
		if (waitpid(t->taggers[0].pid, NULL, WNOHANG) != 0)
			tagger_pop(t);
		else
			nanosleep(&nap, NULL);
	}
}

int
tagger_reaped(struct tui *t, pid_t pid, int status)
{
	if (t->ntaggers == 0 || t->taggers[0].pid != pid)
		return 0;
	tagger_done(t, &t->taggers[0], status);
	tagger_pop(t);
	undo_due(t);
	return 1;
}
