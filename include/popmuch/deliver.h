/* deliver.h: the group commit of retrieved messages into the Maildir
 * and the journal (doc/HACKING.md, step 6).
 *
 * A delivery receives messages one after the other (begin, data*, end);
 * each complete message is fsynced in tmp/ and waits in the batch.
 * delivery_flush() then delivers the whole batch in the order the rule
 * needs for every message: each intent appended and the journal synced
 * once, each file renamed into new/, new/ synced once, each delivered
 * record appended, and the caller told.  Nothing here talks to a server:
 * the caller decides when what waits may be trusted (after a fence) or
 * must be dropped (delivery_discard()).
 *
 * Not thread-safe: one thread uses a delivery at a time. */
#ifndef POPMUCH_DELIVER_H
#define POPMUCH_DELIVER_H

#include <stddef.h>
#include <stdint.h>

#include "popmuch/err.h"
#include "popmuch/hdrhash.h"

#define DELIVER_BATCH 64	       /* messages per group commit */
#define DELIVER_BATCH_BYTES (8u << 20) /* or this many bytes */

struct delivery;
struct maildir;
struct uidl_db;

/* One delivered message, as delivery_flush() reports it. */
struct delivered {
	const char *uidl; /* NULL without UIDL (borrowed from begin's) */
	const char *name; /* base name in new/ */
	const char *path; /* full path in new/ */
	const char *hash; /* header hash */
	uint64_t size;	  /* bytes stored */
	size_t tag;	  /* what delivery_begin() was given */
	int mail;	  /* starts like a message (hdrhash.h): else
			   * notmuch will likely refuse it */
};

/* A delivery into md recording in db (first-seen time now).  Borrows
 * both; free with delivery_free(). */
struct delivery *delivery_new(struct maildir *md, struct uidl_db *db,
			      int64_t now);

/* A message begins: a new file in tmp/.  uidl (may be NULL: no journal
 * record) and list_size are borrowed until the message is delivered or
 * dropped.  Returns: PM_OK; the maildir statuses (PM_CANTCREAT...). */
enum pm_status delivery_begin(struct delivery *d, const char *uidl,
			      uint64_t list_size, size_t tag,
			      struct pm_err *err);

/* Bytes of the message.  Returns: PM_OK; PM_NOSPACE, PM_IOERR. */
enum pm_status delivery_data(struct delivery *d, const char *buf, size_t len,
			     struct pm_err *err);

/* The message is complete: fsync it and put it in the batch, which must
 * not be full (delivery_full(): flush first).
 * Returns: PM_OK; the file statuses. */
enum pm_status delivery_end(struct delivery *d, struct pm_err *err);

/* Drop the message being received, if any (its tmp file removed). */
void delivery_drop_current(struct delivery *d);

/* Messages waiting in the batch, and whether it is full. */
size_t delivery_waiting(const struct delivery *d);
int delivery_full(const struct delivery *d);

/* Drop the waiting messages (their tmp files removed): they are not
 * trusted. */
void delivery_discard(struct delivery *d);

/* Deliver the waiting messages (see the top).  done() is called for
 * each message once its delivered record is appended (durable at the
 * next uidl_sync()).  On an error, a message already renamed stays in
 * new/, where recovery finds it by its intent; one not yet renamed is
 * removed from tmp/ (it is fetched again); none is waiting any more.
 * Returns: PM_OK; the file statuses of the journal and the Maildir. */
enum pm_status delivery_flush(struct delivery *d,
			      void (*done)(void *ctx,
					   const struct delivered *m),
			      void *ctx, struct pm_err *err);

/* Drop whatever waits and free; NULL is fine. */
void delivery_free(struct delivery **d);

#endif
