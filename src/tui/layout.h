/* layout.h: fitting UTF-8 text into terminal columns (no curses).
 *
 * Every function takes untrusted bytes: invalid UTF-8 shows as U+FFFD,
 * control characters as U+FFFD too, so nothing written to the terminal
 * can move the cursor.  Widths come from wcwidth(), so LC_CTYPE must be a
 * UTF-8 locale (tui_main sets it from the environment). */
#ifndef POPMUCH_TUI_LAYOUT_H
#define POPMUCH_TUI_LAYOUT_H

#include <stddef.h>
#include <time.h>

/* Decode one character from s (len bytes, len > 0).  Stores the code
 * point in *cp (0xFFFD for an invalid or truncated sequence) and returns
 * the number of bytes used (at least 1). */
size_t layout_decode(const char *s, size_t len, unsigned *cp);

/* Write cp (at most 0x10FFFF) as UTF-8 into out (4 bytes); returns the
 * length. */
size_t layout_encode(unsigned cp, char *out);

/* Is cp left out of what is shown: bidi controls (U+202A-202E,
 * U+2066-2069, U+200E/200F, U+061C: they would reorder the screen), and
 * the joiners and modifiers of emoji sequences (U+200D, U+FE0E/FE0F,
 * U+1F3FB-1F3FF), whose width terminals disagree on: a sequence shows
 * as its separate emoji, so the row is as wide as computed. */
int layout_dropped(unsigned cp);

/* A copy of s without control characters (C0, DEL, C1) and without the
 * characters of layout_dropped: for names that leave the screen (file
 * names).  Caller frees. */
char *layout_strip(const char *s);

/* The end of s that fits in cols columns (as layout_fit shows it), for
 * a prompt longer than the screen.  Caller frees. */
char *layout_tail(const char *s, int cols);

/* Display width of code point cp: 0 for combining marks, 2 for wide
 * characters, 1 for U+FFFD and for anything else unknown. */
int layout_cpwidth(unsigned cp);

/* Display width of the NUL-terminated string s (as layout_fit shows it). */
size_t layout_width(const char *s);

/* Fit s into exactly cols columns: characters that do not fit are cut
 * and the last visible column becomes "…" (U+2026); a double-width
 * character that would straddle the edge is dropped.  When pad is
 * nonzero the result is padded with spaces to exactly cols columns.
 * Tabs become one space.  Returns a new string the caller frees. */
char *layout_fit(const char *s, int cols, int pad);

/* Same as layout_fit for a byte range that need not be NUL-terminated. */
char *layout_fitn(const char *s, size_t len, int cols, int pad);

/* Short date for a list column into buf (at least 16 bytes): "14:03"
 * today, "Mon 14:03" within six days, "Mar 05" this year, "2019-03-05"
 * before; now is the current time. */
void layout_date(time_t t, time_t now, char *buf, size_t size);

/* How many bytes of s (len bytes) to put on one line of cols columns
 * when wrapping: breaks after the last space that fits, else mid-word;
 * at least one character.  Returns len when all of s fits. */
size_t layout_wrap(const char *s, size_t len, int cols);

/* Expand tabs (to 8 columns) and strip a trailing '\r' of one line of
 * body text.  Returns a new string the caller frees. */
char *layout_detab(const char *s, size_t len);

#endif
