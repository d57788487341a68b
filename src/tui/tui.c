/* tui.c: the main loop of the TUI: views, status bar, signals. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "popmuch/tui.h"
#include "popmuch/xmalloc.h"
#include "complete.h"
#include "errlog.h"
#include "layout.h"
#include "msg.h"
#include "prompt.h"
#include "tagger.h"
#include "tui-int.h"
#include "view-compose.h"

#define LOG_MAX 1000
#define REFRESH_MS 2000
static int sig_pipe[2] = {-1, -1};

static void
on_signal(int sig)
{
	int saved = errno;
	char c = (char)sig;

	if (write(sig_pipe[1], &c, 1) < 0) {
		/* full pipe: a wakeup is already pending */
	}
	errno = saved;
}

int
tui_rows(void)
{
	int rows, cols;

	disp_size(&rows, &cols);
	return rows - 2 > 1 ? rows - 2 : 1;
}

void
tui_push(struct tui *t, struct view *v)
{
	v->below = t->top;
	v->tui = t;
	t->top = v;
}

void
tui_pop(struct tui *t)
{
	struct view *v = t->top;

	if (!v)
		return;
	t->top = v->below;
	marks_clear(v);
	v->ops->free(v);
}

void
tui_log(struct tui *t, const char *fmt, ...)
{
	char when[16], *msg, *line;
	time_t now = time(NULL);
	struct tm tm;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		fatal("out of memory");
	va_end(ap);
	localtime_r(&now, &tm);
	strftime(when, sizeof when, "%H:%M:%S", &tm);
	line = xasprintf("%s %s", when, msg);
	free(msg);
	if (t->nlog == LOG_MAX) {
		free(t->log[0]);
		memmove(t->log, t->log + 1, (LOG_MAX - 1) * sizeof *t->log);
		t->nlog--;
	}
	t->log = xreallocarray(t->log, t->nlog + 1, sizeof *t->log);
	t->log[t->nlog++] = line;
}

void
tui_status(struct tui *t, int error, const char *fmt, ...)
{
	va_list ap;

	free(t->status);
	va_start(ap, fmt);
	if (vasprintf(&t->status, fmt, ap) < 0)
		fatal("out of memory");
	va_end(ap);
	t->status_error = error;
	if (error)
		tui_log(t, "error: %s", t->status);
}

static void
draw_status(struct tui *t, int row, int cols)
{
	char buf[256], *s;

	disp_fill(row, 0, t->status_error ? ST_ERROR : ST_STATUS);
	if (t->prompt && t->status && row > 1) {
		/* what the prompt said (completions): on the line above */
		char *f = layout_fit(t->status, cols, 1);

		disp_fill(row - 1, 0, ST_STATUS);
		disp_text(row - 1, 0, f, ST_STATUS);
		free(f);
	}
	if (prompt_draw(t, row, cols))
		return;
	disp_cursor(-1, 0);
	buf[0] = '\0';
	if (fetch_running(t))
		fetch_summary(t, buf, sizeof buf);
	s = xasprintf("%s%s%s", t->status ? t->status : "",
		      t->status && *buf ? "  " : "", buf);
	if (!*s) {
		free(s);
		s = xstrdup("? help  q back  / search  F fetch  A accounts");
	}
	{
		char *f = layout_fit(s, cols, 1);

		disp_text(row, 0, f, t->status_error ? ST_ERROR : ST_STATUS);
		free(f);
	}
	free(s);
}

void
tui_draw(struct tui *t)
{
	int rows, cols;
	char title[512], *s, *f;

	disp_size(&rows, &cols);
	disp_erase();
	title[0] = '\0';
	if (t->top)
		t->top->ops->title(t->top, title, sizeof title);
	s = xasprintf("popmuch: %s", title);
	f = layout_fit(s, cols, 1);
	disp_text(0, 0, f, ST_TITLE);
	free(s);
	free(f);
	if (t->top && rows > 2)
		view_draw(t->top, rows - 2, cols);
	draw_status(t, rows - 1, cols);
	disp_flush();
}

