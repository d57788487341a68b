/* tui-int.h: what the TUI's screens share (internal to src/tui/). */
#ifndef POPMUCH_TUI_INT_H
#define POPMUCH_TUI_INT_H

#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "popmuch/config.h"
#include "db.h"
#include "display.h"
#include "keys.h"

struct view;
struct tui;

/* One screen.  Views are stacked: q pops the top one.
 *
 * A list screen (most of them) sets draw_row: view.c then runs the loop
 * over the visible items, the scrolling and the movement keys (after
 * tig's view.c), and the screen says only how many items there are
 * (count, or by keeping v->nav.n itself), how one looks (draw_row) and
 * what its own actions do (action).  A free-form screen sets draw. */
struct view_ops {
	unsigned scope; /* enum tui_scope */
	/* List screens: the number of items (NULL: the screen keeps
	 * v->nav.n up to date itself). */
	size_t (*count)(struct view *v);
	/* Draw item i at screen line y (its row_lines lines from there),
	 * cols wide; selected: it is under the cursor. */
	void (*draw_row)(struct view *v, size_t i, int y, int cols,
			 int selected);
	const char *empty; /* text for an empty list (optional) */
	int row_lines;	   /* screen lines per item (0: 1) */
	int scroll_only;   /* no selection: movement scrolls (pagers) */
	/* Free-form screens: draw the body into screen lines [1, rows]
	 * (line 0 is the title line, drawn by the caller from title()),
	 * width cols.  List screens (optional): called after scrolling,
	 * before the items are drawn (to load what is about to show). */
	void (*draw)(struct view *v, int rows, int cols);
	/* Handle an action; return 1 if handled.  A list screen gets it
	 * first; the movement keys it leaves are handled by view.c. */
	int (*action)(struct view *v, enum tui_action a);
	/* The database changed: reload in place, keeping the selection. */
	void (*reload)(struct view *v);
	/* Background work (lazy loading); return 1 while more is pending. */
	int (*idle)(struct view *v);
	/* Move the selection by dir (+1/-1) and return the newly selected
	 * message row, or NULL (used by the message view's n/p). */
	struct row *(*step)(struct view *v, int dir);
	/* Tags changed on a thread (thread nonzero) or a message: update
	 * rows in memory (optional). */
	void (*tagged)(struct view *v, const char *id, int thread,
		       const char *ops);
	void (*title)(struct view *v, char *buf, size_t size);
	void (*free)(struct view *v);
};

/* Selection and scrolling of a list of n lines. */
struct nav {
	size_t sel, top, n;
};

/* A marked row of a list screen (tagger.c): tag actions then apply to
 * every marked row at once. */
struct mark {
	char *id;   /* the row's thread or message id */
	char *term; /* the query of its messages when it was marked */
};

struct view {
	const struct view_ops *ops;
	struct view *below;
	struct tui *tui;
	struct nav nav; /* list screens: the selection (view.c) */
	struct mark *marks;
	size_t nmarks;
};

/* Apply a movement action; returns 1 if a was a movement. page is the
 * number of visible lines. */
int nav_action(struct nav *nav, enum tui_action a, int page);
/* Keep sel visible within page lines. */
void nav_scroll(struct nav *nav, int page);
/* The same for a pager (no selection: the lines scroll). */
int nav_scroll_action(struct nav *nav, enum tui_action a, int page);

/* The list-view core (view.c). */
/* Items that fit in rows screen lines (at least 1). */
int view_page(const struct view *v, int rows);
/* Draw v's body in screen lines [1, rows] (a list: its visible items). */
void view_draw(struct view *v, int rows, int cols);
/* The screen's own action, else (a list) a movement; 1 if handled. */
int view_action(struct view *v, enum tui_action a);
/* A movement action on a list screen's selection; 1 if a is one. */
int view_move(struct view *v, enum tui_action a);

/* A prompt callback gets the entered text, or NULL when cancelled. */
typedef void (*prompt_fn)(struct tui *t, const char *text, void *arg);

