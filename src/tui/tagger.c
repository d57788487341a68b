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
		err_clear(&err);
		tg->pid = db_tag_spawn(tg->query, tg->ops, &err);
		if (tg->pid > 0) {
			tg->started_ms = tui_now_ms();
			return;
		}
		tui_status(t, 1, "%s", err.msg);
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

struct tag_target {
	char *id;
	int thread;
	int add;
};

/* Tag the target (a thread or a message) with ops and update every view
 * at once; the database change that follows reloads them for real. */
static void
tag_target(struct tui *t, const char *id, int thread, const char *ops)
{
	char *q = db_quote(id), *query;
	struct view *v;

	query = xasprintf("%s:%s", thread ? "thread" : "id", q);
	free(q);
	tui_tag(t, query, ops);
	free(query);
	for (v = t->top; v; v = v->below)
		if (v->ops->tagged)
			v->ops->tagged(v, id, thread, ops);
	tui_status(t, 0, "tagged %s", ops);
}

static void
tag_prompted(struct tui *t, const char *text, void *arg)
{
	struct tag_target *tt = arg;
	char *copy, *w, *save = NULL, *ops;

	if (!text) {
		free(tt->id);
		free(tt);
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
		tag_target(t, tt->id, tt->thread, ops);
	free(ops);
	free(tt->id);
	free(tt);
}

static int
has_flag_tag(const struct row *r, unsigned flag)
{
	return (r->flags & flag) != 0;
}

int
rows_tag_action(struct tui *t, struct row *r, int thread_row, enum tui_action a)
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
	case ACT_TAG_ADD:
	case ACT_TAG_REMOVE:
		tt = xcalloc(1, sizeof *tt);
		tt->id = xstrdup(r->id);
		tt->thread = thread_row;
		tt->add = a == ACT_TAG_ADD;
		tui_prompt(t, tt->add ? "add tags: " : "remove tags: ", "", 1,
			   0, tag_prompted, tt);
		return 1;
	default:
		return 0;
	}
	tag_target(t, r->id, thread_row, ops);
	return 1;
}
static void
tagger_done(struct tui *t, struct tagger *tg, int status)
{
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
	} else if (t->ntaggers == 1) {
		/* The last queued change is committed: show the database as
		 * it is now, so that no list loaded before the commit keeps
		 * showing the old tags until the next revision check. */
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
	return 1;
}
