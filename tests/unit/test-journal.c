/* test-journal.c: journal version 2 (uidl.h): the mailbox in its
 * header (another mailbox's journal set aside and taken up again, a
 * change of port alone the same mailbox), version 1 taken up and
 * rewritten, the deleted/refused/confirmed records, a cut journal told
 * from a torn append, the read-only view.  (test-uidl.c has the records,
 * the lock and compaction of one mailbox.) */
#include "config.h"

#include <errno.h>
#include <glob.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "popmuch/jfile.h"
#include "popmuch/jline.h"
#include "popmuch/jsnap.h"
#include "popmuch/uidl.h"
#include "popmuch/xmalloc.h"
#include "tap.h"
#include "testutil.h"

#define MB_A "alice@pop.a.example:110"
#define MB_B "bob smith@pop.b.example:110"
#define HASH1 "0123456789abcdef0123456789abcdef"
#define HASH2 "fedcba9876543210fedcba9876543210"

static char base[] = "/tmp/test-journal.XXXXXX";

/* Records of 29 bytes (16-byte UIDLs, indexed, hashed) in a block. */
#define PER_BLOCK ((JSNAP_BLOCK - 4) / 29)
#define STR(x) #x
#define XSTR(x) STR(x)
#define BLOCK_AT "(first at byte " XSTR(JSNAP_BLOCK) ")"

static struct uidl_db *
open_mb(const char *dir, const char *mailbox, const char *what)
{
	struct uidl_db *db = NULL;
	struct pm_err err;

	if (!ok(uidl_open(dir, mailbox, 0, &db, &err) == PM_OK, "%s: open",
		what))
		diag("  %s", err.msg);
	return db;
}

static struct uidl_db *
open_ro(const char *dir, const char *mailbox, const char *what)
{
	struct uidl_db *db = NULL;
	struct pm_err err;
	int running = -1;

	if (!ok(uidl_open_readonly(dir, mailbox, &db, &running, &err) == PM_OK,
		"%s: open read-only", what))
		diag("  %s", err.msg);
	else
		is_int(running, 0, "%s: no popmuch holds the account", what);
	return db;
}

/* An intent and its delivered record. */
static int
put(struct uidl_db *db, const char *uidl, uint64_t size, const char *file,
    const char *hash)
{
	struct pm_err err;

	return uidl_intent_nosync(db, uidl, size, 1700000000, file, hash,
				  &err) == PM_OK &&
	       uidl_delivered(db, uidl, &err) == PM_OK;
}

/* Is e's hash what the journal keeps of hash (its first UIDL_HASH_HEX
 * digits), or none for NULL? */
static int
hash_is(const struct uidl_entry *e, const char *hash)
{
	if (hash == NULL || e->hash == NULL)
		return hash == NULL && e->hash == NULL;
	return strlen(e->hash) == UIDL_HASH_HEX &&
	       strncmp(e->hash, hash, UIDL_HASH_HEX) == 0;
}

static int
is_delivered(const struct uidl_db *db, const char *uidl, uint64_t size,
	     const char *hash)
{
	const struct uidl_entry *e = db != NULL ? uidl_lookup(db, uidl) : NULL;

	return e != NULL && e->state == UIDL_DELIVERED && e->size == size &&
	       hash_is(e, hash);
}

/* The first line of the file at path (caller frees), "" if none. */
static char *
first_line(const char *path)
{
	size_t len;
	char *text = slurp(path, &len), *nl;

	if (text == NULL)
		return xstrdup("");
	if ((nl = strchr(text, '\n')) != NULL)
		nl[1] = '\0';
	return text;
}

/* "content *CRC\n", as the journal seals a line (caller frees). */
static char *
sealed(const char *content)
{
	return xasprintf("%s *%08" PRIX32 "\n", content,
			 crc32_bitwise(content, strlen(content)));
}

/* Does the file at path start with a sound version 3 header naming mb
 * (encoded)? */
static int
header_at(const char *path, const char *mb_encoded)
{
	char *got = first_line(path), *crc = strstr(got, " *");
	char *prefix = xasprintf("popmuch-journal 3 %s ", mb_encoded);
	char *content =
	    crc != NULL ? xstrndup(got, (size_t)(crc - got)) : xstrdup("");
	char *want = sealed(content);
	int same =
	    strncmp(got, prefix, strlen(prefix)) == 0 && strcmp(got, want) == 0;

	if (!same)
		diag("  header %s, want %s... with its CRC", got, prefix);
	free(prefix);
	free(content);
	free(want);
	free(got);
	return same;
}

/* Does the journal in dir start with the version 3 header naming mb? */
static int
header_names(const char *dir, const char *mb_encoded)
{
	char *path = xasprintf("%s/journal", dir);
	int same = header_at(path, mb_encoded);

	free(path);
	return same;
}

/* The journals set aside in dir (journal.<16 hex>); *one_r gets the
 * first's path (caller frees) when one_r is not NULL. */
static size_t
asides(const char *dir, char **one_r)
{
	char *pat =
	    xasprintf("%s/journal.[0-9a-f][0-9a-f][0-9a-f][0-9a-f]"
		      "[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]"
		      "[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]",
		      dir);
	glob_t g;
	size_t n = 0;

	if (one_r != NULL)
		*one_r = NULL;
	if (glob(pat, 0, NULL, &g) == 0) {
		n = g.gl_pathc;
		if (one_r != NULL)
			*one_r = xstrdup(g.gl_pathv[0]);
		globfree(&g);
	}
	free(pat);
	return n;
}