/* The TUI's state, shared by the views. */
struct tui {
	const struct config *cfg;
	const char *config_path, *self;
	struct db *db;
	unsigned long revision; /* of the database the views show */
	struct view *top;
	int quit;
	char *status; /* message in the status bar */
	int status_error;
	char **log;
	size_t nlog;
	const char *html_cmd; /* NULL: the default; "": built-in */
	struct fetch_state *fetch;
	long next_fetch_ms; /* fetch_interval: when the next fetch starts */
	/* tagging children still running */
	struct tagger *taggers;
	size_t ntaggers;
	/* tag changes made, for U (undo), oldest first (tagger.c) */
	struct undo **undo;
	size_t nundo;
	size_t undo_waiting; /* U pressed while its change still runs */
	/* the prompt, when active */
	struct prompt *prompt;
	/* the first saved search (the first screen), borrowed */
	const char *first_name, *first_query;
	long messages_seen;  /* messages in the database, or -1 */
	struct bench *bench; /* POPMUCH_TUI_BENCH, else NULL */
	char *tmpdir;	     /* the run's private directory (open.c), or NULL */
	unsigned nopened;    /* parts opened from it */
};

/* A tagging child, queued: only the first of t->taggers runs (pid > 0),
 * the rest wait their turn (pid 0).  Killed when it waits for the write
 * lock too long. */
struct tagger {
	pid_t pid;
	long started_ms;
	int killed;
	char *query;
	char *ops;
	int is_undo;	  /* an undo: not recorded for undo itself */
	struct undo *rec; /* what undoes it, recorded as it starts */
};

/* What undoes one tag change: taggers to run (ops[i] on query[i]). */
struct undo {
	char **ops, **query;
	size_t n;
	char *what; /* the change, for the status bar */
};

/* Milliseconds of CLOCK_MONOTONIC. */
long tui_now_ms(void);

/* Saved search i: the config's "search" lines, else the defaults
 * (inbox, unread, flagged, all).  Sets borrowed strings and returns 1,
 * or returns 0 when i is past the last. */
int tui_search(const struct tui *t, size_t i, const char **name_r,
	       const char **query_r);

/* Benchmark hook (bench.c): with POPMUCH_TUI_BENCH=FILE set, timings are
 * written to FILE: start to first screen (from POPMUCH_TUI_BENCH_T0, a
 * CLOCK_REALTIME "seconds.micros" stamp taken before exec, else from
 * tui_main), page downs, and opening the thread of
 * POPMUCH_TUI_BENCH_THREAD (a query); then the TUI quits. */
void bench_init(struct tui *t);
/* Called after each frame is drawn; runs the scripted steps once. */
void bench_frame(struct tui *t);
void bench_free(struct tui *t);
/* Draw the current view now (used by the benchmark). */
void tui_draw(struct tui *t);

/* The database, opened on first use; NULL (with the reason in the status
 * bar) when there is none yet. */
