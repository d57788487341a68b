/* mbox.c: a streaming mbox reader (mboxo, mboxrd, mboxcl, mboxcl2).
 *
 * Hand-written: GMime's parser has an mbox mode, but it keeps each
 * message in memory, accepts any "From " line after a blank line as a
 * separator (Thunderbird and some MTAs leave "From " lines in bodies
 * unquoted), and knows nothing of Content-Length.
 *
 * The rules, as mutt and Thunderbird read mboxes in the wild:
 *   - A message starts at a "From " line that looks like an envelope
 *     (it holds a time "hh:mm" and a four-digit year, as every writer's
 *     asctime() date does) and is followed by a header line.  Any other
 *     "From " line is body text.
 *   - The one blank line before a separator (and at the end of the file)
 *     belongs to the mbox, not to the message.
 *   - ">From ", ">>From " ... lose one '>' (mboxrd; for mboxo this
 *     undoes its quoting of "From ").
 *   - A Content-Length header (mboxcl/cl2, as mutt and Solaris write it)
 *     is used only when it checks out: the byte it points at is the end
 *     of the file or a separator (after an optional blank line).  Then the
 *     body is exactly that many bytes, taken verbatim, and "From " lines
 *     inside it are not separators.  A wrong Content-Length (the file was
 *     edited) is ignored.
 * The file is read through one 64 KB buffer; lines longer than that are
 * handed on in pieces. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "popmuch/mbox.h"
#include "popmuch/xmalloc.h"

#define MBOX_BUF (64 * 1024)
#define MBOX_SEP_MAX 1000 /* longer "From " lines are never separators */
#define MBOX_PEEK 128	  /* bytes of the next line a separator check needs */

struct mbox {
	int fd;
	char *path;
	char *buf;
	size_t pos, len;
	uint64_t base; /* file offset of buf[0] */
	uint64_t size;
	int eof;      /* read() returned 0 */
	int bol;      /* buf[pos] starts a line */
	int have_sep; /* a separator was consumed: a message follows */
	char env[256];
	uint64_t msg_off;
};

/* A piece of input: up to and including '\n', or what the buffer holds. */
struct piece {
	const char *p;
	size_t n;
	int complete; /* ends with '\n' */
	int bol;      /* starts a line */
};