/* A to B and back: each mailbox's records, never the other's. */
static void
test_switch(void)
{
	char *dir = xasprintf("%s/switch", base), *aside = NULL;
	struct uidl_db *db = open_mb(dir, MB_A, "switch A");
	const char *sw;
	struct pm_err err;

	if (db == NULL)
		return;
	ok(header_names(dir, "alice@pop.a.example:110"),
	   "switch: a new journal names its mailbox");
	ok(put(db, "a1", 10, "fa1,S=10", HASH1) &&
	       put(db, "a2", 20, "fa2,S=20", NULL) &&
	       uidl_indexed(db, "a2", &err) == PM_OK,
	   "switch: A records a1 and a2");
	ok(uidl_switched(db) == NULL, "switch: a first open switches nothing");
	uidl_free(&db);

	db = open_mb(dir, MB_B, "switch to B");
	if (db == NULL)
		return;
	is_int(uidl_count(db), 0, "switch: B's journal is empty");
	ok(uidl_lookup(db, "a1") == NULL, "switch: A's records do not vouch "
					  "for B");
	sw = uidl_switched(db);
	ok(sw != NULL && strstr(sw, MB_A) && strstr(sw, MB_B),
	   "switch: uidl_switched names both: %s", sw ? sw : "(null)");
	is_int(asides(dir, &aside), 1, "switch: one journal.<id> set aside");
	ok(aside != NULL && header_at(aside, "alice@pop.a.example:110"),
	   "switch: the journal set aside is A's");
	ok(sw != NULL && aside != NULL && strstr(sw, aside) != NULL,
	   "switch: the warning names the file set aside");
	ok(header_names(dir, "bob%20smith@pop.b.example:110"),
	   "switch: the journal now names B (encoded)");
	ok(put(db, "b1", 30, "fb1,S=30", HASH2), "switch: B records b1");
	uidl_free(&db);

	/* Read-only looks never switch: each mailbox sees its own. */
	db = open_ro(dir, MB_A, "read-only A while B's is current");
	ok(is_delivered(db, "a1", 10, HASH1) && uidl_lookup(db, "b1") == NULL,
	   "read-only A: A's records from the file set aside");
	uidl_free(&db);
	db = open_ro(dir, MB_B, "read-only B");
	ok(is_delivered(db, "b1", 30, HASH2) && uidl_count(db) == 1,
	   "read-only B: B's records");
	uidl_free(&db);
	db = open_ro(dir, NULL, "read-only, any mailbox");
	ok(db != NULL && uidl_lookup(db, "b1") != NULL,
	   "read-only without a mailbox: the current journal");
	uidl_free(&db);
	ok(header_names(dir, "bob%20smith@pop.b.example:110"),
	   "read-only opens changed nothing");

	db = open_mb(dir, MB_A, "back to A");
	if (db == NULL)
		return;
	ok(is_delivered(db, "a1", 10, HASH1) &&
	       is_delivered(db, "a2", 20, NULL) &&
	       uidl_lookup(db, "a2")->indexed,
	   "switch back: A's records are back, with their marks");
	ok(uidl_lookup(db, "b1") == NULL && uidl_count(db) == 2,
	   "switch back: none of B's");
	ok(uidl_switched(db) != NULL, "switch back: uidl_switched says so");
	free(aside);
	is_int(asides(dir, &aside), 1, "switch back: B's is the one set aside");
	ok(aside != NULL && header_at(aside, "bob%20smith@pop.b.example:110"),
	   "switch back: the file set aside is B's");
	ok(!uidl_damaged(db, NULL), "switch back: not damaged");
	uidl_free(&db);
	db = open_mb(dir, MB_A, "A again");
	ok(db != NULL && uidl_switched(db) == NULL && uidl_count(db) == 2,
	   "the same mailbox again: no switch");
	uidl_free(&db);
	db = open_mb(dir, MB_B, "B again");
	ok(is_delivered(db, "b1", 30, HASH2) && uidl_count(db) == 1,
	   "B again: b1 is back");
	uidl_free(&db);
	free(aside);
	free(dir);
}

/* 110 and 995 of one server are one mailbox. */
static void
test_port(void)
{
	char *dir = xasprintf("%s/port", base);
	struct uidl_db *db = open_mb(dir, "user@h:110", "port 110");
	struct pm_err err;

	if (db == NULL)
		return;
	ok(put(db, "p1", 11, "fp1,S=11", HASH1) &&
	       put(db, "p2", 22, "fp2,S=22", HASH2),
	   "port: two records under :110");
	uidl_free(&db);
	db = open_mb(dir, "user@h:995", "port 995");
	if (db == NULL)
		return;
	ok(uidl_switched(db) == NULL, "port: :995 is no switch");
	ok(is_delivered(db, "p1", 11, HASH1) &&
	       is_delivered(db, "p2", 22, HASH2),
	   "port: the records are kept");
	is_int(asides(dir, NULL), 0, "port: nothing set aside");
	ok(header_names(dir, "user@h:995"),
	   "port: the header is rewritten naming the new port on open");
	is_int(uidl_compact(db, 0, &err), PM_OK, "port: uidl_compact");
	ok(header_names(dir, "user@h:995"),
	   "port: after compaction the header still names the new port");
	uidl_free(&db);
	db = open_mb(dir, "user@h:995", "port 995 again");
	ok(db != NULL && uidl_count(db) == 2 && !uidl_damaged(db, NULL) &&
	       is_delivered(db, "p1", 11, HASH1),
	   "port: reopened after the rewrite: the same two");
	uidl_free(&db);
	db = open_ro(dir, "user@h:110", "read-only with the old port");
	ok(db != NULL && uidl_count(db) == 2,
	   "port: a read-only look with the old port sees them too");
	uidl_free(&db);
	db = open_mb(dir, "user@other:995", "another host, same port");
	ok(db != NULL && uidl_switched(db) != NULL && uidl_count(db) == 0,
	   "port: another host with the same port is another mailbox");
	uidl_free(&db);
	db = open_mb(dir, "other@h:995", "another user");
	ok(db != NULL && uidl_switched(db) != NULL && uidl_count(db) == 0,
	   "port: another user on the same host is another mailbox");
	uidl_free(&db);
	/* Rule 7: the account comes back, now on the other port. */
	db = open_mb(dir, "user@h:110", "back on the old port");
	ok(db != NULL && uidl_count(db) == 2 &&
	       is_delivered(db, "p1", 11, HASH1),
	   "port: coming back on :110 after another mailbox takes up the "
	   "journal set aside under :995");
	uidl_free(&db);
	free(dir);
}

