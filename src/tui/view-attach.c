/* view-attach.c: the attachments of a message: save (s), open (o). */
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
#include "msg.h"
#include "tui-int.h"

struct attachview {
	struct view base;
	char *id; /* of the message, to find its file again */
	char *path;
	struct msg_attachment *att;
	struct nav nav;
};

struct save_req {
	char *path;
	int part;
};

/* The message's file: tagging (maildir flags) may have renamed it since
 * the view was opened. */
static const char *
attach_path(struct attachview *av)
{
	char *p;

	if (access(av->path, R_OK) == 0 || !tui_db(av->base.tui))
		return av->path;
	p = db_message_path(av->base.tui->db, av->id);
	if (p) {
		free(av->path);
		av->path = p;
	}
	return av->path;
}

static void
attach_draw(struct view *v, int rows, int cols)
{
	struct attachview *av = (struct attachview *)v;
	size_t i;
	char *s, *f;

	nav_scroll(&av->nav, rows);
	for (i = 0; i < (size_t)rows && av->nav.top + i < av->nav.n; i++) {
		struct msg_attachment *a = &av->att[av->nav.top + i];
		int sel = av->nav.top + i == av->nav.sel;

		s = xasprintf(" %2zu  %-30s  %-24s %10zu bytes",
			      av->nav.top + i + 1, a->filename, a->type,
			      a->size);
		f = layout_fit(s, cols, 1);
		disp_text(1 + (int)i, 0, f, sel ? ST_SELECTED : ST_NORMAL);
		free(s);
		free(f);
	}
	if (rows > (int)av->nav.n + 2)
		disp_text(2 + (int)av->nav.n, 1,
			  "s: save to a file   o/Enter: open   q: back",
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
		if (msg_save_part(req->path, req->part, dest, &err) == PM_OK)
			tui_status(t, 0, "saved %s", dest);
		else
			tui_status(t, 1, "%s", err.msg);
		free(dest);
	}
	free(req->path);
	free(req);
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

/* Is prog an executable file in a directory of $PATH? */
static int
on_path(const char *prog)
{
	const char *path = getenv("PATH"), *p, *colon;
	char *f;
	int found = 0;

	for (p = path ? path : "/usr/bin:/bin"; !found && *p; p = colon + 1) {
		colon = strchr(p, ':');
		if (!colon)
			colon = p + strlen(p);
		f = xasprintf("%.*s/%s", (int)(colon - p), p, prog);
		found = access(f, X_OK) == 0;
		free(f);
		if (!*colon)
			break;
	}
	return found;
}

/* s in single quotes for sh. */
static char *
sh_quote(const char *s)
{
	char *out = xmalloc(strlen(s) * 4 + 3), *o = out;

	*o++ = '\'';
	for (; *s; s++) {
		if (*s == '\'') {
			memcpy(o, "'\\''", 4);
			o += 4;
		} else {
			*o++ = *s;
		}
	}
	*o++ = '\'';
	*o = '\0';
	return out;
}

/* The view command of a mailcap line for type, with %s (and %t) filled
 * in; NULL if the line does not match.  *term_r: needsterminal or
 * copiousoutput. */
static char *
mailcap_match(char *line, const char *type, const char *qfile, int *term_r)
{
	char *fields[32], *p, *cmd;
	size_t n = 0, i, tl = strcspn(type, "/");

	for (p = line; n < 32;) {
		fields[n++] = p;
		while (*p && *p != ';')
			p += p[0] == '\\' && p[1] ? 2 : 1;
		if (!*p)
			break;
		*p++ = '\0';
	}
	for (i = 0; i < n; i++)
		fields[i] += strspn(fields[i], " \t");
	if (n < 2 || !(strcasecmp(fields[0], type) == 0 ||
		       (strncasecmp(fields[0], type, tl + 1) == 0 &&
			strcmp(fields[0] + tl + 1, "*") == 0)))
		return NULL;
	*term_r = 0;
	for (i = 2; i < n; i++)
		if (strncmp(fields[i], "needsterminal", 13) == 0 ||
		    strncmp(fields[i], "copiousoutput", 13) == 0)
			*term_r = 1;
		else if (strncmp(fields[i], "test", 4) == 0)
			return NULL; /* not evaluated: skip the entry */
	cmd = xstrdup("");
	for (p = fields[1]; *p; p++) {
		char *next;

		if (p[0] == '%' && (p[1] == 's' || p[1] == 't'))
			next = xasprintf("%s%s", cmd,
					 p[1] == 's' ? qfile : type);
		else
			next = xasprintf("%s%c", cmd, *p);
		p += p[0] == '%' && (p[1] == 's' || p[1] == 't');
		free(cmd);
		cmd = next;
	}
	if (!strstr(fields[1], "%s")) { /* the file on stdin */
		char *next = xasprintf("%s < %s", cmd, qfile);

		free(cmd);
		cmd = next;
	}
	return cmd;
}

/* The first usable view command for type in $MAILCAPS (else ~/.mailcap,
 * /etc/mailcap); NULL when none. */
static char *
mailcap_lookup(const char *type, const char *file, int *term_r)
{
	const char *env = getenv("MAILCAPS");
	char *home = account_home(), *list, *path, *save = NULL, line[4096];
	char *cmd = NULL, *qfile = sh_quote(file);
	FILE *f;

	list = env ? xstrdup(env)
		   : xasprintf("%s%s/etc/mailcap", home ? home : "",
			       home ? "/.mailcap:" : "");
	free(home);
	for (path = strtok_r(list, ":", &save); path && !cmd;
	     path = strtok_r(NULL, ":", &save)) {
		if (!(f = fopen(path, "r")))
			continue;
		while (!cmd && fgets(line, sizeof line, f)) {
			line[strcspn(line, "\r\n")] = '\0';
			if (line[0] != '#' && line[0])
				cmd = mailcap_match(line, type, qfile, term_r);
		}
		fclose(f);
	}
	free(list);
	free(qfile);
	return cmd;
}
/* Run argv detached (double fork, no terminal, output to /dev/null). */
static void
spawn_detached(char *const argv[])
{
	pid_t pid = fork();

	if (pid == 0) {
		if (fork() == 0) {
			int null = open("/dev/null", O_RDWR);

			dup2(null, 0);
			dup2(null, 1);
			dup2(null, 2);
			setsid();
			execvp(argv[0], argv);
			_exit(127);
		}
		_exit(0);
	}
	if (pid > 0)
		waitpid(pid, NULL, 0);
}

/* A mailcap command that needs the terminal: leave curses and wait. */
static void
run_in_terminal(const char *cmd)
{
	const char *pager = getenv("PAGER");
	char *full = xasprintf("%s | %s", cmd, pager && *pager ? pager
							       : "less");
	pid_t pid;

	disp_suspend();
	pid = fork();
	if (pid == 0) {
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		signal(SIGCHLD, SIG_DFL);
		execl("/bin/sh", "sh", "-c", full, (char *)NULL);
		_exit(127);
	}
	while (pid > 0 && waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	disp_resume();
	free(full);
}

/* Hand dest (of MIME type) to xdg-open, else run-mailcap, else the
 * first matching mailcap entry. */
static void
open_with(struct tui *t, const char *dest, const char *type)
{
	char *typed, *cmd;
	int term = 0;

	if (on_path("xdg-open")) {
		spawn_detached((char *const[]){ (char *)"xdg-open",
						(char *)dest, NULL });
		tui_status(t, 0, "opening %s with xdg-open", dest);
		return;
	}
	if (on_path("run-mailcap")) {
		typed = xasprintf("%s:%s", type, dest);
		spawn_detached((char *const[]){ (char *)"run-mailcap",
						(char *)"--action=view", typed,
						NULL });
		tui_status(t, 0, "opening %s with run-mailcap", dest);
		free(typed);
		return;
	}
	cmd = mailcap_lookup(type, dest, &term);
	if (!cmd) {
		tui_status(t, 1, "no xdg-open, run-mailcap or mailcap entry "
				 "for %s; saved as %s", type, dest);
		return;
	}
	tui_log(t, "mailcap: %s", cmd);
	if (term)
		run_in_terminal(cmd);
	else
		spawn_detached((char *const[]){ (char *)"/bin/sh",
						(char *)"-c", cmd, NULL });
	tui_status(t, 0, "opening %s (mailcap)", dest);
	free(cmd);
}

/* Save to a private temporary directory and open it from there. */
static void
open_external(struct tui *t, struct attachview *av, struct msg_attachment *a)
{
	char tmpl[] = "/tmp/popmuch-open-XXXXXX", *dest;
	struct pm_err err;

	if (!mkdtemp(tmpl)) {
		tui_status(t, 1, "cannot create a temporary directory");
		return;
	}
	dest = xasprintf("%s/%s", tmpl, a->filename);
	err_clear(&err);
	if (msg_save_part(attach_path(av), a->part, dest, &err) != PM_OK)
		tui_status(t, 1, "%s", err.msg);
	else
		open_with(t, dest, a->type);
	free(dest);
}

static int
attach_action(struct view *v, enum tui_action a)
{
	struct attachview *av = (struct attachview *)v;
	struct msg_attachment *at;
	struct save_req *req;
	char *def;

	if (nav_action(&av->nav, a, tui_rows()))
		return 1;
	if (av->nav.n == 0)
		return 0;
	at = &av->att[av->nav.sel];
	if (a == ACT_SAVE) {
		req = xcalloc(1, sizeof *req);
		req->path = xstrdup(attach_path(av));
		req->part = at->part;
		def = default_dest(at->filename);
		tui_prompt(v->tui, "save to: ", def, 0, 0, save_entered, req);
		free(def);
		return 1;
	}
	if (a == ACT_OPEN_EXT) {
		open_external(v->tui, av, at);
		return 1;
	}
	return 0;
}

static void
attach_title(struct view *v, char *buf, size_t size)
{
	struct attachview *av = (struct attachview *)v;

	snprintf(buf, size, "attachments  [%zu]", av->nav.n);
}

static void
attach_free(struct view *v)
{
	struct attachview *av = (struct attachview *)v;
	size_t i;

	for (i = 0; i < av->nav.n; i++) {
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
	.draw = attach_draw,
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
	av->nav.n = mv->natt;
	return &av->base;
}
