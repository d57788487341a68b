/* uidl.h: the per-account UIDL journal and the account lock.
 *
 * State lives in one directory per account ($XDG_STATE_HOME/popmuch/<acct>/):
 * "lock" (flock, never renamed or removed: lockfile.h) and "journal": a
 * compact snapshot of one binary record per entry and an append-only
 * tail of text records, each with a CRC; compacted by rewrite to a
 * temporary file + fsync + rename + fsync of the directory.  The format
 * is in doc/HACKING.md ("The journal on disk").
 *
 * Delivery protocol (see doc/HACKING.md): the caller syncs the messages
 * of a batch in tmp/, calls uidl_intent_nosync() for each and then
 * uidl_sync() once, renames them into new/, then calls uidl_delivered()
 * for each (durable at the next uidl_sync()).
 * After a crash, uidl_open() reports intents without a delivered record
 * as UIDL_PENDING entries; the caller completes or drops them.
 *
 * Not thread-safe: one thread uses a uidl_db at a time. */
#ifndef POPMUCH_UIDL_H
#define POPMUCH_UIDL_H

#include <stddef.h>
#include <stdint.h>

#include "popmuch/err.h"

struct uidl_db;

enum uidl_state {
	UIDL_PENDING = 0, /* intent recorded, delivery not confirmed */
	UIDL_DELIVERED,	  /* file durable in new/ (or moved on to cur/) */
	UIDL_DELETED,	  /* delivered, then deleted on the server (QUIT
			   * +OK); forgotten once the server stops listing
			   * it, verified again if it still does */
};

/* The file of an entry adopted from another client's record (mpop,
 * fetchmail, getmail6): popmuch knows the message was downloaded, but
 * holds no copy it could check, so it never deletes it. */
#define UIDL_NO_FILE "-"

/* The header hash the journal keeps: the first 64 bits (16 hex digits)
 * of hdrhash.h's; compare that many digits (doc/HACKING.md says why 64
 * bits are enough). */
#define UIDL_HASH_HEX 16

struct uidl_entry {
	const char *uidl;   /* raw server UIDL (any bytes but NUL) */
	uint64_t size;	    /* server's LIST size when recorded */
	int64_t first_seen; /* unix time of the download */
	const char *file;   /* Maildir base name "<unique>,S=<n>";
			     * UIDL_NO_FILE when adopted; "" once nothing
			     * needs it (indexed or refused, and hashed):
			     * the snapshot does not keep it */
	const char *hash;   /* header hash, UIDL_HASH_HEX digits; NULL if
			     * unknown (recorded before journal 2) */
	/* (bit-fields: 8 bytes less for each of 100,000 entries) */
	unsigned state : 2;   /* enum uidl_state */
	unsigned indexed : 1; /* notmuch has it */
	unsigned refused : 1; /* notmuch refused the file (not email) */
};

/* Create dir (0700, parents too) if needed, take the lock (waiting for
 * it when wait is set, else PM_LOCKED naming the holder's pid if known)
 * and load the journal of mailbox ("user@host:port"; NULL accepts any).
 * A journal that speaks for another mailbox is set aside and this
 * mailbox's own is taken up (uidl_switched() says so); a journal
 * without a mailbox (version 1) is taken as this one's and rewritten.
 * A damaged journal (bad records, or shorter than it was last synced)
 * loads what is valid and sets uidl_damaged().  The caller frees with
 * uidl_free(), which unlocks.
 * Returns: PM_OK; PM_LOCKED; PM_DATAERR for a journal format this
 * popmuch does not know; PM_CANTCREAT, PM_IOERR, PM_NOSPACE (and the
 * other file statuses of fsutil_errno_status()) for the files. */
enum pm_status uidl_open(const char *dir, const char *mailbox, int wait,
			 struct uidl_db **db_r, struct pm_err *err);

/* uidl_open() in two steps, so that a caller may do other work (such
 * as connecting) once the lock is held and before the journal is read:
 * uidl_lock() creates dir and takes the lock, as uidl_open() does, and
 * returns a db on which only uidl_load() and uidl_free() may be called;
 * uidl_load() then reads the journal as uidl_open() does.  A db whose
 * uidl_load() failed may only be freed.
 * Returns: uidl_lock(): PM_OK; PM_LOCKED; the file statuses of
 * fsutil_errno_status().  uidl_load(): PM_OK; PM_DATAERR, PM_CANTCREAT,
 * PM_IOERR, PM_NOSPACE (and the other file statuses) as uidl_open(). */
enum pm_status uidl_lock(const char *dir, const char *mailbox, int wait,
			 struct uidl_db **db_r, struct pm_err *err);
enum pm_status uidl_load(struct uidl_db *db, struct pm_err *err);

/* Non-NULL (borrowed) when uidl_open() set another mailbox's journal
 * aside: a sentence for a warning. */
const char *uidl_switched(const struct uidl_db *db);

/* Load the journal in dir for reading only: nothing is created, locked
 * or repaired, so a running fetch is never disturbed.  *running_r is set
 * when a live popmuch holds the account (from the pid in "lock").  A
 * missing journal loads as empty.  Only lookups, counts and
 * uidl_foreach() may be used on the result; free with uidl_free(). */