/* A version 1 journal (no mailbox, 5-field intents) is this mailbox's
 * and is rewritten as version 3 when it is opened. */
static void
test_v1(void)
{
	char *dir = xasprintf("%s/v1", base);
	char *journal = xasprintf("%s/journal", dir);
	struct uidl_db *db;
	const struct uidl_entry *e;
	struct pm_err err;
	struct stat st1, st2;
	FILE *f;

	mkdir(dir, 0700);
	f = fopen(journal, "w");
	put_line(f, "popmuch-journal 1");
	put_line(f, "I v1 100 1700000000 f1,S=100");
	put_line(f, "D v1");
	put_line(f, "N v1");
	put_line(f, "I v2%20x 200 1700000001 f2,S=200");
	put_line(f, "D v2%20x");
	put_line(f, "I v3 300 1700000002 f3,S=300");
	fclose(f);
	db = open_mb(dir, MB_A, "v1");
	if (db == NULL)
		return;
	ok(!uidl_damaged(db, NULL) && uidl_switched(db) == NULL,
	   "v1: loads clean, no switch");
	e = uidl_lookup(db, "v1");
	ok(e && e->state == UIDL_DELIVERED && e->indexed && e->size == 100 &&
	       e->first_seen == 1700000000 && e->hash == NULL &&
	       !strcmp(e->file, "f1,S=100"),
	   "v1: a 5-field intent loads without a hash");
	ok(is_delivered(db, "v2 x", 200, NULL), "v1: an encoded UIDL");
	e = uidl_lookup(db, "v3");
	ok(e && e->state == UIDL_PENDING, "v1: an intent alone is pending");
	ok(header_names(dir, "alice@pop.a.example:110"),
	   "v1: rewritten on open as version 3 naming the mailbox");
	uidl_free(&db);
	stat(journal, &st1);
	db = open_mb(dir, MB_A, "v1 rewritten");
	e = db != NULL ? uidl_lookup(db, "v1") : NULL;
	ok(db && !uidl_damaged(db, NULL) && uidl_count(db) == 3 &&
	       is_delivered(db, "v1", 100, NULL) && e->indexed &&
	       !strcmp(e->file, "f1,S=100") &&
	       uidl_lookup(db, "v3")->state == UIDL_PENDING &&
	       !strcmp(uidl_lookup(db, "v3")->file, "f3,S=300"),
	   "v1: the rewritten journal holds the same entries (files kept "
	   "where no hash could check them)");
	is_int(uidl_compact(db, 0, &err), PM_OK, "v1: compact(0) again");
	stat(journal, &st2);
	ok(st1.st_ino == st2.st_ino, "v1: ...is no rewrite once upgraded");
	uidl_free(&db);
	free(journal);
	free(dir);
}

/* A version 2 journal written by hand (32-digit hashes, every kind of
 * record): rewritten as version 3 on open, the same entries before and
 * after, hashes kept to UIDL_HASH_HEX digits; a damaged one is not
 * rewritten until a run has settled. */
static void
write_v2(const char *journal, int damage)
{
	FILE *f = fopen(journal, "w");

	put_line(f, "popmuch-journal 2 alice@pop.a.example:110");
	put_line(f, "I w1 10 1700000000 w1,S=10 " HASH1);
	put_line(f, "D w1");
	put_line(f, "N w1");
	put_line(f, "I w2 20 1700000001 w2,S=20 -");
	put_line(f, "D w2");
	put_line(f, "R w2");
	put_line(f, "I w3 30 1700000002 w3,S=30 " HASH2);
	put_line(f, "D w3");
	put_line(f, "N w3");
	put_line(f, "X w3");
	put_line(f, "I w4 40 1700000003 w4,S=40 " HASH1);
	put_line(f, "D w4");
	put_line(f, "S w4 44");
	put_line(f, "I w5 50 1700000004 w5,S=50 " HASH2);
	put_line(f, "I gone 60 1700000005 gone,S=60 -");
	put_line(f, "F gone");
	put_line(f, "I ad 70 1690000000 - -");
	put_line(f, "D ad");
	if (damage)
		fputs("D w5 *00000000\n", f);
	fclose(f);
}

static void
check_v2(struct uidl_db *db, const char *what)
{
	const struct uidl_entry *e;

	e = db ? uidl_lookup(db, "w1") : NULL;
	ok(e && e->state == UIDL_DELIVERED && e->indexed && e->size == 10 &&
	       e->first_seen == 1700000000 && hash_is(e, HASH1),
	   "%s: w1 delivered, indexed, its hash", what);
	e = db ? uidl_lookup(db, "w2") : NULL;
	ok(e && e->refused && e->hash == NULL && !strcmp(e->file, "w2,S=20"),
	   "%s: w2 refused, no hash, its file kept", what);
	e = db ? uidl_lookup(db, "w3") : NULL;
	ok(e && e->state == UIDL_DELETED && hash_is(e, HASH2), "%s: w3 deleted",
	   what);
	e = db ? uidl_lookup(db, "w4") : NULL;
	ok(e && e->state == UIDL_DELIVERED && e->size == 44 && !e->indexed &&
	       !strcmp(e->file, "w4,S=40"),
	   "%s: w4 confirmed at 44, not indexed: its file kept", what);
	e = db ? uidl_lookup(db, "w5") : NULL;
	ok(e && e->state == UIDL_PENDING && !strcmp(e->file, "w5,S=50") &&
	       e->first_seen == 1700000004,
	   "%s: w5 pending with its file", what);
	e = db ? uidl_lookup(db, "ad") : NULL;
	ok(e && !strcmp(e->file, UIDL_NO_FILE) && e->first_seen == 1690000000,
	   "%s: ad adopted", what);
	ok(db && uidl_lookup(db, "gone") == NULL && uidl_count(db) == 6,
	   "%s: gone forgotten, six entries", what);
}

