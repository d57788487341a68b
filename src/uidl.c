/* uidl.c: the per-account UIDL journal and the account lock.
 *
 * The journal is text, one record a line, each line ending in
 * " *XXXXXXXX" (the CRC-32 of what precedes it, zlib's polynomial):
 *
 *     popmuch-journal 2 <mailbox> *CRC   header (version 1: no mailbox)
 *     I <uidl> <size> <first_seen> <file> <hhash> *CRC   intent (fsynced)
 *     D <uidl> *CRC                   delivered
 *     N <uidl> *CRC                   indexed by notmuch
 *     R <uidl> *CRC                   notmuch refused the file
 *     S <uidl> <size> *CRC            verified again, LIST size now <size>
 *     X <uidl> *CRC                   deleted on the server (QUIT +OK)
 *     F <uidl> *CRC                   forgotten
 *
 * <hhash> is the header hash (hdrhash.h) or "-"; version 1 intents have
 * no such field.  <mailbox> is "user@host:port", the mailbox the records
 * speak for: the journal of another mailbox is set aside (journal.<id>)
 * and never read for this one.
 *
 * <uidl> and <file> are encoded: bytes 0x21..0x7e other than '%' stand
 * for themselves, every other byte is %XX.  Records are appended with
 * one write(2) each on an O_APPEND descriptor.
 *
 * Loading: a line with a bad CRC or bad syntax is skipped and counted as
 * damage, and loading goes on.  A final line without its newline is a
 * torn append (a crash mid-write): its record never became durable, so
 * it is dropped silently, not counted as damage, and cut off the file
 * before anything new is appended.
 *
 * "journal.len" records the journal's inode and length after each sync
 * (without an fsync of its own: the journal was synced first, so a lost
 * update only understates).  A journal shorter than that was cut, not
 * torn: it is damaged, and the run deletes nothing. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "popmuch/fault.h"
#include "popmuch/fsutil.h"
#include "popmuch/hdrhash.h"
#include "popmuch/uidl.h"
#include "popmuch/lockfile.h"
#include "popmuch/parse.h"
#include "popmuch/pctenc.h"
#include "popmuch/strmap.h"
#include "popmuch/xmalloc.h"

#define JOURNAL_MAGIC "popmuch-journal"
#define JOURNAL_VERSION "2"
#define UIDL_MAX 1000	/* raw bytes; pop3 limits to 70 anyway */
#define FILE_MAX 255	/* a file name */
#define RECORD_MAX 4096 /* a line, encoded, with CRC and newline */

struct entry {
	struct uidl_entry e; /* e.uidl and e.file point into owned copies */
};

struct uidl_db {
	char *dir;
	char *jpath;
	char *mailbox;	/* NULL: any (read-only use, tests) */
	char *switched; /* the journal was another mailbox's: a warning */
	int upgrade;	/* a version 1 journal: rewrite it */
	int lockfd;
	int jfd;
	off_t jsize;	       /* bytes in the journal we know of */
	struct strmap *map;    /* uidl -> struct entry */
	size_t lines;	       /* records in the journal (live or not) */
	int dirty;	       /* appended since the last sync */
	enum pm_status broken; /* sticky after a failed sync */
	int damaged;
	char *why;
};

/* The CRC-32 of each record is zlib's crc32() (IEEE 802.3). */
static uint32_t
crc32_of(const char *buf, size_t len)
{
	return (uint32_t)crc32(0L, (const Bytef *)buf, (uInt)len);
}

/* ---- the entries ---------------------------------------------------- */

static void
entry_free(struct entry *en)
{
	free((char *)en->e.uidl);
	free((char *)en->e.file);
	free((char *)en->e.hash);
	free(en);
}

static struct entry *
table_get(const struct uidl_db *db, const char *uidl)
{
	return strmap_get(db->map, uidl);
}

/* Insert or replace the entry for uidl. */
static void
table_put(struct uidl_db *db, const char *uidl, uint64_t size,
	  int64_t first_seen, const char *file, const char *hhash)
{
	struct entry *en = table_get(db, uidl);

	if (en == NULL) {
		en = xcalloc(1, sizeof(*en));
		en->e.uidl = xstrdup(uidl);
		strmap_put(db->map, en->e.uidl, en);
	} else {
		free((char *)en->e.file);
		free((char *)en->e.hash);
	}
	en->e.size = size;
	en->e.first_seen = first_seen;
	en->e.file = xstrdup(file);
	en->e.hash = hhash != NULL ? xstrdup(hhash) : NULL;
	en->e.state = UIDL_PENDING;
	en->e.indexed = 0;
	en->e.refused = 0;
}

