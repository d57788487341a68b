/* test-dotdec.c: the multi-line body decoder, fed whole, split at every
 * split point into two chunks, one byte at a time and in random chunks;
 * every way must give the same output and consume the same bytes. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "popmuch/dotdec.h"
#include "tap.h"

#define TRAILER "+OK next\r\n"

struct sample {
	const char *name;
	const char *in;
	size_t in_len;
	const char *want;
	size_t want_len;
	int ends; /* the body is terminated (then TRAILER follows) */
};

#define S(name, in, want)                                                      \
	{                                                                      \
		name, in, sizeof(in) - 1, want, sizeof(want) - 1, 1            \
	}
#define OPEN(name, in, want)                                                   \
	{                                                                      \
		name, in, sizeof(in) - 1, want, sizeof(want) - 1, 0            \
	}

static const struct sample samples[] = {
    S("empty body", ".\r\n", ""),
    S("single line", "Subject: hi\r\n.\r\n", "Subject: hi\n"),
    S("dot-stuffed lines", "..lead\r\n...two\r\nmid.dle\r\n.\r\n",
      ".lead\n..two\nmid.dle\n"),
    S("line that is only ..", "a\r\n..\r\nb\r\n.\r\n", "a\n.\nb\n"),
    S("lone CR kept", "a\rb\r\n\r\r\nc\r\r\r\n.\r\n", "a\rb\n\r\nc\r\r\n"),
    S("CRLF lines", "line1\r\nline2\r\n\r\n.\r\n", "line1\nline2\n\n"),
    S("NUL bytes", "a\0b\r\n\0\r\n\0.\r\n.\r\n", "a\0b\n\0\n\0.\n"),
    S("8-bit bytes", "\xff\xfe\x80\r\n\xc3\xa9.\r\n..\xff\r\n.\r\n",
      "\xff\xfe\x80\n\xc3\xa9.\n.\xff\n"),
    S(".\\rX is not the end", "a\r\n.\rX\r\n.\r\n", "a\n\rX\n"),
    S(".\\r\\r\\n is not the end", "a\r\n.\r\r\n.\r\n", "a\n\r\n"),
    S("bare LF terminator", "a\nb\n.\n", "a\nb\n"),
    S("bare LF then CRLF terminator", "a\n.\r\n", "a\n"),
    S("CRLF then bare LF terminator", "a\r\n.\n", "a\n"),
    S("single dot then text", ".x\r\n. y\r\n.\r\n", "x\n y\n"),
    S("dot after lone CR is text", "a\r.\r\n.\r\n", "a\r.\n"),
    S("CR at line start then dot", "\r.\r\n.\r\n", "\r.\n"),
    S("dot inside a line", "a.\r\n .\r\n.a.\r\n.\r\n", "a.\n .\na.\n"),
    S("empty lines", "\r\n\n\r\n.\r\n", "\n\n\n"),
    S("dot then NUL", ".\0\r\n.\r\n", "\0\n"),
    S("dot-stuffed terminator lookalike", "..\r\n.\r\n", ".\n"),
    S("CR CR LF at line start", "\r\r\n.\r\n", "\r\n"),
    OPEN("unterminated: no dot line", "abc\r\ndef", "abc\ndef"),
    OPEN("unterminated: dot at end", "abc\r\n.", "abc\n"),
    OPEN("unterminated: dot CR at end", "abc\r\n.\r", "abc\n"),
    OPEN("unterminated: CR at end", "abc\r", "abc"),
    OPEN("unterminated: nothing", "", ""),
};

struct run {
	enum dotdec_result res;
	char *out;
	size_t out_len;
	size_t used;
	int overflow; /* a call claimed more output than in_len + 2 */
};

/* Feed one chunk; the output buffer is exactly len + 2 bytes so that
 * ASan catches any write past it. */
