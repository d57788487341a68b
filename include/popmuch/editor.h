/* editor.h: draft files and the person's editor, for the command line
 * and the TUI alike.
 *
 * Drafts live in $XDG_STATE_HOME/popmuch/.drafts/ as NAME.eml (the
 * draft format of compose.h); a draft left there is a postponed one. */
#ifndef POPMUCH_EDITOR_H
#define POPMUCH_EDITOR_H

#include <stddef.h>

#include "popmuch/err.h"

/* The drafts directory (created when missing).  Caller frees.
 * Returns: PM_OK; PM_CANTCREAT. */
enum pm_status editor_drafts_dir(char **dir_r, struct pm_err *err);

/* A new draft file holding text (mode 0600, synced).  Caller frees
 * *path_r.  Returns: PM_OK; PM_CANTCREAT; PM_IOERR. */
enum pm_status editor_draft_new(const char *text, char **path_r,
				struct pm_err *err);

/* Run $VISUAL, else $EDITOR, else vi on path, on the terminal, and
 * wait.  Returns the editor's exit status (0 = fine), -1 when it could
 * not run or was killed. */
int editor_run(const char *path);

/* The draft files, oldest first (caller frees each and the array). */
size_t editor_drafts(char ***paths_r);

#endif
