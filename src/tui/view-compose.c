/* view-compose.c: reply, forward and compose in the TUI.
 *
 * The draft (compose.h) goes to $EDITOR with curses suspended; then the
 * compose screen shows it and offers send, edit again, attach, detach,
 * postpone and discard.  Nothing written is lost: q postpones, and the
 * outbox screen (O) lists postponed drafts (Enter takes one up again)
 * and the outbox with each message's state.  Sending queues the message
 * (outbox.h) and runs "popmuch send" as a child, so the TUI never waits
 * for the network. */
#include "config.h"

#include <fcntl.h>
#include <glob.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "popmuch/compose.h"
#include "popmuch/editor.h"
#include "popmuch/identity.h"
#include "popmuch/index.h"
#include "popmuch/outbox.h"
#include "popmuch/xmalloc.h"
#include "layout.h"
#include "tui-int.h"
#include "view-compose.h"

/* ---- helpers ----------------------------------------------------------- */

static const char *
nm_config(const struct tui *t)
{
	return t->cfg && t->cfg->naccounts ? t->cfg->accounts[0]->notmuch_config
					   : NULL;
}

static int
edit(const char *path)
{
	int rc;

	disp_suspend();
	rc = editor_run(path);
	disp_resume();
	disp_force_redraw();
	return rc;
}

static void
free_lines(char ***lines, size_t *n)
{
	for (size_t i = 0; i < *n; i++)
		free((*lines)[i]);
	free(*lines);
	*lines = NULL;
	*n = 0;
}

/* The lines of a file (tabs expanded). */
static void
read_lines(const char *path, char ***lines, size_t *n)
{
	gchar *data = NULL, **v;

	free_lines(lines, n);
	if (!g_file_get_contents(path, &data, NULL, NULL))
		return;
	v = g_strsplit(data, "\n", -1);
	for (size_t i = 0; v[i] != NULL; i++) {
		*lines = xreallocarray(*lines, *n + 1, sizeof(**lines));
		(*lines)[(*n)++] = layout_detab(v[i], strlen(v[i]));
	}
	g_strfreev(v);
	g_free(data);
}

void
compose_send_outbox(struct tui *t)
{
	pid_t pid;

	fflush(NULL);
	if ((pid = fork()) == 0) {
		int null = open("/dev/null", O_RDWR);

		dup2(null, 0), dup2(null, 1), dup2(null, 2);
		if (t->config_path != NULL)
			execl(t->self, "popmuch", "-q", "-C", t->config_path,
			      "send", (char *)NULL);
		else
			execl(t->self, "popmuch", "-q", "send", (char *)NULL);
		_exit(127);
	}
	if (pid < 0)
		tui_status(t, 1, "cannot start sending the outbox");
	else
		tui_log(t, "sending the outbox");
}

void
compose_fetch_hook(struct tui *t)
{
	if (t->cfg && t->cfg->send_with_fetch)
		compose_send_outbox(t);
}

/* ---- the compose screen ------------------------------------------------ */

struct composeview {
	struct view base;
	char *path; /* the draft */
	char **lines;
	size_t n;
	struct nav nav;
};

static void
cv_draw(struct view *v, int rows, int cols)
{
	struct composeview *cv = (struct composeview *)v;
	int body = 0;

	read_lines(cv->path, &cv->lines, &cv->n);
	cv->nav.n = cv->n;
	if (cv->nav.top + (size_t)rows > cv->n)
		cv->nav.top = cv->n > (size_t)rows ? cv->n - (size_t)rows : 0;
	for (size_t i = 0; i < cv->nav.top && i < cv->n; i++)
		body |= cv->lines[i][0] == '\0';
	for (int i = 0; i < rows && cv->nav.top + (size_t)i < cv->n; i++) {
		const char *l = cv->lines[cv->nav.top + (size_t)i];
		char *f = layout_fit(l, cols, 0);

		disp_text(1 + i, 0, f,
			  !body		? ST_HEADER
			  : l[0] == '>' ? ST_QUOTE
					: ST_NORMAL);
		free(f);
		body |= l[0] == '\0';
	}
}