/* Does the journal still start with a version 2 header? */
static int
still_v2(const char *journal)
{
	char *line = first_line(journal);
	int v2 = strncmp(line, "popmuch-journal 2 ", 18) == 0;

	free(line);
	return v2;
}

static void
test_v2(void)
{
	char *dir = xasprintf("%s/v2", base);
	char *journal = xasprintf("%s/journal", dir);
	struct uidl_db *db;
	struct pm_err err;
	size_t len;

	mkdir(dir, 0700);
	write_v2(journal, 0);
	db = open_ro(dir, MB_A, "v2 read-only");
	check_v2(db, "v2 read-only");
	uidl_free(&db);
	ok(still_v2(journal), "v2: a read-only look rewrites nothing");
	db = open_mb(dir, MB_A, "v2");
	ok(db && !uidl_damaged(db, NULL), "v2: loads clean");
	check_v2(db, "v2 loaded");
	ok(header_names(dir, "alice@pop.a.example:110"),
	   "v2: rewritten as version 3 on open");
	uidl_free(&db);
	db = open_mb(dir, MB_A, "v2 upgraded");
	check_v2(db, "v2 upgraded, reopened");
	ok(db && uidl_lookup(db, "w1") &&
	       uidl_lookup(db, "w1")->file[0] == '\0',
	   "v2 upgraded: w1's file is not kept (indexed and hashed: "
	   "nothing needs it)");
	uidl_free(&db);
	free(slurp(journal, &len));
	ok(len < 600, "v2: the version 3 journal is small (%zu bytes)", len);

	write_v2(journal, 1);
	db = open_mb(dir, MB_A, "v2 damaged");
	ok(db && uidl_damaged(db, NULL), "v2 damaged: damaged");
	uidl_free(&db);
	ok(still_v2(journal), "v2 damaged: not rewritten on open");
	db = open_mb(dir, MB_A, "v2 damaged, settled");
	ok(db && uidl_compact(db, 1, &err) == PM_OK,
	   "v2 damaged: a settled run's forced compaction");
	uidl_free(&db);
	db = open_mb(dir, MB_A, "v2 damaged, rewritten");
	ok(db && !uidl_damaged(db, NULL) && header_names(dir, MB_A),
	   "v2 damaged: rewritten clean as version 3");
	check_v2(db, "v2 damaged, rewritten");
	uidl_free(&db);
	free(journal);
	free(dir);
}

static void
check_marks(const char *dir, const char *what, int compacted)
{
	struct uidl_db *db = open_mb(dir, MB_A, what);
	const struct uidl_entry *e;

	if (db == NULL)
		return;
	e = uidl_lookup(db, "c1");
	ok(e && e->state == UIDL_DELETED && e->indexed && e->size == 10 &&
	       hash_is(e, HASH1) &&
	       !strcmp(e->file, compacted ? "" : "c1,S=10"),
	   "%s: c1 deleted, indexed, its hash kept, its file %s", what,
	   compacted ? "no longer (nothing needs it)" : "kept");
	e = uidl_lookup(db, "c2");
	ok(e && e->state == UIDL_DELIVERED && e->refused && !e->indexed,
	   "%s: c2 refused", what);
	e = uidl_lookup(db, "c3");
	ok(e && e->state == UIDL_DELIVERED && e->size == 999 &&
	       e->first_seen == 1700000000 && hash_is(e, HASH2),
	   "%s: c3 confirmed with its new size, first seen kept", what);
	e = uidl_lookup(db, "c4");
	ok(e && e->state == UIDL_DELIVERED && e->size == 44,
	   "%s: c4 deleted, then confirmed: delivered again", what);
	ok(!uidl_damaged(db, NULL), "%s: not damaged", what);
	uidl_free(&db);
}

/* uidl_deleted, uidl_refused, uidl_confirmed survive reopen and
 * compaction. */
static void
test_marks(void)
{
	char *dir = xasprintf("%s/marks", base);
	char *journal = xasprintf("%s/journal", dir);
	struct uidl_db *db = open_mb(dir, MB_A, "marks");
	struct pm_err err;
	off_t before;
	struct stat st;

	if (db == NULL)
		return;
	ok(put(db, "c1", 10, "c1,S=10", HASH1) &&
	       put(db, "c2", 20, "c2,S=20", NULL) &&
	       put(db, "c3", 30, "c3,S=30", HASH2) &&
	       put(db, "c4", 40, "c4,S=40", NULL),
	   "marks: four delivered");
	uidl_intent_nosync(db, "c5", 50, 1, "c5,S=50", NULL, &err);
	is_int(uidl_indexed(db, "c1", &err), PM_OK, "marks: indexed c1");
	is_int(uidl_deleted(db, "c1", &err), PM_OK, "marks: deleted c1");
	is_int(uidl_lookup(db, "c1")->state, UIDL_DELETED, "marks: c1 DELETED");
	is_int(uidl_refused(db, "c2", &err), PM_OK, "marks: refused c2");
	ok(uidl_lookup(db, "c2")->refused, "marks: c2 refused");
	is_int(uidl_confirmed(db, "c3", 999, &err), PM_OK,
	       "marks: confirmed c3 with a new size");
	is_int(uidl_deleted(db, "c4", &err), PM_OK, "marks: deleted c4");
	is_int(uidl_confirmed(db, "c4", 44, &err), PM_OK,
	       "marks: confirmed c4 after its deletion");
	is_int(uidl_lookup(db, "c4")->state, UIDL_DELIVERED,
	       "marks: DELETED back to DELIVERED");
	is_int(uidl_deleted(db, "nope", &err), PM_SOFTWARE,
	       "marks: deleted of an unknown UIDL: PM_SOFTWARE");
	is_int(uidl_refused(db, "nope", &err), PM_SOFTWARE,
	       "marks: refused of an unknown UIDL: PM_SOFTWARE");
	is_int(uidl_confirmed(db, "nope", 1, &err), PM_SOFTWARE,
	       "marks: confirmed of an unknown UIDL: PM_SOFTWARE");
	is_int(uidl_confirmed(db, "c5", 1, &err), PM_SOFTWARE,
	       "marks: confirmed of a pending UIDL: PM_SOFTWARE");
	is_int(uidl_sync(db, &err), PM_OK, "marks: sync");
	stat(journal, &st);
	before = st.st_size;
	ok(uidl_confirmed(db, "c3", 999, &err) == PM_OK &&
	       uidl_deleted(db, "c1", &err) == PM_OK &&
	       uidl_refused(db, "c2", &err) == PM_OK,
	   "marks: the same marks again");
	stat(journal, &st);
	is_int(st.st_size, before, "marks: ...append nothing");
	uidl_forget(db, "c5", &err);
	uidl_free(&db);
	check_marks(dir, "marks reopened", 0);
	db = open_mb(dir, MB_A, "marks compact");
	is_int(db ? uidl_compact(db, 1, &err) : PM_SOFTWARE, PM_OK,
	       "marks: forced compaction");
	uidl_free(&db);
	check_marks(dir, "marks compacted", 1);
	free(journal);
	free(dir);
}

