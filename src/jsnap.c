/* jsnap.c: the journal's snapshot codec (jsnap.h).  A record:
 *
 *     flags (1 byte, JSNAP_*)
 *     uidl length (varint), uidl bytes
 *     size (varint)
 *     first_seen - base (zigzag varint)
 *     hash (JSNAP_HASH bytes)               with JSNAP_HASHED
 *     file length (varint), file bytes      with JSNAP_FILE
 *
 * Varints are LEB128 (7 bits a byte, low first).  A block's last 4
 * bytes are the CRC-32 (zlib's crc32(), little-endian) of its other
 * bytes; every block but the last is JSNAP_BLOCK bytes, padded with 0
 * after its last record. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "popmuch/jsnap.h"
#include "popmuch/parse.h"
#include "popmuch/uidl.h"
#include "popmuch/xmalloc.h"

#define PAYLOAD (JSNAP_BLOCK - 4)
#define REC_MAX (1 + 10 + 1000 + 10 + 10 + JSNAP_HASH + 10 + 255)

_Static_assert(REC_MAX <= PAYLOAD, "a record must fit in a block");

static size_t
put_varint(unsigned char *o, uint64_t v)
{
	size_t n = 0;

	while (v >= 0x80) {
		o[n++] = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	o[n++] = (unsigned char)v;
	return n;
}

/* The varint at p[*off..end); -1 when it is cut or over 64 bits. */
static int
get_varint(const unsigned char *p, size_t end, size_t *off, uint64_t *v_r)
{
	uint64_t v = 0;

	for (unsigned shift = 0; *off < end && shift < 64; shift += 7) {
		unsigned char c = p[(*off)++];

		v |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80)) {
			*v_r = v;
			return 0;
		}
	}
	return -1;
}

static uint32_t
crc_of(const unsigned char *p, size_t len)
{
	return (uint32_t)crc32(0L, p, (uInt)len);
}

static void
put_le32(unsigned char *o, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		o[i] = (unsigned char)(v >> (8 * i));
}

static size_t
encode(unsigned char *o, const struct jsnap_rec *r, int64_t base)
{
	uint64_t d = (uint64_t)r->first_seen - (uint64_t)base;
	size_t n = 0;

	/* zigzag: small distances either side of base stay short */
	d = (d << 1) ^ (uint64_t)(-(int64_t)(d >> 63));
	o[n++] = (unsigned char)(r->flags | JSNAP_RECORD);
	n += put_varint(o + n, r->uidl_len);
	memcpy(o + n, r->uidl, r->uidl_len);
	n += r->uidl_len;
	n += put_varint(o + n, r->size);
	n += put_varint(o + n, d);
	if (r->flags & JSNAP_HASHED) {
		memcpy(o + n, r->hash, JSNAP_HASH);
		n += JSNAP_HASH;
	}
	if (r->flags & JSNAP_FILE) {
		n += put_varint(o + n, r->file_len);
		memcpy(o + n, r->file, r->file_len);
		n += r->file_len;
	}
	return n;
}

static void
reserve(struct jsnap_buf *b, size_t more)
{
	if (b->cap - b->len >= more)
		return;
	while (b->cap - b->len < more)
		b->cap = b->cap ? 2 * b->cap : 64 * 1024;
	b->p = xreallocarray(b->p, 1, b->cap);
}

void
jsnap_end(struct jsnap_buf *b)
{
	if (b->len == b->block)
		return;
	reserve(b, 4);
	put_le32(b->p + b->len, crc_of(b->p + b->block, b->len - b->block));
	b->len += 4;
	b->block = b->len;
}

void
jsnap_put(struct jsnap_buf *b, const struct jsnap_rec *r, int64_t base)
{
	unsigned char rec[REC_MAX];
	size_t n = encode(rec, r, base);

	if (b->len - b->block + n > PAYLOAD) {
		reserve(b, JSNAP_BLOCK);
		memset(b->p + b->len, 0, PAYLOAD - (b->len - b->block));
		b->len = b->block + PAYLOAD;
		jsnap_end(b);
	}
	reserve(b, n);
	memcpy(b->p + b->len, rec, n);
	b->len += n;
}

/* Decode the record at p[*off..end).  Returns 0, or -1 when it is cut
 * or out of range. */
static int
decode(const unsigned char *p, size_t end, size_t *off, int64_t base,
       struct jsnap_rec *r)
{
	uint64_t len, d;

