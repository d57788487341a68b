/* failing.h: messages the server refuses to send (RETR -ERR), kept
 * across runs in <state dir>/failing so that a message failing for days
 * is reported when it first fails and then once a day, not every run
 * (a cron job every 5 minutes must not mail every 5 minutes).
 *
 * The file is "<uidl> <first failure> <last told>\n" lines (a UIDL is
 * 1-70 printable characters without spaces: RFC 1939, checked by pop3.c),
 * replaced atomically (fsutil_write_atomic()).  Only what failed in this run
 * is written back: a message that arrived or left the server is
 * forgotten. */
#ifndef POPMUCH_FAILING_H
#define POPMUCH_FAILING_H

#include <stddef.h>
#include <stdint.h>

#include "popmuch/err.h"

#define FAILING_TELL_EVERY 86400 /* seconds between two reports */

struct failing;

/* Load dir/failing (missing or unreadable lines: as if empty). */
struct failing *failing_load(const char *dir);

/* uidl failed at now.  Returns 1 when the person should be told now
 * (its first failure, or FAILING_TELL_EVERY since they last were);
 * *since_r gets the time of its first failure. */
int failing_note(struct failing *f, const char *uidl, int64_t now,
		 int64_t *since_r);

/* Messages noted in this run, and the earliest first failure (0: none). */
size_t failing_count(const struct failing *f, int64_t *oldest_r);

/* Messages the file held when it was loaded, and the earliest first
 * failure (0: none): what "popmuch status" shows. */
size_t failing_recorded(const struct failing *f, int64_t *oldest_r);

/* Write back what was noted in this run (the file is removed when
 * nothing was).  Returns: PM_OK; the file statuses. */
enum pm_status failing_save(struct failing *f, struct pm_err *err);

void failing_free(struct failing **f);

#endif