static void
table_del(struct uidl_db *db, const char *uidl)
{
	struct entry *en = strmap_del(db->map, uidl);

	if (en != NULL)
		entry_free(en);
}

static void
free_one(const char *key, void *val, void *ctx)
{
	(void)key;
	(void)ctx;
	entry_free(val);
}

/* ---- parsing --------------------------------------------------------- */

/* Check and strip the " *XXXXXXXX" trailer of line (NUL-terminated,
 * without its newline).  Returns 0 when the CRC matches. */
static int
check_crc(char *line, size_t len)
{
	uint32_t want = 0;
	size_t i;
	int v;

	if (len < 10 || line[len - 10] != ' ' || line[len - 9] != '*')
		return -1;
	for (i = len - 8; i < len; i++) {
		v = parse_hexdigit(line[i]);
		if (v < 0)
			return -1;
		want = want << 4 | (uint32_t)v;
	}
	if (crc32_of(line, len - 10) != want)
		return -1;
	line[len - 10] = '\0';
	return 0;
}

/* Split s at single spaces into at most max tokens; count or -1. */
static int
split(char *s, char **tok, int max)
{
	int n = 0;

	for (;;) {
		if (n == max || *s == '\0' || *s == ' ')
			return -1;
		tok[n++] = s;
		s = strchr(s, ' ');
		if (s == NULL)
			return n;
		*s++ = '\0';
	}
}

static int
file_ok(const char *f)
{
	return parse_basename_ok(f) && strlen(f) <= FILE_MAX;
}

static int
hhash_ok(const char *h)
{
	if (strlen(h) != HDRHASH_HEX)
		return 0;
	for (; *h != '\0'; h++)
		if (!((*h >= '0' && *h <= '9') || (*h >= 'a' && *h <= 'f')))
			return 0;
	return 1;
}

/* "I uidl size first_seen file [hhash]" */
static int
apply_intent(struct uidl_db *db, char **tok, int n)
{
	const char *hh = NULL;
	uint64_t size;
	int64_t seen;

	if ((n != 5 && n != 6) || parse_u64(tok[2], &size) != 0 ||
	    parse_i64(tok[3], &seen) != 0 || pctenc_decode(tok[4]) != 0 ||
	    !file_ok(tok[4]))
		return -1;
	if (n == 6 && strcmp(tok[5], "-") != 0) {
		if (!hhash_ok(tok[5]))
			return -1;
		hh = tok[5];
	}
	table_put(db, tok[1], size, seen, tok[4], hh);
	return 0;
}

/* Apply one record (CRC already checked and stripped).  -1 if bad. */
static int
apply_record(struct uidl_db *db, char *line)
{
	char *tok[6];
	int n = split(line, tok, 6);
	struct entry *en;
	uint64_t size;

	if (n < 2 || tok[0][1] != '\0' || pctenc_decode(tok[1]) != 0 ||
	    strlen(tok[1]) > UIDL_MAX)
		return -1;
	if (tok[0][0] == 'I')
		return apply_intent(db, tok, n);
	if (tok[0][0] == 'F' && n == 2) {
		table_del(db, tok[1]);
		return 0;
	}
	en = table_get(db, tok[1]);
	if (en == NULL)
		return -1;
	if (tok[0][0] == 'S' && n == 3 && parse_u64(tok[2], &size) == 0) {
		en->e.size = size;
		if (en->e.state == UIDL_DELETED)
			en->e.state = UIDL_DELIVERED;
		return 0;
	}
	if (n != 2)
		return -1;
	switch (tok[0][0]) {
	case 'D':
		en->e.state = UIDL_DELIVERED;
		return 0;
	case 'X':
		en->e.state = UIDL_DELETED;
		return 0;
	case 'N':
		en->e.indexed = 1;
		return 0;
	case 'R':
		en->e.refused = 1;
		return 0;
	}
	return -1;
}

/* ---- files ----------------------------------------------------------- */

/* Write all of buf at the end of the journal (one write(2) normally).
 * On failure cut the file back so that no partial record remains. */
static enum pm_status
append(struct uidl_db *db, const char *buf, size_t len, struct pm_err *err)
{
	size_t done = 0;
	ssize_t n;
	int e;

	if (db->broken != PM_OK)
		return err_set(err, db->broken,
			       "journal %s: unusable after an earlier error",
			       db->jpath);
	while (done < len) {
		n = write(db->jfd, buf + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			e = n < 0 ? errno : ENOSPC;
			if (ftruncate(db->jfd, db->jsize) != 0)
				db->broken = fsutil_errno_status(e);
			return err_set(err, fsutil_errno_status(e),
				       "cannot write journal %s: %s", db->jpath,
				       strerror(e));
		}
		done += (size_t)n;
	}
	db->jsize += (off_t)len;
	db->dirty = 1;
	return PM_OK;
}

