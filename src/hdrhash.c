/* hdrhash.c: the header hash (see hdrhash.h).
 *
 * Hand-written because the point is the normalisation: which fields a
 * POP3 server may add to a message it stores (mbox servers write
 * Status and X-UIDL back into the mailbox), not parsing; GMime would
 * need the whole header in memory and would re-encode it. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "popmuch/hdrhash.h"
#include "popmuch/xmalloc.h"

static const char *const volatile_fields[] = {
    "x-uidl",
    "status",
    "x-status",
    "x-keywords",
    "x-imap",
    "x-imapbase",
    "x-uid",
    "x-mozilla-status",
    "x-mozilla-status2",
    "content-length",
    "lines",
};

void
hdrhash_init(struct hdrhash *h)
{
	memset(h, 0, sizeof(*h));
	sha256_init(&h->sha);
	h->keep = 1;
}

/* What a delivery agent puts on top of the header it received (mpop,
 * fetchmail, getmail6, procmail, Dovecot's LDA): hdrhash_file_matches()
 * looks past a leading run of these. */
static const char *const trace_fields[] = {
    "received",
    "return-path",
    "delivered-to",
    "x-original-to",
};

#define NFIELDS(a) (sizeof(a) / sizeof((a)[0]))

/* Is the field line l (len bytes) one of the n names (lower case)?  A
 * line without a colon is none. */
static int
field_named(const char *l, size_t len, const char *const *names, size_t n)
{
	const char *colon = memchr(l, ':', len);
	size_t nl;

	if (colon == NULL)
		return 0;
	nl = (size_t)(colon - l);
	while (nl > 0 && (l[nl - 1] == ' ' || l[nl - 1] == '\t'))
		nl--;
	for (size_t i = 0; i < n; i++)
		if (strlen(names[i]) == nl && strncasecmp(l, names[i], nl) == 0)
			return 1;
	return 0;
}

/* Does the field line l (len bytes, no line end) stay in the hash? */
static int
field_kept(const char *l, size_t len)
{
	return !field_named(l, len, volatile_fields, NFIELDS(volatile_fields));
}

/* RFC 5322 field-name: printable US-ASCII but ':', then ':'.  (An
 * mbox "From " line first also counts: notmuch takes such files.) */
static int
is_field(const char *l, size_t len)
{
	size_t i = 0;

	while (i < len && l[i] > 0x20 && l[i] < 0x7f && l[i] != ':')
		i++;
	return i > 0 && i < len && l[i] == ':';
}

/* The start of a line is known (or the line overflowed): decide. */
static void
line_start(struct hdrhash *h)
{
	if (h->lines++ == 0)
		h->mail = is_field(h->line, h->len) ||
			  (h->len >= 5 && memcmp(h->line, "From ", 5) == 0);
	if (h->line[0] != ' ' && h->line[0] != '\t')
		h->keep = field_kept(h->line, h->len);
	/* a continuation line keeps its field's choice */
	if (h->keep)
		sha256_update(&h->sha, h->len, (const uint8_t *)h->line);
}

/* One complete line in h->line (without its LF). */
static void
line_end(struct hdrhash *h)
{
	if (h->len > 0 && h->line[h->len - 1] == '\r')
		h->len--;
	if (h->len == 0) {
		h->done = 1;
		return;
	}
	line_start(h);
	if (h->keep)
		sha256_update(&h->sha, 1, (const uint8_t *)"\n");
}

/* A byte of an overflowed line (its name already decided): it goes
 * straight into the hash, but a CR is held until the next byte shows
 * whether it ends the line (CRLF reads as LF, as for short lines). */
static void
long_byte(struct hdrhash *h, char c)
{
	if (c == '\n') {
		h->long_line = 0;
		h->held_cr = 0;
		h->len = 0;
		if (h->keep)
			sha256_update(&h->sha, 1, (const uint8_t *)"\n");
		return;
	}
	if (h->held_cr && h->keep)
		sha256_update(&h->sha, 1, (const uint8_t *)"\r");
	h->held_cr = c == '\r';
	if (!h->held_cr && h->keep)
		sha256_update(&h->sha, 1, (const uint8_t *)&c);
}

