/* jline.c: the journal's text lines (jline.h).  <uidl>, <file> and
 * <mailbox> are %XX-encoded (pctenc.h), so that a line splits at single
 * spaces. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "popmuch/jline.h"
#include "popmuch/parse.h"
#include "popmuch/pctenc.h"

#define MAGIC "popmuch-journal"

static uint32_t
crc_of(const char *buf, size_t len)
{
	return (uint32_t)crc32(0L, (const Bytef *)buf, (uInt)len);
}

/* Check and strip the " *XXXXXXXX" trailer of line[0..len).  Returns 0
 * when the CRC matches. */
static int
check_crc(char *line, size_t len)
{
	uint32_t want = 0;
	int v;

	if (len < 10 || len >= JLINE_MAX || line[len - 10] != ' ' ||
	    line[len - 9] != '*' || memchr(line, '\0', len) != NULL)
		return -1;
	for (size_t i = len - 8; i < len; i++) {
		if ((v = parse_hexdigit(line[i])) < 0)
			return -1;
		want = want << 4 | (uint32_t)v;
	}
	if (crc_of(line, len - 10) != want)
		return -1;
	line[len - 10] = '\0';
	return 0;
}

/* Append " *CRC\n" to buf[0..len).  Returns the length. */
static size_t
seal(char *buf, size_t len)
{
	return len + (size_t)snprintf(buf + len, JLINE_MAX - len,
				      " *%08" PRIX32 "\n", crc_of(buf, len));
}

/* Split s at single spaces into at most max tokens; count or -1. */
static int
split(char *s, char **tok, int max)
{
	int n = 0;

	for (;;) {
		if (n == max || *s == '\0' || *s == ' ')
			return -1;
		tok[n++] = s;
		s = strchr(s, ' ');
		if (s == NULL)
			return n;
		*s++ = '\0';
	}
}

int
jline_hash_ok(const char *h)
{
	size_t n = strlen(h);

	if (n != 16 && n != 32)
		return 0;
	for (; *h != '\0'; h++)
		if (!((*h >= '0' && *h <= '9') || (*h >= 'a' && *h <= 'f')))
			return 0;
	return 1;
}

/* "I uidl size first_seen file [hash]" after the uidl */
static int
parse_intent(char **tok, int n, struct jline *r)
{
	if ((n != 5 && n != 6) || parse_u64(tok[2], &r->size) != 0 ||
	    parse_i64(tok[3], &r->first_seen) != 0 ||
	    pctenc_decode(tok[4]) != 0 || !parse_basename_ok(tok[4]) ||
	    strlen(tok[4]) > JLINE_FILE_MAX)
		return -1;
	r->file = tok[4];
	r->hash = NULL;
	if (n == 6 && strcmp(tok[5], "-") != 0) {
		if (!jline_hash_ok(tok[5]))
			return -1;
		r->hash = tok[5];
	}
	return 0;
}

int
jline_parse(char *line, size_t len, struct jline *r)
{
	char *tok[6];
	int n;

	if (check_crc(line, len) != 0 || (n = split(line, tok, 6)) < 2 ||
	    tok[0][1] != '\0' || pctenc_decode(tok[1]) != 0 ||
	    strlen(tok[1]) > JLINE_UIDL_MAX)
		return -1;
	r->type = tok[0][0];
	r->uidl = tok[1];
	switch (r->type) {
	case 'I':
		return parse_intent(tok, n, r);
	case 'S':
		return n == 3 && parse_u64(tok[2], &r->size) == 0 ? 0 : -1;
	case 'D':
	case 'N':
	case 'R':
	case 'X':
	case 'F':
		return n == 2 ? 0 : -1;
	}
	return -1;
}

size_t
jline_format(char *buf, const struct jline *r)
{
	size_t n = 2;

	buf[0] = r->type;
	buf[1] = ' ';
	n += pctenc_encode(buf + n, r->uidl);
	if (r->type == 'S')
		n += (size_t)snprintf(buf + n, JLINE_MAX - n, " %" PRIu64,
				      r->size);
	if (r->type != 'I')
		return seal(buf, n);
	n += (size_t)snprintf(buf + n, JLINE_MAX - n,
			      " %" PRIu64 " %" PRId64 " ", r->size,
			      r->first_seen);
	n += pctenc_encode(buf + n, r->file);
	n += (size_t)snprintf(buf + n, JLINE_MAX - n, " %s",
			      r->hash != NULL ? r->hash : "-");
	return seal(buf, n);
}

int
jline_parse_header(char *line, size_t len, struct jline_header *h)
{
	char *tok[6];
	int n;

	memset(h, 0, sizeof(*h));
	if (check_crc(line, len) != 0 ||
	    strncmp(line, MAGIC " ", sizeof(MAGIC)) != 0)
		return -1;
	if (strcmp(line, MAGIC " 1") == 0) {
		h->version = 1;
		return 0;
	}
	n = split(line + sizeof(MAGIC), tok + 1, 5) + 1;
	if (n == 3 && strcmp(tok[1], "2") == 0 && pctenc_decode(tok[2]) == 0)
		h->version = 2;
	else if (n == 6 && strcmp(tok[1], "3") == 0 &&
		 pctenc_decode(tok[2]) == 0 &&
		 parse_u64(tok[3], &h->snap_len) == 0 &&
		 parse_u64(tok[4], &h->count) == 0 &&
		 parse_i64(tok[5], &h->base) == 0)
		h->version = 3;
	else
		return 1;
	h->mailbox = tok[2];
	return 0;
}

size_t
jline_format_header(char *buf, const char *mailbox, uint64_t snap_len,
		    uint64_t count, int64_t base)
{
	size_t n = (size_t)snprintf(buf, JLINE_MAX, "%s 3 ", MAGIC);

	n += pctenc_encode(buf + n, mailbox != NULL ? mailbox : "-");
	n += (size_t)snprintf(buf + n, JLINE_MAX - n,
			      " %" PRIu64 " %" PRIu64 " %" PRId64, snap_len,
			      count, base);
	return seal(buf, n);
}
