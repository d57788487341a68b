/* test-failing.c: messages the server will not send (failing.h): told
 * when they first fail and then once a FAILING_TELL_EVERY, kept across
 * runs, forgotten when they no longer fail, written 0600 without
 * following a planted link; and the no-pipelining quirk (quirks.h). */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "popmuch/failing.h"
#include "popmuch/quirks.h"
#include "popmuch/xmalloc.h"
#include "tap.h"
#include "testutil.h"

#define T0 ((int64_t)1764580000)
#define DAY FAILING_TELL_EVERY

static char base[] = "/tmp/test-failing.XXXXXX";

static int
note(struct failing *f, const char *uidl, int64_t now, int64_t *since_r)
{
	*since_r = -1;
	return failing_note(f, uidl, now, since_r);
}

static void
test_tell(void)
{
	char *dir = xasprintf("%s/tell", base);
	struct failing *f;
	int64_t since, oldest = -1;

	mkdir(dir, 0700);
	f = failing_load(dir);
	ok(f != NULL, "tell: a missing file loads as empty");
	is_int(failing_recorded(f, &oldest), 0, "tell: nothing recorded");
	is_int(oldest, 0, "tell: oldest 0 when none");
	is_int(note(f, "m1", T0, &since), 1, "tell: told on the first failure");
	is_int(since, T0, "tell: failing since now");
	is_int(note(f, "m1", T0 + 300, &since), 0,
	       "tell: not again five minutes later");
	is_int(since, T0, "tell: since the first failure");
	is_int(note(f, "m1", T0 + DAY - 1, &since), 0,
	       "tell: not again within FAILING_TELL_EVERY");
	is_int(note(f, "m1", T0 + DAY, &since), 1,
	       "tell: again after FAILING_TELL_EVERY");
	is_int(since, T0, "tell: still failing since the first time");
	is_int(note(f, "m1", T0 + DAY + 300, &since), 0,
	       "tell: the next report counts from the last one");
	is_int(note(f, "m1", T0 + 2 * DAY - 1, &since), 0,
	       "tell: not within a day of the last report");
	is_int(note(f, "m1", T0 + 2 * DAY, &since), 1,
	       "tell: a day after the last report");
	is_int(note(f, "m2", T0 + 2 * DAY + 5, &since), 1,
	       "tell: another message is told on its own first failure");
	is_int(since, T0 + 2 * DAY + 5, "tell: m2 failing since then");
	is_int(note(f, "m1", T0 + DAY, &since), 1,
	       "tell: a clock that went back tells again");
	is_int(failing_count(f, &oldest), 2, "tell: two noted in this run");
	is_int(oldest, T0, "tell: the oldest first failure");
	failing_free(&f);
	ok(f == NULL, "failing_free sets NULL");
	failing_free(&f);
	free(dir);
}

static void
test_roundtrip(void)
{
	char *dir = xasprintf("%s/rt", base);
	char *path = xasprintf("%s/failing", dir), *text, *want;
	struct failing *f;
	struct pm_err err;
	int64_t since, oldest;
	struct stat st;
	size_t len;
	mode_t old;

	mkdir(dir, 0700);
	f = failing_load(dir);
	note(f, "keep-1", T0, &since);
	note(f, "gone-2", T0 + 10, &since);
	note(f, "keep-3", T0 + 20, &since);
	note(f, "keep-3", T0 + DAY + 20, &since); /* told again */
	old = umask(0);
	is_int(failing_save(f, &err), PM_OK, "roundtrip: save");
	umask(old);
	failing_free(&f);
	ok(stat(path, &st) == 0 && (st.st_mode & 07777) == 0600,
	   "roundtrip: the file is 0600 under umask 0 (0%o)",
	   (unsigned)(st.st_mode & 07777));
	text = slurp(path, &len);
	want = xasprintf("keep-1 %" PRId64 " %" PRId64 "\n", T0, T0);
	ok(text != NULL && strstr(text, want) != NULL,
	   "roundtrip: a line '<uidl> <since> <told>'");
	free(want);
	free(text);

	f = failing_load(dir);
	is_int(failing_recorded(f, &oldest), 3, "roundtrip: three recorded");
	is_int(oldest, T0, "roundtrip: the oldest since survives");
	is_int(failing_count(f, &oldest), 0, "roundtrip: none noted yet");
	is_int(note(f, "keep-1", T0 + 600, &since), 0,
	       "roundtrip: told is kept: not told again within the day");
	is_int(since, T0, "roundtrip: since is kept");
	is_int(note(f, "keep-3", T0 + DAY + 600, &since), 0,
	       "roundtrip: the last report time is kept, not the first");
	is_int(since, T0 + 20, "roundtrip: keep-3 since kept");
	is_int(note(f, "keep-3", T0 + 2 * DAY + 20, &since), 1,
	       "roundtrip: told a day after its last report");
	/* gone-2 did not fail in this run: it arrived or left the server. */
	is_int(failing_save(f, &err), PM_OK, "roundtrip: save again");
	failing_free(&f);
	f = failing_load(dir);
	is_int(failing_recorded(f, &oldest), 2,
	       "roundtrip: what was not noted in the run was dropped");
	is_int(note(f, "gone-2", T0 + DAY, &since), 1,
	       "roundtrip: the dropped one is new if it fails again");
	is_int(since, T0 + DAY, "roundtrip: ...failing since now");
	failing_free(&f);

	/* A run in which nothing failed removes the file. */
	f = failing_load(dir);
	is_int(failing_save(f, &err), PM_OK, "roundtrip: save with none");
	ok(access(path, F_OK) != 0 && errno == ENOENT,
	   "roundtrip: nothing noted: the file is removed");
	is_int(failing_save(f, &err), PM_OK,
	       "roundtrip: removing a missing file is fine");
	failing_free(&f);
	free(path);
	free(dir);
}

