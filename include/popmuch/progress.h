/* progress.h: reporting fetch events to a person or to the TUI.
 *
 * Three sinks for struct fetch_events: silence (cron), a live display on
 * a terminal (stderr), and --progress-fd lines for the TUI:
 *   planned ACCOUNT TO_FETCH BYTES TO_DELETE
 *   progress ACCOUNT DONE BYTES
 *   done ACCOUNT STATUS FETCHED DELETED
 *   warning ACCOUNT TEXT
 * (ACCOUNT never contains spaces; TEXT is escaped, to the end of line). */
#ifndef POPMUCH_PROGRESS_H
#define POPMUCH_PROGRESS_H

#include "popmuch/fetch.h"

struct progress;

/* A reporter: tty nonzero for the live display on stderr; fd >= 0 for
 * the progress-line protocol; dry_run prints the would-lines on stdout. */
struct progress *progress_new(int tty, int fd);
/* The events that feed it (borrowed until progress_free). */
const struct fetch_events *progress_events(struct progress *pr);
void progress_free(struct progress **pr);

#endif
