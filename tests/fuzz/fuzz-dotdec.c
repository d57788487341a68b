/* fuzz-dotdec.c: libFuzzer harness for the body decoder.
 *
 * The input is decoded as a sequence of bodies (dotdec_init() after each
 * DOTDEC_END), once whole and once in chunks whose sizes come from the
 * input itself.  Both ways must give the same bytes, the same results
 * and the same consumed counts; abort() otherwise.  The first body is
 * also checked against a line-at-a-time reference model.  Every output
 * buffer is exactly in_len + 2 bytes, so a write past it trips ASan. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "popmuch/dotdec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct trace {
	char *out; /* all decoded bytes, bodies concatenated */
	size_t out_len;
	size_t ends[64]; /* input offset just past each terminator */
	size_t nends;
	size_t first_out_len; /* output of the first body */
};

/* Feed in[0..len) as one chunk, continuing the body sequence in t. */
static void
feed(struct dotdec *d, const char *in, size_t len, struct trace *t, size_t base)
{
	size_t done = 0;

	while (done < len || len == 0) {
		size_t n = len - done, o = 0, u = 0;
		char *out = malloc(n + 2);
		enum dotdec_result r;

		if (out == NULL)
			abort();
		r = dotdec_feed(d, in + done, n, out, &o, &u);
		if (o > n + 2 || u > n)
			abort();
		if (r == DOTDEC_MORE && u != n)
			abort();
		memcpy(t->out + t->out_len, out, o);
		t->out_len += o;
		free(out);
		done += u;
		if (r == DOTDEC_END) {
			if (t->nends == 0)
				t->first_out_len = t->out_len;
			if (t->nends < 64)
				t->ends[t->nends] = base + done;
			t->nends++;
			dotdec_init(d);
		} else {
			break;
		}
		if (len == 0)
			break;
	}
}

/* The reference: split at LF; a CR before the LF goes; a leading "."
 * goes, and a line that was only "." ends the body.  An unterminated
 * last line loses a trailing CR (held back) and a lone "." or ".\r".
 * Returns the input used (size if the body does not end). */
static size_t
reference(const char *in, size_t size, char *out, size_t *out_len_r)
{
	size_t at = 0, o = 0;

	while (at < size) {
		const char *lf = memchr(in + at, '\n', size - at);
		size_t end = lf ? (size_t)(lf - in) : size;
		size_t b = at, e = end;

		if (e > b && in[e - 1] == '\r')
			e--;
		if (b < e && in[b] == '.') {
			b++;
			if (b == e && lf) {
				*out_len_r = o;
				return end + 1;
			}
		}
		memcpy(out + o, in + b, e - b);
		o += e - b;
		if (lf)
			out[o++] = '\n';
		at = end + 1;
	}
	*out_len_r = o;
	return size;
}

static void
trace_init(struct trace *t, size_t size)
{
	memset(t, 0, sizeof(*t));
	t->out = malloc(size + 2);
	if (t->out == NULL)
		abort();
}

/* The first body of the whole decode must match the reference. */
static void
check_reference(const char *in, size_t size, const struct trace *t)
{
	char *out = malloc(size + 2);
	size_t o = 0, used;

	if (out == NULL)
		abort();
	used = reference(in, size, out, &o);
	if (used != (t->nends > 0 ? t->ends[0] : size))
		abort();
	if (o != (t->nends > 0 ? t->first_out_len : t->out_len) ||
	    memcmp(out, t->out, o) != 0)
		abort();
	free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	struct trace whole, chunked;
	struct dotdec d;
	size_t at = 0, k = 0;
	uint32_t x = 2166136261u;

	trace_init(&whole, size);
	trace_init(&chunked, size);
	dotdec_init(&d);
	feed(&d, in, size, &whole, 0);
	check_reference(in, size, &whole);

	/* chunk sizes 0..16 from an FNV-style hash of the input */
	for (k = 0; k < size; k++)
		x = (x ^ data[k]) * 16777619u;
	dotdec_init(&d);
	while (at < size) {
		size_t n;

		x = x * 1103515245u + 12345u;
		n = (x >> 16) % 17;
		if (n > size - at)
			n = size - at;
		feed(&d, in + at, n, &chunked, at);
		at += n;
	}
	if (whole.out_len != chunked.out_len || whole.nends != chunked.nends ||
	    memcmp(whole.out, chunked.out, whole.out_len) != 0)
		abort();
	for (k = 0; k < whole.nends && k < 64; k++)
		if (whole.ends[k] != chunked.ends[k])
			abort();
	free(whole.out);
	free(chunked.out);
	return 0;
}
