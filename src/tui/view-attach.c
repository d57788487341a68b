/* view-attach.c: the MIME parts of a message as a tree (neomutt's
 * attachment menu): show one in the pager (Enter), save (s, W), open (o),
 * pipe (|). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "popmuch/account.h"
#include "popmuch/xmalloc.h"
#include "layout.h"
#include "mailcap.h"
#include "msg.h"
#include "tui-int.h"

struct attachview {
	struct view base;
	char *id; /* of the message, to find its file again */
	char *path;
	struct msg_attachment *att;
};

struct save_req {
	char *id, *path, *filename;
	int part;
};

static void
req_free(struct save_req *req)
{
	free(req->path);
	free(req->id);
	free(req->filename);
	free(req);
}

/* The file of message id, *path updated: tagging (maildir flags) may
 * have renamed it since the view was opened. */
static const char *
fresh_path(struct tui *t, const char *id, char **path)
{
	char *p;

	if (access(*path, R_OK) == 0 || !tui_db(t))
		return *path;
	p = db_message_path(t->db, id, *path);
	if (p) {
		free(*path);
		*path = p;
	}
	return *path;
}

static const char *
attach_path(struct attachview *av)
{
	return fresh_path(av->base.tui, av->id, &av->path);
}

/* Does another part at the same depth follow row i under its parent? */
static int
has_sibling(const struct attachview *av, size_t i, int depth)
{
	for (i++; i < av->base.nav.n && av->att[i].depth >= depth; i++)
		if (av->att[i].depth == depth)
			return 1;
	return 0;
}

/* Row i's type with the tree drawn before it, as neomutt draws it:
 * "|-" and "`-" for the last child, "| " where an outer level goes on. */
static char *
tree_prefix(const struct attachview *av, size_t i)
{
	int base = av->base.nav.n ? av->att[0].depth : 0;
	int d = av->att[i].depth - base, k;
	size_t j;
	char *s =
	    xmalloc((size_t)(d > 0 ? d : 0) * 2 + strlen(av->att[i].type) + 1);
	char *p = s;

	for (k = 1; k <= d; k++) {
		int last = k == d;
		int more = 0;

		/* the ancestor at depth base+k: does a sibling follow it? */
		for (j = i; !last && j > 0 && av->att[j].depth != base + k; j--)
			;
		more = has_sibling(av, last ? i : j, base + k);
		*p++ = last ? (more ? '|' : '`') : (more ? '|' : ' ');
		*p++ = last ? '-' : ' ';
	}
	strcpy(p, av->att[i].type);
	return s;
}

static void
attach_draw_row(struct view *v, size_t i, int y, int cols, int selected)
{
	struct attachview *av = (struct attachview *)v;
	struct msg_attachment *a = &av->att[i];
	char *tree = tree_prefix(av, i);
	/* padded by columns, not bytes: wide names line up */
	char *fn = layout_fit(a->filename, 30, 1);
	char *ty = layout_fit(tree, 30, 1);
	char *s = xasprintf(" %2zu %s %s %10zu bytes%s", i + 1, ty, fn, a->size,
			    a->flags & MP_DECRYPTED ? "  decrypted" : "");
	char *f = layout_fit(s, cols, 1);

	disp_text(y, 0, f, selected ? ST_SELECTED : ST_NORMAL);
	free(tree);
	free(fn);
	free(ty);
	free(s);
	free(f);
}

/* Under the list (drawn before it, on lines it does not use). */
static void
attach_hint(struct view *v, int rows, int cols)
{
	size_t n = v->nav.n;

	(void)cols;
	if (rows > (int)n + 2)
		disp_text(2 + (int)n, 1,
			  "Enter: show   s: save   W: save all   o: open   "
			  "|: pipe   q: back",
			  ST_NORMAL);
}

static void
save_entered(struct tui *t, const char *text, void *arg)
{
	struct save_req *req = arg;
	struct pm_err err;
	char *dest;

	if (text && *text) {
		dest = account_expand_tilde(text);
		err_clear(&err);
		if (msg_save_part(fresh_path(t, req->id, &req->path), req->part,
				  dest, &err) == PM_OK)
			tui_status(t, 0, "saved %s", dest);
		else
			tui_status(t, 1, "%s", err.msg);
		free(dest);
	}
	req_free(req);
}

static void
pipe_entered(struct tui *t, const char *text, void *arg)
{
	struct save_req *req = arg;

	if (text && *text)
		tui_pipe_part(t, fresh_path(t, req->id, &req->path), req->part,
			      req->filename, text);
	req_free(req);
}

static char *
default_dest(const char *filename)
{
	char *home = account_home(), *dir, cwd[4096];
	struct stat st;

	dir = home ? xasprintf("%s/Downloads", home) : NULL;
	free(home);
	if (dir && stat(dir, &st) == 0 && S_ISDIR(st.st_mode)) {
		char *d = xasprintf("%s/%s", dir, filename);

		free(dir);
		return d;
	}
	free(dir);
	if (getcwd(cwd, sizeof cwd))
		return xasprintf("%s/%s", cwd, filename);
	return xstrdup(filename);
}

/* A path in dir for name that does not exist yet: name, else name-2,
 * name-3, ... before the extension. */
static char *
free_name(const char *dir, const char *name)
{
	const char *dot = strrchr(name, '.');
	size_t stem = dot && dot != name ? (size_t)(dot - name) : strlen(name);
	char *p = xasprintf("%s/%s", dir, name);
	int i;

	for (i = 2; access(p, F_OK) == 0 && i < 1000; i++) {
		free(p);
		p = xasprintf("%s/%.*s-%d%s", dir, (int)stem, name, i,
			      name + stem);
	}
	return p;
}

