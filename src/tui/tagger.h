/* tagger.h: the queue of tagging children (tui_tag and rows_tag_action
 * in tui-int.h add to it). */
#ifndef POPMUCH_TUI_TAGGER_H
#define POPMUCH_TUI_TAGGER_H

#include <sys/types.h>

struct tui;

/* Child pid exited with status: if it is the running tagger, report a
 * failure (views reload), start the next one and return 1; else 0. */
int tagger_reaped(struct tui *t, pid_t pid, int status);
/* Stop the running tagger when it has waited too long for the notmuch
 * write lock (called from the main loop). */
void check_taggers(struct tui *t);
/* At exit: let the queued taggers run, each until its deadline. */
void finish_taggers(struct tui *t);

#endif