/* Rewrite the draft's header block: add "Attach: file", or (file NULL)
 * drop the last Attach: line.  Returns 0, or -1 when nothing changed. */
static int
edit_attach(const char *path, const char *file)
{
	gchar *data = NULL;
	GString *out;
	char *sep, *last = NULL, *p;
	int rc = -1;

	if (!g_file_get_contents(path, &data, NULL, NULL))
		return -1;
	sep = strstr(data, "\n\n");
	if (sep == NULL)
		sep = data + strlen(data);
	out = g_string_new(NULL);
	if (file != NULL) {
		g_string_append_len(out, data, sep - data);
		g_string_append_printf(out, "%sAttach: %s%s",
				       sep > data ? "\n" : "", file, sep);
		rc = 0;
	} else {
		for (p = data; p < sep; p = strchr(p, '\n') + 1) {
			if (g_ascii_strncasecmp(p, "Attach:", 7) == 0)
				last = p;
			if (strchr(p, '\n') == NULL)
				break;
		}
		if (last != NULL) {
			char *nl = strchr(last, '\n');

			g_string_append_len(out, data, last - data);
			g_string_append(out, nl ? nl + 1 : "");
			rc = 0;
		}
	}
	if (rc == 0 &&
	    !g_file_set_contents(path, out->str, (gssize)out->len, NULL))
		rc = -1;
	g_string_free(out, TRUE);
	g_free(data);
	return rc;
}

static void
attach_entered(struct tui *t, const char *text, void *arg)
{
	struct composeview *cv = arg;
	char *file;

	if (text == NULL || *text == '\0')
		return;
	if (text[0] == '~' && text[1] == '/' && getenv("HOME") != NULL)
		file = xasprintf("%s%s", getenv("HOME"), text + 1);
	else
		file = xstrdup(text);
	if (access(file, R_OK) != 0)
		tui_status(t, 1, "%s: cannot read it", file);
	else if (edit_attach(cv->path, file) != 0)
		tui_status(t, 1, "cannot change the draft %s", cv->path);
	else
		tui_status(t, 0, "attached %s", file);
	free(file);
}

static void
discard_entered(struct tui *t, const char *text, void *arg)
{
	struct composeview *cv = arg;

	if (text == NULL || (text[0] != 'y' && text[0] != 'Y'))
		return;
	unlink(cv->path);
	tui_status(t, 0, "discarded");
	tui_pop(t);
}

/* Build, queue, send in the background. */
static void
send_draft(struct tui *t, struct composeview *cv)
{
	struct compose_msg *m = NULL;
	struct outbox *ob = NULL;
	struct pm_err err;
	gchar *text = NULL;
	char *root = NULL;

	if (!g_file_get_contents(cv->path, &text, NULL, NULL)) {
		tui_status(t, 1, "%s: cannot read the draft", cv->path);
		return;
	}
	if (compose_build(text, &m, &err) != PM_OK ||
	    index_mail_root(nm_config(t), &root, &err) != PM_OK ||
	    outbox_open(root, nm_config(t), &ob, &err) != PM_OK ||
	    outbox_queue(ob, m->data, m->len, NULL, &err) != PM_OK) {
		tui_status(t, 1, "not sent: %s (e edits the draft)", err.msg);
	} else {
		unlink(cv->path);
		compose_send_outbox(t);
		tui_status(t, 0,
			   "queued in the outbox and sending (O shows "
			   "the outbox)");
		tui_pop(t);
	}
	outbox_free(&ob);
	compose_msg_free(&m);
	free(root);
	g_free(text);
}

