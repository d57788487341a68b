/* nmstore.h: what compose and the outbox ask of the notmuch database.
 *
 * Finding the message a reply or forward is about, and recording a sent
 * message (indexed with tag "sent", the original tagged "replied" with
 * maildir flag R).  notmuch objects never leave nmstore.c.  Never
 * prints. */
#ifndef POPMUCH_NMSTORE_H
#define POPMUCH_NMSTORE_H

#include "popmuch/err.h"

/* The file of the one message query matches (e.g. "id:x@y").
 * notmuch_config: NULL as the notmuch CLI finds it.  Caller frees
 * *path_r.
 * Returns: PM_OK; PM_USAGE when the query matches no message or more
 * than one (saying how many); PM_INDEX when the database cannot be
 * opened or searched. */
enum pm_status nmstore_find_one(const char *notmuch_config, const char *query,
				char **path_r, struct pm_err *err);

/* Index the n sent copies at paths[i] with tag "sent" (and none of
 * new.tags), and, when in_reply_to[i] is not NULL (a Message-ID without
 * <>), tag that message "replied" and give its file maildir flag R; all
 * in one open of the database.  Runs in a child process that is killed
 * after timeout seconds (notmuch waits forever for a database another
 * process holds).  Doing it twice is harmless.
 * Returns: PM_OK; PM_TEMPFAIL when the database stayed locked (try
 * again later); PM_INDEX on a database error. */
enum pm_status nmstore_record_sent(const char *notmuch_config,
				   const char *const *paths,
				   const char *const *in_reply_to, size_t n,
				   int timeout, struct pm_err *err);

#endif
