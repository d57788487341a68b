/* test-maildir.c: delivery tmp → new, recovery lookups, failures. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "popmuch/maildir.h"
#include "popmuch/xmalloc.h"
#include "tap.h"
#include "testutil.h"

static char base[] = "/tmp/test-maildir.XXXXXX";

static void
rm_rf(const char *path)
{
	char *cmd = xasprintf("rm -rf '%s'", path);

	if (system(cmd) != 0)
		diag("cannot remove %s", path);
	free(cmd);
}

/* Number of entries in dir (not . and ..), -1 when it cannot be read. */
static int
count_entries(const char *dir)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int n = 0;

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return;
	fputs(text, f);
	fclose(f);
}

/* Deliver len bytes of a pattern in chunks of chunk bytes; returns the
 * final name (caller frees) or NULL. */
static char *
deliver(struct maildir *md, const char *data, size_t len, size_t chunk,
	struct pm_err *err)
{
	struct maildir_tmp *t;
	size_t off, n;
	char *name;

	if (maildir_tmp_new(md, &t, err) != PM_OK)
		return NULL;
	for (off = 0; off < len; off += n) {
		n = len - off < chunk ? len - off : chunk;
		if (maildir_tmp_write(t, data + off, n, err) != PM_OK) {
			maildir_tmp_abort(&t);
			return NULL;
		}
	}
	if (maildir_tmp_sync(t, err) != PM_OK) {
		maildir_tmp_abort(&t);
		return NULL;
	}
	name = xstrdup(maildir_tmp_name(t));
	if (maildir_tmp_commit(&t, err) != PM_OK) {
		free(name);
		return NULL;
	}
	return name;
}

static void
test_open_creates(void)
{
	struct pm_err err;
	struct maildir *md;
	struct stat st;
	char *path = xasprintf("%s/a/b/Mail", base);
	char *sub;
	const char *subs[] = {"", "/tmp", "/new", "/cur"};
	size_t i;

	is_int(maildir_open(path, &md, &err), PM_OK, "open creates %s", path);
	is_str(maildir_path(md), path, "maildir_path");
	for (i = 0; i < 4; i++) {
		sub = xasprintf("%s%s", path, subs[i]);
		ok(stat(sub, &st) == 0 && S_ISDIR(st.st_mode) &&
		       (st.st_mode & 07777) == 0700,
		   "%s is a directory with mode 0700", sub);
		free(sub);
	}
	sub = xasprintf("%s/tmp", path);
	is_int(count_entries(sub), 0, "the tmp/ probe is gone");
	free(sub);
	maildir_free(&md);
	ok(md == NULL, "maildir_free sets NULL");
	maildir_free(&md);
	is_int(maildir_open(path, &md, &err), PM_OK, "reopen existing");
	maildir_free(&md);
	free(path);
}

static void
check_delivery(const char *dir, const char *name, const char *data, size_t len,
	       const char *what)
{
	char *path = xasprintf("%s/new/%s", dir, name);
	char *want = xasprintf(",S=%zu", len);
	size_t got_len, nl = strlen(name), wl = strlen(want);
	char *got = slurp(path, &got_len);
	struct stat st;

	ok(got != NULL, "%s: file in new/", what);
	if (got != NULL)
		is_mem(got, got_len, data, len, "%s: contents", what);
	ok(nl > wl && strcmp(name + nl - wl, want) == 0,
	   "%s: name %s ends in %s", what, name, want);
	ok(stat(path, &st) == 0 && (st.st_mode & 07777) == 0600,
	   "%s: mode 0600", what);
	free(got);
	free(want);
	free(path);
}