static int
cv_action(struct view *v, enum tui_action a)
{
	struct composeview *cv = (struct composeview *)v;
	struct tui *t = v->tui;

	switch (a) {
	case ACT_SEND:
		send_draft(t, cv);
		return 1;
	case ACT_EDIT:
		if (edit(cv->path) != 0)
			tui_status(t, 1,
				   "the editor failed; the draft is "
				   "kept");
		return 1;
	case ACT_ATTACH:
		tui_prompt(t, "attach file: ", "", 0, 0, attach_entered, cv);
		return 1;
	case ACT_DETACH:
		tui_status(t, 0,
			   edit_attach(cv->path, NULL) == 0
			       ? "removed the last attachment"
			       : "no attachment to remove");
		return 1;
	case ACT_QUIT:
	case ACT_POSTPONE:
		tui_status(t, 0, "postponed: O lists the drafts");
		tui_pop(t);
		return 1;
	case ACT_DISCARD:
		tui_prompt(t, "discard this draft? (y/n) ", "", 0, 0,
			   discard_entered, cv);
		return 1;
	default:
		return nav_action(&cv->nav, a, tui_rows());
	}
}

static void
cv_title(struct view *v, char *buf, size_t size)
{
	(void)v;
	snprintf(buf, size,
		 "compose: y send  e edit  a attach  D detach  "
		 "P postpone  x discard");
}

static void
cv_free(struct view *v)
{
	struct composeview *cv = (struct composeview *)v;

	free_lines(&cv->lines, &cv->n);
	free(cv->path);
	free(cv);
}

static const struct view_ops compose_ops = {
    .scope = SC_COMPOSE,
    .draw = cv_draw,
    .action = cv_action,
    .title = cv_title,
    .free = cv_free,
};

static void
composeview_push(struct tui *t, const char *path)
{
	struct composeview *cv = xcalloc(1, sizeof(*cv));

	cv->base.ops = &compose_ops;
	cv->base.tui = t;
	cv->path = xstrdup(path);
	tui_push(t, &cv->base);
}

/* A new draft for a, edited, then the compose screen. */
static void
start(struct tui *t, enum tui_action a, const char *path)
{
	struct compose_opts o = {0};
	struct identities *ids = NULL;
	struct pm_err err;
	char *text = NULL, *draft = NULL;
	gchar *after = NULL;

	o.kind = a == ACT_REPLY	      ? COMPOSE_REPLY
		 : a == ACT_REPLY_ALL ? COMPOSE_REPLY_ALL
		 : a == ACT_FORWARD   ? COMPOSE_FORWARD
				      : COMPOSE_NEW;
	o.orig_path = path;
	o.html_cmd = t->html_cmd;
	if (identities_load(t->cfg, nm_config(t), &ids, &err) != PM_OK ||
	    compose_draft(ids, &o, &text, &err) != PM_OK ||
	    editor_draft_new(text, &draft, &err) != PM_OK) {
		tui_status(t, 1, "%s", err.msg);
	} else if (edit(draft) != 0) {
		tui_status(t, 1, "the editor failed; the draft is kept (O)");
	} else if (!g_file_get_contents(draft, &after, NULL, NULL) ||
		   compose_draft_is_empty(after) || strcmp(after, text) == 0) {
		tui_status(t, 0, "not sent: the draft was %s",
			   after && !compose_draft_is_empty(after)
			       ? "left unchanged"
			       : "emptied");
		unlink(draft);
	} else {
		composeview_push(t, draft);
	}
	g_free(after);
	free(draft);
	free(text);
	identities_free(&ids);
}

/* Where the message file path is now: flag changes rename it within its
 * Maildir (new/NAME to cur/NAME:2,FLAGS) and the database may not show
 * that yet.  Caller frees; NULL when it is in neither. */