/* Twenty delivered records, synced; the journal's bytes. */
static char *
journal_of_20(const char *dir, size_t *len_r)
{
	struct uidl_db *db = open_mb(dir, MB_A, "twenty");
	char *journal = xasprintf("%s/journal", dir), u[16], f[16], *text;
	struct pm_err err;
	int good = 0;

	for (int i = 0; db != NULL && i < 20; i++) {
		snprintf(u, sizeof(u), "t%02d", i);
		snprintf(f, sizeof(f), "t%02d,S=1", i);
		good += put(db, u, 1, f, HASH1);
	}
	ok(db != NULL && good == 20 && uidl_sync(db, &err) == PM_OK,
	   "%s: twenty records synced", dir + strlen(base) + 1);
	uidl_free(&db);
	text = slurp(journal, len_r);
	free(journal);
	return text;
}

/* Cut the journal in dir to len bytes. */
static void
cut(const char *dir, size_t len)
{
	char *journal = xasprintf("%s/journal", dir);

	if (truncate(journal, (off_t)len) != 0)
		diag("truncate %s: %s", journal, strerror(errno));
	free(journal);
}

/* Is the journal damaged, with a reason that says it was cut? */
static void
expect_cut(const char *dir, const char *what)
{
	struct uidl_db *db = open_mb(dir, MB_A, what);
	const char *why = NULL;
	int damaged = db != NULL && uidl_damaged(db, &why);

	ok(damaged && why != NULL && strstr(why, "cut") != NULL,
	   "%s: damaged, cut: %s", what, why ? why : "(null)");
	ok(db != NULL && uidl_count(db) > 0 && uidl_count(db) < 20 &&
	       uidl_lookup(db, "t00") != NULL,
	   "%s: the records before the cut load (%zu)", what,
	   db ? uidl_count(db) : 0);
	uidl_free(&db);
	db = open_ro(dir, MB_A, what);
	ok(db != NULL && uidl_damaged(db, NULL),
	   "%s: a read-only look sees the damage too", what);
	uidl_free(&db);
}

static void
test_truncation(void)
{
	char *line = xasprintf("%s/cut-line", base);
	char *mid = xasprintf("%s/cut-mid", base);
	char *torn = xasprintf("%s/torn", base), *text, *journal;
	struct uidl_db *db;
	const char *why = NULL;
	struct pm_err err;
	size_t len, half;
	struct stat st;

	text = journal_of_20(line, &len);
	for (half = len / 2; half > 0 && text[half - 1] != '\n'; half--)
		;
	free(text);
	cut(line, half);
	expect_cut(line, "cut on a line boundary");
	expect_cut(line, "cut, a second open");
	/* A run that appends and syncs but does not settle (the connection
	 * broke; 'popmuch index') has not made the journal whole. */
	db = open_mb(line, MB_A, "cut, a run that does not settle");
	ok(db != NULL && put(db, "late", 1, "late,S=1", HASH2) &&
	       uidl_sync(db, &err) == PM_OK,
	   "cut: a record appended and synced");
	uidl_free(&db);
	expect_cut(line, "cut, after a run that appended without settling");
	db = open_mb(line, MB_A, "cut, settled");
	ok(db != NULL && uidl_compact(db, 1, &err) == PM_OK,
	   "cut: a forced compaction (a settled run) rewrites it");
	uidl_free(&db);
	db = open_mb(line, MB_A, "cut, after the rewrite");
	ok(db != NULL && !uidl_damaged(db, NULL),
	   "cut: after the rewrite no longer damaged");
	uidl_free(&db);

	text = journal_of_20(mid, &len);
	half = len / 2;
	if (text[half - 1] == '\n')
		half++;
	free(text);
	cut(mid, half);
	expect_cut(mid, "cut mid-line");

	text = journal_of_20(torn, &len);
	free(text);
	journal = xasprintf("%s/journal", torn);
	text = xstrdup("D t19 *0BADC0DE");
	db = NULL;
	if ((db = open_mb(torn, MB_A, "torn, to append")) != NULL) {
		int fd = open(journal, O_WRONLY | O_APPEND);

		ok(fd >= 0 &&
		       write(fd, text, strlen(text)) == (ssize_t)strlen(text),
		   "torn: bytes appended after the last sync, no newline");
		if (fd >= 0)
			close(fd);
		/* uidl_free syncs nothing new: the bytes are not its own */
		uidl_free(&db);
	}
	db = open_mb(torn, MB_A, "torn");
	if (db != NULL)
		uidl_damaged(db, &why);
	ok(db != NULL && why == NULL && uidl_count(db) == 20,
	   "torn: a torn last append is not damage: %s", why ? why : "clean");
	stat(journal, &st);
	is_int(st.st_size, len, "torn: the torn bytes were cut off");
	uidl_free(&db);
	db = open_ro(torn, MB_A, "torn read-only");
	ok(db != NULL && !uidl_damaged(db, NULL),
	   "torn: a read-only look is clean too");
	uidl_free(&db);
	free(text);
	free(journal);
	free(line);
	free(mid);
	free(torn);
}

