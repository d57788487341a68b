/* test-hdrhash.c: the header hash (hdrhash.h): the same whatever the
 * chunking and the line ends, blind to the fields servers rewrite and to
 * the body, sensitive to everything else; hdrhash_looks_like_mail();
 * hdrhash_file(). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "popmuch/hdrhash.h"
#include "popmuch/xmalloc.h"
#include "tap.h"
#include "testutil.h"

static char base[] = "/tmp/test-hdrhash.XXXXXX";

/* A message with continuation lines, every volatile field and a body. */
static const char msg_lf[] =
    "Return-Path: <a@example.org>\n"
    "Received: from mx.example.org by pop.example.org;\n"
    "\tTue, 1 Dec 2026 09:00:00 +0000\n"
    "From: Alice <a@example.org>\n"
    "To: bob@example.net\n"
    "Subject: a subject that is folded\n"
    " over two lines\n"
    "X-UIDL: 0123456789abcdef\n"
    "Status: RO\n"
    "X-Status: A\n"
    "X-Keywords: $Label1\n"
    " $Label2\n"
    "X-IMAP: 1700000000 0000000042\n"
    "X-IMAPbase: 1700000000 0000000042\n"
    "X-UID: 42\n"
    "X-Mozilla-Status: 0001\n"
    "X-Mozilla-Status2: 00000000\n"
    "Content-Length: 5\n"
    "Lines: 1\n"
    "Message-ID: <1@example.org>\n"
    "\n"
    "body\n"
    "Subject: not a header, the body\n";

/* The hash of buf fed in one go. */
static void
hash_whole(const char *buf, size_t len, char hex[HDRHASH_HEX + 1])
{
	struct hdrhash h;

	hdrhash_init(&h);
	hdrhash_feed(&h, buf, len);
	hdrhash_final(&h, hex);
}

static void
hash_str(const char *s, char hex[HDRHASH_HEX + 1])
{
	hash_whole(s, strlen(s), hex);
}

/* The same text with CRLF line ends (caller frees). */
static char *
to_crlf(const char *lf, size_t *len_r)
{
	size_t n = strlen(lf), o = 0;
	char *out = xmalloc(2 * n + 1);

	for (size_t i = 0; i < n; i++) {
		if (lf[i] == '\n')
			out[o++] = '\r';
		out[o++] = lf[i];
	}
	out[o] = '\0';
	*len_r = o;
	return out;
}

/* Fed as two chunks at every split point, as three chunks around every
 * point, and one byte at a time: always want?  Returns the splits that
 * differed. */
static int
chunkings_differ(const char *buf, size_t len, const char *want)
{
	char hex[HDRHASH_HEX + 1];
	struct hdrhash h;
	int bad = 0;

	for (size_t k = 0; k <= len; k++) {
		hdrhash_init(&h);
		hdrhash_feed(&h, buf, k);
		hdrhash_feed(&h, buf + k, len - k);
		hdrhash_final(&h, hex);
		bad += strcmp(hex, want) != 0;
		hdrhash_init(&h);
		hdrhash_feed(&h, buf, k / 2);
		hdrhash_feed(&h, buf + k / 2, k - k / 2);
		hdrhash_feed(&h, "", 0);
		hdrhash_feed(&h, buf + k, len - k);
		hdrhash_final(&h, hex);
		bad += strcmp(hex, want) != 0;
	}
	hdrhash_init(&h);
	for (size_t k = 0; k < len; k++)
		hdrhash_feed(&h, buf + k, 1);
	hdrhash_final(&h, hex);
	bad += strcmp(hex, want) != 0;
	return bad;
}

static void
test_chunking(void)
{
	char lf[HDRHASH_HEX + 1], crlf[HDRHASH_HEX + 1];
	size_t clen;
	char *c = to_crlf(msg_lf, &clen);

	hash_str(msg_lf, lf);
	hash_whole(c, clen, crlf);
	is_int(strlen(lf), HDRHASH_HEX, "the hash is %d hex digits",
	       HDRHASH_HEX);
	ok(strspn(lf, "0123456789abcdef") == HDRHASH_HEX, "lower-case hex");
	is_str(crlf, lf, "CRLF and LF forms hash the same");
	is_int(chunkings_differ(msg_lf, strlen(msg_lf), lf), 0,
	       "LF form: every split point and byte by byte give one hash");
	is_int(chunkings_differ(c, clen, lf), 0,
	       "CRLF form: every split point and byte by byte give one hash");
	free(c);
}

