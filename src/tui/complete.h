/* complete.h: Tab completion for the prompt: tag names (libnotmuch),
 * query terms and addresses (notmuch address). */
#ifndef POPMUCH_TUI_COMPLETE_H
#define POPMUCH_TUI_COMPLETE_H

struct tui;

/* What a prompt completes (tui_prompt's complete argument). */
enum prompt_complete {
	PC_NONE,  /* nothing */
	PC_TAGS,  /* tag names, after an optional + or - (tag prompts) */
	PC_QUERY, /* a notmuch query: prefixes ("su" -> "subject:"),
		   * tag:/is: tag names, from:/to: addresses */
};

/* Complete the last word of line (words end at a space or "("): a
 * single candidate is put in whole, several extend the word to what
 * they have in common and are listed in the status bar, none is said
 * there.  Returns the new line (a new string), or NULL when the line
 * stays as it is. */
char *complete_line(struct tui *t, const char *line, enum prompt_complete pc);

#endif
