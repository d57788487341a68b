/* db-int.h: what db.c shares with db-tail.c (internal to them: the only
 * TUI files with notmuch.h). */
#ifndef POPMUCH_TUI_DB_INT_H
#define POPMUCH_TUI_DB_INT_H

#include <notmuch.h>

#include "db.h"

struct db {
	notmuch_database_t *nm;
	unsigned long revision;
};

/* A query on db, newest first, notmuch's search.exclude_tags applied;
 * NULL when notmuch cannot create it. */
notmuch_query_t *db_make_query(struct db *db, const char *qs);
/* Fill *r (new strings) from a message or a thread. */
void db_message_row(notmuch_message_t *m, struct row *r);
void db_thread_row(notmuch_thread_t *t, struct row *r);

#endif