static enum pm_status
fill(struct mbox *mb, struct pm_err *err)
{
	ssize_t n;

	if (mb->pos > 0) {
		memmove(mb->buf, mb->buf + mb->pos, mb->len - mb->pos);
		mb->base += mb->pos;
		mb->len -= mb->pos;
		mb->pos = 0;
	}
	while (!mb->eof && mb->len < MBOX_BUF) {
		n = read(mb->fd, mb->buf + mb->len, MBOX_BUF - mb->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return err_set(err, PM_IOERR,
				       "%s: read error at byte "
				       "%llu: %s",
				       mb->path,
				       (unsigned long long)(mb->base + mb->len),
				       strerror(errno));
		if (n == 0)
			mb->eof = 1;
		mb->len += (size_t)n;
		if (memchr(mb->buf + mb->len - (size_t)n, '\n', (size_t)n))
			break;
	}
	return PM_OK;
}

/* At least need bytes from pos (or all that is left). */
static enum pm_status
ensure(struct mbox *mb, size_t need, struct pm_err *err)
{
	enum pm_status st;

	while (mb->len - mb->pos < need && !mb->eof)
		if ((st = fill(mb, err)) != PM_OK)
			return st;
	return PM_OK;
}

/* The piece at pos (not consumed); n == 0 at the end of the file. */
static enum pm_status
peek_piece(struct mbox *mb, struct piece *pc, struct pm_err *err)
{
	const char *nl;
	enum pm_status st;

	for (;;) {
		nl = memchr(mb->buf + mb->pos, '\n', mb->len - mb->pos);
		if (nl != NULL || mb->eof ||
		    (mb->pos == 0 && mb->len == MBOX_BUF))
			break;
		if ((st = fill(mb, err)) != PM_OK)
			return st;
	}
	pc->p = mb->buf + mb->pos;
	pc->n = nl ? (size_t)(nl - pc->p) + 1 : mb->len - mb->pos;
	pc->complete = nl != NULL;
	pc->bol = mb->bol;
	return PM_OK;
}

static void
consume(struct mbox *mb, const struct piece *pc)
{
	mb->pos += pc->n;
	mb->bol = pc->complete;
}

static int
blank(const struct piece *pc)
{
	return pc->bol && pc->complete &&
	       (pc->n == 1 || (pc->n == 2 && pc->p[0] == '\r'));
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* An envelope date: "hh:mm" and a year 1900-2099 as a word. */
static int
looks_dated(const char *p, size_t n)
{
	int time = 0, year = 0;

	for (size_t i = 0; i + 5 <= n; i++) {
		if (is_digit(p[i]) && is_digit(p[i + 1]) && p[i + 2] == ':' &&
		    is_digit(p[i + 3]) && is_digit(p[i + 4]))
			time = 1;
		if (p[i] == ' ' && (p[i + 1] == '1' || p[i + 1] == '2') &&
		    (p[i + 2] == '9' || p[i + 2] == '0') &&
		    is_digit(p[i + 3]) && is_digit(p[i + 4]) &&
		    (i + 5 == n || !is_digit(p[i + 5])))
			year = 1;
	}
	return time && year;
}

/* A header field line: a name of printable ASCII without ':' and ' ',
 * then ':'. */
static int
looks_header(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n && p[i] > ' ' && p[i] < 127 && p[i] != ':'; i++)
		;
	return i > 0 && i < n && p[i] == ':';
}

/* Is the complete line pc (at pos) a separator?  Looks at what follows;
 * pc is refreshed (the buffer may move). */
static enum pm_status
is_separator(struct mbox *mb, struct piece *pc, int *yes_r, struct pm_err *err)
{
	enum pm_status st;
	const char *next;
	size_t avail;

	*yes_r = 0;
	if (!pc->bol || !pc->complete || pc->n > MBOX_SEP_MAX || pc->n < 6 ||
	    memcmp(pc->p, "From ", 5) != 0 ||
	    !looks_dated(pc->p + 5, pc->n - 5))
		return PM_OK;
	if ((st = ensure(mb, pc->n + MBOX_PEEK, err)) != PM_OK ||
	    (st = peek_piece(mb, pc, err)) != PM_OK)
		return st; /* ensure() may have moved the buffer */
	next = mb->buf + mb->pos + pc->n;
	avail = mb->len - mb->pos - pc->n;
	*yes_r = looks_header(next, avail < MBOX_PEEK ? avail : MBOX_PEEK);
	return PM_OK;
}

/* Consume the separator at pos and remember it. */
static void
take_separator(struct mbox *mb, const struct piece *pc)
{
	size_t n = pc->n - 5;

	while (n > 0 && (pc->p[5 + n - 1] == '\n' || pc->p[5 + n - 1] == '\r'))
		n--;
	if (n >= sizeof(mb->env))
		n = sizeof(mb->env) - 1;
	memcpy(mb->env, pc->p + 5, n);
	mb->env[n] = '\0';
	mb->msg_off = mb->base + mb->pos;
	consume(mb, pc);
	mb->have_sep = 1;
}

int
mbox_sniff(const char *buf, size_t len)
{
	size_t i = 0;

	if (memchr(buf, '\0', len) != NULL)
		return 0;
	while (i < len && (buf[i] == '\n' || buf[i] == '\r'))
		i++;
	return len - i >= 5 && memcmp(buf + i, "From ", 5) == 0;
}

enum pm_status
mbox_open(const char *path, struct mbox **mb_r, struct pm_err *err)
{
	struct mbox *mb;
	struct piece pc;
	struct stat st;
	enum pm_status s;

	*mb_r = NULL;
	mb = xcalloc(1, sizeof(*mb));
	mb->path = xstrdup(path);
	mb->buf = xmalloc(MBOX_BUF);
	mb->bol = 1;
	mb->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (mb->fd < 0 || fstat(mb->fd, &st) != 0) {
		s = err_set(err, PM_IOERR, "%s: cannot open: %s", path,
			    strerror(errno));
		mbox_free(&mb);
		return s;
	}
	mb->size = (uint64_t)st.st_size;
	s = ensure(mb, 4096, err);
	if (s == PM_OK && mb->len > 0 &&
	    !mbox_sniff(mb->buf, mb->len < 4096 ? mb->len : 4096))
		s = err_set(
		    err, PM_DATAERR, "%s: not an mbox file (%s)", path,
		    memchr(mb->buf, '\0', mb->len < 4096 ? mb->len : 4096)
			? "binary data"
			: "it does not start with a 'From ' "
			  "line");
	/* skip leading blank lines; the first "From " line starts the
	 * first message whatever follows it */
	while (s == PM_OK && (s = peek_piece(mb, &pc, err)) == PM_OK &&
	       pc.n > 0) {
		if (blank(&pc)) {
			consume(mb, &pc);
			continue;
		}
		if (pc.complete)
			take_separator(mb, &pc);
		break;
	}
	if (s != PM_OK) {
		mbox_free(&mb);
		return s;
	}
	*mb_r = mb;
	return PM_OK;
}

/* The value of a "Content-Length:" header line, or -1. */
static long long
content_length(const struct piece *pc)
{
	static const char name[] = "content-length:";
	long long v = 0;
	size_t i = sizeof(name) - 1;

	if (!pc->bol || pc->n <= i || strncasecmp(pc->p, name, i) != 0)
		return -1;
	while (i < pc->n && (pc->p[i] == ' ' || pc->p[i] == '\t'))
		i++;
	if (i >= pc->n || !is_digit(pc->p[i]))
		return -1;
	for (; i < pc->n && is_digit(pc->p[i]); i++)
		if ((v = v * 10 + (pc->p[i] - '0')) > (1LL << 40))
			return -1;
	return v;
}

/* Does a separator (or the end of the file) start at offset at, after
 * an optional blank line? */
static int
separator_at(const struct mbox *mb, uint64_t at)
{
	char b[8];
	ssize_t n;

	if (at == mb->size)
		return 1;
	if (at > mb->size)
		return 0;
	n = pread(mb->fd, b, sizeof(b), (off_t)at);
	if (n <= 0)
		return 0;
	if ((n == 1 && b[0] == '\n') ||
	    (n == 2 && b[0] == '\r' && b[1] == '\n'))
		return 1;
	return (n >= 5 && memcmp(b, "From ", 5) == 0) ||
	       (n >= 6 && memcmp(b, "\nFrom ", 6) == 0) ||
	       (n >= 7 && memcmp(b, "\r\nFrom ", 7) == 0);
}

static enum pm_status
truncated(const struct mbox *mb, const char *why, struct pm_err *err)
{
	return err_set(err, PM_DATAERR,
		       "%s: truncated: the message at byte %llu %s; it was "
		       "not imported",
		       mb->path, (unsigned long long)mb->msg_off, why);
}

/* The body of a message with a valid Content-Length: len bytes as they
 * are, then blank lines up to the next separator. */
static enum pm_status
cl_body(struct mbox *mb, uint64_t len, mbox_sink_fn sink, void *ctx,
	struct pm_err *err)
{
	struct piece pc;
	enum pm_status st;

	while (len > 0) {
		if ((st = peek_piece(mb, &pc, err)) != PM_OK)
			return st;
		if (pc.n == 0)
			return truncated(
			    mb, "is shorter than its Content-Length", err);
		if (pc.n > len) {
			pc.n = (size_t)len;
			pc.complete = pc.p[pc.n - 1] == '\n';
		}
		if ((st = sink(ctx, pc.p, pc.n, err)) != PM_OK)
			return st;
		consume(mb, &pc);
		len -= pc.n;
	}
	for (;;) {
		if ((st = peek_piece(mb, &pc, err)) != PM_OK)
			return st;
		if (pc.n == 0)
			return PM_OK;
		if (pc.n >= 5 && memcmp(pc.p, "From ", 5) == 0) {
			take_separator(mb, &pc);
			return PM_OK;
		}
		consume(mb, &pc); /* the blank line (or line end) before it */
	}
}

/* Emit pc with one '>' of a quoted ">From " line removed. */
static enum pm_status
emit_unquoted(const struct piece *pc, mbox_sink_fn sink, void *ctx,
	      struct pm_err *err)
{
	size_t i = 0;

	if (pc->bol) {
		while (i < pc->n && pc->p[i] == '>')
			i++;
		if (i > 0 && pc->n - i >= 5 &&
		    memcmp(pc->p + i, "From ", 5) == 0)
			return sink(ctx, pc->p + 1, pc->n - 1, err);
	}
	return sink(ctx, pc->p, pc->n, err);
}

/* Lines up to the next separator or the end of the file.  headers: the
 * header block is still being read (Content-Length is looked for). */
static enum pm_status
read_lines(struct mbox *mb, mbox_sink_fn sink, void *ctx, struct pm_err *err)
{
	char pending[2];
	size_t npending = 0;
	int headers = 1, sep, cl_short = 0, last_complete = 1;
	long long cl = -1;
	struct piece pc;
	enum pm_status st;

	for (;;) {
		if ((st = peek_piece(mb, &pc, err)) != PM_OK)
			return st;
		if (pc.n == 0)
			break;
		if ((st = is_separator(mb, &pc, &sep, err)) != PM_OK)
			return st;
		if (sep) {
			take_separator(mb, &pc);
			return PM_OK; /* a pending blank line is the mbox's */
		}
		if (npending > 0 &&
		    (st = sink(ctx, pending, npending, err)) != PM_OK)
			return st;
		npending = 0;
		if (headers && blank(&pc)) {
			uint64_t body = mb->base + mb->pos + pc.n;

			if ((st = sink(ctx, pc.p, pc.n, err)) != PM_OK)
				return st;
			consume(mb, &pc);
			headers = 0;
			if (cl >= 0 && separator_at(mb, body + (uint64_t)cl)) {
				mb->have_sep = 0;
				return cl_body(mb, (uint64_t)cl, sink, ctx,
					       err);
			}
			cl_short = cl >= 0 && body + (uint64_t)cl > mb->size;
			continue;
		}
		if (headers && cl < 0)
			cl = content_length(&pc);
		if (!headers && blank(&pc)) {
			memcpy(pending, pc.p, pc.n);
			npending = pc.n;
		} else if ((st = emit_unquoted(&pc, sink, ctx, err)) != PM_OK) {
			return st;
		}
		last_complete = pc.complete;
		consume(mb, &pc);
	}
	if (!last_complete)
		return truncated(mb, "ends in the middle of a line", err);
	if (cl_short)
		return truncated(mb, "is shorter than its Content-Length", err);
	return PM_OK;
}

enum pm_status
mbox_next(struct mbox *mb, mbox_sink_fn sink, void *ctx, int *more_r,
	  struct pm_err *err)
{
	*more_r = 0;
	if (!mb->have_sep)
		return PM_OK;
	mb->have_sep = 0;
	*more_r = 1;
	return read_lines(mb, sink, ctx, err);
}

const char *
mbox_envelope(const struct mbox *mb)
{
	return mb->env;
}

uint64_t
mbox_msg_offset(const struct mbox *mb)
{
	return mb->msg_off;
}

uint64_t
mbox_bytes_read(const struct mbox *mb)
{
	return mb->base + mb->pos;
}

uint64_t
mbox_size(const struct mbox *mb)
{
	return mb->size;
}

void
mbox_free(struct mbox **mbp)
{
	struct mbox *mb = mbp ? *mbp : NULL;

	if (mb == NULL)
		return;
	if (mb->fd >= 0)
		close(mb->fd);
	free(mb->path);
	free(mb->buf);
	free(mb);
	*mbp = NULL;
}
