/* dotdec.h: push decoder for POP3 multi-line bodies (RFC 1939 3).
 *
 * A byte state machine fed arbitrary chunks; no I/O, no allocation.
 * Removes dot-stuffing only at the start of a line, turns CRLF into LF,
 * keeps bare LF and lone CR, keeps NUL and 8-bit bytes, and stops at the
 * terminating ".\r\n" (or ".\n") line.  Memory is constant. */
#ifndef POPMUCH_DOTDEC_H
#define POPMUCH_DOTDEC_H

#include <stddef.h>

struct dotdec {
	int state;
};

enum dotdec_result {
	DOTDEC_MORE = 0, /* all input consumed, the body goes on */
	DOTDEC_END = 1,	 /* the terminating line was seen */
};

/* Start a new body (the state after the "+OK" status line). */
void dotdec_init(struct dotdec *d);

/* Decode in[0..in_len).  Decoded bytes go to out, which must hold at
 * least in_len + 2 bytes; *out_len_r is set to how many were written.
 * *used_r is set to how many input bytes were consumed: all of them for
 * DOTDEC_MORE, up to and including the terminating line for DOTDEC_END
 * (the rest belongs to the next reply).  After DOTDEC_END, call
 * dotdec_init() before feeding again. */
enum dotdec_result dotdec_feed(struct dotdec *d, const char *in, size_t in_len,
			       char *out, size_t *out_len_r, size_t *used_r);

#endif
