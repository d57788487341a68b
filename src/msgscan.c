/* msgscan.c: what import needs to know of a message, in one pass.
 *
 * Hand-written rather than GMime's parser: GMime builds the message in
 * memory, and only the header block and a hash of the body are needed
 * here.  The header block is read a field at a time (a field and its
 * continuation lines are held, up to MSGSCAN_FIELD_MAX); the body is
 * only hashed and passed on. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <nettle/sha1.h>
#include <nettle/sha2.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "popmuch/msgscan.h"
#include "popmuch/xmalloc.h"

#define MSGSCAN_FIELD_MAX (16 * 1024)
#define MSGSCAN_VALUE_MAX 1000

struct msgscan {
	msgscan_out_fn out;
	void *ctx;
	int strip;
	int in_body;
	int passthrough; /* the held field overflowed: passed on as is */
	char *field;	 /* the field being read, with its continuations */
	size_t nfield;
	int at_bol;	 /* the next byte starts a line */
	int cr_blank;	 /* a CR began the blank line ending the header */
	size_t newlines; /* body: newlines not hashed yet */
	unsigned flags;
	char *message_id, *date;
	struct sha1_ctx sha1;
	struct sha256_ctx body;
	uint8_t body_hash[MSGSCAN_HASH_SIZE];
	char sha1_hex[SHA1_DIGEST_SIZE * 2 + 1];
	uint64_t size;
};

static const char *const stripped[] = {
    "status",	      "x-status", "x-mozilla-status", "x-mozilla-status2",
    "content-length",
};

struct msgscan *
msgscan_new(msgscan_out_fn out, void *ctx, int strip)
{
	struct msgscan *s = xcalloc(1, sizeof(*s));

	s->out = out;
	s->ctx = ctx;
	s->strip = strip;
	s->field = xmalloc(MSGSCAN_FIELD_MAX);
	msgscan_reset(s);
	return s;
}

void
msgscan_reset(struct msgscan *s)
{
	s->in_body = s->passthrough = 0;
	s->nfield = 0;
	s->at_bol = 1;
	s->cr_blank = 0;
	s->newlines = 0;
	s->flags = 0;
	free(s->message_id);
	free(s->date);
	s->message_id = s->date = NULL;
	sha1_init(&s->sha1);
	sha256_init(&s->body);
	s->size = 0;
}

static enum pm_status
put(struct msgscan *s, const char *buf, size_t len, struct pm_err *err)
{
	if (len == 0)
		return PM_OK;
	sha1_update(&s->sha1, len, (const uint8_t *)buf);
	s->size += len;
	return s->out ? s->out(s->ctx, buf, len, err) : PM_OK;
}

/* The value of a held field: after ':', unfolded, trimmed, bounded. */
static char *
field_value(const char *f, size_t n)
{
	const char *colon = memchr(f, ':', n);
	char *v = xmalloc(MSGSCAN_VALUE_MAX + 1);
	size_t o = 0;

	for (size_t i = colon ? (size_t)(colon - f) + 1 : n;
	     i < n && o < MSGSCAN_VALUE_MAX; i++) {
		char c = f[i];

		if (c == '\r' || c == '\n')
			continue;
		if (c == '\t')
			c = ' ';
		if (c == ' ' && (o == 0 || v[o - 1] == ' '))
			continue;
		v[o++] = c;
	}
	while (o > 0 && v[o - 1] == ' ')
		o--;
	v[o] = '\0';
	return v;
}

/* "<id>" as notmuch reads it: inside the first <...>, or the value. */
static char *
parse_message_id(char *v)
{
	char *lt = strchr(v, '<'), *gt = lt ? strchr(lt, '>') : NULL;

	if (lt != NULL && gt != NULL && gt > lt + 1) {
		*gt = '\0';
		memmove(v, lt + 1, strlen(lt + 1) + 1);
	}
	if (v[0] == '\0') {
		free(v);
		return NULL;
	}
	return v;
}

