/* test-uidl.c: the UIDL journal: records, recovery, damage, the lock,
 * compaction, odd UIDLs, 100,000 entries. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "popmuch/uidl.h"
#include "popmuch/xmalloc.h"
#include "tap.h"
#include "testutil.h"

static char base[] = "/tmp/test-uidl.XXXXXX";

static off_t
file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? st.st_size : -1;
}

static ino_t
file_ino(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? st.st_ino : 0;
}

static void
append_raw(const char *path, const char *bytes, size_t len)
{
	int fd = open(path, O_WRONLY | O_APPEND);

	if (fd < 0 || write(fd, bytes, len) != (ssize_t)len)
		diag("append to %s failed", path);
	if (fd >= 0)
		close(fd);
}

/* An intent made durable as deliver.c makes a batch's: appended without
 * a sync, then one uidl_sync(). */
static enum pm_status
intent(struct uidl_db *db, const char *uidl, uint64_t size, int64_t seen,
       const char *file, const char *hhash, struct pm_err *err)
{
	enum pm_status st =
	    uidl_intent_nosync(db, uidl, size, seen, file, hhash, err);

	return st == PM_OK ? uidl_sync(db, err) : st;
}

static struct uidl_db *
open_ok(const char *dir, const char *what)
{
	struct uidl_db *db = NULL;
	struct pm_err err;

	if (!ok(uidl_open(dir, NULL, 0, &db, &err) == PM_OK, "%s: open", what))
		diag("  %s", err.msg);
	return db;
}

static void
test_fresh(void)
{
	char *dir = xasprintf("%s/state/acct", base);
	char *journal = xasprintf("%s/journal", dir);
	char *lock = xasprintf("%s/lock", dir);
	const char *why = "x";
	struct uidl_db *db = open_ok(dir, "fresh");
	struct stat st;
	size_t len;
	char *text;

	if (db == NULL)
		return;
	is_int(uidl_count(db), 0, "fresh: empty");
	ok(!uidl_damaged(db, &why) && why == NULL, "fresh: not damaged");
	ok(stat(dir, &st) == 0 && (st.st_mode & 07777) == 0700,
	   "state dir created 0700");
	ok(stat(lock, &st) == 0 && (st.st_mode & 07777) == 0600,
	   "lock file 0600");
	text = slurp(journal, &len);
	is_str(text, "popmuch-journal 3 - 0 0 0 *95E11539\n",
	       "journal starts with its header and CRC");
	free(text);
	text = slurp(lock, &len);
	ok(text != NULL && atol(text) == (long)getpid(),
	   "lock file holds our pid");
	free(text);
	ok(uidl_lookup(db, "nope") == NULL, "unknown uidl: NULL");
	uidl_free(&db);
	ok(db == NULL, "uidl_free sets NULL");
	uidl_free(&db);
	free(dir);
	free(journal);
	free(lock);
}

static void
count_fn(const struct uidl_entry *e, void *ctx)
{
	(void)e;
	(*(size_t *)ctx)++;
}

static void
check_roundtrip_state(struct uidl_db *db, const char *what)
{
	const struct uidl_entry *e;
	size_t n = 0;

	e = uidl_lookup(db, "a1");
	ok(e && e->state == UIDL_DELIVERED && e->indexed && e->size == 1234 &&
	       e->first_seen == 1700000000 && !strcmp(e->file, "f1,S=1"),
	   "%s: a1 delivered, indexed, size, first_seen, file", what);
	e = uidl_lookup(db, "a2");
	ok(e && e->state == UIDL_DELIVERED && !e->indexed &&
	       e->first_seen == -5,
	   "%s: a2 delivered, not indexed, negative time", what);
	e = uidl_lookup(db, "a3");
	ok(e && e->state == UIDL_PENDING && e->size == UINT64_MAX,
	   "%s: a3 pending (intent only), size UINT64_MAX", what);
	ok(uidl_lookup(db, "a4") == NULL, "%s: a4 forgotten", what);
	e = uidl_lookup(db, "a5");
	ok(e && e->state == UIDL_PENDING && !e->indexed &&
	       !strcmp(e->file, "f5b,S=2"),
	   "%s: a5 replaced by a second intent", what);
	is_int(uidl_count(db), 4, "%s: four entries", what);
	uidl_foreach(db, count_fn, &n);
	is_int(n, 4, "%s: foreach visits four", what);
}

