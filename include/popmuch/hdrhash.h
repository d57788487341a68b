/* hdrhash.h: a hash of a message's header block, to tell whether two
 * copies are the same message.
 *
 * popmuch records it when a message is delivered and compares it with
 * what "TOP n 0" returns before it trusts that the message the server
 * now lists under a known UIDL is the one it stored (doc/HACKING.md,
 * the rule for DELE).  The header is what the server sends up to the
 * first empty line, CRLF read as LF, without the fields servers add or
 * change while a message sits in a mailbox (X-UIDL, Status, X-Status,
 * X-Keywords, X-IMAP, X-IMAPbase, X-UID, X-Mozilla-Status,
 * X-Mozilla-Status2,
 * Content-Length, Lines) and their continuation lines.  SHA-256,
 * truncated to 128 bits, as 32 lower-case hex digits.
 *
 * A push interface, fed the decoded bytes in chunks of any size; no I/O
 * but hdrhash_file(). */
#ifndef POPMUCH_HDRHASH_H
#define POPMUCH_HDRHASH_H

#include <stddef.h>

#include <nettle/sha2.h>

#define HDRHASH_HEX 32	  /* hex digits */
#define HDRHASH_LINE 1024 /* bytes of a line looked at for its name */

struct hdrhash {
	struct sha256_ctx sha;
	char line[HDRHASH_LINE];
	size_t len;    /* bytes in line */
	int long_line; /* the line overflowed: the rest goes straight in */
	int held_cr;   /* a CR of a long line waits for the next byte */
	int keep;      /* the current field is hashed */
	int done;      /* the empty line was seen */
	int lines;     /* header lines seen */
	int mail;      /* the first line is a header field ("Name: ...") */
};

void hdrhash_init(struct hdrhash *h);

/* Feed the next decoded bytes (LF or CRLF line ends).  Bytes after the
 * end of the header are ignored. */
void hdrhash_feed(struct hdrhash *h, const char *buf, size_t len);

/* After hdrhash_final(): does what was fed start like a message (its
 * first line a header field)?  notmuch refuses files that do not. */
int hdrhash_looks_like_mail(const struct hdrhash *h);

/* The hash of what was fed, as a NUL-terminated hex string. */
void hdrhash_final(struct hdrhash *h, char hex_r[HDRHASH_HEX + 1]);

/* The hash of the header of the file at path, and (mail_r, may be NULL)
 * whether it starts like a message.  Returns 0, or -1 with errno set
 * when the file cannot be read. */
int hdrhash_file(const char *path, char hex_r[HDRHASH_HEX + 1], int *mail_r);

/* Is the file at path a stored copy of the message whose header hashes
 * to want?  Yes when its header hashes to want, or does so without a
 * leading run of the fields a delivery agent adds on top of the header
 * it received (an mbox "From " line, then Received, Return-Path,
 * Delivered-To, X-Original-To: what mpop, fetchmail and getmail6 write
 * into the copies they deliver) within its first HDRHASH_TRACE_MAX
 * bytes.
 * Returns: 1 when it is, 0 when not, -1 with errno set when the file
 * cannot be read. */
#define HDRHASH_TRACE_MAX (64u << 10)
int hdrhash_file_matches(const char *path, const char want[HDRHASH_HEX + 1]);

#endif
