/* view-compose.h: writing mail in the TUI (view-compose.c), hooked into
 * the message view (r, R, f), the global keys (m, O) and each fetch. */
#ifndef POPMUCH_TUI_VIEW_COMPOSE_H
#define POPMUCH_TUI_VIEW_COMPOSE_H

#include "keys.h"

struct tui;

/* Handle ACT_REPLY, ACT_REPLY_ALL, ACT_FORWARD (of message id, whose
 * file is path), ACT_COMPOSE and ACT_OUTBOX (id and path NULL): the
 * draft in $EDITOR, then the compose screen.  Returns 1 when a was one
 * of those. */
int compose_action(struct tui *t, enum tui_action a, const char *id,
		   const char *path);

/* Send the outbox in the background ("popmuch send" as a child). */
void compose_send_outbox(struct tui *t);

/* A fetch starts: send the outbox too unless send_with_fetch is off. */
void compose_fetch_hook(struct tui *t);

#endif