static void
test_roundtrip(void)
{
	char *dir = xasprintf("%s/rt", base);
	struct uidl_db *db = open_ok(dir, "roundtrip");
	struct pm_err err;

	if (db == NULL)
		return;
	is_int(intent(db, "a1", 1234, 1700000000, "f1,S=1", NULL, &err), PM_OK,
	       "intent a1");
	is_int(uidl_delivered(db, "a1", &err), PM_OK, "delivered a1");
	is_int(uidl_indexed(db, "a1", &err), PM_OK, "indexed a1");
	intent(db, "a2", 5, -5, "f2,S=1", NULL, &err);
	uidl_delivered(db, "a2", &err);
	intent(db, "a3", UINT64_MAX, 0, "f3,S=1", NULL, &err);
	intent(db, "a4", 5, 0, "f4,S=1", NULL, &err);
	uidl_delivered(db, "a4", &err);
	is_int(uidl_forget(db, "a4", &err), PM_OK, "forget a4");
	is_int(uidl_forget(db, "never", &err), PM_OK, "forget unknown: ok");
	intent(db, "a5", 5, 0, "f5,S=1", NULL, &err);
	uidl_delivered(db, "a5", &err);
	uidl_indexed(db, "a5", &err);
	intent(db, "a5", 6, 0, "f5b,S=2", NULL, &err);
	is_int(uidl_delivered(db, "unknown", &err), PM_SOFTWARE,
	       "delivered of an unknown uidl refused");
	is_int(uidl_indexed(db, "unknown", &err), PM_SOFTWARE,
	       "indexed of an unknown uidl refused");
	is_int(intent(db, "a6", 1, 0, "../x", NULL, &err), PM_SOFTWARE,
	       "a file name with / refused");
	is_int(intent(db, "", 1, 0, "f", NULL, &err), PM_DATAERR,
	       "empty uidl refused");
	check_roundtrip_state(db, "in memory");
	is_int(uidl_sync(db, &err), PM_OK, "sync");
	uidl_free(&db);
	db = open_ok(dir, "reopen");
	if (db == NULL)
		return;
	check_roundtrip_state(db, "reopened");
	ok(!uidl_damaged(db, NULL), "reopened: not damaged");
	uidl_free(&db);
	free(dir);
}

static void
test_lock_same_process(void)
{
	char *dir = xasprintf("%s/lock1", base);
	struct uidl_db *db = open_ok(dir, "lock"), *db2 = NULL;
	char pid[32];
	struct pm_err err;

	is_int(uidl_open(dir, NULL, 0, &db2, &err), PM_LOCKED,
	       "second open in the same process: PM_LOCKED");
	ok(db2 == NULL, "no db returned");
	snprintf(pid, sizeof(pid), "(pid %ld)", (long)getpid());
	ok(strstr(err.msg, pid) != NULL, "message names the holder: %s",
	   err.msg);
	uidl_free(&db);
	db2 = open_ok(dir, "after uidl_free the lock is free");
	uidl_free(&db2);
	/* uidl_open() in two steps: the lock alone already excludes */
	is_int(uidl_lock(dir, NULL, 0, &db, &err), PM_OK, "uidl_lock");
	is_int(uidl_open(dir, NULL, 0, &db2, &err), PM_LOCKED,
	       "uidl_lock without uidl_load: a second open is PM_LOCKED");
	is_int(uidl_load(db, &err), PM_OK, "uidl_load after uidl_lock");
	ok(uidl_count(db) == 0, "uidl_load: an empty journal (%zu)",
	   uidl_count(db));
	uidl_free(&db);
	free(dir);
}

/* A child takes the lock, tells us, waits for our word, then writes
 * "R" and exits (releasing it). */
