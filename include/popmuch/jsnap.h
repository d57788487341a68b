/* jsnap.h: the snapshot of journal version 3 (doc/HACKING.md, "The
 * journal on disk"): one compact binary record per entry, in blocks of
 * JSNAP_BLOCK bytes, each ending in the CRC-32 of what precedes it in
 * the block, so that a damaged block costs its own records only and the
 * next block is found at a known offset.  Pure: no I/O. */
#ifndef POPMUCH_JSNAP_H
#define POPMUCH_JSNAP_H

#include <stddef.h>
#include <stdint.h>

/* Bytes of a block, its CRC included: more than the longest record (a
 * 1000-byte UIDL and a 255-byte file name). */
#define JSNAP_BLOCK 2048
#define JSNAP_HASH 8 /* bytes of the header hash a record keeps */

/* A record's flags byte. */
enum {
	JSNAP_STATE = 0x03,   /* enum uidl_state */
	JSNAP_INDEXED = 0x04, /* notmuch has it */
	JSNAP_REFUSED = 0x08, /* notmuch refused the file */
	JSNAP_HASHED = 0x10,  /* hash[] holds the header hash */
	JSNAP_FILE = 0x20,    /* file[] holds the Maildir file name */
	JSNAP_ADOPTED = 0x40, /* adopted from a peer: no file */
	JSNAP_RECORD = 0x80,  /* always set: a 0 byte ends a block */
};

struct jsnap_rec {
	const char *uidl; /* not NUL-terminated */
	size_t uidl_len;
	const char *file; /* with JSNAP_FILE; not NUL-terminated */
	size_t file_len;
	uint64_t size;
	int64_t first_seen;
	unsigned char hash[JSNAP_HASH]; /* with JSNAP_HASHED */
	unsigned flags;
};

/* A snapshot being written: p[0..len), the open block from block on. */
struct jsnap_buf {
	unsigned char *p;
	size_t len, cap, block;
};

/* Append r (uidl_len 1..1000, file_len up to 255) to the snapshot in b,
 * first_seen stored relative to base; seal the open block first when r
 * does not fit in it.  b starts zeroed; free b->p. */
void jsnap_put(struct jsnap_buf *b, const struct jsnap_rec *r, int64_t base);

struct uidl_entry;

/* Append the record of e as jsnap_put() does.  Its file is kept only
 * while something may need it (uidl.h): pending, not yet indexed nor
 * refused, or without a header hash to check it by. */
void jsnap_put_entry(struct jsnap_buf *b, const struct uidl_entry *e,
		     int64_t base);

/* The hash of r (with JSNAP_HASHED) as lower-case hex. */
void jsnap_hash_hex(const struct jsnap_rec *r, char hex_r[2 * JSNAP_HASH + 1]);

/* Seal the last block (no padding: the last block may be short). */
void jsnap_end(struct jsnap_buf *b);

/* Call fn for each record of each block of p[0..len) whose CRC holds
 * (first_seen relative to base, as written).  A block with a bad CRC,
 * or one with a record that does not decode or that fn refuses
 * (returns nonzero), is damaged: what is left of it is skipped.
 * Returns: the number of damaged blocks; *first_bad_r is the offset of
 * the first. */
size_t jsnap_read(const unsigned char *p, size_t len, int64_t base,
		  int (*fn)(const struct jsnap_rec *r, void *ctx), void *ctx,
		  size_t *first_bad_r);

#endif