/* s, at most 24 bytes of it, with line ends shown as \n (for a TAP
 * name, which must be one line). */
static const char *
shown(const char *s, char buf[64])
{
	size_t o = 0;

	for (; *s != '\0' && o < 48; s++) {
		if (*s == '\n' || *s == '\t') {
			buf[o++] = '\\';
			buf[o++] = *s == '\n' ? 'n' : 't';
		} else {
			buf[o++] = *s;
		}
	}
	buf[o] = '\0';
	return buf;
}

/* msg_lf with the header line starting with 'from' replaced by 'to'
 * (caller frees). */
static char *
replace(const char *from, const char *to)
{
	const char *p = strstr(msg_lf, from);
	size_t pre = (size_t)(p - msg_lf);

	return xasprintf("%.*s%s%s", (int)pre, msg_lf, to, p + strlen(from));
}

static void
test_volatile(void)
{
	static const char *const same[][2] = {
	    {"X-UIDL: 0123456789abcdef\n", "X-UIDL: other\n"},
	    {"X-UIDL: 0123456789abcdef\n", "x-uidl: 0123456789abcdef\n"},
	    {"X-UIDL: 0123456789abcdef\n", "X-UIDL : spaced\n"},
	    {"X-UIDL: 0123456789abcdef\n", ""},
	    {"Status: RO\n", "Status: O\n"},
	    {"Status: RO\n", "STATUS: R\n"},
	    {"Status: RO\n", ""},
	    {"X-Status: A\n", "X-STATUS: AF\n"},
	    {"X-Keywords: $Label1\n $Label2\n", "X-Keywords: $Other\n"},
	    {"X-Keywords: $Label1\n $Label2\n",
	     "x-keywords: $Label1\n\t$Label2\n more\n"},
	    {"X-IMAP: 1700000000 0000000042\n", "X-IMAP: 1 2\n"},
	    {"X-IMAPbase: 1700000000 0000000042\n", "X-imapBASE: 9 9\n"},
	    {"X-UID: 42\n", "X-UID: 43\n"},
	    {"X-Mozilla-Status: 0001\n", "X-Mozilla-Status: 0009\n"},
	    {"X-Mozilla-Status2: 00000000\n", "x-mozilla-status2: 10000000\n"},
	    {"Content-Length: 5\n", "Content-Length: 500\n"},
	    {"Content-Length: 5\n", "content-length: 5\n continued\n"},
	    {"Lines: 1\n", "Lines: 100\n"},
	    {"Lines: 1\n", ""},
	    /* a volatile field added where there was none */
	    {"Message-ID:", "X-UIDL: new\nStatus: U\nMessage-ID:"},
	};
	static const char *const differ[][2] = {
	    {"Subject: a subject", "Subject: A subject"},
	    {"Subject: a subject", "subject: a subject"},
	    {" over two lines\n", " over three lines\n"},
	    {" over two lines\n", "\tover two lines\n"},
	    {"\tTue, 1 Dec", "\tWed, 2 Dec"},
	    {"To: bob@example.net\n", ""},
	    {"To: bob@example.net\n", "To: bob@example.net\nCc: c@x\n"},
	    {"To: bob@example.net\n", "To:  bob@example.net\n"},
	    {"Message-ID: <1@example.org>\n", "Message-ID: <2@example.org>\n"},
	    {"Message-ID:", "X-UIDLs: a\nMessage-ID:"},
	    {"Message-ID:", "Statuses: a\nMessage-ID:"},
	    {"Message-ID:", "X-Status-Report: a\nMessage-ID:"},
	    {"Message-ID:", "Content-Length-2: a\nMessage-ID:"},
	    {"Message-ID:", "X-Lines: 3\nMessage-ID:"},
	    {"Message-ID:", "X-UI: 3\nMessage-ID:"},
	    /* a field with a volatile name in its value */
	    {"Message-ID:", "Comment: Status: RO\nMessage-ID:"},
	    /* swap two lines */
	    {"From: Alice <a@example.org>\nTo: bob@example.net\n",
	     "To: bob@example.net\nFrom: Alice <a@example.org>\n"},
	};
	char want[HDRHASH_HEX + 1], got[HDRHASH_HEX + 1], b1[64], b2[64];
	char *m;

	hash_str(msg_lf, want);
	for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		m = replace(same[i][0], same[i][1]);
		hash_str(m, got);
		is_str(got, want, "volatile: '%s' -> '%s' keeps the hash",
		       shown(same[i][0], b1), shown(same[i][1], b2));
		free(m);
	}
	for (size_t i = 0; i < sizeof(differ) / sizeof(differ[0]); i++) {
		m = replace(differ[i][0], differ[i][1]);
		hash_str(m, got);
		ok(strcmp(got, want) != 0,
		   "other change: '%s' -> '%s' changes the hash",
		   shown(differ[i][0], b1), shown(differ[i][1], b2));
		free(m);
	}
	/* A header of volatile fields only hashes like an empty header. */
	hash_str("\nbody\n", want);
	hash_str("Status: RO\nX-UIDL: 1\n continued\n\nbody\n", got);
	is_str(got, want, "only volatile fields: the hash of an empty header");
}

