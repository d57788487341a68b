/* parse.h: the small parsers every module shares, with one set of edge
 * rules: decimal numbers are ASCII digits only (no sign, no blank, no
 * "0x", leading zeros allowed), at least one digit, and overflow is an
 * error, never a wrap or a clamp.  Pure: no I/O, no allocation. */
#ifndef POPMUCH_PARSE_H
#define POPMUCH_PARSE_H

#include <stdint.h>

/* The decimal number at the start of s; *end_r points after its last
 * digit.  Returns 0, or -1 (nothing stored) when s does not start with
 * a digit or the number exceeds UINT64_MAX. */
int parse_u64_prefix(const char *s, const char **end_r, uint64_t *v_r);

/* All of s as a decimal number.  Returns 0, or -1 when s is empty, holds
 * anything but digits, or exceeds UINT64_MAX. */
int parse_u64(const char *s, uint64_t *v_r);

/* All of s as a decimal number of at most max.  Returns 0, or -1 as
 * parse_u64() and when it exceeds max. */
int parse_ulong(const char *s, unsigned long max, unsigned long *v_r);

/* All of s as a signed decimal number: an optional '-', then digits as
 * parse_u64().  Returns 0, or -1 when it is not such a number or lies
 * outside [-INT64_MAX, INT64_MAX]. */
int parse_i64(const char *s, int64_t *v_r);

/* The value of a hexadecimal digit (either case), or -1. */
int parse_hexdigit(int c);

/* Nonzero when s can name an entry of a directory we look up or create:
 * not empty, no '/', not "." or "..". */
int parse_basename_ok(const char *s);

/* Quoting rules for parse_word(). */
enum parse_quoting {
	/* the config file's: inside "..." only \" and \\ are escapes, and a
	 * missing closing quote or a character right after it is an error */
	PARSE_QUOTE_STRICT,
	/* netrc's (as ftp and curl read it): a backslash escapes any
	 * character, and an unterminated quote ends at the end of the text */
	PARSE_QUOTE_LENIENT,
};

/* The next word of the text at *s, separated by any of the characters
 * of blanks, or quoted ("a b"); cut out in place (NUL-terminated, quotes
 * and escapes removed), *s moved past it.  Returns the word, or NULL at
 * the end of the text, or NULL with *bad_r set for a bad quote
 * (PARSE_QUOTE_STRICT only). */
char *parse_word(char **s, const char *blanks, enum parse_quoting q,
		 int *bad_r);

#endif
