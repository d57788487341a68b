/* display.h: the terminal (the only user of curses.h in popmuch).
 *
 * Views draw whole rows of already-laid-out text (layout.h) with one of
 * the element styles below; disp_flush() sends the frame with a single
 * doupdate(), so nothing flickers.  Colours are off when NO_COLOR is set
 * or the terminal has none. */
#ifndef POPMUCH_TUI_DISPLAY_H
#define POPMUCH_TUI_DISPLAY_H

enum disp_style {
	ST_NORMAL,
	ST_UNREAD,     /* bold */
	ST_SELECTED,   /* reverse */
	ST_SEL_UNREAD, /* reverse bold */
	ST_STATUS,     /* the status bar */
	ST_TITLE,      /* the top bar */
	ST_DATE,
	ST_AUTHORS,
	ST_TAGS,
	ST_FLAGGED,
	ST_HEADER, /* header names in the message view */
	ST_QUOTE,  /* quoted lines */
	ST_ERROR,
	ST_BAR, /* progress bar filled part */
	ST_COUNT
};

/* Set the colour of element (an element name: "normal", "unread",
 * "selected", "selected_unread", "status", "title", "date", "authors",
 * "tags", "flagged", "header", "quote", "error", "bar"; or "tag:NAME"
 * for one tag in lists) before disp_init: fg and bg are 0-255 or -1
 * (default), attrs enum cfg_attr bits.  With NO_COLOR or a terminal
 * without colours only the attributes apply.  Returns 0, or -1 for an
 * unknown element (or too many tags). */
int disp_color(const char *element, int fg, int bg, unsigned attrs);
/* Name of element i (0 <= i < ST_COUNT), else NULL. */
const char *disp_element_name(int i);
/* The style of one tag in a list: its own ("color tag:NAME") or
 * ST_TAGS. */
enum disp_style disp_tag_style(const char *tag);
/* Forget the colours set with disp_color. */
void disp_colors_free(void);

/* Start curses on the terminal; returns 0, or -1 if the terminal cannot
 * be used. */
int disp_init(void);
/* Restore the terminal. */
void disp_end(void);
/* Leave curses for an external program / come back. */
void disp_suspend(void);
void disp_resume(void);

/* Current size. */
void disp_size(int *rows, int *cols);

/* Clear the frame being built. */
void disp_erase(void);
/* Write text (UTF-8, already fitted: it must not overflow the line) at
 * row, col in style. */
void disp_text(int row, int col, const char *text, enum disp_style st);
/* Fill row from col to the end with spaces in style. */
void disp_fill(int row, int col, enum disp_style st);
/* Place the cursor (for prompts); -1 hides it. */
void disp_cursor(int row, int col);
/* Send the frame. */
void disp_flush(void);
/* Repaint everything on the next flush (Ctrl-L). */
void disp_force_redraw(void);
/* Take the new terminal size after SIGWINCH. */
void disp_resized(void);

/* Read one key without blocking: returns 1 and sets *key (a code point
 * or TK_* from keys.h), or 0 when no key is waiting. */
int disp_getkey(int *key);

#endif
