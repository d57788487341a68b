/* jfile.h: the journal's file (uidl.c): appends that leave no partial
 * record behind, fdatasync whose failure is sticky, and "<path>.len",
 * the inode and length last synced, by which a cut journal is told from
 * a torn append (doc/HACKING.md). */
#ifndef POPMUCH_JFILE_H
#define POPMUCH_JFILE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "popmuch/err.h"

struct jfile {
	const char *path;      /* borrowed */
	int fd;		       /* O_APPEND; -1 when closed */
	off_t size;	       /* bytes we know of */
	int dirty;	       /* appended since the last sync */
	enum pm_status broken; /* sticky after a failed write or sync */
};

/* Write all of buf at the end of the file.  On failure the file is cut
 * back to f->size, so that no partial record remains.
 * Returns: PM_OK; the file statuses of fsutil_errno_status(); f->broken
 * after an earlier failure. */
enum pm_status jfile_append(struct jfile *f, const char *buf, size_t len,
			    struct pm_err *err);

/* fdatasync what was appended; then, when note is set, record the
 * inode and length in <path>.len (no fsync of its own: a lost update
 * only understates).  A failed sync makes the file unusable for good:
 * the kernel may have dropped its dirty pages.
 * Returns: PM_OK; the file statuses; f->broken after an earlier
 * failure. */
enum pm_status jfile_sync(struct jfile *f, int note, struct pm_err *err);

/* Record the inode and length now in <path>.len. */
void jfile_note_length(const struct jfile *f);

/* The length <path>.len records for the file open on fd, when it is
 * more than len (the file was cut).  Returns 1 with *was_r set, or 0. */
int jfile_was_longer(const char *path, int fd, off_t len, uint64_t *was_r);

/* Up to max bytes (SIZE_MAX: all) of the file open on fd from offset
 * off, NUL-terminated (caller frees); fewer at its end.
 * Returns: PM_OK; PM_IOERR when it cannot be read. */
enum pm_status jfile_read_at(int fd, const char *path, off_t off, size_t max,
			     char **buf_r, size_t *len_r, struct pm_err *err);

/* Create path (0600, truncated, not through a link) holding a[0..alen)
 * then b[0..blen), and fsync it.  Returns: PM_OK; the file statuses
 * (path is then removed). */
enum pm_status jfile_write_new(const char *path, const void *a, size_t alen,
			       const void *b, size_t blen, struct pm_err *err);

#endif
