/* autoview.h: a part's text from a shell command, for the pager: the
 * html_command filter, or the first mailcap entry with copiousoutput for
 * the part's type (mutt's auto_view).
 *
 * The part is written to a file named by mailcap_safe_name in a new
 * private directory (0700, under $XDG_RUNTIME_DIR, else $TMPDIR, else
 * /tmp), removed when the command is done, whatever happened.  The
 * command runs with /bin/sh -c in its own process group, stderr to
 * /dev/null, within a time limit (then the group is killed) and an
 * output cap (the rest is cut). */
#ifndef POPMUCH_TUI_AUTOVIEW_H
#define POPMUCH_TUI_AUTOVIEW_H

#include <stddef.h>

#include "popmuch/err.h"

#define AV_TIMEOUT_MS 10000	 /* a command's time limit */
#define AV_MAX_OUTPUT (8u << 20) /* what is kept of its output */

struct av_limits {
	int timeout_ms;	   /* killed after this long */
	size_t max_output; /* output kept; the rest is cut */
};

struct av_output {
	char *text; /* NUL-terminated (may hold other NULs); caller frees */
	size_t len;
	int cut; /* the output reached max_output: the rest was cut */
};

/* Run cmd with /bin/sh -c, stdin from the file input (NULL:
 * /dev/null), within lim (NULL: AV_TIMEOUT_MS, AV_MAX_OUTPUT); *out is
 * filled on PM_OK.  A command that exits non-zero with output counts
 * as done (its output is what it could do).
 * Returns: PM_OK; PM_UNAVAILABLE (exit 126 or 127: it could not run,
 * or exited non-zero with no output), PM_TIMEOUT (killed at the time
 * limit), PM_IOERR (input unreadable, no pipe or process); err says
 * which, without the command. */
enum pm_status av_run(const char *cmd, const char *input,
		      const struct av_limits *lim, struct av_output *out,
		      struct pm_err *err);

/* data (len bytes) on the standard input of the shell command cmd
 * (html_command), as av_run says.
 * Returns: as av_run; PM_CANTCREAT (the private directory or file). */
enum pm_status av_filter(const char *cmd, const void *data, size_t len,
			 struct av_output *out, struct pm_err *err);

/* data (len bytes, a part of type, named filename or NULL, with its
 * Content-Type parameters params as mailcap_expand takes them) through
 * the first mailcap entry with copiousoutput for type.  *cmd_r is the
 * entry's command as written (new), set whenever an entry was found.
 * Returns: PM_OK; PM_UNAVAILABLE (no such entry, or as av_run),
 * PM_DATAERR (bad type, or the expansion refused), PM_TIMEOUT,
 * PM_IOERR, PM_CANTCREAT: err says which. */
enum pm_status av_mailcap(const char *type, const char *filename,
			  const char *const *params, const void *data,
			  size_t len, char **cmd_r, struct av_output *out,
			  struct pm_err *err);

#endif