static void
saveall_entered(struct tui *t, const char *text, void *arg)
{
	struct attachview *av = arg;
	struct pm_err err;
	char *dir, *dest;
	size_t i, ok = 0, want = 0;

	if (!text || !*text)
		return;
	dir = account_expand_tilde(text);
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		tui_status(t, 1, "%s: %s", dir, strerror(errno));
		free(dir);
		return;
	}
	for (i = 0; i < av->base.nav.n; i++) {
		if (!(av->att[i].flags & MP_ATTACHMENT))
			continue; /* the body, containers, signatures */
		want++;
		dest = free_name(dir, av->att[i].filename);
		err_clear(&err);
		if (msg_save_part(attach_path(av), av->att[i].part, dest,
				  &err) == PM_OK)
			ok++;
		else
			tui_log(t, "save all: %s", err.msg);
		free(dest);
	}
	if (ok == want)
		tui_status(t, 0, "saved %zu attachments in %s", ok, dir);
	else
		tui_status(t, 1, "saved %zu of %zu attachments in %s (L: why)",
			   ok, want, dir);
	free(dir);
}

/* Has type a mailcap entry with copiousoutput (shown in the pager, as
 * mutt's auto_view)? */
static int
has_autoview(const char *type)
{
	struct mailcap_entry *e = NULL;
	int yes = mailcap_find(type, MAILCAP_COPIOUS, &e, NULL) == PM_OK;

	mailcap_entry_free(&e);
	return yes;
}

static int
attach_action(struct view *v, enum tui_action a)
{
	struct attachview *av = (struct attachview *)v;
	struct msg_attachment *at;
	struct save_req *req;
	char *def;

	if (av->base.nav.n == 0)
		return 0;
	if (a == ACT_SAVE_ALL) {
		def = default_dest("");
		if (*def)
			def[strlen(def) - 1] = '\0'; /* the directory */
		tui_prompt(v->tui, "save all to the directory: ", def, 0, 0,
			   saveall_entered, av);
		free(def);
		return 1;
	}
	at = &av->att[av->base.nav.sel];
	if (a == ACT_SAVE || a == ACT_PIPE) {
		req = xcalloc(1, sizeof *req);
		req->path = xstrdup(attach_path(av));
		req->id = xstrdup(av->id);
		req->filename = xstrdup(at->filename);
		req->part = at->part;
		if (a == ACT_PIPE) {
			tui_prompt(v->tui, "pipe the part to: ", "", 0, 0,
				   pipe_entered, req);
			return 1;
		}
		def = default_dest(at->filename);
		tui_prompt(v->tui, "save to: ", def, 0, 0, save_entered, req);
		free(def);
		return 1;
	}
	if (a == ACT_VIEW_PART &&
	    ((at->flags & MP_VIEWABLE) || has_autoview(at->type))) {
		char *label = xasprintf("part %zu: %s %s", av->base.nav.sel + 1,
					at->type, at->filename);

		attach_path(av);
		tui_push(v->tui, msgview_part_new(v->tui, av->id, av->path,
						  at->part, label));
		free(label);
		return 1;
	}
	if (a == ACT_OPEN_EXT || a == ACT_VIEW_PART) {
		/* renamed in between (a tagger): once more */
		if (tui_open_part(v->tui, attach_path(av), at->part,
				  at->filename, at->type) == PM_IOERR &&
		    access(av->path, R_OK) != 0)
			tui_open_part(v->tui, attach_path(av), at->part,
				      at->filename, at->type);
		return 1;
	}
	return 0;
}

static void
attach_title(struct view *v, char *buf, size_t size)
{
	struct attachview *av = (struct attachview *)v;

	snprintf(buf, size, "attachments  [%zu part%s]", av->base.nav.n,
		 av->base.nav.n == 1 ? "" : "s");
}

static void
attach_free(struct view *v)
{
	struct attachview *av = (struct attachview *)v;
	size_t i;

	for (i = 0; i < av->base.nav.n; i++) {
		free(av->att[i].filename);
		free(av->att[i].type);
	}
	free(av->att);
	free(av->path);
	free(av->id);
	free(av);
}

static const struct view_ops attach_ops = {
    .scope = SC_ATTACH,
    .draw_row = attach_draw_row,
    .draw = attach_hint,
    .action = attach_action,
    .title = attach_title,
    .free = attach_free,
};

struct view *
attachview_new(struct tui *t, const char *id, const char *path,
	       const struct msg_view *mv)
{
	struct attachview *av = xcalloc(1, sizeof *av);
	size_t i;

	av->base.ops = &attach_ops;
	av->base.tui = t;
	av->path = xstrdup(path);
	av->id = xstrdup(id);
	av->att = xreallocarray(NULL, mv->natt ? mv->natt : 1, sizeof *av->att);
	for (i = 0; i < mv->natt; i++) {
		av->att[i] = mv->att[i];
		av->att[i].filename = xstrdup(mv->att[i].filename);
		av->att[i].type = xstrdup(mv->att[i].type);
	}
	av->base.nav.n = mv->natt;
	/* on the first attachment, as the list of them was before */
	for (i = 0; i < mv->natt; i++)
		if (mv->att[i].flags & MP_ATTACHMENT) {
			av->base.nav.sel = i;
			break;
		}
	return &av->base;
}