static void
test_lock_other_process(void)
{
	char *dir = xasprintf("%s/lock2", base);
	int ready[2], go[2], released[2];
	struct uidl_db *db = NULL;
	struct pm_err err;
	char c = 0, want[32];
	int status;
	pid_t pid;

	if (pipe(ready) || pipe(go) || pipe(released)) {
		ok(0, "pipe");
		return;
	}
	pid = fork();
	if (pid == 0) {
		struct timespec ts = {0, 200 * 1000 * 1000};

		if (uidl_open(dir, NULL, 0, &db, &err) != PM_OK)
			_exit(1);
		(void)!write(ready[1], "L", 1);
		(void)!read(go[0], &c, 1);
		/* Give the parent time to block in flock (not needed for
		 * correctness: the parent's checks hold either way). */
		nanosleep(&ts, NULL);
		(void)!write(released[1], "R", 1);
		_exit(0); /* the kernel drops the lock with the fd */
	}
	ok(read(ready[0], &c, 1) == 1 && c == 'L', "child holds the lock");
	is_int(uidl_open(dir, NULL, 0, &db, &err), PM_LOCKED,
	       "open without wait: PM_LOCKED");
	snprintf(want, sizeof(want), "(pid %ld)", (long)pid);
	ok(strstr(err.msg, want) != NULL, "message names pid %ld: %s",
	   (long)pid, err.msg);
	(void)!write(go[1], "G", 1);
	is_int(uidl_open(dir, NULL, 1, &db, &err), PM_OK, "open with wait: OK");
	fcntl(released[0], F_SETFL, O_NONBLOCK);
	ok(read(released[0], &c, 1) == 1 && c == 'R',
	   "the wait ended only after the child let go");
	waitpid(pid, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child exited 0");
	uidl_free(&db);
	close(ready[0]);
	close(ready[1]);
	close(go[0]);
	close(go[1]);
	close(released[0]);
	close(released[1]);
	free(dir);
}

static void
test_torn(void)
{
	char *dir = xasprintf("%s/torn", base);
	char *journal = xasprintf("%s/journal", dir);
	struct uidl_db *db = open_ok(dir, "torn");
	struct pm_err err;
	const char *why = NULL;
	off_t before;

	if (db == NULL)
		return;
	intent(db, "m1", 10, 1, "f1", NULL, &err);
	uidl_delivered(db, "m1", &err);
	intent(db, "m2", 10, 1, "f2", NULL, &err);
	uidl_free(&db);
	before = file_size(journal);
	append_raw(journal, "D m2 *1234", 10);
	db = open_ok(dir, "torn last line");
	if (db == NULL)
		return;
	ok(!uidl_damaged(db, &why), "a torn last line is not damage");
	ok(uidl_lookup(db, "m2") &&
	       uidl_lookup(db, "m2")->state == UIDL_PENDING,
	   "the torn D record did not count");
	is_int(file_size(journal), before, "the torn line was cut off");
	is_int(uidl_delivered(db, "m2", &err), PM_OK, "append after it");
	uidl_free(&db);
	db = open_ok(dir, "after the cut");
	if (db == NULL)
		return;
	ok(!uidl_damaged(db, &why), "still clean");
	ok(uidl_lookup(db, "m2") &&
	       uidl_lookup(db, "m2")->state == UIDL_DELIVERED,
	   "the new record was not glued to the torn one");
	uidl_free(&db);

	/* Zeros at the tail (a power cut after the size was updated). */
	append_raw(journal, "\0\0\0\0\0\0\0\0", 8);
	db = open_ok(dir, "zero tail");
	ok(db && !uidl_damaged(db, NULL) && uidl_count(db) == 2,
	   "a tail of NUL bytes without newline is torn, not damage");
	uidl_free(&db);
	free(journal);
	free(dir);
}

/* kill -9 a child in the middle of appending batches of intents and
 * delivered records: every one it reported done is there, delivered,
 * nothing is damaged, the lock is free. */
static void
test_kill9(void)
{
	char *dir = xasprintf("%s/kill9", base);
	struct uidl_db *db = NULL;
	int done[2], i, last = -1, status, good = 0;
	pid_t pid;
	char u[32];

	if (pipe(done) != 0) {
		ok(0, "pipe");
		return;
	}
	pid = fork();
	if (pid == 0) {
		struct pm_err err;

		close(done[0]);
		if (uidl_open(dir, NULL, 0, &db, &err) != PM_OK)
			_exit(1);
		/* deliver.c's group commit: a batch of intents, one sync,
		 * then their delivered records, synced before the batch is
		 * reported done. */
		for (i = 0;; i += 4) {
			for (int k = i; k < i + 4; k++) {
				snprintf(u, sizeof(u), "k%d", k);
				if (uidl_intent_nosync(db, u, 1, 1, "f", NULL,
						       &err) != PM_OK)
					_exit(2);
			}
			if (uidl_sync(db, &err) != PM_OK)
				_exit(2);
			for (int k = i; k < i + 4; k++) {
				snprintf(u, sizeof(u), "k%d", k);
				if (uidl_delivered(db, u, &err) != PM_OK)
					_exit(2);
			}
			last = i + 3;
			if (uidl_sync(db, &err) != PM_OK ||
			    write(done[1], &last, sizeof(last)) != sizeof(last))
				_exit(2);
		}
	}
	close(done[1]);
	while (last < 40 && read(done[0], &i, sizeof(i)) == sizeof(i))
		last = i;
	kill(pid, SIGKILL);
	while (read(done[0], &i, sizeof(i)) == sizeof(i))
		last = i;
	close(done[0]);
	waitpid(pid, &status, 0);
	ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
	   "child killed by SIGKILL after intent %d", last);
	db = open_ok(dir, "after kill -9");
	if (db == NULL)
		return;
	ok(!uidl_damaged(db, NULL), "after kill -9: not damaged");
	for (i = 0; i <= last; i++) {
		snprintf(u, sizeof(u), "k%d", i);
		if (uidl_lookup(db, u) != NULL &&
		    uidl_lookup(db, u)->state == UIDL_DELIVERED)
			good++;
	}
	is_int(good, last + 1, "every reported delivery survived");
	ok(uidl_count(db) <= (size_t)last + 5, "at most one batch more");
	uidl_free(&db);
	free(dir);
}

