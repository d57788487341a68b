/* test-account: the account facts (account.h) and the last-run record
 * (lastrun.h): one answer for the port, the home and state directories,
 * the auth methods; the record written safely and read back. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "popmuch/account.h"
#include "popmuch/lastrun.h"
#include "popmuch/xmalloc.h"
#include "tap.h"
#include "testutil.h"

static void
test_port(void)
{
	struct account a;

	memset(&a, 0, sizeof(a));
	a.tls = 1;
	a.tls_starttls = 0;
	is_int(account_port(&a), 995, "port: implicit TLS, no 'port' line");
	a.tls_starttls = 1;
	is_int(account_port(&a), 110, "port: STLS, no 'port' line");
	a.tls = 0;
	is_int(account_port(&a), 110, "port: tls off, no 'port' line");
	a.port = 2995;
	is_int(account_port(&a), 2995, "port: the 'port' line wins");
}

static void
is_home(const char *want, const char *name)
{
	char *h = account_home();

	is_str(h, want, "%s", name);
	free(h);
}

static void
is_tilde(const char *in, const char *want, const char *name)
{
	char *s = account_expand_tilde(in);

	is_str(s, want, "%s", name);
	free(s);
}

static void
test_home(void)
{
	struct passwd *pw = getpwuid(getuid());
	const char *pwdir = pw != NULL ? pw->pw_dir : NULL;

	setenv("HOME", "/h/joe", 1);
	is_home("/h/joe", "home: $HOME");
	setenv("HOME", "", 1);
	is_home(pwdir, "home: empty $HOME falls back to the passwd entry");
	unsetenv("HOME");
	is_home(pwdir, "home: no $HOME falls back to the passwd entry");
	setenv("HOME", "/h/joe", 1);
	is_tilde("~/mail", "/h/joe/mail", "tilde: ~/mail");
	is_tilde("~", "/h/joe", "tilde: ~ alone");
	is_tilde("~joe/mail", "~joe/mail", "tilde: ~user is left alone");
	is_tilde("a/~/b", "a/~/b", "tilde: only at the start");
}

static void
is_state(const char *xdg, const char *want, const char *name)
{
	struct pm_err err;
	char *dir = NULL;

	if (xdg != NULL)
		setenv("XDG_STATE_HOME", xdg, 1);
	else
		unsetenv("XDG_STATE_HOME");
	ok(account_state_dir("work", &dir, &err) == PM_OK, "%s: PM_OK", name);
	is_str(dir, want, "%s", name);
	free(dir);
}

static void
test_state_dir(void)
{
	setenv("HOME", "/h/joe", 1);
	is_state("/st", "/st/popmuch/work", "state: absolute XDG_STATE_HOME");
	is_state(NULL, "/h/joe/.local/state/popmuch/work", "state: unset");
	is_state("", "/h/joe/.local/state/popmuch/work", "state: empty");
	is_state("rel/state", "/h/joe/.local/state/popmuch/work",
		 "state: a relative XDG_STATE_HOME is ignored (XDG spec)");
	unsetenv("XDG_STATE_HOME");
}

static void
test_auth_table(void)
{
	ok(account_auth_known("on"), "auth: on");
	ok(account_auth_known("scram-sha-256"), "auth: scram-sha-256");
	ok(account_auth_known("oauthbearer"), "auth: oauthbearer");
	ok(account_auth_known("user"), "auth: user");
	ok(!account_auth_known("gssapi"), "auth: gssapi is not one");
	ok(!account_auth_known("PLAIN"), "auth: names are lower case");
	ok(!account_auth_known(""), "auth: empty");
	is_str(ACCOUNT_AUTH_NAMES,
	       "on, scram-sha-256, scram-sha-1, cram-md5, plain, login, user, "
	       "apop, external, xoauth2, oauthbearer",
	       "auth: the list for messages, from the one table");
}

static void
test_lastrun_roundtrip(const char *dir)
{
	struct lastrun w = {.time = 1700000000,
			    .on_server = 7,
			    .fetched = 3,
			    .deleted = 2,
			    .kept = 5,
			    .skipped = 1,
			    .index_pending = 4};
	struct lastrun r;
	struct pm_err err;
	char *path = xasprintf("%s/last-run", dir), *text;
	size_t len;

	strcpy(w.status, "NETWORK");
	strcpy(w.message, "work: connection reset\nsecond line");
	is_int(lastrun_read(dir, &r, &err), PM_UNAVAILABLE,
	       "lastrun: none yet is PM_UNAVAILABLE");
	is_int(lastrun_write(dir, &w, &err), PM_OK, "lastrun: written");
	is_int(lastrun_read(dir, &r, &err), PM_OK, "lastrun: read back");
	ok(r.time == w.time && r.on_server == 7 && r.fetched == 3 &&
	       r.deleted == 2 && r.kept == 5 && r.skipped == 1 &&
	       r.index_pending == 4,
	   "lastrun: every number as written");
	is_str(r.status, "NETWORK", "lastrun: status");
	is_str(r.message, "work: connection reset",
	       "lastrun: the message ends at a newline, no forged field");
	text = slurp(path, &len);
	ok(text != NULL && strstr(text, "\nsecond") == NULL,
	   "lastrun: no line from the message's second line");
	free(text);
	free(path);
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f != NULL) {
		fputs(text, f);
		fclose(f);
	}
}

static void
test_lastrun_bad(const char *dir)
{
	char *path = xasprintf("%s/last-run", dir);
	struct lastrun r;
	struct pm_err err;

	write_file(path, "time 5\nfuture_field whatever\nfetched 2\n");
	is_int(lastrun_read(dir, &r, &err), PM_OK,
	       "lastrun: an unknown field is skipped");
	is_int(r.fetched, 2, "... the known ones read");
	write_file(path, "time 5\nfetched -2\n");
	is_int(lastrun_read(dir, &r, &err), PM_DATAERR,
	       "lastrun: a negative count is PM_DATAERR");
	ok(strstr(err.msg, "fetched") != NULL && strstr(err.msg, path),
	   "... naming the field and the file");
	write_file(path, "deleted 4294967296\n");
	is_int(lastrun_read(dir, &r, &err), PM_DATAERR,
	       "lastrun: a count over 32 bits is PM_DATAERR");
	free(path);
}

/* A symbolic link planted at last-run.tmp is never followed, and the
 * record is 0600 even under umask 000. */