static int
feed_chunk(struct dotdec *d, const char *in, size_t len, struct run *r)
{
	char *out = malloc(len + 2);
	size_t out_len = 0, used = 0;

	if (out == NULL)
		abort();
	r->res = dotdec_feed(d, in, len, out, &out_len, &used);
	if (out_len > len + 2 || used > len)
		r->overflow = 1;
	memcpy(r->out + r->out_len, out, out_len);
	r->out_len += out_len;
	r->used += used;
	free(out);
	return r->res == DOTDEC_END || used < len;
}

/* Decode in[0..len) cut before each of cuts[0..ncuts) (ascending). */
static void
decode_cuts(const char *in, size_t len, const size_t *cuts, size_t ncuts,
	    struct run *r)
{
	struct dotdec d;
	size_t start = 0, k;

	memset(r, 0, sizeof(*r));
	r->out = malloc(len + 2);
	if (r->out == NULL)
		abort();
	dotdec_init(&d);
	for (k = 0; k <= ncuts; k++) {
		size_t end = k < ncuts ? cuts[k] : len;

		if (feed_chunk(&d, in + start, end - start, r))
			return;
		start = end;
	}
}

/* Decode one byte at a time with one reused buffer. */
static void
decode_bytes(const char *in, size_t len, struct run *r)
{
	struct dotdec d;
	size_t i, o, u;
	char buf[3];

	memset(r, 0, sizeof(*r));
	r->out = malloc(len + 2);
	if (r->out == NULL)
		abort();
	dotdec_init(&d);
	r->res = DOTDEC_MORE;
	for (i = 0; i < len && r->res == DOTDEC_MORE; i++) {
		r->res = dotdec_feed(&d, in + i, 1, buf, &o, &u);
		if (o > 3 || u > 1)
			r->overflow = 1;
		memcpy(r->out + r->out_len, buf, o);
		r->out_len += o;
		r->used += u;
	}
}

static int
same_run(const struct run *a, const struct run *b)
{
	return a->res == b->res && a->used == b->used &&
	       a->out_len == b->out_len && !a->overflow && !b->overflow &&
	       memcmp(a->out, b->out, a->out_len) == 0;
}

/* The input of a sample: the body, then TRAILER if it is terminated. */
static char *
sample_input(const struct sample *s, size_t *len_r)
{
	size_t tl = s->ends ? strlen(TRAILER) : 0;
	char *in = malloc(s->in_len + tl + 1);

	if (in == NULL)
		abort();
	memcpy(in, s->in, s->in_len);
	memcpy(in + s->in_len, TRAILER, tl);
	*len_r = s->in_len + tl;
	return in;
}

static int
want_cut(size_t k, size_t len, size_t stride)
{
	return stride <= 1 || k < 64 || k + 64 > len || k % stride == 0;
}

/* Two chunks, cut at every point (every stride-th point in the middle of
 * a very long input); returns how many cut points disagreed. */
static int
check_splits(const char *in, size_t len, const struct run *whole, size_t stride)
{
	size_t k;
	int bad = 0;

	for (k = 0; k <= len; k++) {
		struct run r;

		if (!want_cut(k, len, stride))
			continue;
		decode_cuts(in, len, &k, 1, &r);
		if (!same_run(&r, whole)) {
			if (bad == 0)
				diag("  first bad split at %zu", k);
			bad++;
		}
		free(r.out);
	}
	return bad;
}

/* Random chunk sizes 0..max (empty chunks included). */
static int
check_random(const char *in, size_t len, const struct run *whole, unsigned seed,
	     size_t max)
{
	size_t cuts[4096], n = 0, at = 0;
	struct run r;
	int same;

	srand(seed);
	while (n < 4096) {
		at += (size_t)rand() % (max + 1);
		if (at >= len)
			break;
		cuts[n++] = at;
	}
	decode_cuts(in, len, cuts, n, &r);
	same = same_run(&r, whole);
	free(r.out);
	return same;
}