/* Fill the rest of a small tmpfs with a filler file. */
static void
fill_up(const char *path)
{
	char block[4096];
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	memset(block, 'z', sizeof(block));
	while (fd >= 0 && write(fd, block, sizeof(block)) > 0)
		;
	while (fd >= 0 && write(fd, block, 1) > 0)
		;
	if (fd >= 0)
		close(fd);
}

/* As root: appends on a full disk fail with PM_NOSPACE and leave no
 * partial record behind. */
static void
test_disk_full(void)
{
	char *mnt = xasprintf("%s/small", base);
	char *journal = xasprintf("%s/journal", mnt);
	char *filler = xasprintf("%s/filler", mnt);
	enum pm_status st = PM_OK;
	struct uidl_db *db;
	struct pm_err err;
	char u[64], *text;
	int i, n = 0;
	size_t len;

	if (small_tmpfs(mnt, "journal disk-full test") != 0)
		goto out;
	db = open_ok(mnt, "on a small tmpfs");
	if (db == NULL)
		goto unmount;
	fill_up(filler);
	for (i = 0; i < 10000 && st == PM_OK; i++) {
		snprintf(u, sizeof(u), "uidl-number-%d-padding-padding", i);
		st = intent(db, u, 1, 1, "f", NULL, &err);
		n += st == PM_OK;
	}
	is_int(st, PM_NOSPACE, "disk full: PM_NOSPACE after %d intents", n);
	uidl_free(&db);
	text = slurp(journal, &len);
	ok(text && len > 0 && text[len - 1] == '\n',
	   "no partial record left in the journal");
	free(text);
	unlink(filler);
	db = open_ok(mnt, "after freeing space");
	ok(db && !uidl_damaged(db, NULL) && uidl_count(db) == (size_t)n,
	   "clean, with the %d intents that succeeded", n);
	uidl_free(&db);
unmount:
	small_tmpfs_done(mnt);
out:
	free(mnt);
	free(journal);
	free(filler);
}