static void
test_body(void)
{
	char want[HDRHASH_HEX + 1], got[HDRHASH_HEX + 1];
	static const char hdr[] = "From: a@b\nSubject: s\n";
	char *m;

	hash_str("From: a@b\nSubject: s\n\nbody one\n", want);
	hash_str("From: a@b\nSubject: s\n\nanother body\nX-UIDL: 1\n", got);
	is_str(got, want, "the body does not count");
	hash_str("From: a@b\nSubject: s\n\n", got);
	is_str(got, want, "an empty body: the same (TOP n 0)");
	hash_str("From: a@b\nSubject: s\r\n\r\nbody\r\n", got);
	is_str(got, want, "the CRLF empty line ends the header too");
	hash_str(hdr, got);
	is_str(got, want, "no empty line at all: the header is all there is");
	hash_str("From: a@b\nSubject: s", got);
	is_str(got, want, "no empty line and no final LF: the same");
	hash_str("From: a@b\r\nSubject: s\r", got);
	is_str(got, want, "no empty line, a final CR without LF: the same");
	hash_str("From: a@b\nSubject: t", got);
	ok(strcmp(got, want) != 0, "a last line without LF still counts");
	/* The body starts at the FIRST empty line. */
	m = xasprintf("%s\nSubject: in the body\n\nmore\n", hdr);
	hash_str(m, got);
	is_str(got, want, "a header-like body after the empty line is ignored");
	free(m);
	hash_str("", want);
	hash_str("\nFrom: a@b\n", got);
	is_str(got, want, "an empty first line: an empty header");
}

/* A header with one line of n bytes of 'x' after "X-Long: " (total
 * line length n + 8), LF or CRLF.  Caller frees. */
static char *
long_msg(size_t n, const char *name, const char *eol, char fill)
{
	char *v = xmalloc(n + 1), *m;

	memset(v, fill, n);
	v[n] = '\0';
	m = xasprintf("From: a@b%s%s: %s%sSubject: s%s%sbody%s", eol, name, v,
		      eol, eol, eol, eol);
	free(v);
	return m;
}

