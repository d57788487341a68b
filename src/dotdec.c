/* dotdec.c: push decoder for POP3 multi-line bodies (RFC 1939 3).
 *
 * The state is where we are on the current line:
 *
 *   BOL     at the start of a line (after "+OK", LF or CRLF)
 *   DOT     a "." at the start of a line, not yet decided
 *   DOT_CR  ".\r" at the start of a line: ".\r\n" ends the body
 *   TEXT    inside a line
 *   CR      a CR inside a line (or at its start), held back: CRLF is
 *           a line end and becomes LF, a CR followed by anything else
 *           is kept as a CR byte
 *   END     the terminating line was seen
 *
 * A "." at the start of a line is the termination octet and is always
 * stripped (RFC 1939 3): ".." becomes ".", ".x" becomes "x", and ".\rX"
 * becomes "\rX" (that line is not the terminator).  See doc/DEVIATIONS.md.
 * At most one byte (a CR) is ever held back, so out needs in_len + 1. */
#include "config.h"

#include <string.h>

#include "popmuch/dotdec.h"

enum {
	S_BOL = 0,
	S_DOT,
	S_DOT_CR,
	S_TEXT,
	S_CR,
	S_END,
};

void
dotdec_init(struct dotdec *d)
{
	d->state = S_BOL;
}

/* Copy the run of ordinary line bytes at in[i..) to out; returns how many
 * bytes were copied (stops before CR or LF). */
static size_t
copy_text(const char *in, size_t i, size_t in_len, char *out, size_t o)
{
	size_t n = 0;

	while (i + n < in_len && in[i + n] != '\r' && in[i + n] != '\n')
		n++;
	memcpy(out + o, in + i, n);
	return n;
}

/* One byte in TEXT (or after a CR was resolved): returns the new state. */
static int
text_byte(char c, char *out, size_t *o)
{
	if (c == '\r')
		return S_CR;
	out[(*o)++] = c;
	return c == '\n' ? S_BOL : S_TEXT;
}

/* One byte in a state other than TEXT and END.  Returns the new state;
 * S_END means c was the last byte of the terminating line. */
static int
step(int state, char c, char *out, size_t *o)
{
	switch (state) {
	case S_BOL:
		if (c == '.')
			return S_DOT;
		return text_byte(c, out, o);
	case S_DOT:
		if (c == '\n')
			return S_END;
		if (c == '\r')
			return S_DOT_CR;
		/* ".." → "."; ".x" → "x": the leading dot is stripped */
		out[(*o)++] = c;
		return S_TEXT;
	case S_DOT_CR:
		if (c == '\n')
			return S_END;
		/* ".\rX": not the end; the dot goes, the CR stays */
		out[(*o)++] = '\r';
		return text_byte(c, out, o);
	case S_CR:
		if (c == '\n') {
			out[(*o)++] = '\n';
			return S_BOL;
		}
		out[(*o)++] = '\r';
		return text_byte(c, out, o);
	default:
		return text_byte(c, out, o);
	}
}

enum dotdec_result
dotdec_feed(struct dotdec *d, const char *in, size_t in_len, char *out,
	    size_t *out_len_r, size_t *used_r)
{
	size_t i = 0, o = 0;
	int state = d->state;

	while (i < in_len && state != S_END) {
		if (state == S_TEXT) {
			size_t n = copy_text(in, i, in_len, out, o);

			i += n;
			o += n;
			if (i == in_len)
				break;
		}
		state = step(state, in[i++], out, &o);
	}
	d->state = state;
	*out_len_r = o;
	*used_r = i;
	return state == S_END ? DOTDEC_END : DOTDEC_MORE;
}
