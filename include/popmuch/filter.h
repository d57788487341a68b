/* filter.h: mpop's "filter" command, run as mpop runs it, for the fetch
 * plan to call before a message is downloaded.
 *
 * mpop (filter in mpop(1)): the message's headers, with the blank line
 * after them (TOP n 0), go to the command's standard input; "%F" in the
 * command is the envelope sender (only a-z A-Z 0-9 and ".@_-+/", other
 * characters "_"; MAILER-DAEMON when there is none), "%S" the size the
 * server gave in LIST.  Its exit status decides: 0 fetch the message as
 * usual, 1 delete it on the server without downloading it, 2 leave it
 * there without downloading it; 3 and above (or a signal) is an error.
 * The command runs through /bin/sh -c, its output goes to popmuch's
 * stderr.  Core module: never prints. */
#ifndef POPMUCH_FILTER_H
#define POPMUCH_FILTER_H

#include <stddef.h>
#include <stdint.h>

#include "popmuch/err.h"

enum filter_verdict {
	FILTER_FETCH = 0, /* exit 0: proceed normally */
	FILTER_KILL = 1,  /* exit 1: delete, do not retrieve */
	FILTER_SKIP = 2,  /* exit 2: leave on the server, do not retrieve */
};

/* The envelope sender of the headers (len bytes): the address of
 * Return-Path, else of From, cleaned as mpop cleans %F, else
 * "MAILER-DAEMON".  Caller frees.
 * Returns: the address, never NULL. */
char *filter_envelope_from(const char *headers, size_t len);

/* cmd with %F and %S replaced for one message.  Caller frees.
 * Returns: the command line, never NULL. */
char *filter_command(const char *cmd, const char *headers, size_t len,
		     uint64_t size);

/* Run filter cmd on one message's headers (len bytes) and LIST size.
 * Returns: PM_OK with *verdict_r set; PM_CONFIG "filter command failed
 * with exit status N" (N >= 3) or "killed by signal N", or when /bin/sh
 * cannot run; then *verdict_r is FILTER_FETCH (nothing is deleted on a
 * filter's failure). */
enum pm_status filter_run(const char *cmd, const char *headers, size_t len,
			  uint64_t size, enum filter_verdict *verdict_r,
			  struct pm_err *err);

#endif
