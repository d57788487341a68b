/* errlog.h: standard error while curses owns the screen.
 *
 * It goes to a file, $XDG_STATE_HOME/popmuch/tui.log (new each run,
 * mode 0600), not to a pipe: what a dying process writes last (a crash
 * or sanitizer report) stays on disk after the terminal is restored.
 * The TUI reads the file back into its log view (L) as it grows. */
#ifndef POPMUCH_TUI_ERRLOG_H
#define POPMUCH_TUI_ERRLOG_H

#include <stddef.h>

struct errlog {
	int saved;  /* the original stderr, or -1 */
	int rd;	    /* reading the file, or -1 */
	char *path; /* NULL: an unlinked temporary file */
	char buf[1024];
	size_t len;
};

/* $XDG_STATE_HOME/popmuch/NAME (the TUI's own state files; caller
 * frees). */
/* The TUI's state directory, "$XDG_STATE_HOME/popmuch/" (account.c's
 * rules; /tmp/ when there is no home directory).  Caller frees. */
char *tui_state_dir(void);

char *tui_state_path(const char *name);

/* The log's path ($XDG_STATE_HOME/popmuch/tui.log; caller frees). */
char *errlog_path(void);

/* Point stderr at the log file (the original is kept).  On failure
 * stderr stays as it was and errlog_read reads nothing. */
void errlog_start(struct errlog *e);

/* Call line(arg, text) for each complete line written since the last
 * call. */
void errlog_read(struct errlog *e, void (*line)(void *arg, const char *s),
		 void *arg);

/* Restore stderr; the file stays. */
void errlog_end(struct errlog *e);

#endif