static char *
find_moved(const char *path)
{
	char *copy = xstrdup(path), *base, *md, *colon, *pat, *found = NULL;
	glob_t g;

	base = strrchr(copy, '/');
	if (base == NULL || base == copy) {
		free(copy);
		return NULL;
	}
	*base++ = '\0';
	if ((colon = strchr(base, ':')) != NULL)
		*colon = '\0';
	md = strrchr(copy, '/');
	if (md != NULL)
		*md = '\0';
	pat = xasprintf("%s/[nc][eu][wr]/%s*", copy, base);
	if (md != NULL && glob(pat, 0, NULL, &g) == 0) {
		if (g.gl_pathc > 0)
			found = xstrdup(g.gl_pathv[0]);
		globfree(&g);
	}
	free(pat);
	free(copy);
	return found;
}

/* ---- the outbox screen ------------------------------------------------- */

struct outboxview {
	struct view base;
	char **drafts;
	size_t ndrafts;
	struct outbox_entry *entries;
	size_t nentries;
	char **lines;
	size_t n;
	long loaded_ms;
};

static const char *
draft_header(char **lines, size_t n, const char *name)
{
	size_t len = strlen(name);

	for (size_t i = 0; i < n && lines[i][0] != '\0'; i++)
		if (g_ascii_strncasecmp(lines[i], name, len) == 0)
			return lines[i] + len;
	return "";
}

static const char *const state_words[] = {
    "queued", "MAYBE SENT (popmuch send --retry|--mark-sent)",
    "FAILED (popmuch send --retry|--delete)", "sent", "sending"};

static void
ov_load(struct outboxview *ov)
{
	struct tui *t = ov->base.tui;
	struct outbox *ob = NULL;
	struct pm_err err;
	char *root = NULL;

	for (size_t i = 0; i < ov->ndrafts; i++)
		free(ov->drafts[i]);
	free(ov->drafts);
	outbox_entries_free(&ov->entries, ov->nentries);
	ov->nentries = 0;
	free_lines(&ov->lines, &ov->n);
	ov->ndrafts = editor_drafts(&ov->drafts);
	if (index_mail_root(nm_config(t), &root, &err) == PM_OK &&
	    outbox_open(root, nm_config(t), &ob, &err) == PM_OK)
		(void)outbox_list(ob, &ov->entries, &ov->nentries, &err);
	outbox_free(&ob);
	free(root);
	for (size_t i = 0; i < ov->ndrafts; i++) {
		char **dl = NULL;
		size_t dn = 0;

		read_lines(ov->drafts[i], &dl, &dn);
		ov->lines = xreallocarray(ov->lines, ov->n + 1, sizeof(char *));
		ov->lines[ov->n++] = xasprintf(
		    "draft     to%s, \"%s\"", draft_header(dl, dn, "To:"),
		    g_strstrip((char *)draft_header(dl, dn, "Subject:")));
		free_lines(&dl, &dn);
	}
	for (size_t i = 0; i < ov->nentries; i++) {
		struct outbox_entry *e = &ov->entries[i];

		ov->lines = xreallocarray(ov->lines, ov->n + 1, sizeof(char *));
		ov->lines[ov->n++] = xasprintf(
		    "%-9s to %s, \"%s\"%s%s", state_words[e->state], e->to,
		    e->subject, e->reason[0] ? ": " : "", e->reason);
	}
	ov->base.nav.n = ov->n;
	if (ov->base.nav.sel >= ov->n)
		ov->base.nav.sel = ov->n ? ov->n - 1 : 0;
	ov->loaded_ms = tui_now_ms();
}

/* Before the rows are drawn: the outbox as it is now (once a second). */
static void
ov_draw(struct view *v, int rows, int cols)
{
	struct outboxview *ov = (struct outboxview *)v;

	(void)rows;
	(void)cols;
	if (tui_now_ms() - ov->loaded_ms > 1000)
		ov_load(ov);
}

static void
ov_draw_row(struct view *v, size_t k, int y, int cols, int selected)
{
	char *f = layout_fit(((struct outboxview *)v)->lines[k], cols, 1);

	disp_text(y, 0, f, selected ? ST_SELECTED : ST_NORMAL);
	free(f);
}