static void
test_lastrun_symlink(const char *dir)
{
	char *tmp = xasprintf("%s/last-run.tmp", dir);
	char *target = xasprintf("%s/victim", dir);
	char *path = xasprintf("%s/last-run", dir);
	struct lastrun w = {.time = 1, .fetched = 9};
	struct pm_err err;
	struct stat st;
	mode_t old;

	strcpy(w.status, "OK");
	ok(symlink(target, tmp) == 0, "symlink planted at last-run.tmp");
	old = umask(0);
	is_int(lastrun_write(dir, &w, &err), PM_OK,
	       "lastrun: written past the planted link");
	umask(old);
	ok(lstat(target, &st) != 0 && errno == ENOENT,
	   "lastrun: the link's target was not created");
	ok(lstat(tmp, &st) != 0 && errno == ENOENT,
	   "lastrun: no last-run.tmp left behind");
	ok(lstat(path, &st) == 0 && S_ISREG(st.st_mode),
	   "lastrun: last-run is a regular file");
	is_int(st.st_mode & 07777, 0600, "lastrun: mode 0600 under umask 000");
	write_file(target, "precious\n");
	ok(symlink(target, tmp) == 0, "a link to an existing file planted");
	is_int(lastrun_write(dir, &w, &err), PM_OK, "lastrun: written again");
	{
		size_t len;
		char *text = slurp(target, &len);

		is_str(text, "precious\n",
		       "lastrun: the linked file unchanged");
		free(text);
	}
	free(tmp);
	free(target);
	free(path);
}

static void
cleanup(const char *dir)
{
	static const char *const names[] = {"last-run", "last-run.tmp",
					    "victim"};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char *p = xasprintf("%s/%s", dir, names[i]);

		(void)unlink(p);
		free(p);
	}
	(void)rmdir(dir);
}

int
main(void)
{
	char tmpl[] = "/tmp/test-account.XXXXXX";
	char *dir = mkdtemp(tmpl);

	if (dir == NULL)
		return 99;
	test_port();
	test_home();
	test_state_dir();
	test_auth_table();
	test_lastrun_roundtrip(dir);
	test_lastrun_bad(dir);
	test_lastrun_symlink(dir);
	cleanup(dir);
	return done_testing();
}
