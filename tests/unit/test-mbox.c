/* test-mbox: the streaming mbox reader and msgscan on inputs the
 * integration test does not reach: a line longer than the 64 KB buffer,
 * a separator at the buffer's edge, CRLF files, a message without a
 * final newline, a Content-Length past the end; and msgscan's hash:
 * the same message as LF and CRLF, fed in any pieces, hashes the same. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "popmuch/mbox.h"
#include "popmuch/msgscan.h"
#include "popmuch/xmalloc.h"
#include "tap.h"

struct collected {
	char *buf[8];
	size_t len[8];
	int n;
};

static enum pm_status
collect(void *ctx, const char *buf, size_t len, struct pm_err *err)
{
	struct collected *c = ctx;
	int i = c->n;

	(void)err;
	c->buf[i] = xreallocarray(c->buf[i], c->len[i] + len + 1, 1);
	memcpy(c->buf[i] + c->len[i], buf, len);
	c->len[i] += len;
	c->buf[i][c->len[i]] = '\0';
	return PM_OK;
}

/* Read all of data as an mbox; returns the status of the last call. */
static enum pm_status
read_all(const char *data, size_t len, struct collected *c, char *emsg)
{
	char path[] = "/tmp/test-mbox.XXXXXX";
	int fd = mkstemp(path), more = 1;
	struct mbox *mb = NULL;
	struct pm_err err;
	enum pm_status st;

	memset(c, 0, sizeof(*c));
	if (write(fd, data, len) != (ssize_t)len)
		return PM_IOERR;
	close(fd);
	st = mbox_open(path, &mb, &err);
	while (st == PM_OK && more && c->n < 8) {
		st = mbox_next(mb, collect, c, &more, &err);
		if (more)
			c->n++;
	}
	if (st != PM_OK)
		strcpy(emsg, err.msg);
	mbox_free(&mb);
	unlink(path);
	return st;
}

static void
free_collected(struct collected *c)
{
	for (int i = 0; i < 8; i++)
		free(c->buf[i]);
}

static void
test_long_line(void)
{
	size_t big = 200 * 1024;
	char *data = xmalloc(big + 512), *p = data, emsg[PM_ERR_MSG_MAX];
	struct collected c;

	p += sprintf(p, "From a Mon Jan  1 00:00:00 2001\nSubject: long\n\n");
	memset(p, 'x', big);
	p += big;
	p += sprintf(p, "\n\nFrom b Mon Jan  1 00:00:00 2001\nSubject: two\n\n"
			"From me at 10:00 in 2001\nend\n");
	is_int(read_all(data, (size_t)(p - data), &c, emsg), PM_OK,
	       "a 200 KB line: read");
	is_int(c.n, 2, "... two messages");
	ok(c.len[0] == strlen("Subject: long\n\n") + big + 1,
	   "... the first whole (%zu bytes)", c.len[0]);
	is_str(c.buf[1], "Subject: two\n\nFrom me at 10:00 in 2001\nend\n",
	       "... the second, its 'From ' body line kept");
	free_collected(&c);
	free(data);
}

static void
test_edge_separator(void)
{
	/* the separator starts at every offset around the 64 KB edge */
	size_t base = 64 * 1024 - 40;
	char emsg[PM_ERR_MSG_MAX];
	int good = 1;

	for (size_t pad = 0; pad < 80; pad++) {
		size_t n = base + pad + 200;
		char *d = xmalloc(n), *p = d;
		struct collected c;

		p += sprintf(p, "From a Mon Jan  1 00:00:00 2001\nS: 1\n\n");
		while ((size_t)(p - d) < base + pad - 1) {
			size_t off = (size_t)(p - d);

			*p++ = off % 60 ? 'y' : '\n';
		}
		*p++ = '\n';
		p += sprintf(p,
			     "\nFrom b Mon Jan  1 00:00:00 2001\nS: 2\n\nz\n");
		if (read_all(d, (size_t)(p - d), &c, emsg) != PM_OK ||
		    c.n != 2 || strcmp(c.buf[1], "S: 2\n\nz\n") != 0)
			good = 0;
		free_collected(&c);
		free(d);
	}
	ok(good, "a separator at each offset around the buffer edge");
}

static void
test_crlf_and_truncated(void)
{
	static const char crlf[] =
	    "From a Mon Jan  1 00:00:00 2001\r\nSubject: c\r\n\r\nbody\r\n"
	    "\r\nFrom b Mon Jan  1 00:00:00 2001\r\nSubject: d\r\n\r\nx\r\n";
	static const char cut[] =
	    "From a Mon Jan  1 00:00:00 2001\nSubject: c\n\nbody\n\n"
	    "From b Mon Jan  1 00:00:00 2001\nSubject: d\n\nno newline";
	static const char cl[] =
	    "From a Mon Jan  1 00:00:00 2001\nContent-Length: 500\n\nshort\n";
	char emsg[PM_ERR_MSG_MAX];
	struct collected c;

	is_int(read_all(crlf, sizeof(crlf) - 1, &c, emsg), PM_OK, "CRLF mbox");
	is_int(c.n, 2, "... two messages");
	is_str(c.buf[0], "Subject: c\r\n\r\nbody\r\n",
	       "... the blank CRLF line before the separator is the mbox's");
	free_collected(&c);
	is_int(read_all(cut, sizeof(cut) - 1, &c, emsg), PM_DATAERR,
	       "no final newline: PM_DATAERR");
	ok(strstr(emsg, "truncated: the message at byte 50 ") != NULL,
	   "... names the offset: %s", emsg);
	is_int(c.n, 2, "... after the complete first message");
	free_collected(&c);
	is_int(read_all(cl, sizeof(cl) - 1, &c, emsg), PM_DATAERR,
	       "Content-Length past the end: PM_DATAERR");
	free_collected(&c);
	is_int(read_all("\0\1\2binary", 9, &c, emsg), PM_DATAERR,
	       "binary data: PM_DATAERR");
	ok(strstr(emsg, "binary data") != NULL, "... says so");
	free_collected(&c);
}

static void
hash_of(const char *msg, size_t piece, uint8_t *h, char *mid)
{
	struct msgscan *s = msgscan_new(NULL, NULL, 1);
	size_t len = strlen(msg);

	for (size_t i = 0; i < len; i += piece)
		msgscan_feed(s, msg + i, len - i < piece ? len - i : piece,
			     NULL);
	msgscan_finish(s, NULL);
	memcpy(h, msgscan_body_hash(s), MSGSCAN_HASH_SIZE);
	strcpy(mid, msgscan_message_id(s) ? msgscan_message_id(s) : "");
	msgscan_free(&s);
}

static void
test_hash(void)
{
	static const char lf[] = "Message-ID:\n <a@b>\nStatus: RO\n\nline\n\n";
	static const char crlf[] = "Message-ID: <a@b>\r\n\r\nline\r\n";
	uint8_t h1[MSGSCAN_HASH_SIZE], h2[MSGSCAN_HASH_SIZE];
	char m1[64], m2[64];
	int same = 1;

	hash_of(lf, sizeof(lf), h1, m1);
	is_str(m1, "a@b", "msgscan: a folded Message-ID");
	for (size_t piece = 1; piece < sizeof(crlf); piece++) {
		hash_of(crlf, piece, h2, m2);
		same &=
		    memcmp(h1, h2, sizeof(h1)) == 0 && strcmp(m2, "a@b") == 0;
	}
	ok(same, "... LF and CRLF, in pieces of every size: one body hash");
}

int
main(void)
{
	test_long_line();
	test_edge_separator();
	test_crlf_and_truncated();
	test_hash();
	return done_testing();
}
