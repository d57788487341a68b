/* history.h: the search prompt's history, kept across runs in
 * $XDG_STATE_HOME/popmuch/history (one query a line, oldest first,
 * mode 0600: queries can be private). */
#ifndef POPMUCH_TUI_HISTORY_H
#define POPMUCH_TUI_HISTORY_H

#include <stddef.h>

#define HISTORY_MAX 500 /* entries loaded; the file is cut back to these */

/* The saved entries (at most HISTORY_MAX, the newest) appended to
 * *h / *n (xrealloc'd).  A missing file is no history. */
void history_load(char ***h, size_t *n);

/* Add entry to the file at once (a crash loses nothing).  Errors are
 * ignored: the history is a convenience. */
void history_append(const char *entry);

#endif
