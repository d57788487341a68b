/* uidl.c: the per-account UIDL journal (uidl.h): loading it (header,
 * snapshot, tail), the records of a run, the journal of another mailbox
 * set aside, compaction.  The format and its guarantees are in
 * doc/HACKING.md ("The journal on disk"); the pieces are jline.c (text
 * lines), jsnap.c (the snapshot), jfile.c (appends, syncs, journal.len),
 * jmailbox.c (which mailbox); the entries in memory are jtable.c's. */
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

#include "popmuch/fault.h"
#include "popmuch/fsutil.h"
#include "popmuch/hdrhash.h"
#include "popmuch/jfile.h"
#include "popmuch/jline.h"
#include "popmuch/jmailbox.h"
#include "popmuch/jsnap.h"
#include "popmuch/jtable.h"
#include "popmuch/lockfile.h"
#include "popmuch/parse.h"
#include "popmuch/uidl.h"
#include "popmuch/xmalloc.h"

struct uidl_db {
	char *dir;
	char *jpath;
	char *mailbox;	/* NULL: any (read-only use, tests) */
	char *switched; /* the journal was another mailbox's: a warning */
	int upgrade;	/* an older version, or another port: rewrite it */
	int lockfd;
	struct jfile jf;  /* the journal */
	off_t tail;	  /* where the tail begins */
	off_t snap;	  /* bytes of the snapshot */
	struct jtable *t; /* the entries */
	int damaged;
	char *why;
};

static void
table_clear(struct uidl_db *db)
{
	jtable_clear(db->t);
	db->damaged = 0;
	free(db->why);
	db->why = NULL;
}

/* ---- the snapshot ------------------------------------------------------ */

struct snap_ctx {
	struct jsnap_buf b;
	int64_t base;
};

static void
snap_put(const struct uidl_entry *e, void *ctx)
{
	struct snap_ctx *s = ctx;

	jsnap_put_entry(&s->b, e, s->base);
}

static void
newest(const struct uidl_entry *e, void *ctx)
{
	if (e->first_seen > *(int64_t *)ctx)
		*(int64_t *)ctx = e->first_seen;
}

/* ---- the file -------------------------------------------------------- */

static enum pm_status
append(struct uidl_db *db, const char *buf, size_t len, struct pm_err *err)
{
	return jfile_append(&db->jf, buf, len, err);
}

/* A damaged journal keeps the length in journal.len that shows its cut
 * until compaction rewrites it clean (replace_journal). */
static enum pm_status
sync_journal(struct uidl_db *db, struct pm_err *err)
{
	return jfile_sync(&db->jf, !db->damaged, err);
}

/* A journal shorter than its last synced length was cut, not torn. */
static void
check_length(struct uidl_db *db, int fd, off_t len)
{
	uint64_t was;

	if (!jfile_was_longer(db->jpath, fd, len, &was))
		return;
	db->damaged = 1;
	free(db->why);
	db->why = xasprintf("journal %s is shorter than when it was last "
			    "written (%jd of %ju bytes): it was cut, and the "
			    "records after the cut are lost",
			    db->jpath, (intmax_t)len, (uintmax_t)was);
}

/* ---- loading ----------------------------------------------------------- */

/* What parse_journal() found. */
struct loaded {
	size_t good;   /* the journal's sound length: the rest is torn */
	char *mailbox; /* named by the header (versions 2, 3) */
	int version;
	size_t hdr_len; /* bytes of the header line */
	int unended;	/* a damaged header: keep what follows the last
			 * newline, but end it before appending */
};

/* The tail, buf[0..len), read from offset off: its lines.  Sets
 * l->good. */
static void
parse_tail(struct uidl_db *db, char *buf, size_t len, size_t off,
	   struct loaded *l, size_t *bad_r, size_t *first_r)
{
	size_t lineno = 1, n, at = 0;
	struct jline r;
	char *nl;

	while (at < len && (nl = memchr(buf + at, '\n', len - at))) {
		n = (size_t)(nl - (buf + at));
		*nl = '\0';
		lineno++;
		if (jline_parse(buf + at, n, &r) != 0 ||
		    jtable_apply(db->t, &r) != 0) {
			db->damaged = 1;
			if ((*bad_r)++ == 0)
				*first_r = lineno;
		}
		at += n + 1;
	}
	l->good = off + at;
}

