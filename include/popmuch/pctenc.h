/* pctenc.h: the %XX encoding of the journal's fields (uidl.c): bytes
 * 0x21..0x7e other than '%' stand for themselves, every other byte is
 * '%' and two upper-case hex digits, so that any UIDL or file name
 * becomes one token without blanks, and NUL never comes back.  Pure: no
 * I/O, no allocation. */
#ifndef POPMUCH_PCTENC_H
#define POPMUCH_PCTENC_H

#include <stddef.h>

/* The longest encoding of a string of n bytes, without its NUL. */
#define PCTENC_MAX(n) (3 * (n))

/* Write the encoding of s to out (room for PCTENC_MAX(strlen(s)) + 1)
 * and NUL-terminate it.  Returns its length. */
size_t pctenc_encode(char *out, const char *s);

/* Decode s in place (either case of hex digits).  Returns 0, or -1 on a
 * bad escape or one that stands for NUL (s is then undefined). */
int pctenc_decode(char *s);

#endif