static void
write_text(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	if (fp != NULL) {
		fputs(text, fp);
		fclose(fp);
	}
}

/* Lines that are no record are ignored, not fatal. */
static void
test_bad_lines(void)
{
	char *dir = xasprintf("%s/bad", base);
	char *path = xasprintf("%s/failing", dir), *text, *u71 = xmalloc(72);
	struct failing *f;
	int64_t since, oldest;

	mkdir(dir, 0700);
	memset(u71, 'u', 71);
	u71[71] = '\0';
	text = xasprintf("good 100 200\n"
			 "garbage\n"
			 "short 1\n"
			 "%s 1 1\n"
			 "good 5 5\n"
			 "ctl\x01 1 1\n"
			 "\n"
			 "also-good 300 400 extra\n",
			 u71);
	write_text(path, text);
	f = failing_load(dir);
	is_int(failing_recorded(f, &oldest), 2,
	       "bad lines: garbage, a short line, a 71-byte UIDL, a duplicate "
	       "and a control byte ignored");
	is_int(oldest, 100, "bad lines: the first of a duplicate counts");
	is_int(note(f, "good", 250, &since), 0,
	       "bad lines: the good record was loaded (told at 200)");
	is_int(since, 100, "bad lines: its since");
	failing_free(&f);
	free(text);
	free(u71);
	free(path);
	free(dir);
}

/* fsutil_write_atomic: a planted failing.tmp link is not followed. */
static void
test_symlink(void)
{
	char *dir = xasprintf("%s/link", base);
	char *path = xasprintf("%s/failing", dir);
	char *tmp = xasprintf("%s/failing.tmp", dir);
	char *victim = xasprintf("%s/victim", base);
	char *nowhere = xasprintf("%s/nowhere", base), *text;
	struct failing *f;
	struct pm_err err;
	int64_t since;
	struct stat st;
	size_t len;

	mkdir(dir, 0700);
	write_text(victim, "the victim's bytes\n");
	ok(symlink(victim, tmp) == 0, "link: failing.tmp planted as a symlink");
	f = failing_load(dir);
	note(f, "m1", T0, &since);
	is_int(failing_save(f, &err), PM_OK, "link: save");
	text = slurp(victim, &len);
	is_str(text, "the victim's bytes\n", "link: the link target untouched");
	free(text);
	ok(lstat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	       (st.st_mode & 07777) == 0600,
	   "link: failing is a regular file, 0600");
	ok(lstat(tmp, &st) != 0, "link: no failing.tmp left");
	text = slurp(path, &len);
	ok(text && strncmp(text, "m1 ", 3) == 0, "link: the record written");
	free(text);
	ok(symlink(nowhere, tmp) == 0, "link: a dangling symlink planted");
	is_int(failing_save(f, &err), PM_OK, "link: save again");
	ok(access(nowhere, F_OK) != 0, "link: its target is not created");
	ok(lstat(path, &st) == 0 && S_ISREG(st.st_mode),
	   "link: failing still a regular file");
	failing_free(&f);
	free(dir);
	free(path);
	free(tmp);
	free(victim);
	free(nowhere);
}

static void
test_quirks(void)
{
	char *dir = xasprintf("%s/quirks", base);
	char *path = xasprintf("%s/no-pipelining", dir), *why = NULL, *text;
	char *longwhy = xmalloc(1001), unset[] = "unset";
	struct pm_err err;
	struct stat st;
	size_t len;
	mode_t old;

	mkdir(dir, 0700);
	why = unset;
	is_int(quirks_no_pipelining(dir, &why), 0, "quirks: off by default");
	ok(why == NULL, "quirks: no reason when off");
	old = umask(0);
	is_int(quirks_set_no_pipelining(dir, T0, "LIST 3 answered for 2", &err),
	       PM_OK, "quirks: set");
	umask(old);
	is_int(quirks_no_pipelining(dir, &why), 1, "quirks: now on");
	ok(why != NULL && strstr(why, "LIST 3 answered for 2") &&
	       strstr(why, "2025-12-01 09:06 UTC"),
	   "quirks: the reason and the date: %s", why ? why : "(null)");
	free(why);
	is_int(quirks_no_pipelining(dir, NULL), 1, "quirks: why_r may be NULL");
	ok(stat(path, &st) == 0 && (st.st_mode & 07777) == 0600,
	   "quirks: the file is 0600 under umask 0");
	is_int(quirks_set_no_pipelining(dir, T0, "first\nsecond\n", &err),
	       PM_OK, "quirks: a reason with line breaks");
	text = slurp(path, &len);
	ok(text && strchr(text, '\n') == text + len - 1 &&
	       strstr(text, "first") && !strstr(text, "second"),
	   "quirks: one line in the file, the first");
	free(text);
	memset(longwhy, 'w', 1000);
	longwhy[1000] = '\0';
	quirks_set_no_pipelining(dir, T0, longwhy, &err);
	text = slurp(path, &len);
	ok(text && len < 400 && text[len - 1] == '\n',
	   "quirks: a long reason is cut (%zu bytes)", len);
	free(text);
	ok(unlink(path) == 0 && quirks_no_pipelining(dir, NULL) == 0,
	   "quirks: removing the file turns it off");
	free(longwhy);
	free(path);
	free(dir);
}

int
main(void)
{
	if (mkdtemp(base) == NULL) {
		ok(0, "mkdtemp: %s", strerror(errno));
		return done_testing();
	}
	test_tell();
	test_roundtrip();
	test_bad_lines();
	test_symlink();
	test_quirks();
	rm_tree(base);
	return done_testing();
}