/* The header line in buf[0..len): PM_OK (h->version 0 when damaged),
 * or PM_DATAERR for a version this popmuch does not know. */
static enum pm_status
parse_header(struct uidl_db *db, char *buf, size_t len, struct jline_header *h,
	     struct pm_err *err)
{
	char *copy = xstrdup(buf);
	int st = jline_parse_header(buf, len, h);

	if (st > 0) {
		copy[len - 10] = '\0'; /* the CRC was sound */
		err_set(err, PM_DATAERR,
			"journal %s: format \"%s\" is not supported by this "
			"popmuch",
			db->jpath, copy);
	}
	free(copy);
	if (st < 0)
		h->version = 0;
	return st > 0 ? PM_DATAERR : PM_OK;
}

/* The snapshot: snap bytes from offset off, read 64 blocks at a time so
 * that the file is never held whole.  Returns the damaged blocks. */
static size_t
read_snapshot(struct uidl_db *db, int fd, off_t off, uint64_t snap,
	      int64_t base, size_t *first_r, struct pm_err *err)
{
	const size_t chunk = 64 * JSNAP_BLOCK;
	size_t bad = 0, got, first, n, want;
	char *buf;

	for (uint64_t at = 0; at < snap; at += chunk) {
		want = snap - at < chunk ? (size_t)(snap - at) : chunk;
		if (jfile_read_at(fd, db->jpath, off + (off_t)at, want, &buf,
				  &got, err) != PM_OK)
			return bad + 1; /* unreadable: damage */
		n = jsnap_read((unsigned char *)buf, got, base, jtable_load,
			       db->t, &first);
		free(buf);
		if (got < want && n++ == 0)
			first = got; /* cut: extended at load */
		if (n > 0 && bad == 0)
			*first_r = (size_t)at + first;
		bad += n;
		if (got < want)
			break;
	}
	return bad;
}

static void
note_why(struct uidl_db *db, size_t bad, size_t first, size_t badblk,
	 size_t firstblk)
{
	if (badblk > 0)
		db->why = xasprintf("journal %s: %zu damaged block(s) of its "
				    "snapshot skipped (first at byte %zu)%s",
				    db->jpath, badblk, firstblk,
				    bad > 0 ? ", and damaged records" : "");
	else if (bad > 0)
		db->why = xasprintf("journal %s: %zu damaged record(s) "
				    "skipped (first at line %zu)",
				    db->jpath, bad, first);
	if (bad > 0 || badblk > 0)
		db->damaged = 1;
}

/* Read the journal open on fd: header, snapshot, tail.  *len_r is the
 * file's length.  Returns PM_OK, PM_DATAERR for a version this popmuch
 * does not know, PM_IOERR when it cannot be read. */
static enum pm_status
read_journal(struct uidl_db *db, int fd, struct loaded *l, size_t *len_r,
	     struct pm_err *err)
{
	size_t bad = 0, first = 0, badblk = 0, firstblk = 0, len, off = 0;
	struct jline_header h = {0};
	struct stat sb;
	enum pm_status st;
	char *buf, *nl;

