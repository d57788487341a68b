/* open.c: opening a part with an external program: xdg-open when there
 * is a display, else run-mailcap in the terminal, else the mailcap files
 * (mailcap.h); the run's private temporary directory. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "popmuch/xmalloc.h"
#include "mailcap.h"
#include "msg.h"
#include "tui-int.h"

int
tui_on_path(const char *prog)
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

static int
have_display(void)
{
	const char *d = getenv("DISPLAY"), *w = getenv("WAYLAND_DISPLAY");

	return (d && *d) || (w && *w);
}

/* In a child that runs a program on the terminal: the signals popmuch
 * catches or ignores back to their defaults. */
static void
child_defaults(void)
{
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
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

/* Leave curses, run argv in the terminal and wait for it.  Returns its
 * wait status, or -1. */
int
tui_run_in_terminal(char *const argv[])
{
	int status = -1;
	pid_t pid;

	disp_suspend();
	pid = fork();
	if (pid == 0) {
		child_defaults();
		execvp(argv[0], argv);
		_exit(127);
	}
	while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	disp_resume();
	return pid > 0 ? status : -1;
}

/* Leave curses, run the shell command cmd with the file on stdin, then
 * wait for Enter (its output stays readable, as in mutt), and come back.
 * Returns its wait status, or -1. */
int
tui_pipe_file(const char *file, const char *cmd)
{
	int status = -1, fd = open(file, O_RDONLY | O_CLOEXEC);
	char c;
	pid_t pid;

	if (fd < 0)
		return -1;
	disp_suspend();
	pid = fork();
	if (pid == 0) {
		child_defaults();
		dup2(fd, 0);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(fd);
	while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	fputs("\n[popmuch: press Enter to return]", stdout);
	fflush(stdout);
	while (read(0, &c, 1) == 1 && c != '\n' && c != '\r')
		;
	disp_resume();
	return pid > 0 ? status : -1;
}

static void
run_sh_in_terminal(const char *cmd)
{
	tui_run_in_terminal((char *const[]){(char *)"/bin/sh", (char *)"-c",
					    (char *)cmd, NULL});
}

/* The built-in mailcap reader. */
static void
open_mailcap(struct tui *t, const char *dest, const char *type)
{
	struct mailcap_entry *e = NULL;
	struct pm_err err;
	const char *pager = getenv("PAGER");
	char *cmd;

	err_clear(&err);
	if (mailcap_lookup(type, dest, &e, &err) != PM_OK) {
		tui_status(t, 1, "%s%s", err.msg,
			   err.code == PM_UNAVAILABLE
			       ? " (and no xdg-open or run-mailcap)"
			       : "");
		return;
	}
	tui_log(t, "mailcap: %s", e->command);
	if (e->copiousoutput) {
		cmd = xasprintf("%s | %s", e->command,
				pager && *pager ? pager : "less");
		run_sh_in_terminal(cmd);
		free(cmd);
	} else if (e->needsterminal) {
		run_sh_in_terminal(e->command);
	} else {
		spawn_detached((char *const[]){(char *)"/bin/sh", (char *)"-c",
					       e->command, NULL});
	}
	tui_status(t, 0, "opened %s (mailcap)", dest);
	mailcap_entry_free(&e);
}

/* Hand dest (of MIME type) to a viewer. */
static void
open_with(struct tui *t, const char *dest, const char *type)
{
	char *typed;

	if (have_display() && tui_on_path("xdg-open")) {
		spawn_detached(
		    (char *const[]){(char *)"xdg-open", (char *)dest, NULL});
		tui_status(t, 0, "opening %s with xdg-open", dest);
		return;
	}
	if (tui_on_path("run-mailcap")) {
		/* no display: its entry may need the terminal
		 * (needsterminal, copiousoutput), so it gets it */
		typed = xasprintf("%s:%s", type, dest);
		if (have_display())
			spawn_detached((char *const[]){(char *)"run-mailcap",
						       (char *)"--action=view",
						       typed, NULL});
		else
			tui_run_in_terminal((char *const[]){
			    (char *)"run-mailcap", (char *)"--action=view",
			    typed, NULL});
		tui_status(t, 0, "opened %s with run-mailcap", dest);
		free(typed);
		return;
	}
	open_mailcap(t, dest, type);
}

/* The run's private directory ($TMPDIR/popmuch-XXXXXX, 0700), made on
 * first use; NULL with the status set on failure. */
static const char *
run_tmpdir(struct tui *t)
{
	const char *tmp = getenv("TMPDIR");
	char *tmpl;

	if (t->tmpdir)
		return t->tmpdir;
	tmpl = xasprintf("%s/popmuch-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(tmpl)) {
		tui_status(t, 1,
			   "cannot create a temporary directory in %s: "
			   "%s",
			   tmp && *tmp ? tmp : "/tmp", strerror(errno));
		free(tmpl);
		return NULL;
	}
	t->tmpdir = tmpl;
	return t->tmpdir;
}

/* Save leaf part of msgpath into a new directory of the run's private
 * one, under a generated name; *dest_r is new.  Status bar on error. */
static enum pm_status
save_private(struct tui *t, const char *msgpath, int part, const char *filename,
	     char **dest_r)
{
	const char *dir = run_tmpdir(t);
	char *name, *sub, *dest;
	struct pm_err err;

	if (!dir)
		return PM_CANTCREAT;
	/* a directory per open: the same name can be opened twice */
	sub = xasprintf("%s/%u", dir, ++t->nopened);
	if (mkdir(sub, 0700) != 0) {
		tui_status(t, 1, "%s: %s", sub, strerror(errno));
		free(sub);
		return PM_CANTCREAT;
	}
	name = mailcap_safe_name(filename);
	dest = xasprintf("%s/%s", sub, name);
	free(name);
	free(sub);
	err_clear(&err);
	if (msg_save_part(msgpath, part, dest, &err) != PM_OK) {
		tui_status(t, 1, "%s", err.msg);
		free(dest);
		return err.code;
	}
	*dest_r = dest;
	return PM_OK;
}

enum pm_status
tui_open_part(struct tui *t, const char *msgpath, int part,
	      const char *filename, const char *type)
{
	enum pm_status st;
	char *dest;

	if ((st = save_private(t, msgpath, part, filename, &dest)) != PM_OK)
		return st;
	open_with(t, dest, type);
	free(dest);
	return PM_OK;
}

enum pm_status
tui_pipe_part(struct tui *t, const char *msgpath, int part,
	      const char *filename, const char *cmd)
{
	enum pm_status st;
	char *dest;
	int status;

	if ((st = save_private(t, msgpath, part, filename, &dest)) != PM_OK)
		return st;
	status = tui_pipe_file(dest, cmd);
	tui_pipe_status(t, cmd, status);
	unlink(dest);
	free(dest);
	return PM_OK;
}

void
tui_pipe_status(struct tui *t, const char *cmd, int status)
{
	if (status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0)
		tui_status(t, 0, "piped to %s", cmd);
	else if (status != -1 && WIFEXITED(status))
		tui_status(t, 1, "%s: exit %d", cmd, WEXITSTATUS(status));
	else
		tui_status(t, 1, "%s: did not run to its end", cmd);
}

void
tui_remove_tree(const char *dir, int depth)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char *p;

	while (d && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		p = xasprintf("%s/%s", dir, de->d_name);
		if (unlink(p) != 0 && depth > 0)
			tui_remove_tree(p, depth - 1);
		free(p);
	}
	if (d)
		closedir(d);
	rmdir(dir);
}

void
tui_open_cleanup(struct tui *t)
{
	if (t->tmpdir)
		tui_remove_tree(t->tmpdir, 2);
	free(t->tmpdir);
	t->tmpdir = NULL;
}
