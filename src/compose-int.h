/* compose-int.h: what the GMime-using modules of sending share
 * (compose.c, draft.c, outbox.c); GMime objects stay among them. */
#ifndef POPMUCH_COMPOSE_INT_H
#define POPMUCH_COMPOSE_INT_H

#include <gmime/gmime.h>

#include "popmuch/err.h"

/* Parse the message file at path (caller unrefs), or NULL with err set
 * (PM_IOERR: cannot open; PM_DATAERR: not a message).  err may be
 * NULL. */
GMimeMessage *compose_parse_file(const char *path, struct pm_err *err);

#endif