static void
check_sample(const struct sample *s, size_t stride)
{
	size_t len, want_used;
	char *in = sample_input(s, &len);
	struct run whole, bytes;
	unsigned seed;
	int random_ok = 1;

	want_used = s->ends ? s->in_len : len;
	decode_cuts(in, len, NULL, 0, &whole);
	is_int(whole.res, s->ends ? DOTDEC_END : DOTDEC_MORE,
	       "%s: whole: result", s->name);
	is_int(whole.used, want_used, "%s: whole: used", s->name);
	is_mem(whole.out, whole.out_len, s->want, s->want_len,
	       "%s: whole: output", s->name);
	ok(!whole.overflow, "%s: whole: within bounds", s->name);
	is_int(check_splits(in, len, &whole, stride), 0,
	       "%s: every two-chunk split agrees", s->name);
	decode_bytes(in, len, &bytes);
	ok(same_run(&bytes, &whole), "%s: one byte at a time agrees", s->name);
	for (seed = 1; seed <= 20; seed++)
		random_ok &= check_random(in, len, &whole, seed, seed % 7 + 1);
	ok(random_ok, "%s: random chunks agree", s->name);
	free(bytes.out);
	free(whole.out);
	free(in);
}

/* A line of 1 MB, with stuffed dots and a CR inside. */
static void
check_long_line(void)
{
	size_t n = 1024 * 1024, i;
	char *body = malloc(n + 16), *want = malloc(n + 16);
	struct sample s = {"1 MB line", body, 0, want, 0, 1};

	if (body == NULL || want == NULL)
		abort();
	body[0] = '.';
	body[1] = '.';
	for (i = 2; i < n; i++)
		body[i] = (char)('a' + i % 26);
	body[n / 2] = '\r';
	memcpy(body + n, "\r\n.\r\n", 5);
	s.in_len = n + 5;
	memcpy(want, body + 1, n - 1);
	want[n - 1] = '\n';
	s.want_len = n;
	check_sample(&s, 4099);
	free(body);
	free(want);
}

/* Two bodies back to back: after DOTDEC_END and dotdec_init() the rest of
 * the input decodes as the next body. */
static void
check_two_bodies(void)
{
	static const char in[] = "a\r\n..\r\n.\r\n.b\r\n.\r\nrest";
	struct dotdec d;
	char out[sizeof(in) + 2];
	size_t o, u, o2, u2;
	enum dotdec_result r1, r2;

	dotdec_init(&d);
	r1 = dotdec_feed(&d, in, sizeof(in) - 1, out, &o, &u);
	is_int(r1, DOTDEC_END, "two bodies: first ends");
	is_mem(out, o, "a\n.\n", 4, "two bodies: first output");
	is_int(u, 10, "two bodies: first used");
	dotdec_init(&d);
	r2 = dotdec_feed(&d, in + u, sizeof(in) - 1 - u, out, &o2, &u2);
	is_int(r2, DOTDEC_END, "two bodies: second ends");
	is_mem(out, o2, "b\n", 2, "two bodies: second output");
	is_int(u + u2, sizeof(in) - 1 - 4, "two bodies: rest left unread");
}

/* Feeding after the end without dotdec_init() consumes nothing. */
static void
check_after_end(void)
{
	struct dotdec d;
	char out[16];
	size_t o = 99, u = 99;

	dotdec_init(&d);
	dotdec_feed(&d, ".\r\n", 3, out, &o, &u);
	is_int(dotdec_feed(&d, "abc", 3, out, &o, &u), DOTDEC_END,
	       "after end: still the end");
	is_int(u, 0, "after end: nothing consumed");
	is_int(o, 0, "after end: nothing written");
}

int
main(void)
{
	size_t i;

	for (i = 0; i < sizeof(samples) / sizeof(samples[0]); i++)
		check_sample(&samples[i], 1);
	check_long_line();
	check_two_bodies();
	check_after_end();
	return done_testing();
}