enum pm_status uidl_open_readonly(const char *dir, const char *mailbox,
				  struct uidl_db **db_r, int *running_r,
				  struct pm_err *err);

/* Nonzero when loading skipped damaged records; *why_r (borrowed) says
 * what and where.  Callers must then delete nothing on the server. */
int uidl_damaged(const struct uidl_db *db, const char **why_r);

/* Look up a UIDL; NULL when unknown.  Borrowed: it reflects later
 * changes of the entry and stays valid until the UIDL is forgotten;
 * its uidl string stays valid and unchanged until uidl_free(), and is
 * the same pointer for the same UIDL until then unless the UIDL is
 * forgotten and recorded again. */
const struct uidl_entry *uidl_lookup(const struct uidl_db *db,
				     const char *uidl);

/* The entry whose uidl string is key (the e->uidl of an entry of db, as
 * uidl_lookup() gave it: not any string), without a lookup; NULL when
 * that entry has been forgotten since (uidl_lookup() then says whether
 * the UIDL was recorded again). */
const struct uidl_entry *uidl_entry_of(const struct uidl_db *db,
				       const char *key);

/* Number of entries. */
size_t uidl_count(const struct uidl_db *db);

/* Number of entries not settled: pending, or delivered (or deleted) but
 * neither indexed nor refused (what recovery settles; no pass over the
 * entries). */
size_t uidl_unsettled(const struct uidl_db *db);

/* Call fn for each entry (order unspecified).  fn must not change db. */
void uidl_foreach(const struct uidl_db *db,
		  void (*fn)(const struct uidl_entry *e, void *ctx), void *ctx);

/* Record the intent to deliver file for uidl (replacing any entry for
 * it), with its header hash (hdrhash.h's 32 digits or the journal's 16;
 * NULL: none).  Not synced: the intents of a
 * batch are made durable by one uidl_sync(), which must come before the
 * files are renamed into new/ (deliver.c's group commit).
 * Returns: PM_OK; PM_DATAERR for an empty UIDL or one over 1000 bytes;
 * PM_SOFTWARE for a bad file name or hash; the file statuses
 * (fsutil_errno_status()) when the journal cannot be written. */
enum pm_status uidl_intent_nosync(struct uidl_db *db, const char *uidl,
				  uint64_t size, int64_t first_seen,
				  const char *file, const char *hhash,
				  struct pm_err *err);

/* Mark uidl delivered / indexed.  Durable at the next uidl_sync(). */
enum pm_status uidl_delivered(struct uidl_db *db, const char *uidl,
			      struct pm_err *err);
enum pm_status uidl_indexed(struct uidl_db *db, const char *uidl,
			    struct pm_err *err);

/* Mark uidl deleted on the server (after QUIT +OK) / refused by notmuch.
 * Durable at the next uidl_sync().  Returns: PM_OK; PM_SOFTWARE for an
 * unknown UIDL; the file statuses. */
enum pm_status uidl_deleted(struct uidl_db *db, const char *uidl,
			    struct pm_err *err);
enum pm_status uidl_refused(struct uidl_db *db, const char *uidl,
			    struct pm_err *err);

/* The server still lists uidl and its header was verified to be the
 * stored message's: record its LIST size now, and delivered again if it
 * was marked deleted.  Returns: PM_OK; PM_SOFTWARE for a UIDL not
 * delivered; the file statuses. */
enum pm_status uidl_confirmed(struct uidl_db *db, const char *uidl,
			      uint64_t size, struct pm_err *err);

/* Forget uidl (deleted on the server, or intent that never completed). */
enum pm_status uidl_forget(struct uidl_db *db, const char *uidl,
			   struct pm_err *err);

/* The i-th UIDL the server lists (NULL: none), and in *hint_r an entry
 * that may be its own (NULL: none), to spare a lookup. */
typedef const char *uidl_listed_fn(void *ctx, size_t i,
				   const struct uidl_entry **hint_r);

/* Forget every UIDL that is settled (delivered or deleted, and indexed
 * or refused) and not among the n that listed(ctx, 0..n) gives: the
 * server no longer has it, so a later message that reuses the UIDL is
 * new.  A hint that is not the journal's entry for that UIDL now
 * (forgotten since, or another UIDL's) is ignored, so no listed UIDL is
 * ever forgotten whatever the hints.  Durable at the next uidl_sync().
 * Returns: PM_OK; the file statuses. */
enum pm_status uidl_prune(struct uidl_db *db, size_t n, uidl_listed_fn *listed,
			  void *ctx, struct pm_err *err);

/* fsync the journal. */
enum pm_status uidl_sync(struct uidl_db *db, struct pm_err *err);

/* Rewrite the journal as a snapshot of its live entries when its tail
 * has grown to more than an eighth of the snapshot (or always with
 * force); a damaged journal only with force.  Returns: PM_OK; the file
 * statuses. */
enum pm_status uidl_compact(struct uidl_db *db, int force, struct pm_err *err);

/* Sync, unlock, free; NULL is fine. */
void uidl_free(struct uidl_db **db);

#endif