static void
test_deliver(void)
{
	char *dir = xasprintf("%s/deliver", base);
	char *tmpdir = xasprintf("%s/tmp", dir);
	char *newdir = xasprintf("%s/new", dir);
	size_t len = 300 * 1024 + 17, i;
	char *data = xmalloc(len), *name, *prefix;
	static const size_t chunks[] = {1,     7,      4096,  65535,
					65536, 200000, 400000};
	struct pm_err err;
	struct maildir *md;

	for (i = 0; i < len; i++)
		data[i] = (char)(i * 31 + i / 251);
	if (maildir_open(dir, &md, &err) != PM_OK) {
		ok(0, "open: %s", err.msg);
		return;
	}
	for (i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		char what[64];

		snprintf(what, sizeof(what), "chunks of %zu", chunks[i]);
		name = deliver(md, data, len, chunks[i], &err);
		ok(name != NULL, "%s: delivered", what);
		if (name != NULL)
			check_delivery(dir, name, data, len, what);
		free(name);
	}
	name = deliver(md, "", 0, 1, &err);
	ok(name != NULL, "empty message delivered");
	if (name != NULL)
		check_delivery(dir, name, "", 0, "empty message");
	prefix = xasprintf("P%ldQ", (long)getpid());
	ok(name != NULL && strstr(name, ".M") && strstr(name, prefix) &&
	       strchr(name, 'R'),
	   "name %s carries .M<usec>, %s and R<random>", name, prefix);
	free(prefix);
	free(name);
	is_int(count_entries(tmpdir), 0, "nothing left in tmp/");
	is_int(count_entries(newdir), 8, "eight files in new/");
	maildir_free(&md);
	free(data);
	free(tmpdir);
	free(newdir);
	free(dir);
}

static void
test_unique(void)
{
	char *dir = xasprintf("%s/unique", base);
	char *names[50];
	struct pm_err err;
	struct maildir *md;
	int i, j, dup = 0;

	if (maildir_open(dir, &md, &err) != PM_OK) {
		ok(0, "open: %s", err.msg);
		return;
	}
	for (i = 0; i < 50; i++)
		names[i] = deliver(md, "x\n", 2, 2, &err);
	for (i = 0; i < 50; i++)
		for (j = i + 1; j < 50; j++)
			if (names[i] && names[j] && !strcmp(names[i], names[j]))
				dup++;
	is_int(dup, 0, "50 deliveries in a row get distinct names");
	for (i = 0; i < 50; i++)
		free(names[i]);
	maildir_free(&md);
	free(dir);
}

static void
test_abort(void)
{
	char *dir = xasprintf("%s/abort", base);
	char *tmpdir = xasprintf("%s/tmp", dir);
	char *newdir = xasprintf("%s/new", dir);
	struct maildir_tmp *t = NULL;
	struct pm_err err;
	struct maildir *md;

	if (maildir_open(dir, &md, &err) != PM_OK) {
		ok(0, "open: %s", err.msg);
		return;
	}
	is_int(maildir_tmp_new(md, &t, &err), PM_OK, "tmp_new");
	is_int(maildir_tmp_write(t, "abc", 3, &err), PM_OK, "write");
	is_int(count_entries(tmpdir), 1, "one file in tmp/ while writing");
	maildir_tmp_abort(&t);
	ok(t == NULL, "abort sets NULL");
	is_int(count_entries(tmpdir), 0, "abort before sync: tmp/ empty");

	is_int(maildir_tmp_new(md, &t, &err), PM_OK, "tmp_new again");
	is_int(maildir_tmp_write(t, "abc", 3, &err), PM_OK, "write");
	is_int(maildir_tmp_sync(t, &err), PM_OK, "sync");
	is_int((int)maildir_tmp_size(t), 3, "size 3");
	maildir_tmp_abort(&t);
	is_int(count_entries(tmpdir), 0, "abort after sync: tmp/ empty");
	is_int(count_entries(newdir), 0, "abort: new/ empty");
	maildir_tmp_abort(&t);
	maildir_tmp_abort(NULL);
	ok(1, "abort of NULL is fine");

	is_int(maildir_tmp_new(md, &t, &err), PM_OK, "tmp_new for commit");
	ok(maildir_tmp_commit(&t, &err) == PM_SOFTWARE && t == NULL,
	   "commit without sync refused and frees");
	is_int(count_entries(tmpdir), 0, "refused commit: tmp/ empty");
	is_int(count_entries(newdir), 0, "refused commit: new/ empty");
	maildir_free(&md);
	free(tmpdir);
	free(newdir);
	free(dir);
}