/* A snapshot of several blocks: a flipped byte costs its block's
 * records only; a snapshot cut short is damage too, and what is
 * appended after it stays readable. */
static void
test_snapshot_damage(void)
{
	char *dir = xasprintf("%s/snap", base);
	char *journal = xasprintf("%s/journal", dir), *text, u[32], f[32];
	struct uidl_db *db = open_mb(dir, MB_A, "snapshot");
	const char *why = NULL;
	struct pm_err err;
	size_t len, hdr, n = 0;
	FILE *out;

	for (int i = 0; db != NULL && i < 600; i++) {
		snprintf(u, sizeof(u), "0000%04d5f3e0a1b", i);
		snprintf(f, sizeof(f), "s%d,S=1", i);
		n += put(db, u, 1000 + (uint64_t)i, f, HASH1) &&
		     uidl_indexed(db, u, &err) == PM_OK;
	}
	ok(db != NULL && n == 600 && uidl_compact(db, 0, &err) == PM_OK,
	   "snapshot: 600 entries, compacted");
	uidl_free(&db);
	text = slurp(journal, &len);
	hdr = text != NULL ? (size_t)(strchr(text, '\n') - text) + 1 : 0;
	/* 16-byte UIDLs, indexed and hashed: ~29 bytes each */
	ok(text != NULL && len - hdr < 600 * 32 && len - hdr > 3 * JSNAP_BLOCK,
	   "snapshot: %zu bytes for 600 entries, in more than 3 blocks",
	   len - hdr);
	text[hdr + JSNAP_BLOCK + 100] ^= 0x10; /* in the second block */
	out = fopen(journal, "w");
	fwrite(text, 1, len, out);
	fclose(out);
	db = open_mb(dir, MB_A, "snapshot, flipped");
	if (db != NULL)
		uidl_damaged(db, &why);
	ok(why != NULL && strstr(why, "1 damaged block(s)") &&
	       strstr(why, BLOCK_AT),
	   "snapshot: a flipped byte damages one block: %s",
	   why ? why : "(null)");
	/* a block holds (JSNAP_BLOCK - 4) / 29 of them */
	ok(db != NULL && uidl_count(db) >= 600 - PER_BLOCK - 4 &&
	       uidl_count(db) <= 600 - PER_BLOCK + 4,
	   "snapshot: the other blocks load (%zu entries)",
	   db ? uidl_count(db) : 0);
	uidl_free(&db);
	cut(dir, hdr + 2 * JSNAP_BLOCK + 10);
	db = open_mb(dir, MB_A, "snapshot, cut");
	why = NULL;
	if (db != NULL)
		uidl_damaged(db, &why);
	ok(why != NULL && strstr(why, "cut"), "snapshot cut: damaged: %s",
	   why ? why : "(null)");
	ok(db != NULL && put(db, "after", 5, "after,S=5", HASH2) &&
	       uidl_sync(db, &err) == PM_OK,
	   "snapshot cut: a record appended");
	uidl_free(&db);
	db = open_ro(dir, MB_A, "snapshot cut, read-only");
	ok(db != NULL && uidl_damaged(db, NULL) &&
	       is_delivered(db, "after", 5, HASH2) &&
	       uidl_count(db) >= PER_BLOCK - 4 &&
	       uidl_count(db) <= PER_BLOCK + 5,
	   "snapshot cut: still damaged; the record appended after the cut "
	   "and the first block load (%zu entries)",
	   db ? uidl_count(db) : 0);
	uidl_free(&db);
	free(text);
	free(journal);
	free(dir);
}

/* A damaged header: the snapshot cannot be found, so nothing after the
 * last newline is cut (it may be the snapshot's), and what a run appends
 * starts on a line of its own. */
static void
test_header_damage(void)
{
	char *dir = xasprintf("%s/hdr", base);
	char *journal = xasprintf("%s/journal", dir), *text;
	struct uidl_db *db = open_mb(dir, MB_A, "header damage");
	struct pm_err err;
	size_t len, len2;
	FILE *out;

	ok(db != NULL && put(db, "h1", 1, "h1,S=1", HASH1) &&
	       uidl_indexed(db, "h1", &err) == PM_OK &&
	       uidl_compact(db, 1, &err) == PM_OK,
	   "header damage: a snapshot of one entry");
	uidl_free(&db);
	text = slurp(journal, &len);
	text[5] ^= 0x01; /* "popmuch" */
	out = fopen(journal, "w");
	fwrite(text, 1, len, out);
	fclose(out);
	free(text);
	db = open_mb(dir, MB_A, "header damage, open");
	ok(db != NULL && uidl_damaged(db, NULL), "header damage: damaged");
	ok(db != NULL && put(db, "h2", 2, "h2,S=2", HASH2) &&
	       uidl_sync(db, &err) == PM_OK,
	   "header damage: a record appended");
	uidl_free(&db);
	free(slurp(journal, &len2));
	ok(len2 > len, "header damage: nothing was cut (%zu, then %zu bytes)",
	   len, len2);
	db = open_mb(dir, MB_A, "header damage, again");
	ok(db != NULL && uidl_damaged(db, NULL) &&
	       is_delivered(db, "h2", 2, HASH2),
	   "header damage: still damaged; the appended record loads");
	ok(db != NULL && uidl_compact(db, 1, &err) == PM_OK,
	   "header damage: a settled run rewrites it");
	uidl_free(&db);
	db = open_mb(dir, MB_A, "header damage, rewritten");
	ok(db != NULL && !uidl_damaged(db, NULL) && header_names(dir, MB_A) &&
	       is_delivered(db, "h2", 2, HASH2),
	   "header damage: clean again, with what it held");
	uidl_free(&db);
	free(journal);
	free(dir);
}

