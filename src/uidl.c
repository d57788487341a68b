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

/* The tail: lines from off to len.  Sets l->good. */
static void
parse_tail(struct uidl_db *db, char *buf, size_t off, size_t len,
	   struct loaded *l, size_t *bad_r, size_t *first_r)
{
	size_t lineno = 1, n;
	struct jline r;
	char *nl;

	l->good = off;
	while (off < len && (nl = memchr(buf + off, '\n', len - off))) {
		n = (size_t)(nl - (buf + off));
		*nl = '\0';
		lineno++;
		if (jline_parse(buf + off, n, &r) != 0 ||
		    jtable_apply(db->t, &r) != 0) {
			db->damaged = 1;
			if ((*bad_r)++ == 0)
				*first_r = lineno;
		}
		off += n + 1;
	}
	l->good = off;
}

/* Parse the journal in buf[0..len) (NUL-terminated at len).  Returns
 * PM_OK, or PM_DATAERR for a version this popmuch does not know. */
static enum pm_status
parse_journal(struct uidl_db *db, char *buf, size_t len, struct loaded *l,
	      struct pm_err *err)
{
	char *nl = memchr(buf, '\n', len), *copy;
	size_t bad = 0, first = 0, badblk = 0, firstblk = 0, off;
	struct jline_header h;
	int st;

	memset(l, 0, sizeof(*l));
	if (nl == NULL)
		return PM_OK; /* empty, or a torn header */
	*nl = '\0';
	off = l->hdr_len = (size_t)(nl - buf) + 1;
	copy = xstrdup(buf);
	st = jline_parse_header(buf, off - 1, &h);
	if (st > 0) {
		copy[off - 1 - 10] = '\0'; /* the CRC was sound */
		err_set(err, PM_DATAERR,
			"journal %s: format \"%s\" is not supported by this "
			"popmuch",
			db->jpath, copy);
		free(copy);
		return PM_DATAERR;
	}
	free(copy);
	if (st < 0) {
		/* read on as lines: what is sound in the tail loads */
		db->damaged = bad = 1;
		first = 1;
	}
	l->version = h.version;
	l->mailbox = h.mailbox != NULL ? xstrdup(h.mailbox) : NULL;
	if (h.version == 3) {
		jtable_reserve(db->t, (size_t)h.count);
		badblk = jsnap_read((unsigned char *)buf + off,
				    h.snap_len < len - off ? (size_t)h.snap_len
							   : len - off,
				    h.base, jtable_load, db->t, &firstblk);
		if (h.snap_len > len - off && badblk++ == 0)
			firstblk = len - off; /* cut: extended at load */
		off += (size_t)h.snap_len;
		db->snap = (off_t)h.snap_len;
	}
	db->tail = (off_t)off;
	if (off < len)
		parse_tail(db, buf, off, len, l, &bad, &first);
	else
		l->good = off;
	if (st < 0 && l->good < len) {
		/* without a sound header, bytes after the last newline may
		 * be a snapshot's, not a torn append: never cut them */
		l->good = len;
		l->unended = 1;
	}
	if (badblk > 0)
		db->damaged = 1;
	if (badblk > 0)
		db->why = xasprintf("journal %s: %zu damaged block(s) of its "
				    "snapshot skipped (first at byte %zu)%s",
				    db->jpath, badblk, firstblk,
				    bad > 0 ? ", and damaged records" : "");
	else if (bad > 0)
		db->why = xasprintf("journal %s: %zu damaged record(s) "
				    "skipped (first at line %zu)",
				    db->jpath, bad, first);
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
	char *buf = NULL;

	db->jf.fd =
	    open(db->jpath,
		 O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (db->jf.fd < 0)
		return err_set(err, PM_CANTCREAT, "cannot open %s: %s",
			       db->jpath, strerror(errno));
	st = jfile_read_all(db->jf.fd, db->jpath, &buf, &len, err);
	if (st != PM_OK)
		return st;
	st = parse_journal(db, buf, len, &l, err);
	free(buf);
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
	 * it is rewritten as version 3 naming the mailbox (uidl_open). */
	db->upgrade = l.good > 0 && db->mailbox != NULL &&
		      (l.version < 3 || l.mailbox == NULL ||
		       strcmp(l.mailbox, db->mailbox) != 0);
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
	db = db_new(dir, mailbox);
	path = xasprintf("%s/lock", dir);
	st = lockfile_take(path, wait, &db->lockfd, err);
	free(path);
	if (st == PM_OK)
		st = load_journal(db, 0, err);
	/* An older journal is rewritten as version 3 when it is loaded
	 * (a damaged one only once a run has settled: uidl_compact). */
	if (st == PM_OK && db->upgrade && !db->damaged)
		st = uidl_compact(db, 1, err);
	if (st != PM_OK) {
		db->jf.dirty = 0;
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
	size_t len = 0;
	struct loaded l = {0};
	char *buf = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	*mailbox_r = NULL;
	if (fd < 0)
		return errno == ENOENT
			   ? PM_OK
			   : err_set(err, PM_IOERR, "cannot open %s: %s", path,
				     strerror(errno));
	st = jfile_read_all(fd, path, &buf, &len, err);
	if (st == PM_OK)
		st = parse_journal(db, buf, len, &l, err);
	if (st == PM_OK)
		check_length(db, fd, (off_t)len);
	*mailbox_r = l.mailbox;
	free(buf);
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
uidl_lookup(const struct uidl_db *db, const char *uidl)
{
	return jtable_get(db->t, uidl);
}

size_t
uidl_count(const struct uidl_db *db)
{
	return jtable_count(db->t);
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
uidl_prune(struct uidl_db *db, const char *const *listed, size_t n,
	   struct pm_err *err)
{
	const char **gone;
	size_t ngone = jtable_unlisted(db->t, listed, n, &gone);
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
	uidl_foreach(db, snap_put, &s);
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
