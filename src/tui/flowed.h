/* flowed.h: decoding format=flowed text (RFC 3676) for the pager.
 *
 * Hand-written: GMime has no format=flowed decoder (its filters encode
 * and decode transfer encodings and charsets, not RFC 3676). */
#ifndef POPMUCH_TUI_FLOWED_H
#define POPMUCH_TUI_FLOWED_H

/* Join the soft line breaks of text (UTF-8, lines ending in "\n" or
 * "\r\n"): a line ending in a space continues on the next line of the
 * same quote depth; space-stuffing is undone; with delsp the space of a
 * soft break is deleted too (DelSp=yes).  A quoted paragraph comes out
 * as one line starting with its depth of ">" and a space; the "-- "
 * signature separator stays a line.  Returns a new string (free()). */
char *flowed_decode(const char *text, int delsp);

#endif