static void
test_long_lines(void)
{
	static const size_t lens[] = {HDRHASH_LINE - 20,   HDRHASH_LINE - 11,
				      HDRHASH_LINE - 10,   HDRHASH_LINE - 9,
				      HDRHASH_LINE - 8,	   HDRHASH_LINE,
				      HDRHASH_LINE * 3 + 7};
	char a[HDRHASH_HEX + 1], b[HDRHASH_HEX + 1], c[HDRHASH_HEX + 1];

	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		size_t n = lens[i], line = n + 8; /* "X-Long: " */
		char *lf = long_msg(n, "X-Long", "\n", 'x');
		char *crlf = long_msg(n, "X-Long", "\r\n", 'x');
		char *other = long_msg(n, "X-Long", "\n", 'x');
		char *vol = long_msg(n, "X-UIDL", "\n", 'y');
		char *novol = long_msg(0, "X-UIDL", "\n", 'y');

		other[strlen(other) - 20] = 'z'; /* the long line's end */
		hash_str(lf, a);
		hash_str(crlf, b);
		is_str(b, a,
		       "a %zu-byte header line: CRLF and LF hash the same",
		       line);
		is_int(chunkings_differ(crlf, strlen(crlf), b), 0,
		       "a %zu-byte header line, CRLF: chunking changes nothing",
		       line);
		hash_str(other, c);
		ok(strcmp(a, c) != 0,
		   "a %zu-byte header line: a change at its end counts", line);
		hash_str(vol, b);
		hash_str(novol, c);
		is_str(b, c, "a %zu-byte X-UIDL line is still left out", line);
		free(lf);
		free(crlf);
		free(other);
		free(vol);
		free(novol);
	}
}

/* hdrhash_looks_like_mail() after feeding s (in two chunks). */
static int
mail_of(const char *s)
{
	char hex[HDRHASH_HEX + 1];
	struct hdrhash h;
	size_t n = strlen(s);

	hdrhash_init(&h);
	hdrhash_feed(&h, s, n / 2);
	hdrhash_feed(&h, s + n / 2, n - n / 2);
	hdrhash_final(&h, hex);
	return hdrhash_looks_like_mail(&h);
}

static void
test_looks_like_mail(void)
{
	char *longname = xmalloc(HDRHASH_LINE + 64);

	ok(mail_of("Return-Path: <a@b>\nSubject: s\n\nbody\n"),
	   "a header field first: mail");
	ok(mail_of("Subject:no space\r\n\r\n"), "'Name:value' first: mail");
	ok(mail_of("X-UIDL: 1\n\n"), "a volatile field first: still mail");
	ok(mail_of("Subject: s"), "one field without LF: mail");
	ok(mail_of("From a@b Tue Dec  1 09:00:00 2026\nSubject: s\n\nb\n"),
	   "an mbox 'From ' line first: mail");
	ok(!mail_of("+OK message follows\r\nSubject: s\r\n\r\nbody\r\n"),
	   "'+OK ...' first: not mail");
	ok(!mail_of("+OK\r\nSubject: s\r\n\r\n"),
	   "'+OK' alone first: not mail");
	ok(!mail_of("-ERR no such message\r\n"), "'-ERR ...' first: not mail");
	ok(!mail_of("Hello, this is just text.\nSecond line\n"),
	   "plain text first: not mail");
	ok(!mail_of("just text"), "plain text without LF: not mail");
	ok(!mail_of("\nSubject: s\n"), "an empty first line: not mail");
	ok(!mail_of(" Subject: s\n\n"), "a continuation first: not mail");
	ok(!mail_of(": value\n\n"), "an empty field name: not mail");
	ok(mail_of("From: \x01\n\n"), "control bytes in the value: mail");
	ok(!mail_of("Sub ject: s\n\n"), "a space in the field name: not mail");
	ok(!mail_of("From\n\n"), "'From' alone: not mail");
	ok(!mail_of(""), "nothing: not mail");
	memset(longname, 'N', HDRHASH_LINE + 10);
	memcpy(longname + HDRHASH_LINE + 10, ": v\n\n", 6);
	ok(!mail_of(longname),
	   "a field name longer than HDRHASH_LINE: not taken for mail");
	memcpy(longname, "Subject: ", 9);
	ok(mail_of(longname), "a long first field line: mail");
	free(longname);
}

static int
write_file(const char *path, const char *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	int good = fd >= 0 && write(fd, buf, len) == (ssize_t)len;

	if (fd >= 0)
		close(fd);
	return good ? 0 : -1;
}

