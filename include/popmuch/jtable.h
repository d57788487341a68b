/* jtable.h: the journal's entries in memory (uidl.c): the entries and
 * their strings in one arena (arena.h), so that loading allocates per
 * block, not per UIDL, and a map (strmap.h) from UIDL to entry.  An
 * entry forgotten stays in the arena until the table is cleared or
 * freed, so a pointer to it stays valid until then.  No I/O. */
#ifndef POPMUCH_JTABLE_H
#define POPMUCH_JTABLE_H

#include <stddef.h>

struct jline;
struct jsnap_rec;
struct jtable;
struct uidl_entry;

/* An empty table; free with jtable_free() (NULL is fine). */
struct jtable *jtable_new(void);
void jtable_free(struct jtable **t);

/* Forget every entry and free their memory. */
void jtable_clear(struct jtable *t);

/* Make room for n entries in all. */
void jtable_reserve(struct jtable *t, size_t n);

/* The entry for uidl, or NULL. */
struct uidl_entry *jtable_get(const struct jtable *t, const char *uidl);

/* Number of entries. */
size_t jtable_count(const struct jtable *t);

/* Number of entries not settled: pending, or neither indexed nor
 * refused (kept as they change: no pass over the entries). */
size_t jtable_unsettled(const struct jtable *t);

/* Call fn for each entry (order unspecified); fn must not change t. */
void jtable_foreach(const struct jtable *t,
		    void (*fn)(const struct uidl_entry *e, void *ctx),
		    void *ctx);

/* Call fn for each entry in byte order of the UIDLs (strcmp), the order
 * of a snapshot (uidl.c): a server lists in the order mail arrived, and
 * most servers' UIDLs grow with it (Dovecot's "%08Xu%08Xv", Courier's and
 * Gmail's), so that a listing's lookups read the loaded table in the
 * order it lies in memory.  fn must not change t. */
void jtable_foreach_sorted(const struct jtable *t,
			   void (*fn)(const struct uidl_entry *e, void *ctx),
			   void *ctx);

/* 1 when the snapshot records jtable_load() took since the table was
 * made or cleared were not in that order (a snapshot written before it
 * was kept, or a repeated UIDL), else 0. */
int jtable_loaded_unsorted(const struct jtable *t);

/* Apply a record of the tail (jline.h): an intent replaces any entry of
 * its UIDL, F forgets one, the others change one.  Returns 0, or -1 when
 * it names a UIDL the table does not hold (F of one is fine). */
int jtable_apply(struct jtable *t, const struct jline *r);

/* Add the entry of a snapshot record (a jsnap_read() callback; ctx is
 * the table).  Returns 0, or -1 when the record holds a NUL in its UIDL
 * or a file name that is not a base name. */
int jtable_load(const struct jsnap_rec *r, void *ctx);

/* The entry whose e.uidl is key (an entry's uidl string, as
 * jtable_get() gave it), without a lookup: NULL when that entry has been
 * forgotten since. */
struct uidl_entry *jtable_entry_of(const char *key);

/* The UIDLs of the settled entries (delivered or deleted, and indexed
 * or refused) that are not among the n listed(ctx, 0..n) gives (uidl.h's
 * uidl_listed_fn; NULL ones skipped), in *uidls_r (borrowed strings;
 * the caller frees the array).  A hint that is not the table's entry
 * for that UIDL now is ignored, so a wrong one never leaves a listed
 * UIDL unmarked.  Returns their number. */
size_t jtable_unlisted(struct jtable *t, size_t n,
		       const char *(*listed)(void *ctx, size_t i,
					     const struct uidl_entry **hint_r),
		       void *ctx, const char ***uidls_r);

#endif