/* Count the messages in the database; when report is nonzero and there
 * are more than before, say so in the status bar ("3 new messages"). */
static void
count_new_mail(struct tui *t, int report)
{
	long n;

	if (!t->db)
		return;
	n = db_count_all(t->db);
	if (report && n > t->messages_seen && t->messages_seen >= 0) {
		tui_status(t, 0, "%ld new message%s", n - t->messages_seen,
			   n - t->messages_seen == 1 ? "" : "s");
		tui_log(t, "new mail: %ld new message%s", n - t->messages_seen,
			n - t->messages_seen == 1 ? "" : "s");
	}
	t->messages_seen = n;
}

/* The database changed: reload every view; report new mail when the
 * change came from another process. */
void
tui_reload_all(struct tui *t, int report)
{
	struct view *v;

	if (t->db)
		t->revision = db_refresh(t->db);
	for (v = t->top; v; v = v->below)
		if (v->ops->reload)
			v->ops->reload(v);
	count_new_mail(t, report);
}

static void
reap_children(struct tui *t)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (!tagger_reaped(t, pid, status) &&
		    fetch_reap(t, pid, status))
			tui_reload_all(t, 0);
	}
}

static void global_action(struct tui *t, enum tui_action a);

static void
search_entered(struct tui *t, const char *text, void *arg)
{
	(void)arg;
	if (!text || !*text)
		return;
	tui_push(t, listview_new(t, text, text, 1));
}

/* J in a thread or a message: the next unread thread (or message) of
 * the search list below, opened in place of what is open now. */
static void
next_thread(struct tui *t)
{
	struct view *v = t->top;
	size_t before;

	while (v && v->ops->scope != SC_LIST)
		v = v->below;
	if (!v)
		return;
	before = v->nav.sel;
	view_action(v, ACT_NEXT_UNREAD); /* says so when there is none */
	if (v->nav.sel == before)
		return;
	while (t->top != v)
		tui_pop(t);
	view_action(v, ACT_OPEN);
}

static void
global_action(struct tui *t, enum tui_action a)
{
	unsigned scope = t->top ? t->top->ops->scope : SC_GLOBAL;

	switch (a) {
	case ACT_QUIT:
		if (t->top && t->top->below) {
			tui_pop(t);
		} else if (fetch_running(t)) {
			tui_status(t, 0,
				   "a fetch is running: press q again "
				   "to stop it and quit");
			t->quit = -1;
		} else {
			t->quit = 1;
		}
		break;
	case ACT_HELP:
		tui_push(t, helpview_new(t, scope));
		break;
	case ACT_SEARCH:
		tui_prompt(t, "search: ", "", PC_QUERY, 1, search_entered,
			   NULL);
		break;
	case ACT_FETCH:
		fetch_start(t);
		compose_fetch_hook(t);
		break;
	case ACT_COMPOSE:
	case ACT_OUTBOX:
		compose_action(t, a, NULL, NULL);
		break;
	case ACT_ACCOUNTS:
		tui_push(t, accountsview_new(t));
		break;
	case ACT_SAVED:
		tui_push(t, savedview_new(t));
		break;
	case ACT_LOG:
		tui_push(t, logview_new(t));
		break;
	case ACT_REDRAW:
		disp_force_redraw();
		break;
	case ACT_NEXT_THREAD:
		next_thread(t);
		break;
	default:
		break;
	}
}

static void
handle_key(struct tui *t, int key)
{
	enum tui_action a;
	int pending_quit = t->quit == -1;

	if (key == TK_RESIZE) {
		disp_resized();
		return;
	}
	if (t->prompt) {
		prompt_key(t, key);
		return;
	}
	free(t->status);
	t->status = NULL;
	t->status_error = 0;
	a = keys_lookup(t->top ? t->top->ops->scope : SC_GLOBAL, key);
	if (pending_quit) {
		t->quit = a == ACT_QUIT ? 1 : 0;
		if (t->quit)
			return;
	}
	if (a == ACT_NONE)
		return;
	if (t->top && view_action(t->top, a))
		return;
	global_action(t, a);
}