/* Record the journal's inode and synced length in journal.len (see the
 * top of this file).  Best effort: a lost update only understates. */
static void
note_length(const struct uidl_db *db)
{
	/* A damaged journal keeps the length that shows its cut until
	 * compaction rewrites it clean (replace_journal). */
	char *path = xasprintf("%s.len", db->jpath), buf[64];
	struct stat sb;
	int fd, n;

	if (!db->damaged && fstat(db->jfd, &sb) == 0 &&
	    (fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
		       0600)) >= 0) {
		n = snprintf(buf, sizeof(buf), "%-20ju %-20jd\n",
			     (uintmax_t)sb.st_ino, (intmax_t)db->jsize);
		(void)!pwrite(fd, buf, (size_t)n, 0);
		close(fd);
	}
	free(path);
}

/* A journal shorter than its last synced length was cut, not torn. */
static void
check_length(struct uidl_db *db, int fd, off_t len)
{
	char *path = xasprintf("%s.len", db->jpath), buf[64];
	int lfd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	ssize_t n = lfd >= 0 ? pread(lfd, buf, sizeof(buf) - 1, 0) : -1;
	uintmax_t ino;
	intmax_t was;
	struct stat sb;

	if (lfd >= 0)
		close(lfd);
	free(path);
	if (n <= 0 || fstat(fd, &sb) != 0)
		return;
	buf[n] = '\0';
	if (sscanf(buf, "%ju %jd", &ino, &was) != 2 ||
	    ino != (uintmax_t)sb.st_ino || was <= (intmax_t)len)
		return;
	db->damaged = 1;
	free(db->why);
	db->why = xasprintf("journal %s is shorter than when it was last "
			    "written (%jd of %jd bytes): it was cut, and the "
			    "records after the cut are lost",
			    db->jpath, (intmax_t)len, was);
}

static enum pm_status
sync_journal(struct uidl_db *db, struct pm_err *err)
{
	if (db->broken != PM_OK)
		return err_set(err, db->broken,
			       "journal %s: unusable after an earlier error",
			       db->jpath);
	if (!db->dirty)
		return PM_OK;
	while (fdatasync(db->jfd) != 0) {
		if (errno == EINTR)
			continue;
		/* The kernel may have dropped the dirty pages: never
		 * trust this descriptor again (no fsync retry). */
		db->broken = fsutil_errno_status(errno);
		return err_set(err, db->broken, "cannot sync journal %s: %s",
			       db->jpath, strerror(errno));
	}
	db->dirty = 0;
	note_length(db);
	return PM_OK;
}

/* Format "<content> *CRC\n" into buf (RECORD_MAX); returns the length. */
static size_t
seal(char *buf, size_t len)
{
	uint32_t c = crc32_of(buf, len);

	return len + (size_t)snprintf(buf + len, RECORD_MAX - len,
				      " *%08" PRIX32 "\n", c);
}

static size_t
format_simple(char *buf, char type, const char *uidl)
{
	buf[0] = type;
	buf[1] = ' ';
	return seal(buf, 2 + pctenc_encode(buf + 2, uidl));
}

static size_t
format_intent(char *buf, const struct uidl_entry *e)
{
	size_t n = 2;

	buf[0] = 'I';
	buf[1] = ' ';
	n += pctenc_encode(buf + n, e->uidl);
	n += (size_t)snprintf(buf + n, RECORD_MAX - n,
			      " %" PRIu64 " %" PRId64 " ", e->size,
			      e->first_seen);
	n += pctenc_encode(buf + n, e->file);
	n += (size_t)snprintf(buf + n, RECORD_MAX - n, " %s",
			      e->hash != NULL ? e->hash : "-");
	return seal(buf, n);
}

static size_t
format_size(char *buf, const char *uidl, uint64_t size)
{
	size_t n = 2;

	buf[0] = 'S';
	buf[1] = ' ';
	n += pctenc_encode(buf + n, uidl);
	n += (size_t)snprintf(buf + n, RECORD_MAX - n, " %" PRIu64, size);
	return seal(buf, n);
}

/* "popmuch-journal 2 <mailbox>" */
static size_t
format_header(char *buf, const char *mailbox)
{
	size_t n = (size_t)snprintf(buf, RECORD_MAX, "%s %s ", JOURNAL_MAGIC,
				    JOURNAL_VERSION);

	n += pctenc_encode(buf + n, mailbox != NULL ? mailbox : "-");
	return seal(buf, n);
}

/* ---- loading --------------------------------------------------------- */

