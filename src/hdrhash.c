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
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "popmuch/hdrhash.h"

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

/* Does the field line l (len bytes, no line end) stay in the hash? */
static int
field_kept(const char *l, size_t len)
{
	const char *colon = memchr(l, ':', len);
	size_t n;

	if (colon == NULL)
		return 1; /* not a field: it counts */
	n = (size_t)(colon - l);
	while (n > 0 && (l[n - 1] == ' ' || l[n - 1] == '\t'))
		n--;
	for (size_t i = 0;
	     i < sizeof(volatile_fields) / sizeof(volatile_fields[0]); i++)
		if (strlen(volatile_fields[i]) == n &&
		    strncasecmp(l, volatile_fields[i], n) == 0)
			return 0;
	return 1;
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

int
hdrhash_file(const char *path, char hex_r[HDRHASH_HEX + 1], int *mail_r)
{
	struct hdrhash h;
	char buf[16384];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return -1;
	hdrhash_init(&h);
	while (!h.done && (n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			int e = errno;

			if (e == EINTR)
				continue;
			close(fd);
			errno = e;
			return -1;
		}
		hdrhash_feed(&h, buf, (size_t)n);
	}
	close(fd);
	hdrhash_final(&h, hex_r);
	if (mail_r != NULL)
		*mail_r = h.mail;
	return 0;
}
