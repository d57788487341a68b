/* test-filter.c: mpop's filter command as mpop runs it (filter.h): the
 * headers on stdin, %F and %S, the exit status as the verdict; with
 * mpop's own example filter. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "popmuch/filter.h"
#include "tap.h"

static const char spam[] = "Return-Path: <bulk$sender@spam.example>\r\n"
			   "From: Someone <someone@spam.example>\r\n"
			   "X-Spam-Status: Yes, score=9.1\r\n"
			   "Subject: win\r\n"
			   "\r\n";
static const char ham[] = "From: Joe Smith <joe@example.org>\n"
			  "Subject: lunch\n"
			  "\n";

/* mpop's example filters (mpop(1) and its mpoprc example) */
#define MPOP_SKIP_SPAM                                                         \
	"if [ \"`grep \"^X-Spam-Status: Yes\"`\" ]; then exit 2; else exit "   \
	"0; fi"
#define MPOP_KILL_SPAM                                                         \
	"if [ \"`grep \"^X-Spam-Status: Yes\"`\" ]; then exit 1; else exit "   \
	"0; fi"

static enum filter_verdict
verdict(const char *cmd, const char *h, uint64_t size, enum pm_status want)
{
	enum filter_verdict v = (enum filter_verdict)99;
	struct pm_err err;
	enum pm_status st = filter_run(cmd, h, strlen(h), size, &v, &err);

	if (st != want)
		diag("  %s: status %d: %s", cmd, st, err.msg);
	return v;
}

int
main(void)
{
	struct pm_err err;
	enum filter_verdict v;
	char *s;

	s = filter_envelope_from(spam, sizeof(spam) - 1);
	is_str(s, "bulk_sender@spam.example",
	       "%%F: Return-Path, cleaned as mpop cleans it");
	free(s);
	s = filter_envelope_from(ham, sizeof(ham) - 1);
	is_str(s, "joe@example.org", "%%F: else the From address");
	free(s);
	s = filter_envelope_from("Subject: x\n\nFrom: a@b\n", 22);
	is_str(s, "MAILER-DAEMON", "%%F: none in the headers (body not read)");
	free(s);
	s = filter_envelope_from("Return-Path: <>\nFrom: x@y\n\n", 27);
	is_str(s, "x@y", "%%F: an empty Return-Path is passed over");
	free(s);
	s = filter_command("check '%F' %S %%", ham, sizeof(ham) - 1, 4711);
	is_str(s, "check 'joe@example.org' 4711 %%", "%%F and %%S replaced");
	free(s);

	is_int(verdict(MPOP_SKIP_SPAM, spam, 10, PM_OK), FILTER_SKIP,
	       "mpop's example: spam skipped (exit 2)");
	is_int(verdict(MPOP_SKIP_SPAM, ham, 10, PM_OK), FILTER_FETCH,
	       "mpop's example: other mail fetched (exit 0)");
	is_int(verdict(MPOP_KILL_SPAM, spam, 10, PM_OK), FILTER_KILL,
	       "the kill variant: spam deleted (exit 1)");
	is_int(verdict("test '%F' = joe@example.org && test %S = 77", ham, 77,
		       PM_OK),
	       FILTER_FETCH, "the command sees %%F and %%S");
	is_int(verdict("test '%F' = nobody", ham, 77, PM_OK), FILTER_KILL,
	       "... and the check can fail");
	is_int(verdict("exit 0", ham, 1, PM_OK), FILTER_FETCH,
	       "a filter that reads nothing");
	is_int(filter_run("exit 75", ham, strlen(ham), 1, &v, &err), PM_CONFIG,
	       "exit 75: an error");
	is_int(v, FILTER_FETCH, "... and the verdict is to fetch");
	ok(strstr(err.msg, "filter command failed with exit status 75") != NULL,
	   "... with the status in the message");
	is_int(filter_run("kill -9 $$", ham, strlen(ham), 1, &v, &err),
	       PM_CONFIG, "killed by a signal: an error");
	ok(strstr(err.msg, "killed by signal 9") != NULL, "... naming it");
	return done_testing();
}