static void
ov_discard_entered(struct tui *t, const char *text, void *arg)
{
	struct outboxview *ov = arg;

	if (text == NULL || (text[0] != 'y' && text[0] != 'Y') ||
	    ov->base.nav.sel >= ov->ndrafts)
		return;
	unlink(ov->drafts[ov->base.nav.sel]);
	tui_status(t, 0, "discarded");
	ov_load(ov);
}

static int
ov_action(struct view *v, enum tui_action a)
{
	struct outboxview *ov = (struct outboxview *)v;
	struct tui *t = v->tui;
	int draft = ov->base.nav.sel < ov->ndrafts;

	switch (a) {
	case ACT_EDIT:
		if (!draft) {
			tui_status(t, 0,
				   "not a draft: queued messages are "
				   "sent as they are");
		} else if (edit(ov->drafts[ov->base.nav.sel]) != 0) {
			tui_status(t, 1,
				   "the editor failed; the draft is "
				   "kept");
		} else {
			composeview_push(t, ov->drafts[ov->base.nav.sel]);
			ov->loaded_ms = 0;
		}
		return 1;
	case ACT_SEND:
		compose_send_outbox(t);
		tui_status(t, 0, "sending the outbox");
		ov->loaded_ms = 0;
		return 1;
	case ACT_DISCARD:
		if (draft)
			tui_prompt(t, "discard this draft? (y/n) ", "", 0, 0,
				   ov_discard_entered, ov);
		return 1;
	default:
		return 0;
	}
}

static void
ov_title(struct view *v, char *buf, size_t size)
{
	struct outboxview *ov = (struct outboxview *)v;

	snprintf(buf, size,
		 "outbox: %zu draft(s), %zu queued  (Enter edit, "
		 "s send, x discard)",
		 ov->ndrafts, ov->nentries);
}

static void
ov_free(struct view *v)
{
	struct outboxview *ov = (struct outboxview *)v;

	for (size_t i = 0; i < ov->ndrafts; i++)
		free(ov->drafts[i]);
	free(ov->drafts);
	outbox_entries_free(&ov->entries, ov->nentries);
	free_lines(&ov->lines, &ov->n);
	free(ov);
}

static const struct view_ops outbox_ops = {
    .scope = SC_OUTBOX,
    .draw_row = ov_draw_row,
    .empty = "(no drafts, nothing in the outbox)",
    .draw = ov_draw,
    .action = ov_action,
    .title = ov_title,
    .free = ov_free,
};

int
compose_action(struct tui *t, enum tui_action a, const char *id,
	       const char *path)
{
	struct outboxview *ov;
	char *found = NULL;

	switch (a) {
	case ACT_REPLY:
	case ACT_REPLY_ALL:
	case ACT_FORWARD:
		/* tagging (the message was just marked read) may be renaming
		 * the file for maildir flags in a child right now: look in
		 * new/ and cur/, then ask the database, for up to 2 s */
		for (int i = 0;
		     path != NULL && access(path, R_OK) != 0 && i < 40; i++) {
			char *p = find_moved(path);

			if (p == NULL && id != NULL && tui_db(t) != NULL &&
			    db_refresh(t->db) != 0)
				p = db_message_path(t->db, id, path);
			free(found);
			path = found = p ? p : xstrdup(path);
			if (access(path, R_OK) != 0)
				usleep(50 * 1000);
		}
		if (path == NULL && id != NULL && tui_db(t) != NULL)
			path = found = db_message_path(t->db, id, NULL);
		if (path == NULL)
			tui_status(t, 1, "this message has no file");
		else
			start(t, a, path);
		free(found);
		return 1;
	case ACT_COMPOSE:
		start(t, a, NULL);
		return 1;
	case ACT_OUTBOX:
		ov = xcalloc(1, sizeof(*ov));
		ov->base.ops = &outbox_ops;
		ov->base.tui = t;
		ov_load(ov);
		tui_push(t, &ov->base);
		return 1;
	default:
		return 0;
	}
}