static void
test_find(void)
{
	char *dir = xasprintf("%s/find", base);
	char *p, *q, *name, *loc;
	struct pm_err err;
	struct maildir *md;

	if (maildir_open(dir, &md, &err) != PM_OK) {
		ok(0, "open: %s", err.msg);
		return;
	}
	name = deliver(md, "hello\n", 6, 6, &err);
	is_int(maildir_find(md, name), MAILDIR_IN_NEW, "find: in new/");
	p = maildir_new_path(md, name);
	loc = maildir_locate(md, name);
	is_str(loc, p, "locate: in new/");
	free(loc);

	q = xasprintf("%s/cur/%s:2,S", dir, name);
	ok(rename(p, q) == 0, "MUA moves it to cur/ with flags");
	is_int(maildir_find(md, name), MAILDIR_IN_NEW, "find: in cur/:2,S");
	loc = maildir_locate(md, name);
	is_str(loc, q, "locate: in cur/");
	free(loc);
	free(p);
	p = xasprintf("%s/cur/%s", dir, name);
	ok(rename(q, p) == 0, "renamed to cur/ without info");
	is_int(maildir_find(md, name), MAILDIR_IN_NEW, "find: in cur/ exact");
	loc = maildir_locate(md, name);
	is_str(loc, p, "locate: cur/ exact");
	free(loc);
	free(p);
	free(q);

	q = xasprintf("%s,S=6", name);
	is_int(maildir_find(md, q), MAILDIR_MISSING, "longer name: missing");
	free(q);
	q = xstrndup(name, strlen(name) - 1);
	is_int(maildir_find(md, q), MAILDIR_MISSING, "prefix name: missing");
	free(q);
	free(name);
	maildir_free(&md);
	free(dir);
}

/* A crash between sync and rename leaves the file in tmp/. */
static void
test_find_tmp(void)
{
	char *dir = xasprintf("%s/find", base);
	const char *u = "1700000000.M1P1Q1Rdeadbeef.host";
	const char *un = "1700000000.M1P1Q1Rdeadbeef.host,S=6";
	struct pm_err err;
	struct maildir *md;
	char *p, *q;
	size_t len;

	if (maildir_open(dir, &md, &err) != PM_OK) {
		ok(0, "open: %s", err.msg);
		return;
	}
	p = xasprintf("%s/tmp/%s", dir, u);
	write_file(p, "stuck\n");
	is_int(maildir_find(md, un), MAILDIR_IN_TMP, "find: in tmp/");
	ok(maildir_locate(md, un) == NULL, "locate: NULL while in tmp/");
	is_int(maildir_complete(md, un, &err), PM_OK, "complete");
	is_int(maildir_find(md, un), MAILDIR_IN_NEW, "completed: in new/");
	ok(access(p, F_OK) != 0, "completed: gone from tmp/");
	free(p);
	p = maildir_new_path(md, un);
	q = slurp(p, &len);
	ok(q != NULL && len == 6 && memcmp(q, "stuck\n", 6) == 0,
	   "completed file intact");
	free(q);
	free(p);
	ok(maildir_complete(md, "1.M2P3Q4Rff.h,S=1", &err) != PM_OK,
	   "complete of a missing file fails: %s", err.msg);

	is_int(maildir_find(md, "1.M2P3Q4Rff.h,S=1"), MAILDIR_MISSING,
	       "find: missing");
	is_int(maildir_find(md, "../new/x"), MAILDIR_MISSING,
	       "a name with / is never looked up");
	is_int(maildir_find(md, ""), MAILDIR_MISSING, "empty name");
	ok(maildir_locate(md, "1.M2P3Q4Rff.h,S=1") == NULL, "locate: NULL");
	maildir_free(&md);
	free(dir);
}

static void
test_clean_tmp(void)
{
	char *dir = xasprintf("%s/clean", base);
	char *old = xasprintf("%s/tmp/1600000000.M5P6Q7Rab.host", dir);
	char *fresh = xasprintf("%s/tmp/1700000000.M5P6Q8Rab.host", dir);
	char *foreign = xasprintf("%s/tmp/other-mda.1234", dir);
	struct timespec ts[2];
	struct pm_err err;
	struct maildir *md;

	if (maildir_open(dir, &md, &err) != PM_OK) {
		ok(0, "open: %s", err.msg);
		return;
	}
	write_file(old, "x");
	write_file(fresh, "x");
	write_file(foreign, "x");
	clock_gettime(CLOCK_REALTIME, &ts[0]);
	ts[0].tv_sec -= 37 * 3600;
	ts[1] = ts[0];
	ok(utimensat(AT_FDCWD, old, ts, 0) == 0 &&
	       utimensat(AT_FDCWD, foreign, ts, 0) == 0,
	   "age two files by 37 hours");
	ts[0].tv_sec += 2 * 3600;
	ts[1] = ts[0];
	ok(utimensat(AT_FDCWD, fresh, ts, 0) == 0, "age one by 35 hours");
	maildir_clean_tmp(md);
	ok(access(old, F_OK) != 0, "37-hour-old popmuch file removed");
	ok(access(fresh, F_OK) == 0, "35-hour-old file kept");
	ok(access(foreign, F_OK) == 0, "another program's file kept");
	maildir_free(&md);
	free(old);
	free(fresh);
	free(foreign);
	free(dir);
}