static void
log_line(void *arg, const char *s)
{
	tui_log(arg, "%s", s);
}

static void
wait_events(struct tui *t, struct errlog *e, int timeout)
{
	struct pollfd pfd[3];
	int n = 0, ffd = fetch_fd(t), key;
	char drain[64];

	pfd[n++] = (struct pollfd){.fd = 0, .events = POLLIN};
	pfd[n++] = (struct pollfd){.fd = sig_pipe[0], .events = POLLIN};
	pfd[n++] = (struct pollfd){.fd = ffd, .events = POLLIN};
	if (poll(pfd, (nfds_t)n, timeout) < 0 && errno != EINTR)
		return;
	if (pfd[1].revents & POLLIN) {
		ssize_t r, i;

		while ((r = read(sig_pipe[0], drain, sizeof drain)) > 0)
			for (i = 0; i < r; i++)
				if (drain[i] == SIGTERM || drain[i] == SIGHUP)
					t->quit = 1;
		reap_children(t);
	}
	errlog_read(e, log_line, t); /* a file: read at every wakeup */
	if (ffd >= 0 && (pfd[2].revents & (POLLIN | POLLHUP)) && fetch_read(t))
		tui_reload_all(t, 0);
	while (!t->quit && disp_getkey(&key))
		handle_key(t, key);
}

long
tui_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* fetch_interval: start a fetch when it is due (none while one runs). */
static void
fetch_timer(struct tui *t)
{
	long now = tui_now_ms();

	if (!t->cfg || t->cfg->fetch_interval <= 0 || now < t->next_fetch_ms)
		return;
	t->next_fetch_ms = now + (long)t->cfg->fetch_interval * 1000L;
	if (!fetch_running(t) && t->cfg->naccounts > 0) {
		tui_log(t, "fetch_interval: fetching");
		fetch_start(t);
		compose_fetch_hook(t); /* view-compose.c */
	}
}

static void
run(struct tui *t, struct errlog *e)
{
	long last_check = tui_now_ms();
	int busy;

	while (t->quit <= 0) {
		tui_draw(t);
		if (t->bench)
			bench_frame(t);
		busy = t->top && t->top->ops->idle && t->top->ops->idle(t->top);
		wait_events(t, e, busy ? 0 : REFRESH_MS / 2);
		check_taggers(t);
		fetch_timer(t);
		if (tui_now_ms() - last_check >= REFRESH_MS) {
			last_check = tui_now_ms();
			if (t->db && db_refresh(t->db) != t->revision)
				tui_reload_all(t, 1);
		}
	}
}

struct db *
tui_db(struct tui *t)
{
	struct pm_err err;

	if (t->db)
		return t->db;
	err_clear(&err);
	if (db_open(&t->db, &err) != PM_OK) {
		tui_status(t, 1, "%s; press F to fetch", err.msg);
		return NULL;
	}
	t->revision = db_refresh(t->db);
	count_new_mail(t, 0);
	return t->db;
}