static void
status_flags(struct msgscan *s, const char *name, const char *v)
{
	if (strcasecmp(name, "status") == 0) {
		if (strchr(v, 'R'))
			s->flags |= MSGSCAN_SEEN;
	} else if (strcasecmp(name, "x-status") == 0) {
		/* mutt and pine: A answered, F flagged, D deleted, T draft */
		s->flags |= (strchr(v, 'A') ? MSGSCAN_REPLIED : 0) |
			    (strchr(v, 'F') ? MSGSCAN_FLAGGED : 0) |
			    (strchr(v, 'D') ? MSGSCAN_TRASHED : 0) |
			    (strchr(v, 'T') ? MSGSCAN_DRAFT : 0);
	} else if (strcasecmp(name, "x-mozilla-status") == 0) {
		/* Thunderbird's nsMsgMessageFlags */
		unsigned long m = strtoul(v, NULL, 16);

		s->flags |= (m & 0x1 ? MSGSCAN_SEEN : 0) |
			    (m & 0x2 ? MSGSCAN_REPLIED : 0) |
			    (m & 0x4 ? MSGSCAN_FLAGGED : 0) |
			    (m & 0x8 ? MSGSCAN_TRASHED : 0) |
			    (m & 0x1000 ? MSGSCAN_PASSED : 0);
	}
}

/* A whole field is held: learn from it, pass it on or drop it. */
static enum pm_status
end_field(struct msgscan *s, struct pm_err *err)
{
	const char *colon = memchr(s->field, ':', s->nfield);
	char name[32];
	size_t nlen = colon ? (size_t)(colon - s->field) : 0;
	int drop = 0;
	char *v;

	if (s->nfield == 0)
		return PM_OK;
	if (colon != NULL && nlen < sizeof(name)) {
		memcpy(name, s->field, nlen);
		name[nlen] = '\0';
		while (nlen > 0 &&
		       (name[nlen - 1] == ' ' || name[nlen - 1] == '\t'))
			name[--nlen] = '\0';
		v = field_value(s->field, s->nfield);
		status_flags(s, name, v);
		for (size_t i = 0; s->strip && i < 5; i++)
			drop |= strcasecmp(name, stripped[i]) == 0;
		if (strcasecmp(name, "message-id") == 0 && !s->message_id) {
			s->message_id = parse_message_id(v);
		} else if (strcasecmp(name, "date") == 0 && !s->date) {
			s->date = v;
		} else {
			free(v);
		}
	}
	if (!drop) {
		enum pm_status st = put(s, s->field, s->nfield, err);

		if (st != PM_OK)
			return st;
	}
	s->nfield = 0;
	return PM_OK;
}

static void
body_hash(struct msgscan *s, const char *buf, size_t len)
{
	static const uint8_t nl[64] = {
	    '\n', '\n', '\n', '\n', '\n', '\n', '\n', '\n', '\n', '\n', '\n',
	    '\n', '\n', '\n', '\n', '\n', '\n', '\n', '\n', '\n', '\n', '\n',
	    '\n', '\n', '\n', '\n', '\n', '\n', '\n', '\n', '\n', '\n', '\n',
	    '\n', '\n', '\n', '\n', '\n', '\n', '\n', '\n', '\n', '\n', '\n',
	    '\n', '\n', '\n', '\n', '\n', '\n', '\n', '\n', '\n', '\n', '\n',
	    '\n', '\n', '\n', '\n', '\n', '\n', '\n', '\n', '\n'};
	size_t i = 0, start;

	while (i < len) {
		if (buf[i] == '\r') {
			i++;
			continue;
		}
		if (buf[i] == '\n') {
			s->newlines++;
			i++;
			continue;
		}
		while (s->newlines > 0) {
			size_t k = s->newlines < 64 ? s->newlines : 64;

			sha256_update(&s->body, k, nl);
			s->newlines -= k;
		}
		for (start = i; i < len && buf[i] != '\r' && buf[i] != '\n';
		     i++)
			;
		sha256_update(&s->body, i - start,
			      (const uint8_t *)buf + start);
	}
}