static void
note_damage(struct uidl_db *db, size_t lineno, size_t *bad, size_t *first)
{
	if ((*bad)++ == 0)
		*first = lineno;
	db->damaged = 1;
}

/* The header line: PM_OK (with *bad_r set when it is damaged), or
 * PM_DATAERR for a journal this popmuch must not touch.  The mailbox
 * it names (version 2) goes to *mailbox_r, caller frees. */
static enum pm_status
check_header(struct uidl_db *db, char *line, size_t len, int *bad_r,
	     char **mailbox_r, struct pm_err *err)
{
	char *tok[3], *copy;

	*mailbox_r = NULL;
	*bad_r = check_crc(line, len) != 0;
	if (*bad_r)
		return PM_OK;
	if (strcmp(line, JOURNAL_MAGIC " 1") == 0)
		return PM_OK;
	if (strncmp(line, JOURNAL_MAGIC " ", sizeof(JOURNAL_MAGIC)) != 0) {
		*bad_r = 1;
		return PM_OK;
	}
	copy = xstrdup(line);
	if (split(copy, tok, 3) == 3 && strcmp(tok[1], JOURNAL_VERSION) == 0 &&
	    pctenc_decode(tok[2]) == 0)
		*mailbox_r = xstrdup(tok[2]);
	free(copy);
	if (*mailbox_r != NULL)
		return PM_OK;
	return err_set(err, PM_DATAERR,
		       "journal %s: format \"%s\" is not supported by this "
		       "popmuch",
		       db->jpath, line);
}

/* Parse the journal in buf[0..len) (NUL-terminated at len); returns the
 * offset after the last complete line. */
static enum pm_status
parse_journal(struct uidl_db *db, char *buf, size_t len, size_t *good_r,
	      char **mailbox_r, struct pm_err *err)
{
	size_t off = 0, lineno = 0, bad = 0, first = 0, n;
	char *nl;
	int badhdr;

	*mailbox_r = NULL;
	while (off < len && (nl = memchr(buf + off, '\n', len - off))) {
		n = (size_t)(nl - (buf + off));
		*nl = '\0';
		lineno++;
		if (lineno == 1) {
			if (check_header(db, buf, n, &badhdr, mailbox_r, err) !=
			    PM_OK)
				return PM_DATAERR;
			if (badhdr)
				note_damage(db, lineno, &bad, &first);
		} else if (n >= RECORD_MAX || memchr(buf + off, '\0', n) ||
			   check_crc(buf + off, n) != 0 ||
			   apply_record(db, buf + off) != 0) {
			note_damage(db, lineno, &bad, &first);
			db->lines++;
		} else {
			db->lines++;
		}
		off += n + 1;
	}
	*good_r = off;
	if (bad > 0)
		db->why = xasprintf("journal %s: %zu damaged record(s) "
				    "skipped (first at line %zu)",
				    db->jpath, bad, first);
	return PM_OK;
}

static enum pm_status
read_all(int fd, const char *path, char **buf_r, size_t *len_r,
	 struct pm_err *err)
{
	size_t cap = 64 * 1024, len = 0;
	char *buf = xmalloc(cap + 1);
	ssize_t n;

