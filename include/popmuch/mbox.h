/* mbox.h: a streaming reader for mbox files (mboxo, mboxrd, mboxcl,
 * mboxcl2), as mutt, Thunderbird, Evolution, procmail and Gmail's
 * Takeout write them.
 *
 * Memory does not depend on the file's or a message's size: messages
 * are handed to a sink in pieces (whole lines where they fit in the
 * 64 KB buffer).  See mbox.c for the rules that find message starts. */
#ifndef POPMUCH_MBOX_H
#define POPMUCH_MBOX_H

#include <stddef.h>
#include <stdint.h>

#include "popmuch/err.h"

struct mbox;

/* Receives the bytes of one message, in order (the From_ line removed,
 * mboxrd/mboxo ">From " quoting undone).  A status other than PM_OK
 * stops mbox_next(), which returns it. */
typedef enum pm_status (*mbox_sink_fn)(void *ctx, const char *buf, size_t len,
				       struct pm_err *err);

/* Does buf (the first bytes of a file) look like an mbox: optional
 * blank lines, then a "From " line, and no NUL byte?  1 or 0. */
int mbox_sniff(const char *buf, size_t len);

/* Open the mbox file at path for reading.  Caller frees with mbox_free.
 * Returns: PM_OK; PM_IOERR naming the path when it cannot be opened;
 * PM_DATAERR when it is not an mbox file (binary, or no "From " line
 * first). */
enum pm_status mbox_open(const char *path, struct mbox **mb_r,
			 struct pm_err *err);

/* Hand the next message to sink.  *more_r is 1 when a message was read,
 * 0 at the end of the file (nothing handed over).
 * Returns: PM_OK; PM_DATAERR when the file ends inside the message (no
 * final newline, or fewer body bytes than its valid Content-Length):
 * the sink has had the partial message, which the caller should
 * discard; PM_IOERR on a read error (either way err names the file and
 * the byte offset); or the sink's own status, which stops it. */
enum pm_status mbox_next(struct mbox *mb, mbox_sink_fn sink, void *ctx,
			 int *more_r, struct pm_err *err);

/* The current message's From_ line without "From " and the newline
 * (borrowed until the next mbox_next; at most 255 bytes). */
const char *mbox_envelope(const struct mbox *mb);
/* Byte offset of the current message's From_ line; bytes read so far;
 * the file's size. */
uint64_t mbox_msg_offset(const struct mbox *mb);
uint64_t mbox_bytes_read(const struct mbox *mb);
uint64_t mbox_size(const struct mbox *mb);

void mbox_free(struct mbox **mb);

#endif