	memset(l, 0, sizeof(*l));
	*len_r = len = fstat(fd, &sb) == 0 ? (size_t)sb.st_size : 0;
	st = jfile_read_at(fd, db->jpath, 0, JLINE_MAX, &buf, &off, err);
	if (st != PM_OK)
		return st;
	if ((nl = memchr(buf, '\n', off)) == NULL && off < JLINE_MAX) {
		free(buf);
		return PM_OK; /* empty, or a torn header */
	}
	off = l->hdr_len = nl != NULL ? (size_t)(nl - buf) + 1 : 0;
	if (nl != NULL)
		*nl = '\0';
	st = nl != NULL ? parse_header(db, buf, off - 1, &h, err) : PM_OK;
	l->version = h.version;
	l->mailbox = h.mailbox != NULL ? xstrdup(h.mailbox) : NULL;
	free(buf);
	if (st != PM_OK)
		return st;
	if (h.version == 0) /* read on as lines: what is sound loads */
		bad = first = 1;
	if (h.version == 3) {
		jtable_reserve(db->t, (size_t)h.count);
		badblk = read_snapshot(db, fd, (off_t)off, h.snap_len, h.base,
				       &firstblk, err);
		off += (size_t)h.snap_len;
		db->snap = (off_t)h.snap_len;
	}
	db->tail = (off_t)off;
	l->good = off;
	if (off < len) {
		st = jfile_read_at(fd, db->jpath, (off_t)off, SIZE_MAX, &buf,
				   &len, err);
		if (st != PM_OK)
			return st;
		parse_tail(db, buf, len, off, l, &bad, &first);
		free(buf);
		len += off;
	}
	if (h.version == 0 && l->good < len) {
		/* without a sound header, bytes after the last newline may
		 * be a snapshot's, not a torn append: never cut them */
		l->good = len;
		l->unended = 1;
	}
	note_why(db, bad, first, badblk, firstblk);
	return PM_OK;
}

/* Write a header into an empty journal and make the file durable. */
static enum pm_status
start_journal(struct uidl_db *db, struct pm_err *err)
{
	char buf[JLINE_MAX];
	enum pm_status st;

	st = append(db, buf, jline_format_header(buf, db->mailbox, 0, 0, 0),
		    err);
	if (st == PM_OK)
		st = sync_journal(db, err);
	if (st != PM_OK)
		return st;
	db->tail = db->jf.size;
	db->snap = 0;
	if (fsutil_fsync_dir(db->dir) != 0)
		return err_set(err, fsutil_errno_status(errno),
			       "cannot sync %s: %s", db->dir, strerror(errno));
	return PM_OK;
}

/* The journal speaks for mailbox 'was', not for db->mailbox: set it
 * aside and take up the journal of db->mailbox if one waits aside. */