static void
test_file(void)
{
	char *path = xasprintf("%s/msg", base);
	char *link = xasprintf("%s/link", base);
	char *big, want[HDRHASH_HEX + 1], got[HDRHASH_HEX + 1];
	size_t clen, n = 0;
	char *c = to_crlf(msg_lf, &clen);
	int mail = -1;

	hash_str(msg_lf, want);
	ok(write_file(path, c, clen) == 0, "write a CRLF message file");
	ok(hdrhash_file(path, got, &mail) == 0, "hdrhash_file: 0");
	is_str(got, want, "hdrhash_file equals the fed hash");
	is_int(mail, 1, "hdrhash_file reports mail");
	ok(hdrhash_file(path, got, NULL) == 0, "mail_r may be NULL");
	write_file(path, "+OK\r\nSubject: s\r\n\r\n", 19);
	mail = -1;
	hdrhash_file(path, got, &mail);
	is_int(mail, 0, "hdrhash_file: a file starting '+OK' is not mail");

	/* A header far longer than one read (16 KiB): 2000 fields. */
	big = xmalloc(2000 * 40 + 64);
	for (int i = 0; i < 2000; i++)
		n += (size_t)sprintf(big + n, "X-Field-%04d: value %d\n", i, i);
	n += (size_t)sprintf(big + n, "\nbody\n");
	hash_whole(big, n, want);
	write_file(path, big, n);
	mail = -1;
	ok(hdrhash_file(path, got, &mail) == 0 && mail == 1,
	   "a %zu-byte header file: read, mail", n);
	is_str(got, want, "a %zu-byte header: the file hash equals the fed one",
	       n);
	free(big);

	errno = 0;
	ok(hdrhash_file(link, got, &mail) == -1 && errno == ENOENT,
	   "a missing file: -1, ENOENT");
	ok(symlink(path, link) == 0, "a symlink to the file");
	errno = 0;
	ok(hdrhash_file(link, got, &mail) == -1 && errno == ELOOP,
	   "a symlink is not followed: -1, ELOOP");
	free(c);
	free(path);
	free(link);
}

/* hdrhash_file_matches(): the server's header, or it under the trace
 * fields a delivery agent puts on top, and nothing else. */
static void
test_file_matches(void)
{
	static const char server[] = "Received: from mx by pop; Tue\n"
				     "From: a@example.org\n"
				     "Subject: s\n"
				     "Message-ID: <m@example.org>\n"
				     "\n"
				     "body\n";
	static const char *const copies[][2] = {
	    {"", "1"},
	    {"Received: from 127.0.0.1 (localhost [127.0.0.1])\n"
	     "\tby host (mpop) with POP3; Tue\n",
	     "1"},
	    {"From sender@example.org Tue Dec  1 11:33:45 2026\n"
	     "Delivered-To: bob@example.net\n"
	     "Return-Path: <a@example.org>\n"
	     "X-Original-To: bob@example.net\n"
	     "Received: by getmail6\n",
	     "1"},
	    {"X-Spam: yes\n", "0"},
	    {"Received: by fetchmail\nX-Spam: yes\n", "0"},
	};
	char *path = xasprintf("%s/copy", base), *buf, want[HDRHASH_HEX + 1];
	size_t n;

	hash_str(server, want);
	for (size_t i = 0; i < sizeof(copies) / sizeof(copies[0]); i++) {
		buf = xasprintf("%s%s", copies[i][0], server);
		n = strlen(buf);
		write_file(path, buf, n);
		is_int(hdrhash_file_matches(path, want), copies[i][1][0] - '0',
		       "file_matches, copy %zu: %s", i, copies[i][1]);
		free(buf);
	}
	buf = xasprintf("%.*sSubject: t\n%s", 50, server, server + 61);
	write_file(path, buf, strlen(buf));
	is_int(hdrhash_file_matches(path, want), 0,
	       "file_matches: another Subject is no copy");
	free(buf);
	unlink(path);
	errno = 0;
	ok(hdrhash_file_matches(path, want) == -1 && errno == ENOENT,
	   "file_matches: a missing file is -1, ENOENT");
	free(path);
}

int
main(void)
{
	if (mkdtemp(base) == NULL) {
		ok(0, "mkdtemp: %s", strerror(errno));
		return done_testing();
	}
	test_chunking();
	test_volatile();
	test_body();
	test_long_lines();
	test_looks_like_mail();
	test_file();
	test_file_matches();
	rm_tree(base);
	return done_testing();
}
