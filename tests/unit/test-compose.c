/* test-compose.c: drafts into messages (compose_build) and the reply
 * rules of compose_draft, without a network or a database. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "popmuch/compose.h"
#include "popmuch/identity.h"
#include "popmuch/xmalloc.h"
#include "tap.h"

static struct compose_msg *
build_ok(const char *draft, const char *what)
{
	struct compose_msg *m = NULL;
	struct pm_err err;

	if (!ok(compose_build(draft, &m, &err) == PM_OK, "builds: %s", what))
		printf("#   %s\n", err.msg);
	return m;
}

static void
build_fails(const char *draft, const char *want, const char *what)
{
	struct compose_msg *m = NULL;
	struct pm_err err;

	ok(compose_build(draft, &m, &err) == PM_DATAERR && m == NULL,
	   "refused: %s", what);
	if (!ok(strstr(err.msg, want) != NULL, "... says \"%s\"", want))
		printf("#   got: %s\n", err.msg);
	compose_msg_free(&m);
}

static int
has(const struct compose_msg *m, const char *s)
{
	return m != NULL && strstr(m->data, s) != NULL;
}

static void
test_build(void)
{
	struct compose_msg *m;
	struct pm_err err;

	m = build_ok("From: Me <me@example.org>\nTo: a@example.com,\n"
		     "  b@example.com\nSubject: long\n  folded\n"
		     "X-Mood: heiß\nContent-Type: text/html\n"
		     "Date: yesterday\n\nbody\n",
		     "folded headers and extras");
	ok(has(m, "To: a@example.com, b@example.com\n"),
	   "a folded To: both addresses");
	ok(has(m, "Subject: long folded\n"), "a folded Subject unfolded");
	ok(has(m, "X-Mood: =?"), "an extra header, RFC 2047-encoded");
	ok(!has(m, "text/html") && has(m, "Content-Type: text/plain"),
	   "Content-* of the draft dropped: the body is text/plain");
	ok(!has(m, "yesterday"), "Date of the draft replaced");
	ok(m && m->message_id && strstr(m->message_id, "@example.org"),
	   "Message-ID in the From domain");
	ok(m && m->in_reply_to == NULL, "no In-Reply-To");
	compose_msg_free(&m);

	m = build_ok("From: me@example.org\nBcc: hidden@example.com\n"
		     "In-Reply-To: <parent@example.net>\n\nx\n",
		     "Bcc only");
	is_str(m ? m->in_reply_to : NULL, "parent@example.net",
	       "in_reply_to without <>");
	is_str(m ? m->from_addr : NULL, "me@example.org", "from_addr");
	compose_msg_free(&m);

	build_fails("To: a@example.com\n\nx\n", "no From", "no From");
	build_fails("From: a@example.com, b@example.com\nTo: c@example.com\n"
		    "\nx\n",
		    "is not one address", "two From addresses");
	build_fails("From: me@example.org\nTo: \nCc: \n\nx\n", "no recipient",
		    "no recipient");
	build_fails("From: me@example.org\nTo: x@example.com\nnot a header\n"
		    "\nx\n",
		    "has no \"Name:\"", "a line without a colon");
	build_fails("From: me@example.org\nTo: x@example.com\nPGP: maybe\n"
		    "\nx\n",
		    "PGP: \"maybe\"", "PGP: maybe");
	m = NULL;
	ok(compose_build("From: me@example.org\nTo: x@example.com\n"
			 "Attach: /nonexistent/file\n\nx\n",
			 &m, &err) == PM_IOERR &&
	       m == NULL,
	   "a missing attachment: PM_IOERR");
	ok(strstr(err.msg, "Attach: /nonexistent/file") != NULL,
	   "... naming it");
	ok(compose_draft_is_empty(" \n\t\n"), "blanks: an emptied draft");
	ok(!compose_draft_is_empty("\nx"), "text: not empty");
}

/* Reply rules on a message file: Reply-To kept when it is not the
 * list's munging; own address dropped; From the address written to. */
static void
test_reply(void)
{
	char path[] = "/tmp/popmuch-test-compose-XXXXXX";
	struct identity idv[2] = {
	    {(char *)"Me", (char *)"me@example.org", NULL, NULL},
	    {(char *)"Me", (char *)"alias@example.org", NULL, NULL},
	};
	struct identities ids = {idv, 2};
	struct compose_opts o = {.kind = COMPOSE_REPLY};
	struct pm_err err;
	char *d = NULL;
	int fd = mkstemp(path);
	const char *msg =
	    "From: Ann <ann@example.net>\nTo: alias@example.org\n"
	    "Reply-To: Ann Private <ann@home.example>\n"
	    "Subject: Re: Re: plans\nMessage-ID: <p1@example.net>\n"
	    "Date: Mon, 1 Jan 2024 10:00:00 +0000\n\nhello\n";

	if (fd < 0 || write(fd, msg, strlen(msg)) != (ssize_t)strlen(msg))
		return;
	close(fd);
	o.orig_path = path;
	o.html_cmd = "";
	ok(compose_draft(&ids, &o, &d, &err) == PM_OK, "reply draft");
	ok(d && strstr(d, "From: Me <alias@example.org>\n"),
	   "From: the identity the message was sent to");
	ok(d && strstr(d, "To: Ann Private <ann@home.example>\n"),
	   "To: Reply-To (not the list's)");
	ok(d && strstr(d, "Subject: Re: plans\n"), "one Re:");
	ok(d && strstr(d, "References: <p1@example.net>\n"), "References");
	ok(d && strstr(d, "> hello\n"), "quoted");
	free(d);
	unlink(path);
}

int
main(void)
{
	test_build();
	test_reply();
	return done_testing();
}