static enum pm_status
switch_journal(struct uidl_db *db, const char *was, struct pm_err *err)
{
	char *old = jmailbox_aside_path(db->jpath, was),
	     *ours = jmailbox_aside_path(db->jpath, db->mailbox);
	enum pm_status st = PM_OK;

	close(db->jf.fd);
	db->jf.fd = -1;
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
	size_t len = 0;
	struct loaded l;
	enum pm_status st;

	db->jf.fd =
	    open(db->jpath,
		 O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (db->jf.fd < 0)
		return err_set(err, PM_CANTCREAT, "cannot open %s: %s",
			       db->jpath, strerror(errno));
	st = read_journal(db, db->jf.fd, &l, &len, err);
	if (st != PM_OK)
		return st;
	if (l.mailbox != NULL && db->mailbox != NULL &&
	    !jmailbox_same(l.mailbox, db->mailbox)) {
		st = switched ? err_set(err, PM_DATAERR,
					"journal %s speaks for %s, not %s",
					db->jpath, l.mailbox, db->mailbox)
			      : switch_journal(db, l.mailbox, err);
		free(l.mailbox);
		return st != PM_OK ? st : load_journal(db, 1, err);
	}
	/* An older version is this account's, and so is a journal whose
	 * mailbox differs only in the port (110 and 995 are one mailbox):
	 * it is rewritten as version 3 naming the mailbox (uidl_open); so
	 * is a snapshot not in the order of its UIDLs (jtable.h: written
	 * before that order was kept), once. */
	db->upgrade = l.good > 0 && db->mailbox != NULL &&
		      (l.version < 3 || l.mailbox == NULL ||
		       strcmp(l.mailbox, db->mailbox) != 0 ||
		       jtable_loaded_unsorted(db->t));
	free(l.mailbox);
	check_length(db, db->jf.fd, (off_t)len);
	db->jf.size = (off_t)l.good;
	/* Cut a torn append off; a cut snapshot is filled with zeros to
	 * its length (damaged blocks), so that the tail stays after it. */
	if (l.good != len && (ftruncate(db->jf.fd, db->jf.size) != 0 ||
			      fdatasync(db->jf.fd) != 0))
		return err_set(err, fsutil_errno_status(errno),
			       "cannot cut the torn record off %s: %s",
			       db->jpath, strerror(errno));
	if (l.good == 0)
		return start_journal(db, err);
	return l.unended ? append(db, "\n", 1, err) : PM_OK;
}

/* ---- the API ----------------------------------------------------------- */

static struct uidl_db *
db_new(const char *dir, const char *mailbox)
{
	struct uidl_db *db = xcalloc(1, sizeof(*db));

	db->t = jtable_new();
	db->dir = xstrdup(dir);
	db->jpath = xasprintf("%s/journal", dir);
	db->mailbox = mailbox != NULL ? xstrdup(mailbox) : NULL;
	db->jf.path = db->jpath;
	db->jf.fd = -1;
	db->lockfd = -1;
	return db;
}

enum pm_status
uidl_lock(const char *dir, const char *mailbox, int wait, struct uidl_db **db_r,
	  struct pm_err *err)
{
	struct uidl_db *db;
	enum pm_status st;
	char *path;

	*db_r = NULL;
	st = fsutil_mkdirs(dir, err);
	if (st != PM_OK)
		return st;
	db = db_new(dir, mailbox);
	path = xasprintf("%s/lock", dir);
	st = lockfile_take(path, wait, &db->lockfd, err);
	free(path);
	if (st != PM_OK) {
		uidl_free(&db);
		return st;
	}
	*db_r = db;
	return PM_OK;
}

enum pm_status
uidl_load(struct uidl_db *db, struct pm_err *err)
{
	enum pm_status st = load_journal(db, 0, err);

	/* An older journal is rewritten as version 3 when it is loaded
	 * (a damaged one only once a run has settled: uidl_compact). */
	if (st == PM_OK && db->upgrade && !db->damaged)
		st = uidl_compact(db, 1, err);
	if (st != PM_OK)
		db->jf.dirty = 0; /* uidl_free() must not sync what failed */
	return st;
}

enum pm_status
uidl_open(const char *dir, const char *mailbox, int wait, struct uidl_db **db_r,
	  struct pm_err *err)
{
	enum pm_status st = uidl_lock(dir, mailbox, wait, db_r, err);

	if (st == PM_OK && (st = uidl_load(*db_r, err)) != PM_OK)
		uidl_free(db_r);
	return st;
}

/* Read the journal at path into db without changing anything. */
static enum pm_status
read_only(struct uidl_db *db, const char *path, char **mailbox_r,
	  struct pm_err *err)
{
	enum pm_status st = PM_OK;
	size_t len = 0;
	struct loaded l = {0};
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	*mailbox_r = NULL;
	if (fd < 0)
		return errno == ENOENT
			   ? PM_OK
			   : err_set(err, PM_IOERR, "cannot open %s: %s", path,
				     strerror(errno));
	st = read_journal(db, fd, &l, &len, err);
	if (st == PM_OK)
		check_length(db, fd, (off_t)len);
	*mailbox_r = l.mailbox;
	close(fd);
	return st;
}

enum pm_status
uidl_open_readonly(const char *dir, const char *mailbox, struct uidl_db **db_r,
		   int *running_r, struct pm_err *err)
{
	struct uidl_db *db = db_new(dir, NULL);
	char *was, *aside, *path;
	enum pm_status st;

	*db_r = NULL;
	path = xasprintf("%s/lock", dir);
	*running_r = lockfile_holder_running(path);
	free(path);
	st = read_only(db, db->jpath, &was, err);
	if (st == PM_OK && was != NULL && mailbox != NULL &&
	    !jmailbox_same(was, mailbox)) {
		/* The next fetch will take up this mailbox's own journal. */
		table_clear(db);
		aside = jmailbox_aside_path(db->jpath, mailbox);
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
uidl_entry_of(const struct uidl_db *db, const char *key)
{
	(void)db;
	return jtable_entry_of(key);
}

const struct uidl_entry *
uidl_lookup(const struct uidl_db *db, const char *uidl)
{
	return jtable_get(db->t, uidl);
}

size_t
uidl_count(const struct uidl_db *db)
{
	return jtable_count(db->t);
}

size_t
uidl_unsettled(const struct uidl_db *db)
{
	return jtable_unsettled(db->t);
}

void
uidl_foreach(const struct uidl_db *db,
	     void (*fn)(const struct uidl_entry *e, void *ctx), void *ctx)
{
	jtable_foreach(db->t, fn, ctx);
}

static enum pm_status
check_uidl(const char *uidl, struct pm_err *err)
{
	if (uidl[0] == '\0')
		return err_set(err, PM_DATAERR, "empty UIDL");
	if (strlen(uidl) > JLINE_UIDL_MAX)
		return err_set(err, PM_DATAERR,
			       "UIDL longer than %d bytes refused",
			       JLINE_UIDL_MAX);
	return PM_OK;
}

enum pm_status
uidl_intent_nosync(struct uidl_db *db, const char *uidl, uint64_t size,
		   int64_t first_seen, const char *file, const char *hhash,
		   struct pm_err *err)
{
	char buf[JLINE_MAX], hex[UIDL_HASH_HEX + 1] = "";
	struct jline r = {'I', uidl, size, first_seen, file, NULL};
	enum pm_status st;

	st = check_uidl(uidl, err);
	if (st != PM_OK)
		return st;
	if (!parse_basename_ok(file) || strlen(file) > JLINE_FILE_MAX)
		return err_set(err, PM_SOFTWARE, "bad Maildir file name");
	if (hhash != NULL && !jline_hash_ok(hhash))
		return err_set(err, PM_SOFTWARE, "bad header hash");
	if (hhash != NULL) {
		memcpy(hex, hhash, UIDL_HASH_HEX); /* what the journal keeps */
		r.hash = hex;
	}
	st = append(db, buf, jline_format(buf, &r), err);
	if (st == PM_OK)
		st = jtable_apply(db->t, &r);
	return st;
}

/* Append a D, N, R, X or F record for a known uidl and apply it. */
static enum pm_status
mark(struct uidl_db *db, char type, const char *uidl, struct pm_err *err)
{
	struct jline r = {.type = type, .uidl = uidl};
	const struct uidl_entry *e;
	char buf[JLINE_MAX];
	enum pm_status st;

	st = check_uidl(uidl, err);
	if (st != PM_OK)
		return st;
	e = jtable_get(db->t, uidl);
	if (e == NULL) {
		if (type == 'F')
			return PM_OK;
		return err_set(err, PM_SOFTWARE,
			       "journal: marking an unknown UIDL");
	}
	/* Nothing to record when it is already so. */
	if ((type == 'D' && e->state == UIDL_DELIVERED) ||
	    (type == 'X' && e->state == UIDL_DELETED) ||
	    (type == 'N' && e->indexed) || (type == 'R' && e->refused))
		return PM_OK;
	st = append(db, buf, jline_format(buf, &r), err);
	if (st == PM_OK)
		(void)jtable_apply(db->t, &r);
	return st;
}

enum pm_status
uidl_delivered(struct uidl_db *db, const char *uidl, struct pm_err *err)
{
	return mark(db, 'D', uidl, err);
}

enum pm_status
uidl_indexed(struct uidl_db *db, const char *uidl, struct pm_err *err)
{
	return mark(db, 'N', uidl, err);
}

enum pm_status
uidl_deleted(struct uidl_db *db, const char *uidl, struct pm_err *err)
{
	return mark(db, 'X', uidl, err);
}

enum pm_status
uidl_refused(struct uidl_db *db, const char *uidl, struct pm_err *err)
{
	return mark(db, 'R', uidl, err);
}

enum pm_status
uidl_forget(struct uidl_db *db, const char *uidl, struct pm_err *err)
{
	return mark(db, 'F', uidl, err);
}

enum pm_status
uidl_confirmed(struct uidl_db *db, const char *uidl, uint64_t size,
	       struct pm_err *err)
{
	struct jline r = {.type = 'S', .uidl = uidl, .size = size};
	const struct uidl_entry *e = jtable_get(db->t, uidl);
	char buf[JLINE_MAX];
	enum pm_status st;

	if (e == NULL || e->state == UIDL_PENDING)
		return err_set(err, PM_SOFTWARE,
			       "journal: confirming an undelivered UIDL");
	if (e->size == size && e->state == UIDL_DELIVERED)
		return PM_OK;
	st = append(db, buf, jline_format(buf, &r), err);
	if (st == PM_OK)
		(void)jtable_apply(db->t, &r);
	return st;
}

const char *
uidl_switched(const struct uidl_db *db)
{
	return db->switched;
}

enum pm_status
uidl_prune(struct uidl_db *db, size_t n, uidl_listed_fn *listed, void *ctx,
	   struct pm_err *err)
{
	const char **gone;
	size_t ngone = jtable_unlisted(db->t, n, listed, ctx, &gone);
	enum pm_status st = PM_OK;

	for (size_t i = 0; i < ngone && st == PM_OK; i++)
		st = mark(db, 'F', gone[i], err);
	free(gone);
	return st;
}

enum pm_status
uidl_sync(struct uidl_db *db, struct pm_err *err)
{
	return sync_journal(db, err);
}

/* ---- compaction -------------------------------------------------------- */

/* Write the header and the snapshot of every live entry to path, and
 * sync it.  *len_r: the file's length, *snap_r: the snapshot's. */
static enum pm_status
write_compacted(struct uidl_db *db, const char *path, off_t *len_r,
		off_t *snap_r, struct pm_err *err)
{
	struct snap_ctx s = {{0}, INT64_MIN};
	char hdr[JLINE_MAX];
	enum pm_status st;
	size_t n;

	uidl_foreach(db, newest, &s.base);
	if (s.base == INT64_MIN)
		s.base = 0;
	jtable_foreach_sorted(db->t, snap_put, &s);
	jsnap_end(&s.b);
	n = jline_format_header(hdr, db->mailbox, s.b.len, uidl_count(db),
				s.base);
	st = jfile_write_new(path, hdr, n, s.b.p, s.b.len, err);
	*len_r = (off_t)(n + s.b.len);
	*snap_r = (off_t)s.b.len;
	free(s.b.p);
	return st;
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
replace_journal(struct uidl_db *db, const char *tmp, off_t len, off_t snap,
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
		db->jf.broken = fsutil_errno_status(errno);
		err_set(err, db->jf.broken, "cannot reopen %s: %s", db->jpath,
			strerror(errno));
		if (fd >= 0)
			close(fd);
		return db->jf.broken;
	}
	close(db->jf.fd);
	db->jf.fd = fd;
	db->jf.size = db->tail = len;
	db->snap = snap;
	db->jf.dirty = 0;
	db->upgrade = 0;
	db->damaged = 0; /* rewritten clean */
	jfile_note_length(&db->jf);
	return PM_OK;
}

enum pm_status
uidl_compact(struct uidl_db *db, int force, struct pm_err *err)
{
	off_t tail = db->jf.size - db->tail, len, snap;
	enum pm_status st;
	char *tmp;

	if (db->upgrade && !db->damaged)
		force = 1;
	/* The tail is rewritten into the snapshot once it has grown to an
	 * eighth of it: a run that changes nothing rewrites nothing, and
	 * loading reads at most 1/8 more than the snapshot. */
	if (!force && (db->damaged || tail == 0 || tail * 8 <= db->snap))
		return PM_OK;
	st = sync_journal(db, err);
	if (st != PM_OK)
		return st;
	tmp = xasprintf("%s.tmp", db->jpath);
	st = write_compacted(db, tmp, &len, &snap, err);
	if (st == PM_OK)
		st = replace_journal(db, tmp, len, snap, err);
	free(tmp);
	return st;
}

void
uidl_free(struct uidl_db **dbp)
{
	struct uidl_db *db = dbp ? *dbp : NULL;

	if (db == NULL)
		return;
	if (db->jf.fd >= 0) {
		(void)sync_journal(db, NULL);
		close(db->jf.fd);
	}
	if (db->lockfd >= 0)
		close(db->lockfd); /* releases the flock */
	jtable_free(&db->t);
	free(db->dir);
	free(db->jpath);
	free(db->mailbox);
	free(db->switched);
	free(db->why);
	free(db);
	*dbp = NULL;
}