static int
setup_signals(void)
{
	struct sigaction sa;
	int i;

	if (pipe(sig_pipe) < 0)
		return -1;
	for (i = 0; i < 2; i++) {
		fcntl(sig_pipe[i], F_SETFL,
		      fcntl(sig_pipe[i], F_GETFL) | O_NONBLOCK);
		fcntl(sig_pipe[i], F_SETFD, FD_CLOEXEC);
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGCHLD, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

static void
tui_free(struct tui *t)
{
	size_t i;

	prompt_cancel(t);
	while (t->top)
		tui_pop(t);
	fetch_free(t);
	tui_open_cleanup(t);
	db_close(&t->db);
	for (i = 0; i < t->nlog; i++)
		free(t->log[i]);
	free(t->log);
	free(t->status);
	free(t->taggers);
	undo_free(t);
	bench_free(t);
	prompt_shutdown();
}

static const char *const default_searches[][2] = {
    {"inbox", "tag:inbox"},
    {"unread", "tag:unread"},
    {"flagged", "tag:flagged"},
    {"all", "*"},
};

int
tui_search(const struct tui *t, size_t i, const char **name_r,
	   const char **query_r)
{
	if (t->cfg && t->cfg->nsearches > 0) {
		if (i >= t->cfg->nsearches)
			return 0;
		*name_r = t->cfg->searches[i].name;
		*query_r = t->cfg->searches[i].query;
		return 1;
	}
	if (i >= sizeof default_searches / sizeof default_searches[0])
		return 0;
	*name_r = default_searches[i][0];
	*query_r = default_searches[i][1];
	return 1;
}

/* The config's bind and color lines, before curses starts; errors go to
 * stderr with file:line.  Returns 0, or -1. */
static int
apply_config(const struct config *cfg)
{
	const struct cfg_color *c;
	const struct cfg_bind *b;
	const char *why;
	size_t i;

	for (i = 0; cfg && i < cfg->nbinds; i++) {
		b = &cfg->binds[i];
		if (keys_bind(b->screen ? b->screen : "global", b->key,
			      b->action, &why) != 0) {
			fprintf(stderr,
				"popmuch: %s:%d: bind: %s (bind %s%s"
				"%s %s)\n",
				b->file, b->line, why,
				b->screen ? b->screen : "",
				b->screen ? " " : "", b->key, b->action);
			return -1;
		}
	}
	for (i = 0; cfg && i < cfg->ncolors; i++) {
		c = &cfg->colors[i];
		if (disp_color(c->element, c->fg, c->bg, c->attrs) != 0) {
			fprintf(stderr,
				"popmuch: %s:%d: color: unknown "
				"element \"%s\" (see "
				"popmuch.conf(5))\n",
				c->file, c->line, c->element);
			return -1;
		}
	}
	return 0;
}

int
tui_main(const struct config *cfg, const char *config_path, const char *self)
{
	struct tui t = {.cfg = cfg,
			.config_path = config_path,
			.self = self,
			.messages_seen = -1};
	struct errlog e;
	size_t i;

	bench_init(&t);
	if (!setlocale(LC_ALL, "") || !strstr(setlocale(LC_CTYPE, NULL), "UTF"))
		if (!setlocale(LC_CTYPE, "C.UTF-8"))
			setlocale(LC_CTYPE, "C.utf8");
	if (apply_config(cfg) != 0) {
		bench_free(&t);
		disp_colors_free();
		return 78;
	}
	if (setup_signals() < 0 || disp_init() < 0) {
		fprintf(stderr, "popmuch: cannot use this terminal\n");
		bench_free(&t);
		disp_colors_free();
		return 69;
	}
	msg_init();
	errlog_start(&e);
	prompt_init();
	t.html_cmd = getenv("POPMUCH_HTML_COMMAND");
	if (!t.html_cmd && cfg)
		t.html_cmd = cfg->html_command;
	if (cfg && cfg->fetch_interval > 0)
		t.next_fetch_ms =
		    tui_now_ms() + (long)cfg->fetch_interval * 1000L;
	tui_search(&t, 0, &t.first_name, &t.first_query);
	tui_push(&t, listview_new(&t, t.first_name, t.first_query, 1));
	run(&t, &e);
	/* taggers finish (or are stopped at their deadline); a fetch is
	 * stopped */
	finish_taggers(&t);
	tui_free(&t);
	disp_colors_free();
	disp_end();
	msg_set_log(NULL, NULL); /* it pointed at t */
	msg_shutdown();
	errlog_end(&e);
	for (i = 0; i < 2; i++)
		close(sig_pipe[i]);
	signal(SIGCHLD, SIG_DFL);
	return 0;
}