/* In a child: leave one synced file in dir's tmp/ (no commit). */
static void
leave_tmp_file(const char *dir)
{
	struct maildir_tmp *t;
	struct maildir *md;
	struct pm_err err;

	if (maildir_open(dir, &md, &err) != PM_OK ||
	    maildir_tmp_new(md, &t, &err) != PM_OK ||
	    maildir_tmp_write(t, "x\n", 2, &err) != PM_OK ||
	    maildir_tmp_sync(t, &err) != PM_OK)
		_exit(1);
}

/* A writer that died leaves files in tmp/ that the next run removes at
 * once; a live writer's stay, and so do this process's own. */
static void
test_clean_dead_writer(void)
{
	char *dir = xasprintf("%s/dead", base), *tmpdir, *reused = NULL;
	int ready[2], hold[2], status;
	struct maildir_tmp *own;
	struct maildir *md;
	struct pm_err err;
	pid_t dead, live;
	const char *w;
	char c;

	tmpdir = xasprintf("%s/tmp", dir);
	if (maildir_open(dir, &md, &err) != PM_OK ||
	    maildir_tmp_new(md, &own, &err) != PM_OK ||
	    maildir_tmp_write(own, "x\n", 2, &err) != PM_OK ||
	    maildir_tmp_sync(own, &err) != PM_OK || pipe(ready) != 0 ||
	    pipe(hold) != 0) {
		ok(0, "set up: %s", err.msg);
		return;
	}
	if ((dead = fork()) == 0) {
		leave_tmp_file(dir);
		_exit(0);
	}
	waitpid(dead, &status, 0);
	if ((live = fork()) == 0) {
		close(hold[1]);
		leave_tmp_file(dir);
		(void)write(ready[1], "r", 1);
		(void)read(hold[0], &c, 1); /* until the parent closes it */
		_exit(0);
	}
	close(hold[0]);
	ok(read(ready[0], &c, 1) == 1, "a live writer left its file");
	/* The live child's pid, but another start time: a reused pid. */
	w = strstr(maildir_tmp_name(own), "W");
	ok(w != NULL && w[9] == 'T', "names carry W<ctx>T<start>: %s",
	   maildir_tmp_name(own));
	if (w != NULL) {
		reused = xasprintf("%s/1700000000.M1P%ldQ1R0123456789abcdef"
				   "%.9sT1.%s",
				   tmpdir, (long)live, w,
				   strchr(w, '.') ? strchr(w, '.') + 1 : "");
		*strstr(reused, ",S=") = '\0';
		write_file(reused, "x");
	}
	is_int(count_entries(tmpdir), 4, "four files in tmp/");
	maildir_clean_tmp(md);
	is_int(count_entries(tmpdir), 2,
	       "the dead writer's file and the reused pid's removed");
	ok(reused == NULL || access(reused, F_OK) != 0,
	   "a live pid with another start time is a dead writer");
	close(hold[1]);
	waitpid(live, &status, 0);
	maildir_clean_tmp(md);
	is_int(count_entries(tmpdir), 1,
	       "once the live writer is gone its file goes too; ours stays");
	maildir_tmp_abort(&own);
	is_int(count_entries(tmpdir), 0, "ours removed by abort");
	close(ready[0]);
	close(ready[1]);
	maildir_free(&md);
	free(reused);
	free(tmpdir);
	free(dir);
}