/* Header block: one byte at a time into the held field. */
static enum pm_status
header_byte(struct msgscan *s, char c, struct pm_err *err)
{
	enum pm_status st;

	if (s->cr_blank) {
		/* the LF of a CRLF blank line (or a stray CR: body) */
		s->cr_blank = 0;
		s->in_body = 1;
		s->at_bol = c == '\n';
		return put(s, &c, 1, err);
	}
	if (s->at_bol && c != ' ' && c != '\t') {
		/* a new line that does not continue the held field */
		if ((st = end_field(s, err)) != PM_OK)
			return st;
		s->passthrough = 0;
		if (c == '\n' || c == '\r') {
			/* the blank line that ends the header block */
			s->in_body = c == '\n';
			s->cr_blank = c == '\r';
			s->at_bol = c == '\n';
			return put(s, &c, 1, err);
		}
	}
	s->at_bol = c == '\n';
	if (s->passthrough)
		return put(s, &c, 1, err);
	if (s->nfield == MSGSCAN_FIELD_MAX) {
		/* too long to be one we look at: pass it on as it is */
		if ((st = put(s, s->field, s->nfield, err)) != PM_OK)
			return st;
		s->nfield = 0;
		s->passthrough = 1;
		return put(s, &c, 1, err);
	}
	s->field[s->nfield++] = c;
	return PM_OK;
}

enum pm_status
msgscan_feed(struct msgscan *s, const char *buf, size_t len, struct pm_err *err)
{
	enum pm_status st;
	size_t i = 0;

	for (; i < len && !s->in_body; i++)
		if ((st = header_byte(s, buf[i], err)) != PM_OK)
			return st;
	if (i == len)
		return PM_OK;
	body_hash(s, buf + i, len - i);
	return put(s, buf + i, len - i, err);
}

enum pm_status
msgscan_finish(struct msgscan *s, struct pm_err *err)
{
	uint8_t d[SHA1_DIGEST_SIZE];
	enum pm_status st = PM_OK;

	if (!s->in_body)
		st = end_field(s, err);
	sha256_digest(&s->body, sizeof(s->body_hash), s->body_hash);
	sha1_digest(&s->sha1, sizeof(d), d);
	for (size_t i = 0; i < sizeof(d); i++) {
		static const char hex[] = "0123456789abcdef";

		s->sha1_hex[2 * i] = hex[d[i] >> 4];
		s->sha1_hex[2 * i + 1] = hex[d[i] & 15];
	}
	s->sha1_hex[sizeof(s->sha1_hex) - 1] = '\0';
	return st;
}

const char *
msgscan_message_id(const struct msgscan *s)
{
	return s->message_id;
}

const char *
msgscan_date(const struct msgscan *s)
{
	return s->date;
}

unsigned
msgscan_flags(const struct msgscan *s)
{
	return s->flags;
}

const uint8_t *
msgscan_body_hash(const struct msgscan *s)
{
	return s->body_hash;
}

const char *
msgscan_sha1_hex(const struct msgscan *s)
{
	return s->sha1_hex;
}

uint64_t
msgscan_size(const struct msgscan *s)
{
	return s->size;
}

enum pm_status
msgscan_file_hash(const char *path, uint8_t hash_r[MSGSCAN_HASH_SIZE],
		  struct pm_err *err)
{
	struct msgscan *s = msgscan_new(NULL, NULL, 0);
	char buf[16384];
	enum pm_status st = PM_OK;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		st = err_set(err, PM_IOERR, "%s: %s", path, strerror(errno));
	while (st == PM_OK && (n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			st = err_set(err, PM_IOERR, "%s: %s", path,
				     strerror(errno));
		else
			st = msgscan_feed(s, buf, (size_t)n, err);
	}
	if (st == PM_OK && (st = msgscan_finish(s, err)) == PM_OK)
		memcpy(hash_r, s->body_hash, MSGSCAN_HASH_SIZE);
	if (fd >= 0)
		close(fd);
	msgscan_free(&s);
	return st;
}

static const char letters[] = "DFPRST";

void
msgscan_flag_letters(unsigned flags, char *buf)
{
	size_t o = 0;

	for (size_t i = 0; i < 6; i++)
		if (flags & (1u << i))
			buf[o++] = letters[i];
	buf[o] = '\0';
}

unsigned
msgscan_parse_letters(const char *l)
{
	unsigned f = 0;

	for (; *l; l++) {
		const char *p = strchr(letters, *l);

		if (p != NULL && *l != '\0')
			f |= 1u << (p - letters);
	}
	return f;
}

void
msgscan_free(struct msgscan **sp)
{
	struct msgscan *s = sp ? *sp : NULL;

	if (s == NULL)
		return;
	free(s->field);
	free(s->message_id);
	free(s->date);
	free(s);
	*sp = NULL;
}
