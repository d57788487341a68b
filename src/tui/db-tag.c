/* db-tag.c: the TUI's writes to notmuch (see db.h, "Tagging"): tag
 * changes applied in a short-lived child that opens the database
 * read-write, and the same change mirrored in a row in memory. */
#include "config.h"

#include <notmuch.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "popmuch/xmalloc.h"
#include "db.h"

/* Apply ops to one message; returns a notmuch status. */
static notmuch_status_t
tag_message(notmuch_message_t *m, const char *ops, int sync)
{
	notmuch_status_t st = notmuch_message_freeze(m);
	char *copy = xstrdup(ops), *save = NULL, *w;

	for (w = strtok_r(copy, " ", &save); w && st == 0;
	     w = strtok_r(NULL, " ", &save)) {
		if (w[0] == '+' && w[1])
			st = notmuch_message_add_tag(m, w + 1);
		else if (w[0] == '-' && w[1])
			st = notmuch_message_remove_tag(m, w + 1);
	}
	free(copy);
	if (st == 0)
		st = notmuch_message_thaw(m);
	if (st == 0 && sync)
		st = notmuch_message_tags_to_maildir_flags(m);
	return st;
}

enum pm_status
db_tag_now(const char *query, const char *ops, struct pm_err *err)
{
	notmuch_database_t *nm = NULL;
	notmuch_query_t *q;
	notmuch_messages_t *ms = NULL;
	notmuch_status_t st;
	notmuch_bool_t sync = FALSE;
	char *msg = NULL;

	st = notmuch_database_open_with_config(
	    NULL, NOTMUCH_DATABASE_MODE_READ_WRITE, NULL, NULL, &nm, &msg);
	free(msg);
	if (st != 0) {
		if (nm)
			notmuch_database_destroy(nm);
		return err_set(err, PM_INDEX, "cannot open notmuch: %s",
			       notmuch_status_to_string(st));
	}
	notmuch_config_get_bool(nm, NOTMUCH_CONFIG_SYNC_MAILDIR_FLAGS, &sync);
	q = notmuch_query_create(nm, query);
	st = q ? notmuch_query_search_messages(q, &ms)
	       : NOTMUCH_STATUS_OUT_OF_MEMORY;
	if (st == 0)
		st = notmuch_database_begin_atomic(nm);
	for (; st == 0 && notmuch_messages_valid(ms);
	     notmuch_messages_move_to_next(ms)) {
		notmuch_message_t *m = notmuch_messages_get(ms);

		st = tag_message(m, ops, sync);
		notmuch_message_destroy(m);
	}
	if (st == 0)
		st = notmuch_database_end_atomic(nm);
	if (q)
		notmuch_query_destroy(q);
	if (st == 0)
		st = notmuch_database_close(nm);
	notmuch_database_destroy(nm);
	if (st != 0)
		return err_set(err, PM_INDEX, "tagging failed: %s",
			       notmuch_status_to_string(st));
	return PM_OK;
}

pid_t
db_tag_spawn(const char *query, const char *ops, struct pm_err *err)
{
	pid_t pid = fork();

	if (pid < 0) {
		err_set(err, PM_SOFTWARE, "fork: cannot start the tagger");
		return -1;
	}
	if (pid == 0) {
		/* the TUI's handlers only write to its signal pipe: the
		 * child must die of SIGTERM when it waits too long */
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		signal(SIGCHLD, SIG_DFL);
		_exit(db_tag_now(query, ops, NULL) == PM_OK ? 0 : 1);
	}
	return pid;
}

static int
has_tag(const char *tags, const char *t)
{
	size_t n = strlen(t);
	const char *p = tags;

	while ((p = strstr(p, t)) != NULL) {
		if ((p == tags || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
			return 1;
		p += n;
	}
	return 0;
}

static void
set_tag(struct row *r, const char *t, int on)
{
	char *copy, *w, *save = NULL, *out;
	size_t len = 0;

	if (has_tag(r->tags, t) == on)
		return;
	out = xmalloc(strlen(r->tags) + strlen(t) + 2);
	out[0] = '\0';
	copy = xstrdup(r->tags);
	for (w = strtok_r(copy, " ", &save); w;
	     w = strtok_r(NULL, " ", &save)) {
		if (on && t && strcmp(t, w) < 0) {
			len += (size_t)sprintf(out + len, "%s%s",
					       len ? " " : "", t);
			t = NULL;
		}
		if (!on && strcmp(t, w) == 0)
			continue;
		len += (size_t)sprintf(out + len, "%s%s", len ? " " : "", w);
	}
	if (on && t)
		sprintf(out + len, "%s%s", len ? " " : "", t);
	free(copy);
	free(r->tags);
	r->tags = out;
}

void
row_apply_tags(struct row *r, const char *ops)
{
	char *copy = xstrdup(ops), *save = NULL, *w;

	for (w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save))
		if ((w[0] == '+' || w[0] == '-') && w[1])
			set_tag(r, w + 1, w[0] == '+');
	free(copy);
	r->flags &= ~(unsigned)(ROW_UNREAD | ROW_FLAGGED | ROW_DELETED);
	if (has_tag(r->tags, "unread"))
		r->flags |= ROW_UNREAD;
	if (has_tag(r->tags, "flagged"))
		r->flags |= ROW_FLAGGED;
	if (has_tag(r->tags, "deleted"))
		r->flags |= ROW_DELETED;
}