	r->flags = p[(*off)++] & ~(unsigned)JSNAP_RECORD;
	if ((r->flags & JSNAP_STATE) == JSNAP_STATE ||
	    get_varint(p, end, off, &len) != 0 || len == 0 || len > 1000 ||
	    end - *off < len)
		return -1;
	r->uidl = (const char *)p + *off;
	r->uidl_len = (size_t)len;
	*off += (size_t)len;
	if (get_varint(p, end, off, &r->size) != 0 ||
	    get_varint(p, end, off, &d) != 0)
		return -1;
	d = (d >> 1) ^ (uint64_t)(-(int64_t)(d & 1));
	r->first_seen = (int64_t)((uint64_t)base + d);
	if (r->flags & JSNAP_HASHED) {
		if (end - *off < JSNAP_HASH)
			return -1;
		memcpy(r->hash, p + *off, JSNAP_HASH);
		*off += JSNAP_HASH;
	}
	r->file = NULL;
	r->file_len = 0;
	if (r->flags & JSNAP_FILE) {
		if (get_varint(p, end, off, &len) != 0 || len == 0 ||
		    len > 255 || end - *off < len)
			return -1;
		r->file = (const char *)p + *off;
		r->file_len = (size_t)len;
		*off += (size_t)len;
	}
	return 0;
}

/* The records of one block p[0..len), CRC checked.  -1 if damaged. */
static int
read_block(const unsigned char *p, size_t len, int64_t base,
	   int (*fn)(const struct jsnap_rec *r, void *ctx), void *ctx)
{
	uint32_t want = 0;
	struct jsnap_rec r;
	size_t off = 0, end;

	if (len <= 4)
		return -1;
	end = len - 4;
	for (int i = 3; i >= 0; i--)
		want = want << 8 | p[end + (size_t)i];
	if (crc_of(p, end) != want)
		return -1;
	while (off < end && p[off] != 0)
		if (decode(p, end, &off, base, &r) != 0 || fn(&r, ctx) != 0)
			return -1;
	return 0;
}

size_t
jsnap_read(const unsigned char *p, size_t len, int64_t base,
	   int (*fn)(const struct jsnap_rec *r, void *ctx), void *ctx,
	   size_t *first_bad_r)
{
	size_t bad = 0;

	*first_bad_r = 0;
	for (size_t off = 0; off < len; off += JSNAP_BLOCK) {
		size_t n = len - off < JSNAP_BLOCK ? len - off : JSNAP_BLOCK;

		if (read_block(p + off, n, base, fn, ctx) != 0 && bad++ == 0)
			*first_bad_r = off;
	}
	return bad;
}

static int
needs_file(const struct uidl_entry *e)
{
	return e->state == UIDL_PENDING || !(e->indexed || e->refused) ||
	       e->hash == NULL;
}

void
jsnap_put_entry(struct jsnap_buf *b, const struct uidl_entry *e, int64_t base)
{
	struct jsnap_rec r = {.uidl = e->uidl,
			      .uidl_len = strlen(e->uidl),
			      .size = e->size,
			      .first_seen = e->first_seen,
			      .flags = (unsigned)e->state & JSNAP_STATE};

	r.flags |=
	    (e->indexed ? JSNAP_INDEXED : 0) | (e->refused ? JSNAP_REFUSED : 0);
	if (strcmp(e->file, UIDL_NO_FILE) == 0) {
		r.flags |= JSNAP_ADOPTED;
	} else if (e->file[0] != '\0' && needs_file(e)) {
		r.flags |= JSNAP_FILE;
		r.file = e->file;
		r.file_len = strlen(e->file);
	}
	if (e->hash != NULL) {
		r.flags |= JSNAP_HASHED;
		for (size_t i = 0; i < JSNAP_HASH; i++)
			r.hash[i] =
			    (unsigned char)(parse_hexdigit(e->hash[2 * i])
						<< 4 |
					    parse_hexdigit(e->hash[2 * i + 1]));
	}
	jsnap_put(b, &r, base);
}

void
jsnap_hash_hex(const struct jsnap_rec *r, char hex_r[2 * JSNAP_HASH + 1])
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < JSNAP_HASH; i++) {
		hex_r[2 * i] = hex[r->hash[i] >> 4];
		hex_r[2 * i + 1] = hex[r->hash[i] & 15];
	}
	hex_r[2 * JSNAP_HASH] = '\0';
}
