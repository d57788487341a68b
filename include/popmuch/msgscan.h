/* msgscan.h: one message streamed through: what import needs to know
 * of it (Message-ID, Date, flags, a body hash, the SHA-1 notmuch would
 * give it without a Message-ID), with mbox-only status headers dropped
 * on the way to the output.  Memory is bounded (a header field longer
 * than 16 KB is passed on unparsed). */
#ifndef POPMUCH_MSGSCAN_H
#define POPMUCH_MSGSCAN_H

#include <stddef.h>
#include <stdint.h>

#include "popmuch/err.h"

/* Maildir flags, as bits. */
enum {
	MSGSCAN_DRAFT = 1 << 0,	  /* D */
	MSGSCAN_FLAGGED = 1 << 1, /* F */
	MSGSCAN_PASSED = 1 << 2,  /* P */
	MSGSCAN_REPLIED = 1 << 3, /* R */
	MSGSCAN_SEEN = 1 << 4,	  /* S */
	MSGSCAN_TRASHED = 1 << 5, /* T */
};

#define MSGSCAN_HASH_SIZE 32

struct msgscan;

/* Where the message's bytes go (NULL: nowhere). */
typedef enum pm_status (*msgscan_out_fn)(void *ctx, const char *buf, size_t len,
					 struct pm_err *err);

/* strip: drop the header fields only an mbox gives meaning to (Status,
 * X-Status, X-Mozilla-Status, X-Mozilla-Status2, Content-Length); their
 * meaning goes into the flags.  Caller frees with msgscan_free. */
struct msgscan *msgscan_new(msgscan_out_fn out, void *ctx, int strip);
/* Start a new message (forgets the last one). */
void msgscan_reset(struct msgscan *s);
/* The next bytes of the message, in any pieces.  Returns what out
 * returns. */
enum pm_status msgscan_feed(struct msgscan *s, const char *buf, size_t len,
			    struct pm_err *err);
/* The message ended: flush what is held.  Returns what out returns. */
enum pm_status msgscan_finish(struct msgscan *s, struct pm_err *err);

/* After msgscan_finish, borrowed until the next reset: */
/* The Message-ID without "<>" as notmuch stores it, or NULL. */
const char *msgscan_message_id(const struct msgscan *s);
/* The Date header's value (unfolded), or NULL. */
const char *msgscan_date(const struct msgscan *s);
/* MSGSCAN_* bits from Status, X-Status and X-Mozilla-Status. */
unsigned msgscan_flags(const struct msgscan *s);
/* SHA-256 of the body (after the header block), with CRs and trailing
 * newlines left out: the same text stored as mbox, Maildir or CRLF gets
 * the same hash. */
const uint8_t *msgscan_body_hash(const struct msgscan *s);
/* Hex SHA-1 of the bytes that went to out (as notmuch computes it for
 * "notmuch-sha1-..." ids). */
const char *msgscan_sha1_hex(const struct msgscan *s);
/* Bytes that went to out. */
uint64_t msgscan_size(const struct msgscan *s);

/* The body hash of the message in the file at path (read with the same
 * rules).  Returns: PM_OK, PM_IOERR naming the file. */
enum pm_status msgscan_file_hash(const char *path,
				 uint8_t hash_r[MSGSCAN_HASH_SIZE],
				 struct pm_err *err);

/* Maildir flag letters of bits ("FS"), in ASCII order; buf >= 7 bytes. */
void msgscan_flag_letters(unsigned flags, char *buf);
/* The bits of Maildir flag letters (unknown letters are ignored). */
unsigned msgscan_parse_letters(const char *letters);

void msgscan_free(struct msgscan **s);

#endif
