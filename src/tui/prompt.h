/* prompt.h: the prompt line (tui_prompt in tui-int.h opens one). */
#ifndef POPMUCH_TUI_PROMPT_H
#define POPMUCH_TUI_PROMPT_H

struct tui;

/* Load the query history (history.c) / free it, at start and exit. */
void prompt_init(void);
void prompt_shutdown(void);
/* A key for the open prompt t->prompt: edit, complete, Enter runs its
 * callback, Esc or C-c cancels. */
void prompt_key(struct tui *t, int key);
/* Cancel the open prompt (its callback gets NULL); nothing if none. */
void prompt_cancel(struct tui *t);
/* Draw the open prompt on row with the cursor at its end; returns 1, or
 * 0 when no prompt is open. */
int prompt_draw(struct tui *t, int row, int cols);

#endif