	for (;;) {
		if (len == cap)
			buf = xreallocarray(buf, 1, (cap *= 2) + 1);
		n = pread(fd, buf + len, cap - len, (off_t)len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			free(buf);
			return err_set(err, PM_IOERR, "cannot read %s: %s",
				       path, strerror(errno));
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	*buf_r = buf;
	*len_r = len;
	return PM_OK;
}

/* Write a header into an empty journal and make the file durable. */
static enum pm_status
start_journal(struct uidl_db *db, struct pm_err *err)
{
	char buf[RECORD_MAX];
	enum pm_status st;
	size_t n;

	n = format_header(buf, db->mailbox);
	st = append(db, buf, n, err);
	if (st == PM_OK)
		st = sync_journal(db, err);
	if (st != PM_OK)
		return st;
	if (fsutil_fsync_dir(db->dir) != 0)
		return err_set(err, fsutil_errno_status(errno),
			       "cannot sync %s: %s", db->dir, strerror(errno));
	return PM_OK;
}

static void
table_clear(struct uidl_db *db)
{
	strmap_foreach(db->map, free_one, NULL);
	strmap_clear(db->map);
	db->lines = 0;
	db->damaged = 0;
	free(db->why);
	db->why = NULL;
}

/* "user@host:port" and "user@host:other" are one mailbox. */
static int
same_but_port(const char *a, const char *b)
{
	const char *ca = strrchr(a, ':'), *cb = strrchr(b, ':');

	return ca != NULL && cb != NULL && ca - a == cb - b &&
	       strncmp(a, b, (size_t)(ca - a)) == 0;
}

/* Where the journal of mailbox waits while the account reads another:
 * named by user@host alone, since a change of port alone is the same
 * mailbox (same_but_port). */
static char *
aside_path(const struct uidl_db *db, const char *mailbox)
{
	const char *colon = strrchr(mailbox, ':');
	size_t len =
	    colon != NULL ? (size_t)(colon - mailbox) : strlen(mailbox);
	struct sha256_ctx c;
	uint8_t d[SHA256_DIGEST_SIZE];
	char hex[17];

	sha256_init(&c);
	sha256_update(&c, len, (const uint8_t *)mailbox);
	sha256_digest(&c, sizeof(d), d);
	for (size_t k = 0; k < 8; k++)
		(void)snprintf(hex + 2 * k, 3, "%02x", d[k]);
	return xasprintf("%s.%s", db->jpath, hex);
}

/* The journal speaks for mailbox 'was', not for db->mailbox: set it
 * aside and take up the journal of db->mailbox if one waits aside. */
static enum pm_status
switch_journal(struct uidl_db *db, const char *was, struct pm_err *err)
{
	char *old = aside_path(db, was), *ours = aside_path(db, db->mailbox);
	enum pm_status st = PM_OK;

	close(db->jfd);
	db->jfd = -1;
	table_clear(db);
	if (rename(db->jpath, old) != 0 ||
	    (rename(ours, db->jpath) != 0 && errno != ENOENT) ||
	    fsutil_fsync_dir(db->dir) != 0)
		st = err_set(err, fsutil_errno_status(errno),
			     "cannot set aside journal %s: %s", db->jpath,
			     strerror(errno));
	else
		db->switched = xasprintf(
		    "the account now fetches %s (it was %s): its own journal "
		    "is used, and the other is kept as %s",
		    db->mailbox, was, old);
	free(old);
	free(ours);
	return st;
}

static enum pm_status
load_journal(struct uidl_db *db, int switched, struct pm_err *err)
{
	size_t len = 0, good;
	char *buf = NULL, *mailbox;
	enum pm_status st;

	db->jfd =
	    open(db->jpath,
		 O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (db->jfd < 0)
		return err_set(err, PM_CANTCREAT, "cannot open %s: %s",
			       db->jpath, strerror(errno));
	st = read_all(db->jfd, db->jpath, &buf, &len, err);
	if (st != PM_OK)
		return st;
	st = parse_journal(db, buf, len, &good, &mailbox, err);
	free(buf);
	if (st != PM_OK)
		return st;
	if (mailbox != NULL && db->mailbox != NULL &&
	    strcmp(mailbox, db->mailbox) != 0 &&
	    !same_but_port(mailbox, db->mailbox)) {
		st = switched ? err_set(err, PM_DATAERR,
					"journal %s speaks for %s, not %s",
					db->jpath, mailbox, db->mailbox)
			      : switch_journal(db, mailbox, err);
		free(mailbox);
		return st != PM_OK ? st : load_journal(db, 1, err);
	}
	/* A version 1 journal (no mailbox) is this account's, and so is
	 * one whose mailbox differs only in the port (110 and 995 are one
	 * mailbox): it is rewritten naming the mailbox at the end of the
	 * run. */
	db->upgrade = good > 0 && db->mailbox != NULL &&
		      (mailbox == NULL || strcmp(mailbox, db->mailbox) != 0);
	free(mailbox);
	check_length(db, db->jfd, (off_t)len);
	db->jsize = (off_t)good;
	if (good < len &&
	    (ftruncate(db->jfd, db->jsize) != 0 || fdatasync(db->jfd) != 0))
		return err_set(err, fsutil_errno_status(errno),
			       "cannot cut the torn record off %s: %s",
			       db->jpath, strerror(errno));
	if (good == 0)
		return start_journal(db, err);
	return PM_OK;
}

/* ---- the API --------------------------------------------------------- */

enum pm_status
uidl_open(const char *dir, const char *mailbox, int wait, struct uidl_db **db_r,
	  struct pm_err *err)
{
	struct uidl_db *db;
	enum pm_status st;
	char *path;

	*db_r = NULL;
	st = fsutil_mkdirs(dir, err);
	if (st != PM_OK)
		return st;
	db = xcalloc(1, sizeof(*db));
	db->map = strmap_new();
	db->dir = xstrdup(dir);
	db->jpath = xasprintf("%s/journal", dir);
	db->mailbox = mailbox != NULL ? xstrdup(mailbox) : NULL;
	db->jfd = -1;
	db->lockfd = -1;
	path = xasprintf("%s/lock", dir);
	st = lockfile_take(path, wait, &db->lockfd, err);
	free(path);
	if (st == PM_OK)
		st = load_journal(db, 0, err);
	if (st != PM_OK) {
		db->dirty = 0;
		uidl_free(&db);
		return st;
	}
	*db_r = db;
	return PM_OK;
}

/* Read the journal at path into db without changing anything. */
static enum pm_status
read_only(struct uidl_db *db, const char *path, char **mailbox_r,
	  struct pm_err *err)
{
	enum pm_status st = PM_OK;
	size_t len = 0, good;
	char *buf = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	*mailbox_r = NULL;
	if (fd < 0)
		return errno == ENOENT
			   ? PM_OK
			   : err_set(err, PM_IOERR, "cannot open %s: %s", path,
				     strerror(errno));
	st = read_all(fd, path, &buf, &len, err);
	if (st == PM_OK)
		st = parse_journal(db, buf, len, &good, mailbox_r, err);
	if (st == PM_OK)
		check_length(db, fd, (off_t)len);
	free(buf);
	close(fd);
	return st;
}

enum pm_status
uidl_open_readonly(const char *dir, const char *mailbox, struct uidl_db **db_r,
		   int *running_r, struct pm_err *err)
{
	struct uidl_db *db = xcalloc(1, sizeof(*db));
	enum pm_status st;
	char *was, *aside, *path;

	*db_r = NULL;
	path = xasprintf("%s/lock", dir);
	*running_r = lockfile_holder_running(path);
	free(path);
	db->map = strmap_new();
	db->dir = xstrdup(dir);
	db->jpath = xasprintf("%s/journal", dir);
	db->lockfd = -1;
	db->jfd = -1;
	st = read_only(db, db->jpath, &was, err);
	if (st == PM_OK && was != NULL && mailbox != NULL &&
	    strcmp(was, mailbox) != 0 && !same_but_port(was, mailbox)) {
		/* The next fetch will take up this mailbox's own journal. */
		table_clear(db);
		aside = aside_path(db, mailbox);
		free(was);
		st = read_only(db, aside, &was, err);
		free(aside);
	}
	free(was);
	if (st != PM_OK) {
		uidl_free(&db);
		return st;
	}
	*db_r = db;
	return PM_OK;
}

int
uidl_damaged(const struct uidl_db *db, const char **why_r)
{
	if (why_r != NULL)
		*why_r = db->damaged ? db->why : NULL;
	return db->damaged;
}

const struct uidl_entry *
uidl_lookup(const struct uidl_db *db, const char *uidl)
{
	struct entry *en = table_get(db, uidl);

	return en ? &en->e : NULL;
}

size_t
uidl_count(const struct uidl_db *db)
{
	return strmap_count(db->map);
}

struct foreach_ctx {
	void (*fn)(const struct uidl_entry *e, void *ctx);
	void *ctx;
};

static void
foreach_one(const char *key, void *val, void *ctx)
{
	struct foreach_ctx *f = ctx;

	(void)key;
	f->fn(&((struct entry *)val)->e, f->ctx);
}

void
uidl_foreach(const struct uidl_db *db,
	     void (*fn)(const struct uidl_entry *e, void *ctx), void *ctx)
{
	struct foreach_ctx f = {fn, ctx};

	strmap_foreach(db->map, foreach_one, &f);
}

static enum pm_status
check_uidl(const char *uidl, struct pm_err *err)
{
	if (uidl[0] == '\0')
		return err_set(err, PM_DATAERR, "empty UIDL");
	if (strlen(uidl) > UIDL_MAX)
		return err_set(err, PM_DATAERR,
			       "UIDL longer than %d bytes refused", UIDL_MAX);
	return PM_OK;
}

enum pm_status
uidl_intent_nosync(struct uidl_db *db, const char *uidl, uint64_t size,
		   int64_t first_seen, const char *file, const char *hhash,
		   struct pm_err *err)
{
	struct uidl_entry e = {.uidl = uidl,
			       .size = size,
			       .first_seen = first_seen,
			       .file = file,
			       .hash = hhash};
	char buf[RECORD_MAX];
	enum pm_status st;

	st = check_uidl(uidl, err);
	if (st != PM_OK)
		return st;
	if (!file_ok(file))
		return err_set(err, PM_SOFTWARE, "bad Maildir file name");
	if (hhash != NULL && !hhash_ok(hhash))
		return err_set(err, PM_SOFTWARE, "bad header hash");
	st = append(db, buf, format_intent(buf, &e), err);
	if (st != PM_OK)
		return st;
	db->lines++;
	table_put(db, uidl, size, first_seen, file, hhash);
	return PM_OK;
}

/* Append a D, N or F record for a known uidl. */
static enum pm_status
mark(struct uidl_db *db, char type, const char *uidl, struct pm_err *err)
{
	char buf[RECORD_MAX];
	struct entry *en;
	enum pm_status st;

	st = check_uidl(uidl, err);
	if (st != PM_OK)
		return st;
	en = table_get(db, uidl);
	if (en == NULL) {
		if (type == 'F')
			return PM_OK;
		return err_set(err, PM_SOFTWARE,
			       "journal: marking an unknown UIDL");
	}
	/* Nothing to record when it is already so. */
	if ((type == 'D' && en->e.state == UIDL_DELIVERED) ||
	    (type == 'X' && en->e.state == UIDL_DELETED) ||
	    (type == 'N' && en->e.indexed) || (type == 'R' && en->e.refused))
		return PM_OK;
	st = append(db, buf, format_simple(buf, type, uidl), err);
	if (st != PM_OK)
		return st;
	db->lines++;
	return PM_OK;
}

enum pm_status
uidl_delivered(struct uidl_db *db, const char *uidl, struct pm_err *err)
{
	enum pm_status st = mark(db, 'D', uidl, err);

	if (st == PM_OK)
		table_get(db, uidl)->e.state = UIDL_DELIVERED;
	return st;
}

enum pm_status
uidl_indexed(struct uidl_db *db, const char *uidl, struct pm_err *err)
{
	enum pm_status st = mark(db, 'N', uidl, err);

	if (st == PM_OK)
		table_get(db, uidl)->e.indexed = 1;
	return st;
}

enum pm_status
uidl_deleted(struct uidl_db *db, const char *uidl, struct pm_err *err)
{
	enum pm_status st = mark(db, 'X', uidl, err);

	if (st == PM_OK)
		table_get(db, uidl)->e.state = UIDL_DELETED;
	return st;
}

enum pm_status
uidl_refused(struct uidl_db *db, const char *uidl, struct pm_err *err)
{
	enum pm_status st = mark(db, 'R', uidl, err);

	if (st == PM_OK)
		table_get(db, uidl)->e.refused = 1;
	return st;
}

enum pm_status
uidl_confirmed(struct uidl_db *db, const char *uidl, uint64_t size,
	       struct pm_err *err)
{
	struct entry *en = table_get(db, uidl);
	char buf[RECORD_MAX];
	enum pm_status st;

	if (en == NULL || en->e.state == UIDL_PENDING)
		return err_set(err, PM_SOFTWARE,
			       "journal: confirming an undelivered UIDL");
	if (en->e.size == size && en->e.state == UIDL_DELIVERED)
		return PM_OK;
	st = append(db, buf, format_size(buf, uidl, size), err);
	if (st != PM_OK)
		return st;
	db->lines++;
	en->e.size = size;
	en->e.state = UIDL_DELIVERED;
	return PM_OK;
}

const char *
uidl_switched(const struct uidl_db *db)
{
	return db->switched;
}

enum pm_status
uidl_forget(struct uidl_db *db, const char *uidl, struct pm_err *err)
{
	enum pm_status st = mark(db, 'F', uidl, err);

	if (st == PM_OK)
		table_del(db, uidl);
	return st;
}

enum pm_status
uidl_sync(struct uidl_db *db, struct pm_err *err)
{
	return sync_journal(db, err);
}

/* ---- compaction ------------------------------------------------------ */

/* Buffered writer for the rewrite. */
struct wbuf {
	int fd;
	size_t len;
	int e; /* first errno */
	size_t records;
	char buf[64 * 1024];
};

static void
wbuf_flush(struct wbuf *w)
{
	size_t done = 0;
	ssize_t n;

	while (w->e == 0 && done < w->len) {
		n = write(w->fd, w->buf + done, w->len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			w->e = n < 0 ? errno : ENOSPC;
		else
			done += (size_t)n;
	}
	w->len = 0;
}

static void
wbuf_record(struct wbuf *w, const char *rec, size_t len)
{
	if (len > sizeof(w->buf) - w->len)
		wbuf_flush(w);
	memcpy(w->buf + w->len, rec, len);
	w->len += len;
	w->records++;
}

static void
write_entry(const struct uidl_entry *e, void *ctx)
{
	struct wbuf *w = ctx;
	char rec[RECORD_MAX];

	wbuf_record(w, rec, format_intent(rec, e));
	if (e->state != UIDL_PENDING)
		wbuf_record(w, rec, format_simple(rec, 'D', e->uidl));
	if (e->state == UIDL_DELETED)
		wbuf_record(w, rec, format_simple(rec, 'X', e->uidl));
	if (e->indexed)
		wbuf_record(w, rec, format_simple(rec, 'N', e->uidl));
	if (e->refused)
		wbuf_record(w, rec, format_simple(rec, 'R', e->uidl));
}

/* Write every live entry to path; returns the records or sets err. */
static enum pm_status
write_compacted(struct uidl_db *db, const char *path, struct wbuf *w,
		struct pm_err *err)
{
	char rec[RECORD_MAX];

	w->fd = open(
	    path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (w->fd < 0)
		return err_set(err, fsutil_errno_status(errno),
			       "cannot create %s: %s", path, strerror(errno));
	wbuf_record(w, rec, format_header(rec, db->mailbox));
	w->records = 0;
	uidl_foreach(db, write_entry, w);
	wbuf_flush(w);
	if (w->e == 0 && fsync(w->fd) != 0)
		w->e = errno;
	if (close(w->fd) != 0 && w->e == 0 && errno != EINTR)
		w->e = errno;
	if (w->e != 0) {
		(void)unlink(path);
		return err_set(err, fsutil_errno_status(w->e),
			       "cannot write %s: %s", path, strerror(w->e));
	}
	return PM_OK;
}

/* Keep the damaged journal for inspection before it is replaced. */
static void
keep_damaged(const struct uidl_db *db)
{
	char *bad =
	    xasprintf("%s.damaged.%lld", db->jpath, (long long)time(NULL));

	if (link(db->jpath, bad) != 0) {
		/* best effort: the rewrite goes on without a copy */
	}
	free(bad);
}

static enum pm_status
replace_journal(struct uidl_db *db, const char *tmp, size_t records,
		struct pm_err *err)
{
	enum pm_status st;
	int fd;

	if (db->damaged)
		keep_damaged(db);
	if (rename(tmp, db->jpath) != 0) {
		st = err_set(err, fsutil_errno_status(errno),
			     "cannot rename %s: %s", tmp, strerror(errno));
		(void)unlink(tmp);
		return st;
	}
	FAULT("uidl-after-compact-rename");
	fd = open(db->jpath, O_RDWR | O_APPEND | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 || fsutil_fsync_dir(db->dir) != 0) {
		db->broken = fsutil_errno_status(errno);
		err_set(err, db->broken, "cannot reopen %s: %s", db->jpath,
			strerror(errno));
		if (fd >= 0)
			close(fd);
		return db->broken;
	}
	close(db->jfd);
	db->jfd = fd;
	db->jsize = lseek(fd, 0, SEEK_END);
	db->lines = records;
	db->dirty = 0;
	db->upgrade = 0;
	db->damaged = 0; /* rewritten clean */
	note_length(db);
	return PM_OK;
}

/* Records a compacted journal holds: an intent per entry, plus its
 * delivered and indexed marks. */
static void
count_records(const struct uidl_entry *e, void *ctx)
{
	*(size_t *)ctx += 1 + (e->state != UIDL_PENDING) +
			  (e->state == UIDL_DELETED) + (e->indexed != 0) +
			  (e->refused != 0);
}

static size_t
live_records(const struct uidl_db *db)
{
	size_t n = 1; /* the header */

	uidl_foreach(db, count_records, &n);
	return n;
}

enum pm_status
uidl_compact(struct uidl_db *db, int force, struct pm_err *err)
{
	struct wbuf *w;
	enum pm_status st;
	char *tmp;

	if (db->upgrade && !db->damaged)
		force = 1;
	if (!force && (db->damaged || db->lines <= 2 * live_records(db) + 100))
		return PM_OK;
	st = sync_journal(db, err);
	if (st != PM_OK)
		return st;
	tmp = xasprintf("%s.tmp", db->jpath);
	w = xcalloc(1, sizeof(*w));
	st = write_compacted(db, tmp, w, err);
	if (st == PM_OK)
		st = replace_journal(db, tmp, w->records, err);
	free(w);
	free(tmp);
	return st;
}

void
uidl_free(struct uidl_db **dbp)
{
	struct uidl_db *db = dbp ? *dbp : NULL;

	if (db == NULL)
		return;
	if (db->jfd >= 0) {
		(void)sync_journal(db, NULL);
		close(db->jfd);
	}
	if (db->lockfd >= 0)
		close(db->lockfd); /* releases the flock */
	if (db->map != NULL)
		strmap_foreach(db->map, free_one, NULL);
	strmap_free(&db->map);
	free(db->dir);
	free(db->jpath);
	free(db->mailbox);
	free(db->switched);
	free(db->why);
	free(db);
	*dbp = NULL;
}