static void
count_unsettled(const struct uidl_entry *e, void *ctx)
{
	size_t *n = ctx;

	*n += e->state == UIDL_PENDING || !(e->indexed || e->refused);
}

/* Does uidl_unsettled() say what a pass over the entries finds? */
static int
unsettled_is(const struct uidl_db *db, size_t want)
{
	size_t n = 0;

	uidl_foreach(db, count_unsettled, &n);
	if (n != want || uidl_unsettled(db) != want)
		diag("  unsettled: %zu counted, %zu said, %zu wanted", n,
		     uidl_unsettled(db), want);
	return n == want && uidl_unsettled(db) == want;
}

struct listing {
	const char *const *uidls;
	const struct uidl_entry *const *hints; /* NULL: none */
};

static const char *
listing_at(void *ctx, size_t i, const struct uidl_entry **hint_r)
{
	const struct listing *l = ctx;

	*hint_r = l->hints != NULL ? l->hints[i] : NULL;
	return l->uidls[i];
}

/* uidl_prune() of uidls[0..n) with hints (NULL: none). */
static enum pm_status
prune_list(struct uidl_db *db, const char *const *uidls,
	   const struct uidl_entry *const *hints, size_t n, struct pm_err *err)
{
	struct listing l = {uidls, hints};

	return uidl_prune(db, n, listing_at, &l, err);
}

/* Delivered and indexed: settled, so prune may forget it. */
static int
settled(struct uidl_db *db, const char *uidl)
{
	struct pm_err err;

	return put(db, uidl, 1, "f,S=1", HASH1) &&
	       uidl_indexed(db, uidl, &err) == PM_OK;
}

/* uidl_entry_of() and the hints of uidl_prune(): a hint that is another
 * UIDL's entry, or one forgotten since (its UIDL recorded again), never
 * leaves a listed UIDL unmarked; an unlisted settled one goes. */
static void
test_prune_hints(void)
{
	char *dir = xasprintf("%s/prune", base);
	struct uidl_db *db = open_mb(dir, MB_A, "prune");
	const struct uidl_entry *e1, *e2, *e3, *e3b = NULL;
	const char *listed[4] = {"p1", "p2", "p3", "p9"};
	const struct uidl_entry *hints[4];
	struct pm_err err;

	if (db == NULL)
		return;
	ok(settled(db, "p1") && settled(db, "p2") && settled(db, "p3") &&
	       settled(db, "p5") && put(db, "p4", 1, "p4,S=1", NULL),
	   "prune: four settled, one not indexed");
	ok(unsettled_is(db, 1), "prune: one unsettled");
	e1 = uidl_lookup(db, "p1");
	e2 = uidl_lookup(db, "p2");
	e3 = uidl_lookup(db, "p3");
	ok(e1 != NULL && uidl_entry_of(db, e1->uidl) == e1,
	   "prune: an entry found from its uidl string");
	ok(uidl_forget(db, "p3", &err) == PM_OK && e3 != NULL &&
	       uidl_entry_of(db, e3->uidl) == NULL,
	   "prune: a forgotten entry is not found from its string");
	ok(settled(db, "p3") && (e3b = uidl_lookup(db, "p3")) != NULL &&
	       e3b != e3 && uidl_entry_of(db, e3->uidl) == NULL &&
	       strcmp(e3->uidl, "p3") == 0,
	   "prune: recorded again, a new entry; the old string still readable");
	hints[0] = e2;	 /* another UIDL's entry */
	hints[1] = NULL; /* none */
	hints[2] = e3;	 /* forgotten since */
	hints[3] = e1;	 /* another's, for a UIDL the journal lacks */
	is_int(prune_list(db, listed, hints, 4, &err), PM_OK, "prune: runs");
	ok(uidl_lookup(db, "p1") != NULL && uidl_lookup(db, "p2") != NULL &&
	       uidl_lookup(db, "p3") == e3b,
	   "prune: every listed UIDL kept, whatever its hint");
	ok(uidl_lookup(db, "p4") != NULL, "prune: one not indexed kept");
	ok(uidl_lookup(db, "p5") == NULL, "prune: the unlisted settled one "
					  "forgotten");
	hints[0] = e1;
	hints[1] = e2;
	hints[2] = e3b;
	is_int(prune_list(db, listed, hints, 3, &err), PM_OK,
	       "prune: right hints");
	ok(uidl_lookup(db, "p1") == e1 && uidl_lookup(db, "p2") == e2 &&
	       uidl_lookup(db, "p3") == e3b && uidl_lookup(db, "p4") != NULL &&
	       uidl_count(db) == 4,
	   "prune: right hints keep the listed ones too");
	{
		const char *twice[5] = {"p1", "p1", "p2", "p3", "p4"};

		ok(settled(db, "p6") &&
		       prune_list(db, twice, NULL, 5, &err) == PM_OK &&
		       uidl_lookup(db, "p6") == NULL && uidl_count(db) == 4,
		   "prune: as many listed as held, one twice: the unlisted "
		   "one still forgotten");
		ok(prune_list(db, twice + 1, NULL, 4, &err) == PM_OK &&
		       uidl_count(db) == 4,
		   "prune: all listed: nothing forgotten");
	}
	ok(unsettled_is(db, 1), "prune: still one unsettled");
	ok(uidl_intent_nosync(db, "p7", 7, 1, "p7,S=7", NULL, &err) == PM_OK &&
	       unsettled_is(db, 2) && uidl_indexed(db, "p4", &err) == PM_OK &&
	       unsettled_is(db, 1) &&
	       uidl_intent_nosync(db, "p1", 1, 1, "p1,S=1", NULL, &err) ==
		   PM_OK &&
	       unsettled_is(db, 2) && uidl_forget(db, "p7", &err) == PM_OK &&
	       unsettled_is(db, 1) && uidl_delivered(db, "p1", &err) == PM_OK &&
	       uidl_refused(db, "p1", &err) == PM_OK && unsettled_is(db, 0),
	   "prune: the unsettled count follows intents, marks and forgets");
	ok(uidl_intent_nosync(db, "p8", 8, 1, "p8,S=8", NULL, &err) == PM_OK &&
	       uidl_compact(db, 1, &err) == PM_OK,
	   "prune: one pending, compacted");
	uidl_free(&db);
	db = open_mb(dir, MB_A, "prune, again");
	ok(db != NULL && unsettled_is(db, 1),
	   "prune: loaded from the snapshot, the same count");
	ok(db != NULL && uidl_delivered(db, "p8", &err) == PM_OK &&
	       uidl_indexed(db, "p8", &err) == PM_OK &&
	       uidl_sync(db, &err) == PM_OK,
	   "prune: p8 settled in the tail");
	uidl_free(&db);
	db = open_mb(dir, MB_A, "prune, with a tail");
	ok(db != NULL && unsettled_is(db, 0),
	   "prune: loaded with the tail, none unsettled");
	uidl_free(&db);
	free(dir);
}