void
hdrhash_feed(struct hdrhash *h, const char *buf, size_t len)
{
	for (size_t i = 0; i < len && !h->done; i++) {
		char c = buf[i];

		if (h->long_line) {
			long_byte(h, c);
			continue;
		}
		if (c == '\n') {
			line_end(h);
			h->len = 0;
			continue;
		}
		h->line[h->len++] = c;
		if (h->len == sizeof(h->line)) {
			/* a CR that fills the buffer may end the line */
			h->held_cr = h->line[h->len - 1] == '\r';
			h->len -= (size_t)h->held_cr;
			line_start(h);
			h->long_line = 1;
		}
	}
}

int
hdrhash_looks_like_mail(const struct hdrhash *h)
{
	return h->mail;
}

void
hdrhash_final(struct hdrhash *h, char hex_r[HDRHASH_HEX + 1])
{
	uint8_t d[SHA256_DIGEST_SIZE];

	if (!h->done && !h->long_line && h->len > 0)
		line_end(h); /* a last line without its LF */
	sha256_digest(&h->sha, sizeof(d), d);
	for (size_t k = 0; k < HDRHASH_HEX / 2; k++)
		(void)snprintf(hex_r + 2 * k, 3, "%02x", d[k]);
}

/* Hash the header of the file open at fd from byte off on: the first
 * len bytes of the file are in buf already, the rest is read. */
static int
hash_from(int fd, const char *buf, size_t len, size_t off,
	  char hex_r[HDRHASH_HEX + 1], int *mail_r)
{
	struct hdrhash h;
	char more[16384];
	off_t pos = (off_t)len;
	ssize_t n;

	hdrhash_init(&h);
	if (off < len)
		hdrhash_feed(&h, buf + off, len - off);
	while (!h.done && (n = pread(fd, more, sizeof(more), pos)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		hdrhash_feed(&h, more, (size_t)n);
		pos += n;
	}
	hdrhash_final(&h, hex_r);
	if (mail_r != NULL)
		*mail_r = h.mail;
	return 0;
}

/* Read the first bytes of the file at path (up to cap) into buf.
 * Returns the descriptor (the caller closes it), or -1 with errno. */
static int
open_head(const char *path, char *buf, size_t cap, size_t *len_r)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	ssize_t n;

	*len_r = 0;
	if (fd < 0)
		return -1;
	while (*len_r < cap &&
	       (n = read(fd, buf + *len_r, cap - *len_r)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;

			close(fd);
			errno = e;
			return -1;
		}
		*len_r += (size_t)n;
	}
	return fd;
}

int
hdrhash_file(const char *path, char hex_r[HDRHASH_HEX + 1], int *mail_r)
{
	char buf[16384];
	size_t len;
	int fd = open_head(path, buf, sizeof(buf), &len), rc, e;

	if (fd < 0)
		return -1;
	rc = hash_from(fd, buf, len, 0, hex_r, mail_r);
	e = errno;
	close(fd);
	errno = e;
	return rc;
}

/* The offset of the field after the one at off in buf[0..len) (its
 * continuation lines included), or 0 when it does not end in buf. */
static size_t
next_field(const char *buf, size_t len, size_t off)
{
	const char *nl;

	while ((nl = memchr(buf + off, '\n', len - off)) != NULL) {
		off = (size_t)(nl - buf) + 1;
		if (off < len && buf[off] != ' ' && buf[off] != '\t')
			return off;
	}
	return 0;
}

int
hdrhash_file_matches(const char *path, const char want[HDRHASH_HEX + 1])
{
	char hex[HDRHASH_HEX + 1], *buf = xmalloc(HDRHASH_TRACE_MAX);
	size_t len, off = 0, end;
	int fd, rc = 0, e;

	fd = open_head(path, buf, HDRHASH_TRACE_MAX, &len);
	if (fd < 0) {
		e = errno;
		free(buf);
		errno = e;
		return -1;
	}
	for (;;) {
		if (hash_from(fd, buf, len, off, hex, NULL) != 0) {
			rc = -1;
			break;
		}
		if (strcmp(hex, want) == 0) {
			rc = 1;
			break;
		}
		/* an mbox "From " line first, then the trace fields */
		end = next_field(buf, len, off);
		if (end == 0 ||
		    !((off == 0 && len >= 5 && memcmp(buf, "From ", 5) == 0) ||
		      field_named(buf + off, end - off, trace_fields,
				  NFIELDS(trace_fields))))
			break;
		off = end;
	}
	e = errno;
	close(fd);
	free(buf);
	errno = e;
	return rc;
}