struct db *tui_db(struct tui *t);
void tui_push(struct tui *t, struct view *v);
void tui_pop(struct tui *t);
/* Status bar message (printf); error nonzero also logs it. */
void tui_status(struct tui *t, int error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void tui_log(struct tui *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Ask for a line; fn runs on Enter.  complete: what Tab completes, an
 * enum prompt_complete (complete.h: 0 nothing, 1 tag names, 2 a
 * query).  history: the / query history. */
void tui_prompt(struct tui *t, const char *label, const char *initial,
		int complete, int history, prompt_fn fn, void *arg);
/* The database changed: reload every view; report new mail ("3 new
 * messages") when report is nonzero and the change came from elsewhere. */
void tui_reload_all(struct tui *t, int report);
/* Tag every message of query with ops in a child; rows update at once. */
void tui_tag(struct tui *t, const char *query, const char *ops);
/* Lines of the layout of a status line: "N new" etc. */
int tui_rows(void);

/* Draw " (tag1 tag2)" at row y from column x to cols, each tag in its
 * own colour ("color tag:NAME"), or all in sel_style when it is >= 0
 * (a selected row). */
void tui_draw_tags(int y, int x, int cols, const char *tags, int sel_style);

/* Screens. */
struct view *listview_new(struct tui *t, const char *name, const char *query,
			  int threads);
struct view *threadview_new(struct tui *t, const char *thread_id,
			    const char *query);
struct view *msgview_new(struct tui *t, const struct row *r,
			 struct view *parent);
struct view *savedview_new(struct tui *t);
struct view *accountsview_new(struct tui *t);
struct view *helpview_new(struct tui *t, unsigned scope);
struct view *logview_new(struct tui *t);
struct msg_view;
/* The attachments of mv (copied) of message id, whose file is at path
 * (found again by id if it moves). */
struct view *attachview_new(struct tui *t, const char *id, const char *path,
			    const struct msg_view *mv);
/* Part (struct msg_attachment.part) of message id at path in the pager,
 * titled label. */
struct view *msgview_part_new(struct tui *t, const char *id, const char *path,
			      int part, const char *label);

/* A tag action (u * d a + -) on row r (a thread row when thread_row is
 * nonzero); 0 when a is not one.  Used by the message screen. */
int rows_tag_action(struct tui *t, struct row *r, int thread_row,
		    enum tui_action a);
/* The same on list screen v with r under its selection: on every marked
 * row of v if there are any (the marks are then cleared; toggles go by
 * r), else on r.  Also the marking actions (v, V) and undo (U). */
int view_tag_action(struct view *v, struct row *r, int thread_row,
		    enum tui_action a);
/* Is row id of v marked? */
int view_marked(const struct view *v, const char *id);
/* Drop v's marks (and their memory). */
void marks_clear(struct view *v);
/* Forget the undo history (at exit). */
void undo_free(struct tui *t);

/* Opening parts (open.c). */
/* Is prog an executable file in a directory of $PATH? */
int tui_on_path(const char *prog);
/* Leave curses, run argv in the terminal, wait; its wait status or -1. */
int tui_run_in_terminal(char *const argv[]);
/* Save leaf part of the message file msgpath under a generated name
 * (mailcap_safe_name) in the run's private directory ($TMPDIR/popmuch-*,
 * removed by tui_open_cleanup at exit) and open it: xdg-open when there
 * is a display, else run-mailcap in the terminal, else the mailcap
 * files.  The status bar says what happened.
 * Returns: PM_OK; PM_IOERR when the message file cannot be read;
 * PM_CANTCREAT, PM_DATAERR (no such part). */
enum pm_status tui_open_part(struct tui *t, const char *msgpath, int part,
			     const char *filename, const char *type);
void tui_open_cleanup(struct tui *t);
/* rm -r of a directory whose entries popmuch made (depth levels of
 * subdirectories; a symbolic link is removed, never followed). */
void tui_remove_tree(const char *dir, int depth);
/* Leave curses, run shell command cmd with file on stdin, wait for
 * Enter, come back; its wait status, or -1. */
int tui_pipe_file(const char *file, const char *cmd);
/* Pipe leaf part (decoded, like tui_open_part saves it) to cmd. */
enum pm_status tui_pipe_part(struct tui *t, const char *msgpath, int part,
			     const char *filename, const char *cmd);
/* "piped to CMD", or the exit status, in the status bar. */
void tui_pipe_status(struct tui *t, const char *cmd, int status);

/* Fetching (fetchui.c). */
void fetch_start(struct tui *t);
int fetch_running(const struct tui *t);
/* fd to poll for progress lines, or -1. */
int fetch_fd(const struct tui *t);
/* Read progress lines; returns 1 when the fetch ended (views reload). */
int fetch_read(struct tui *t);
/* A child exited: if it is the fetch, note it; returns 1 when the
 * fetch has ended (views reload). */
int fetch_reap(struct tui *t, pid_t pid, int status);
/* Draw one account's progress/last run into row; name is the account. */
void fetch_draw_account(struct tui *t, const struct account *a, int row,
			int cols, int selected);
void fetch_free(struct tui *t);
/* The progress line of one account (after its bar). */
struct fetch_nums {
	long done, to_fetch, to_delete;
	unsigned long long bytes_done, bytes;
	long elapsed;	/* seconds since the account started */
	long finishing; /* seconds since its last message arrived, or -1 */
};
void fetch_progress_text(const struct fetch_nums *n, char *buf, size_t size);
/* One-line summary for the status bar while running ("fetching 3/10"). */
void fetch_summary(const struct tui *t, char *buf, size_t size);

#endif