/* One flipped byte in line 3: that record is skipped, the rest load. */
static void
test_flipped_byte(void)
{
	char *dir = xasprintf("%s/flip", base);
	char *journal = xasprintf("%s/journal", dir);
	struct uidl_db *db = open_ok(dir, "flip");
	struct pm_err err;
	const char *why = NULL;
	char *text, *line3;
	size_t len;
	FILE *f;

	if (db == NULL)
		return;
	intent(db, "k1", 1, 1, "f1", NULL, &err);
	intent(db, "k2", 2, 2, "f2", NULL, &err);
	intent(db, "k3", 3, 3, "f3", NULL, &err);
	uidl_delivered(db, "k3", &err);
	uidl_free(&db);
	text = slurp(journal, &len);
	line3 = strchr(strchr(text, '\n') + 1, '\n') + 1;
	line3[3] ^= 0x01; /* "I k2" → "I k3" */
	f = fopen(journal, "w");
	fwrite(text, 1, len, f);
	fclose(f);
	free(text);
	db = open_ok(dir, "flipped");
	if (db == NULL)
		return;
	ok(uidl_damaged(db, &why), "a flipped byte is damage");
	ok(why &&
	       strstr(why, "1 damaged record(s) skipped (first at line 3)") &&
	       strstr(why, journal),
	   "why: %s", why ? why : "(null)");
	ok(uidl_lookup(db, "k1") && uidl_lookup(db, "k3") &&
	       uidl_lookup(db, "k3")->state == UIDL_DELIVERED,
	   "the other records loaded");
	ok(uidl_lookup(db, "k2") == NULL, "the damaged record is skipped");
	is_int(uidl_compact(db, 0, &err), PM_OK, "compact(0) when damaged");
	ok(file_size(journal) > 0, "...leaves the damaged journal alone");
	intent(db, "k4", 4, 4, "f4", NULL, &err);
	uidl_free(&db);
	db = open_ok(dir, "damaged, appended");
	ok(db && uidl_damaged(db, NULL) && uidl_lookup(db, "k4"),
	   "still damaged, appended record loads");
	is_int(uidl_compact(db, 1, &err), PM_OK, "forced compaction");
	uidl_free(&db);
	db = open_ok(dir, "after forced compaction");
	ok(db && !uidl_damaged(db, NULL) && uidl_count(db) == 3,
	   "forced compaction leaves a clean journal with 3 entries");
	uidl_free(&db);
	text = xasprintf("ls %s/journal.damaged.* >/dev/null 2>&1", dir);
	ok(system(text) == 0, "the damaged journal was kept aside");
	free(text);
	free(journal);
	free(dir);
}

/* Journals written by hand: format details and damage kinds. */
static void
test_handmade(void)
{
	char *dir = xasprintf("%s/hand", base);
	char *journal = xasprintf("%s/journal", dir);
	struct uidl_db *db;
	const struct uidl_entry *e;
	const char *why;
	struct pm_err err;
	FILE *f;

	mkdir(dir, 0700);
	f = fopen(journal, "w");
	put_line(f, "popmuch-journal 1");
	put_line(f, "I a%20b%25c 42 1700000000 1.M2P3Q4R5.h%3Ax,S=42");
	put_line(f, "D a%20b%25c");
	put_line(f, "D nobody");
	fputs("garbage line\n", f);
	put_line(f, "I bad%00nul 1 1 f");
	put_line(f, "I x 1 1 ../evil");
	put_line(f, "Q a%20b%25c");
	put_line(f, "I y 1 1 f  extra");
	put_line(f, "N a%20b%25c");
	fclose(f);
	db = open_ok(dir, "handmade");
	if (db == NULL)
		return;
	e = uidl_lookup(db, "a b%c");
	ok(e && e->size == 42 && e->state == UIDL_DELIVERED && e->indexed &&
	       !strcmp(e->file, "1.M2P3Q4R5.h:x,S=42"),
	   "hand-written records decode");
	why = NULL;
	uidl_damaged(db, &why);
	ok(why != NULL &&
	       strstr(why, "6 damaged record(s) skipped (first at line 4)"),
	   "D of an unknown uidl, garbage, NUL, '/', bad type, bad "
	   "syntax: %s",
	   why);
	is_int(uidl_count(db), 1, "only the good entry");
	uidl_free(&db);

	f = fopen(journal, "w");
	put_line(f, "popmuch-journal 4 x 0 0 0");
	fclose(f);
	is_int(uidl_open(dir, NULL, 0, &db, &err), PM_DATAERR,
	       "a newer journal format is refused: %s", err.msg);

	f = fopen(journal, "w");
	fputs("popmuch-jou", f);
	fclose(f);
	db = open_ok(dir, "torn header");
	ok(db && !uidl_damaged(db, NULL), "a torn header is not damage");
	uidl_free(&db);
	why = slurp(journal, &(size_t){0});
	is_str(why, "popmuch-journal 3 - 0 0 0 *95E11539\n",
	       "header rewritten");
	free((char *)why);
	free(journal);
	free(dir);
}

static void
check_odd(struct uidl_db *db, char **odd, size_t n, const char *what)
{
	size_t i, good = 0;

	for (i = 0; i < n; i++) {
		const struct uidl_entry *e = uidl_lookup(db, odd[i]);

		if (e && !strcmp(e->uidl, odd[i]) && e->size == i)
			good++;
		else
			diag("odd uidl %zu lost", i);
	}
	is_int(good, n, "%s: all odd UIDLs round-trip", what);
}

