/* quirks.h: what popmuch has learnt about an account's server and must
 * remember between runs.  Today one fact: its replies went out of step
 * under pipelining, so it is fetched one command at a time from then on
 * (<state dir>/no-pipelining holds when and why; remove the file to try
 * pipelining again). */
#ifndef POPMUCH_QUIRKS_H
#define POPMUCH_QUIRKS_H

#include <stdint.h>

#include "popmuch/err.h"

/* Nonzero when dir records that pipelining must stay off; *why_r (may
 * be NULL; caller frees) gets the recorded line. */
int quirks_no_pipelining(const char *dir, char **why_r);

/* Record it, with the reason (one line).  Returns: PM_OK; the file
 * statuses. */
enum pm_status quirks_set_no_pipelining(const char *dir, int64_t now,
					const char *why, struct pm_err *err);

#endif