static void
test_unwritable(void)
{
	char *dir = xasprintf("%s/bad", base);
	char *p = xasprintf("%s/new", dir);
	char *file = xasprintf("%s/afile", base);
	char *under = xasprintf("%s/afile/Mail", base);
	struct pm_err err;
	struct maildir *md = NULL;

	ok(mkdir(dir, 0700) == 0, "mkdir %s", dir);
	write_file(p, "not a directory");
	is_int(maildir_open(dir, &md, &err), PM_CANTCREAT,
	       "new/ is a file: PM_CANTCREAT");
	ok(md == NULL, "no maildir returned");
	ok(strstr(err.msg, p) && strstr(err.msg, strerror(ENOTDIR)),
	   "message names %s and the reason: %s", p, err.msg);
	ok(unlink(p) == 0 && mkdir(p, 0500) == 0, "new/ with mode 0500");
	is_int(maildir_open(dir, &md, &err), PM_CANTCREAT,
	       "new/ not writable: PM_CANTCREAT (%s)", err.msg);
	ok(strstr(err.msg, "/bad/new") != NULL, "message names new/");
	ok(chmod(p, 0700) == 0, "new/ writable again");
	is_int(maildir_open(dir, &md, &err), PM_OK, "now it opens");
	maildir_free(&md);

	write_file(file, "x");
	is_int(maildir_open(under, &md, &err), PM_CANTCREAT,
	       "a parent is a file: PM_CANTCREAT");
	ok(strstr(err.msg, file) != NULL, "message names %s: %s", file,
	   err.msg);
	is_int(maildir_open("", &md, &err), PM_CANTCREAT, "empty path");
	free(dir);
	free(p);
	free(file);
	free(under);
}

/* As root: a 64 KiB tmpfs fills up; nothing may be left behind. */
static void
test_disk_full(void)
{
	char *mnt = xasprintf("%s/small", base);
	char *tmpdir = xasprintf("%s/tmp", mnt);
	char *newdir = xasprintf("%s/new", mnt);
	size_t len = 512 * 1024, off;
	char *data = xcalloc(1, len), *name;
	struct maildir_tmp *t = NULL;
	enum pm_status st = PM_OK;
	struct pm_err err;
	struct maildir *md;

	if (small_tmpfs(mnt, "disk-full test") != 0)
		goto out;
	if (maildir_open(mnt, &md, &err) != PM_OK) {
		ok(0, "open on tmpfs: %s", err.msg);
		goto unmount;
	}
	st = maildir_tmp_new(md, &t, &err);
	for (off = 0; st == PM_OK && off < len; off += 4096)
		st = maildir_tmp_write(t, data + off, 4096, &err);
	if (st == PM_OK)
		st = maildir_tmp_sync(t, &err);
	is_int(st, PM_NOSPACE, "disk full: PM_NOSPACE");
	ok(strstr(err.msg, "no space left writing") && strstr(err.msg, tmpdir),
	   "message: %s", err.msg);
	is_int(maildir_tmp_write(t, "x", 1, &err), PM_NOSPACE,
	       "the error sticks");
	maildir_tmp_abort(&t);
	is_int(count_entries(tmpdir), 0, "disk full: tmp/ empty after abort");
	is_int(count_entries(newdir), 0, "disk full: new/ empty");
	name = deliver(md, "small\n", 6, 6, &err);
	ok(name != NULL && count_entries(newdir) == 1,
	   "space is back after the abort");
	free(name);
	maildir_free(&md);
unmount:
	small_tmpfs_done(mnt);
out:
	free(data);
	free(tmpdir);
	free(newdir);
	free(mnt);
}

/* In a child with its own UTS namespace: '/' and ':' in the host name
 * are escaped as the Maildir spec says. */
static void
test_hostname(void)
{
	char *dir = xasprintf("%s/host", base);
	int status = -1;
	pid_t pid;

	pid = fork();
	if (pid == 0) {
		const char *host = "evil/host:x";
		struct pm_err err;
		struct maildir *md;
		char *name;

		if (unshare(CLONE_NEWUTS) != 0 ||
		    sethostname(host, strlen(host)) != 0)
			_exit(77);
		if (maildir_open(dir, &md, &err) != PM_OK)
			_exit(1);
		name = deliver(md, "x", 1, 1, &err);
		_exit(name && strstr(name, ".evil\\057host\\072x,S=1") &&
			      !strchr(name, ':')
			  ? 0
			  : 2);
	}
	waitpid(pid, &status, 0);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 77)
		diag("skip host name test: cannot unshare the UTS namespace");
	else
		ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		   "host name escaped as \\057 and \\072");
	free(dir);
}

int
main(void)
{
	umask(022);
	if (mkdtemp(base) == NULL) {
		ok(0, "mkdtemp: %s", strerror(errno));
		return done_testing();
	}
	test_open_creates();
	test_deliver();
	test_unique();
	test_abort();
	test_find();
	test_find_tmp();
	test_clean_tmp();
	test_clean_dead_writer();
	test_unwritable();
	test_disk_full();
	test_hostname();
	rm_rf(base);
	return done_testing();
}