static void
test_odd_uidls(void)
{
	char *dir = xasprintf("%s/odd", base);
	struct uidl_db *db = open_ok(dir, "odd");
	char *odd[8], *big, longest[256];
	struct pm_err err;
	size_t i, n = 0;

	if (db == NULL)
		return;
	odd[n++] = xstrdup("with space");
	odd[n++] = xstrdup("%41%%");
	odd[n++] = xstrdup("\x01\x02\t\r\n\x7f");
	odd[n++] = xstrdup("\xff\xfe\x80 *DEADBEEF");
	odd[n] = xmalloc(256);
	for (i = 0; i < 255; i++)
		odd[n][i] = (char)(i % 255 + 1);
	odd[n++][255] = '\0';
	odd[n] = xmalloc(1001);
	memset(odd[n], '%', 1000);
	odd[n++][1000] = '\0';
	for (i = 0; i < n; i++)
		is_int(intent(db, odd[i], i, 0, "f", NULL, &err), PM_OK,
		       "intent odd uidl %zu", i);
	check_odd(db, odd, n, "in memory");
	big = xmalloc(1002);
	memset(big, 'x', 1001);
	big[1001] = '\0';
	is_int(intent(db, big, 1, 0, "f", NULL, &err), PM_DATAERR,
	       "a 1001-byte uidl is refused");
	/* the longest record: a 1000-byte UIDL, a 255-byte file name */
	big[1000] = '\0';
	memset(longest, 'y', 255);
	longest[255] = '\0';
	is_int(intent(db, big, 7, 7, longest, NULL, &err), PM_OK,
	       "a 1000-byte uidl with a 255-byte file name");
	uidl_free(&db);
	db = open_ok(dir, "odd reopened");
	if (db != NULL) {
		ok(!uidl_damaged(db, NULL), "odd: not damaged");
		check_odd(db, odd, n, "reopened");
		is_int(uidl_compact(db, 1, &err), PM_OK, "odd: compact");
		uidl_free(&db);
	}
	db = open_ok(dir, "odd compacted");
	if (db != NULL)
		check_odd(db, odd, n, "compacted");
	ok(db != NULL && uidl_lookup(db, big) &&
	       !strcmp(uidl_lookup(db, big)->file, longest) &&
	       !uidl_damaged(db, NULL),
	   "compacted: the longest record round-trips in one block");
	uidl_free(&db);
	free(big);
	for (i = 0; i < n; i++)
		free(odd[i]);
	free(dir);
}

static void
test_compact(void)
{
	char *dir = xasprintf("%s/compact", base);
	char *journal = xasprintf("%s/journal", dir);
	struct uidl_db *db = open_ok(dir, "compact");
	struct pm_err err;
	char u[32], f[32];
	off_t before;
	ino_t ino;
	int i, live = 0;

	if (db == NULL)
		return;
	for (i = 0; i < 300; i++) {
		snprintf(u, sizeof(u), "u%d", i);
		snprintf(f, sizeof(f), "f%d,S=1", i);
		intent(db, u, (uint64_t)i, i, f, NULL, &err);
		uidl_delivered(db, u, &err);
		if (i % 3 == 0)
			uidl_indexed(db, u, &err);
	}
	before = file_size(journal);
	is_int(uidl_compact(db, 0, &err), PM_OK, "compact(0) of a long tail");
	ok(file_size(journal) < before / 2,
	   "the tail became a snapshot (%jd bytes, was %jd)",
	   (intmax_t)file_size(journal), (intmax_t)before);
	ino = file_ino(journal);
	is_int(uidl_compact(db, 0, &err), PM_OK, "compact(0) with no tail");
	ok(file_ino(journal) == ino, "nothing new: not rewritten");
	uidl_forget(db, "u1", &err);
	is_int(uidl_compact(db, 0, &err), PM_OK, "compact(0), a short tail");
	ok(file_ino(journal) == ino, "a tail under 1/8 of the snapshot stays");
	for (i = 0; i < 300; i++) {
		snprintf(u, sizeof(u), "u%d", i);
		if (i % 6 != 0)
			uidl_forget(db, u, &err);
	}
	is_int(uidl_compact(db, 0, &err), PM_OK, "compact(0) after forgets");
	ok(file_size(journal) < before / 4, "the journal shrank");
	is_int(intent(db, "new", 1, 1, "fn", NULL, &err), PM_OK,
	       "append after compaction");
	uidl_free(&db);
	db = open_ok(dir, "compacted");
	if (db == NULL)
		return;
	for (i = 0; i < 300; i++) {
		const struct uidl_entry *e;

		snprintf(u, sizeof(u), "u%d", i);
		snprintf(f, sizeof(f), "f%d,S=1", i);
		e = uidl_lookup(db, u);
		if (i % 6 == 0 && e && e->state == UIDL_DELIVERED &&
		    e->indexed && e->size == (uint64_t)i &&
		    e->first_seen == i && !strcmp(e->file, f))
			live++;
		else if (i % 6 != 0 && e == NULL)
			live++;
	}
	is_int(live, 300, "compaction kept live entries, dropped forgotten");
	ok(uidl_lookup(db, "new") != NULL, "the appended record survived");
	is_int(uidl_count(db), 51, "51 entries");
	ok(!uidl_damaged(db, NULL), "compacted journal is clean");
	free(journal);
	journal = xasprintf("%s/journal.tmp", dir);
	ok(access(journal, F_OK) != 0, "no journal.tmp left behind");
	uidl_free(&db);
	free(journal);
	free(dir);
}

