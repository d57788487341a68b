/* jline.h: the text lines of the journal (doc/HACKING.md, "The journal
 * on disk"): its header line and the records of its tail, each ending
 * in " *XXXXXXXX", the CRC-32 of what precedes it.  Pure: no I/O, no
 * allocation; parsing works in place in the caller's line. */
#ifndef POPMUCH_JLINE_H
#define POPMUCH_JLINE_H

#include <stddef.h>
#include <stdint.h>

#define JLINE_MAX 4096	    /* a line, encoded, with its CRC and newline */
#define JLINE_UIDL_MAX 1000 /* raw bytes; pop3 limits to 70 anyway */
#define JLINE_FILE_MAX 255  /* a file name */

/* One record of the tail:
 *   I <uidl> <size> <first_seen> <file> <hash or ->   intent
 *   D, N, R, X, F <uidl>     delivered, indexed, refused, deleted, forgotten
 *   S <uidl> <size>          verified again, LIST size now <size> */
struct jline {
	char type;
	const char *uidl;   /* decoded: any bytes but NUL, 1..1000 */
	uint64_t size;	    /* I, S */
	int64_t first_seen; /* I */
	const char *file;   /* I: a base name of up to 255 bytes */
	const char *hash;   /* I: hex digits (16, or 32 before version 3),
			     * NULL for "-" or a version 1 intent */
};

/* The header line: "popmuch-journal 1" (no mailbox), "popmuch-journal
 * 2 <mailbox>", or "popmuch-journal 3 <mailbox> <snapshot bytes>
 * <entries> <base time>". */
struct jline_header {
	int version;
	const char *mailbox; /* decoded; NULL for version 1 */
	uint64_t snap_len, count;
	int64_t base;
};

/* Parse the record in line[0..len) (NUL-terminated there, no newline),
 * in place.  Returns 0, or -1 for a bad CRC or bad syntax. */
int jline_parse(char *line, size_t len, struct jline *r_r);

/* Format r with its CRC and newline into buf (JLINE_MAX bytes).
 * Returns its length. */
size_t jline_format(char *buf, const struct jline *r);

/* Parse the header line as jline_parse() does.  Returns 0; -1 when it
 * is damaged (bad CRC, not a journal); 1 when it is sound but of a
 * version this popmuch does not know (line then holds it, CRC cut). */
int jline_parse_header(char *line, size_t len, struct jline_header *h_r);

/* Format a version 3 header (mailbox NULL: "-") into buf (JLINE_MAX).
 * Returns its length. */
size_t jline_format_header(char *buf, const char *mailbox, uint64_t snap_len,
			   uint64_t count, int64_t base);

/* Is h hex digits (lower case) of length 16 or 32? */
int jline_hash_ok(const char *h);

#endif