/* ---- the snapshot's order ---------------------------------------------- */

#define NORDER 300

/* The UIDL of the i-th of NORDER, scrambled: i * 7 mod NORDER. */
static void
order_uidl(char *buf, size_t len, int i)
{
	snprintf(buf, len, "o%04d", (i * 7) % NORDER);
}

/* Are the NORDER UIDLs in the journal file in dir, in byte order? */
static int
file_in_order(const char *dir)
{
	char *journal = xasprintf("%s/journal", dir), u[16], *text, *at;
	size_t len = 0, last = 0;
	int good = 1;

	text = slurp(journal, &len);
	for (int i = 0; text != NULL && i < NORDER && good; i++) {
		snprintf(u, sizeof(u), "o%04d", i);
		at = memmem(text, len, u, strlen(u));
		good = at != NULL && (i == 0 || (size_t)(at - text) > last);
		last = at != NULL ? (size_t)(at - text) : 0;
	}
	free(text);
	free(journal);
	return text != NULL && good;
}

/* A version 3 journal whose snapshot holds the NORDER entries in the
 * scrambled order (as a popmuch before the order was kept wrote it). */
static void
write_unsorted(const char *dir)
{
	char *journal = xasprintf("%s/journal", dir), u[16], hdr[JLINE_MAX];
	struct jsnap_buf b = {0};
	struct pm_err err;
	size_t n;

	for (int i = 0; i < NORDER; i++) {
		struct uidl_entry e = {.size = 10,
				       .first_seen = 1700000000,
				       .file = "",
				       .hash = HASH1,
				       .state = UIDL_DELIVERED,
				       .indexed = 1};

		order_uidl(u, sizeof(u), i);
		e.uidl = u;
		jsnap_put_entry(&b, &e, 1700000000);
	}
	jsnap_end(&b);
	n = jline_format_header(hdr, MB_A, b.len, NORDER, 1700000000);
	ok(jfile_write_new(journal, hdr, n, b.p, b.len, &err) == PM_OK,
	   "order: a snapshot out of order written");
	free(b.p);
	free(journal);
}

/* A compaction writes the snapshot in byte order of the UIDLs, so that
 * a listing's lookups read the loaded journal in order; a snapshot out
 * of that order is rewritten in it once, when it is loaded. */
static void
test_order(void)
{
	char *dir = xasprintf("%s/order", base), *dir2, u[16], f[24];
	struct uidl_db *db = open_mb(dir, MB_A, "order");
	struct pm_err err;
	struct stat before, after;
	char *journal;
	int good = 0;

	for (int i = 0; db != NULL && i < NORDER; i++) {
		order_uidl(u, sizeof(u), i);
		snprintf(f, sizeof(f), "%s,S=10", u);
		good += put(db, u, 10, f, HASH1) &&
			uidl_indexed(db, u, &err) == PM_OK;
	}
	ok(db != NULL && good == NORDER && uidl_sync(db, &err) == PM_OK &&
	       uidl_compact(db, 1, &err) == PM_OK,
	   "order: %d entries added out of order, compacted", good);
	uidl_free(&db);
	ok(file_in_order(dir), "order: the snapshot is in byte order");
	journal = xasprintf("%s/journal", dir);
	db = open_mb(dir, MB_A, "order, reopened");
	ok(db != NULL && uidl_count(db) == NORDER &&
	       stat(journal, &before) == 0,
	   "order: reopened, %zu entries", db ? uidl_count(db) : 0);
	uidl_free(&db);
	ok(stat(journal, &after) == 0 && after.st_ino == before.st_ino,
	   "order: a snapshot in order is not rewritten at load");
	free(journal);

	dir2 = xasprintf("%s/unsorted", base);
	ok(mkdir(dir2, 0700) == 0, "order: %s", dir2);
	write_unsorted(dir2);
	ok(!file_in_order(dir2), "order: the control is out of order");
	db = open_mb(dir2, MB_A, "unsorted");
	ok(db != NULL && uidl_count(db) == NORDER && !uidl_damaged(db, NULL),
	   "unsorted: loads whole, not damaged (%zu)", db ? uidl_count(db) : 0);
	ok(db != NULL && is_delivered(db, "o0123", 10, HASH1),
	   "unsorted: an entry as written");
	uidl_free(&db);
	ok(file_in_order(dir2), "unsorted: rewritten in order at load");
	free(dir2);
	free(dir);
}

int
main(void)
{
	if (mkdtemp(base) == NULL) {
		ok(0, "mkdtemp: %s", strerror(errno));
		return done_testing();
	}
	test_switch();
	test_port();
	test_v1();
	test_v2();
	test_marks();
	test_truncation();
	test_snapshot_damage();
	test_header_damage();
	test_prune_hints();
	test_order();
	rm_tree(base);
	return done_testing();
}