static void
test_100k(void)
{
	char *dir = xasprintf("%s/big", base);
	char *journal = xasprintf("%s/journal", dir);
	char line[128], u[32];
	struct uidl_db *db;
	struct pm_err err;
	struct timespec t0, t1;
	size_t i, good = 0;
	FILE *f;

	mkdir(dir, 0700);
	f = fopen(journal, "w");
	put_line(f, "popmuch-journal 1");
	for (i = 0; i < 100000; i++) {
		snprintf(line, sizeof(line), "I UID%zu.%zx 4%zu 17%zu f%zu,S=1",
			 i, i * 7919, i, i, i);
		put_line(f, line);
		snprintf(line, sizeof(line), "D UID%zu.%zx", i, i * 7919);
		put_line(f, line);
	}
	fclose(f);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	db = open_ok(dir, "100k");
	if (db == NULL)
		return;
	for (i = 0; i < 100000; i++) {
		const struct uidl_entry *e;

		snprintf(u, sizeof(u), "UID%zu.%zx", i, i * 7919);
		e = uidl_lookup(db, u);
		if (e && e->state == UIDL_DELIVERED && e->first_seen > 0)
			good++;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	diag("100k: load and 100k lookups in %.3f s",
	     (double)(t1.tv_sec - t0.tv_sec) +
		 (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	is_int(uidl_count(db), 100000, "100k entries loaded");
	is_int(good, 100000, "100k lookups");
	ok(uidl_lookup(db, "UID100000.0") == NULL, "absent uidl: NULL");
	for (i = 0; i < 100000; i += 2) {
		snprintf(u, sizeof(u), "UID%zu.%zx", i, i * 7919);
		uidl_forget(db, u, &err);
	}
	for (good = 0, i = 0; i < 100000; i++) {
		snprintf(u, sizeof(u), "UID%zu.%zx", i, i * 7919);
		if ((uidl_lookup(db, u) != NULL) == (i % 2 == 1))
			good++;
	}
	is_int(good, 100000, "lookups right after forgetting half");
	is_int(uidl_compact(db, 0, &err), PM_OK, "compact");
	uidl_free(&db);
	db = open_ok(dir, "100k compacted");
	ok(db && uidl_count(db) == 50000 && !uidl_damaged(db, NULL),
	   "50k entries after compaction");
	uidl_free(&db);
	free(journal);
	free(dir);
}

int
main(void)
{
	char *cmd;

	signal(SIGPIPE, SIG_IGN);
	if (mkdtemp(base) == NULL) {
		ok(0, "mkdtemp: %s", strerror(errno));
		return done_testing();
	}
	test_fresh();
	test_roundtrip();
	test_lock_same_process();
	test_lock_other_process();
	test_torn();
	test_kill9();
	test_disk_full();
	test_flipped_byte();
	test_handmade();
	test_odd_uidls();
	test_compact();
	test_100k();
	cmd = xasprintf("rm -rf '%s'", base);
	if (system(cmd) != 0)
		diag("cannot remove %s", base);
	free(cmd);
	return done_testing();
}
