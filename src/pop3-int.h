/* pop3-int.h: what pop3.c and pop3-list.c share: the session itself and
 * the reply readers.  Not an interface for other modules: everything
 * outside goes through pop3.h and pop3-list.h. */
#ifndef POPMUCH_POP3_INT_H
#define POPMUCH_POP3_INT_H

#include <stddef.h>

#include "popmuch/err.h"
#include "popmuch/pop3.h"

#define POP3_BUF_SIZE 65536
#define POP3_WINDOW 32 /* pipelined commands in flight */

struct pop3 {
	struct net_conn *conn;
	int timeout;
	char buf[POP3_BUF_SIZE];
	size_t start, end;	      /* unread bytes are buf[start..end) */
	char line[POP3_LINE_MAX + 1]; /* the last line read */
	struct pop3_caps caps;
	char *greeting; /* escaped */
	int desynced;	/* replies were seen out of step */
};

/* Turn an -ERR reply into an error naming what was asked.
 * Returns: the status its response code maps to (pop3_resp_code_status),
 * PM_PROTOCOL without one. */
enum pm_status pop3_err_from_reply(const char *what, const char *text,
				   struct pm_err *err);

/* Read a status line; set *ok_r and *text_r.  Garbage is an error.
 * Returns: PM_OK; PM_PROTOCOL for a line that is no status line
 * (p->desynced is then set); PM_NETWORK, PM_TIMEOUT. */
enum pm_status pop3_read_status(struct pop3 *p, const char *what, int *ok_r,
				const char **text_r, struct pm_err *err);

/* Read the lines of a multi-line reply, calling fn for each (dot
 * unstuffed).  At most max_lines lines.
 * Returns: PM_OK; PM_PROTOCOL for more lines; what fn returned; the
 * statuses of pop3_read_line(). */
enum pm_status pop3_read_multiline(
    struct pop3 *p, const char *what, size_t max_lines,
    enum pm_status (*fn)(void *ctx, const char *line, struct pm_err *err),
    void *ctx, struct pm_err *err);

#endif
