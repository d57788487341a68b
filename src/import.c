/* import.c: delivery for 'popmuch import' (the sources are in
 * import-src.c).
 *
 * Each message streams through msgscan into a tmp/ file of the target
 * Maildir.  When it has ended, its key is known: SHA-256 of its
 * Message-ID and body hash, or, without a Message-ID, the SHA-1 of the
 * file (what notmuch makes its id from).  It is a duplicate when a
 * message earlier in the batch has the same key, or when the notmuch
 * database has the Message-ID with a file that has this key in its
 * name or the same body hash (or, without a Message-ID, has the
 * "notmuch-sha1-" id).  Otherwise its file is synced and waits in the
 * batch; a batch is renamed into cur/ under the name made from the key
 * (never replacing a file), cur/ is synced once, and each file indexed
 * (in this thread: the next lookups must see it).  A rename that finds
 * the name taken meets a file that a killed run delivered but did not
 * index: that file is indexed instead.  The database is committed every
 * IMPORT_COMMIT messages and at the end. */
#include "config.h"

#include <errno.h>
#include <gmime/gmime.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "import-int.h"
#include "popmuch/fault.h"
#include "popmuch/fetch.h"
#include "popmuch/account.h"
#include "popmuch/fsutil.h"
#include "popmuch/index.h"
#include "popmuch/lockfile.h"
#include "popmuch/maildir.h"
#include "popmuch/msgscan.h"
#include "popmuch/xmalloc.h"

#define IMPORT_BATCH 64
#define IMPORT_COMMIT 1000
#define IMPORT_KEY_HEX 32	   /* 128 bits of the key in the name */
#define IMPORT_SEEN_MAX (1u << 22) /* dry run: keys remembered */

struct pending {
	struct maildir_tmp *tmp;
	char *base; /* "<date>.I<key>.popmuch" */
	char *name; /* base + ":2,<flags>" */
	char *tags;
	int existed; /* delivered by a killed run, not indexed then */
};

struct importer {
	const struct import_opts *o;
	struct maildir *md;
	struct indexer *ix;
	struct msgscan *scan;
	struct maildir_tmp *tmp;
	int started;
	struct pending batch[IMPORT_BATCH];
	size_t nbatch;
	uint64_t uncommitted;
	char *user_tags;
	struct import_stats st;
	uint64_t src_bytes_done; /* of the sources finished */
	struct timespec last_progress;
	uint64_t *seen; /* dry run: open-addressed key prefixes */
	size_t nseen;
};

static enum pm_status
to_tmp(void *ctx, const char *buf, size_t len, struct pm_err *err)
{
	struct importer *im = ctx;

	return im->tmp ? maildir_tmp_write(im->tmp, buf, len, err) : PM_OK;
}

enum pm_status
import_msg_data(struct importer *im, const char *buf, size_t len,
		struct pm_err *err)
{
	enum pm_status st;

	if (!im->started) {
		msgscan_reset(im->scan);
		im->started = 1;
		if (!im->o->dry_run &&
		    (st = maildir_tmp_new(im->md, &im->tmp, err)) != PM_OK)
			return st;
	}
	return msgscan_feed(im->scan, buf, len, err);
}

void
import_msg_abort(struct importer *im)
{
	maildir_tmp_abort(&im->tmp);
	im->started = 0;
}

/* The Date header as a time, else the source's date. */
static time_t
message_date(const char *date, time_t fallback)
{
	GDateTime *dt = date ? g_mime_utils_header_decode_date(date) : NULL;
	gint64 t;

	if (dt == NULL)
		return fallback > 0 ? fallback : 0;
	t = g_date_time_to_unix(dt);
	g_date_time_unref(dt);
	return t > 0 && t < (gint64)1 << 40 ? (time_t)t : fallback;
}

static void
hexify(const uint8_t *d, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 15];
	}
	out[2 * n] = '\0';
}

/* The key of the scanned message, as hex (IMPORT_KEY_HEX digits). */
static void
message_key(const struct msgscan *s, char *key)
{
	const char *mid = msgscan_message_id(s);
	uint8_t d[SHA256_DIGEST_SIZE];
	struct sha256_ctx c;

	if (mid == NULL) {
		memcpy(key, msgscan_sha1_hex(s), IMPORT_KEY_HEX);
		key[IMPORT_KEY_HEX] = '\0';
		return;
	}
	sha256_init(&c);
	sha256_update(&c, strlen(mid) + 1, (const uint8_t *)mid);
	sha256_update(&c, MSGSCAN_HASH_SIZE, msgscan_body_hash(s));
	sha256_digest(&c, sizeof(d), d);
	hexify(d, IMPORT_KEY_HEX / 2, key);
}

/* Does the file at path carry the name base, or the same body? */
static int
same_message(const char *path, const char *base, const uint8_t *hash)
{
	const char *b = strrchr(path, '/');
	size_t len = strlen(base);
	uint8_t h[MSGSCAN_HASH_SIZE];

	b = b ? b + 1 : path;
	if (strncmp(b, base, len) == 0 && (b[len] == ':' || b[len] == '\0'))
		return 1;
	return msgscan_file_hash(path, h, NULL) == PM_OK &&
	       memcmp(h, hash, sizeof(h)) == 0;
}

/* Dry run: was this key seen before in the run?  (Remembers it.) */
static int
seen_before(struct importer *im, const char *key)
{
	uint64_t k = strtoull(key + IMPORT_KEY_HEX - 16, NULL, 16) | 1;
	size_t cap = im->seen ? IMPORT_SEEN_MAX : 0, i;

	if (cap == 0) {
		im->seen = xcalloc(IMPORT_SEEN_MAX, sizeof(*im->seen));
		cap = IMPORT_SEEN_MAX;
	}
	if (im->nseen >= cap / 2)
		return 0; /* full: the count may be too high, never wrong */
	for (i = k & (cap - 1); im->seen[i] != 0; i = (i + 1) & (cap - 1))
		if (im->seen[i] == k)
			return 1;
	im->seen[i] = k;
	im->nseen++;
	return 0;
}

/* Is the scanned message (name base) a duplicate? */
static enum pm_status
is_duplicate(struct importer *im, const char *base, const char *key, int *dup_r,
	     struct pm_err *err)
{
	const char *mid = msgscan_message_id(im->scan);
	char *synthetic = NULL, **files = NULL;
	size_t nfiles = 0;
	enum pm_status st;

	*dup_r = 0;
	for (size_t i = 0; i < im->nbatch; i++)
		if (strcmp(im->batch[i].base, base) == 0)
			*dup_r = 1;
	if (*dup_r || (im->o->dry_run && seen_before(im, key))) {
		*dup_r = 1;
		return PM_OK;
	}
	if (mid == NULL)
		synthetic =
		    xasprintf("notmuch-sha1-%s", msgscan_sha1_hex(im->scan));
	st = index_sync_files(im->ix, mid ? mid : synthetic, &files, &nfiles,
			      err);
	for (size_t i = 0; i < nfiles; i++) {
		/* a file deleted behind notmuch's back holds nothing */
		if (!*dup_r && access(files[i], F_OK) == 0 &&
		    (mid == NULL ||
		     same_message(files[i], base, msgscan_body_hash(im->scan))))
			*dup_r = 1;
		free(files[i]);
	}
	free(files);
	free(synthetic);
	return st;
}

/* "+flagged -unread +folder +user..." for the message. */
static char *
message_tags(const struct importer *im, unsigned flags, const char *folder)
{
	static const struct {
		unsigned bit;
		const char *tag;
	} map[] = {
	    {MSGSCAN_DRAFT, "+draft"},	 {MSGSCAN_FLAGGED, "+flagged"},
	    {MSGSCAN_PASSED, "+passed"}, {MSGSCAN_REPLIED, "+replied"},
	    {MSGSCAN_SEEN, "-unread"},	 {MSGSCAN_TRASHED, "+deleted"},
	};
	size_t cap = strlen(folder) * 2 + strlen(im->user_tags) + 80, o = 0;
	char *t = xmalloc(cap);

	t[0] = '\0';
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (flags & map[i].bit)
			o +=
			    (size_t)snprintf(t + o, cap - o, "%s ", map[i].tag);
	if (folder[0] != '\0') {
		t[o++] = '+';
		for (const char *p = folder; *p; p++)
			t[o++] = *p == ' ' || *p == '\t' ? '_' : *p;
		t[o++] = ' ';
	}
	(void)snprintf(t + o, cap - o, "%s", im->user_tags);
	return t;
}

static void
pending_free(struct pending *p)
{
	maildir_tmp_abort(&p->tmp);
	free(p->base);
	free(p->name);
	free(p->tags);
	memset(p, 0, sizeof(*p));
}

/* Rename the batch into cur/, sync cur/, index each. */
static enum pm_status
flush_batch(struct importer *im, struct pm_err *err)
{
	enum pm_status st = PM_OK;
	char *path;

	for (size_t i = 0; i < im->nbatch && st == PM_OK; i++) {
		st = maildir_tmp_move_cur(&im->batch[i].tmp, im->batch[i].name,
					  &im->batch[i].existed, err);
		FAULT("import-renamed");
	}
	if (st == PM_OK && im->nbatch > 0)
		st = maildir_sync_cur(im->md, err);
	FAULT("import-synced");
	for (size_t i = 0; i < im->nbatch && st == PM_OK; i++) {
		struct pm_err e;

		path = maildir_cur_path(im->md, im->batch[i].name);
		st = index_sync_add(im->ix, path, im->batch[i].tags, &e);
		free(path);
		if (st == PM_IOERR) {
			import_report(im, &e);
			st = PM_OK;
		} else if (st != PM_OK) {
			err_set(err, st, "%s", e.msg);
		} else if (im->batch[i].existed) {
			im->st.duplicates++; /* in place already: index only */
		} else {
			im->st.imported++;
		}
		FAULT("import-indexed");
	}
	im->uncommitted += im->nbatch;
	for (size_t i = 0; i < im->nbatch; i++)
		pending_free(&im->batch[i]);
	im->nbatch = 0;
	if (st == PM_OK && im->uncommitted >= IMPORT_COMMIT) {
		im->uncommitted = 0;
		st = index_sync_commit(im->ix, err);
	}
	return st;
}

/* The message is a new one: sync its file and add it to the batch. */
static enum pm_status
queue(struct importer *im, const struct import_src *src, char *base,
      unsigned flags, time_t date, struct pm_err *err)
{
	struct pending *p = &im->batch[im->nbatch];
	char letters[8];
	enum pm_status st;

	msgscan_flag_letters(flags, letters);
	if (im->o->dry_run) {
		im->st.imported++;
		free(base);
		return PM_OK;
	}
	maildir_tmp_set_mtime(im->tmp, date);
	if ((st = maildir_tmp_sync(im->tmp, err)) != PM_OK) {
		free(base);
		maildir_tmp_abort(&im->tmp);
		return st;
	}
	p->tmp = im->tmp;
	im->tmp = NULL;
	p->base = base;
	p->name = xasprintf("%s:2,%s", base, letters);
	p->tags = message_tags(im, flags, src->folder);
	return ++im->nbatch == IMPORT_BATCH ? flush_batch(im, err) : PM_OK;
}

enum pm_status
import_msg_end(struct importer *im, const struct import_src *src,
	       struct pm_err *err)
{
	char key[IMPORT_KEY_HEX + 1];
	enum pm_status st;
	unsigned flags;
	time_t date;
	char *base;
	int dup;

	if (!im->started) /* an empty message: nothing to import */
		return PM_OK;
	im->started = 0;
	im->st.messages++;
	if ((st = msgscan_finish(im->scan, err)) != PM_OK) {
		maildir_tmp_abort(&im->tmp);
		return st;
	}
	flags = src->flags | (src->header_flags ? msgscan_flags(im->scan) : 0);
	date = message_date(msgscan_date(im->scan), src->date);
	message_key(im->scan, key);
	base = xasprintf("%lld.I%s.popmuch", (long long)date, key);
	if ((st = is_duplicate(im, base, key, &dup, err)) != PM_OK || dup) {
		im->st.duplicates += dup;
		free(base);
		maildir_tmp_abort(&im->tmp);
		return st;
	}
	return queue(im, src, base, flags, date, err);
}

void
import_report(struct importer *im, const struct pm_err *e)
{
	im->st.errors++;
	if (im->o->events && im->o->events->error)
		im->o->events->error(im->o->events->ctx, e->msg);
}

void
import_progress(struct importer *im, const char *source, uint64_t bytes)
{
	const struct import_events *ev = im->o->events;
	struct timespec now;

	if (ev == NULL || ev->progress == NULL)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (bytes != 0 &&
	    (now.tv_sec - im->last_progress.tv_sec) * 1000 +
		    (now.tv_nsec - im->last_progress.tv_nsec) / 1000000 <
		200)
		return;
	im->last_progress = now;
	im->st.bytes = im->src_bytes_done + bytes;
	ev->progress(ev->ctx, source, &im->st);
}

/* "+a -b" from the --tag values. */
static char *
user_tags(const struct import_opts *o)
{
	size_t cap = 1, n = 0;
	char *t;

	for (size_t i = 0; i < o->ntags; i++)
		cap += strlen(o->tags[i]) + 2;
	t = xmalloc(cap);
	t[0] = '\0';
	for (size_t i = 0; i < o->ntags; i++)
		n += (size_t)snprintf(t + n, cap - n, "%s%s ",
				      strchr("+-", o->tags[i][0]) ? "" : "+",
				      o->tags[i]);
	return t;
}

/* The target Maildir: under the mail root, never outside. */
static enum pm_status
target_path(const struct import_opts *o, char **path_r, struct pm_err *err)
{
	const char *dir = o->maildir ? o->maildir : "import";
	char *root = NULL;
	enum pm_status st = index_mail_root(o->notmuch_config, &root, err);

	*path_r = NULL;
	if (st != PM_OK)
		return st;
	*path_r = dir[0] == '/' ? xstrdup(dir) : xasprintf("%s/%s", root, dir);
	if (!fsutil_path_inside(*path_r, root) ||
	    fsutil_path_inside(root, *path_r))
		st = err_set(err, PM_CONFIG,
			     "the Maildir %s is not inside notmuch's mail root "
			     "%s (notmuch would not index it)",
			     *path_r, root);
	free(root);
	return st;
}

/* One import at a time (two would race on the same keys). */
static enum pm_status
take_lock(int *fd_r, struct pm_err *err)
{
	char *path = NULL, *dir;
	enum pm_status st;

	*fd_r = -1;
	if ((st = account_state_dir("import.lock", &path, err)) != PM_OK)
		return st;
	dir = xstrdup(path);
	*strrchr(dir, '/') = '\0';
	st = fsutil_mkdirs(dir, err);
	if (st == PM_OK)
		st = lockfile_take(path, 0, fd_r, err);
	free(dir);
	free(path);
	return st;
}

static enum pm_status
setup(struct importer *im, struct pm_err *err)
{
	char *target = NULL;
	enum pm_status st = target_path(im->o, &target, err);

	if (st == PM_OK && !im->o->dry_run &&
	    (st = maildir_open(target, &im->md, err)) == PM_OK)
		maildir_clean_tmp(im->md); /* what killed runs left */
	if (st == PM_OK)
		st = index_sync_open(im->o->notmuch_config, &im->ix, err);
	free(target);
	im->scan = msgscan_new(to_tmp, im, 1);
	im->user_tags = user_tags(im->o);
	return st;
}

static enum pm_status
import_all(struct importer *im, char *const *paths, size_t n,
	   struct pm_err *err)
{
	enum pm_status st = PM_OK;

	for (size_t i = 0; i < n && st == PM_OK; i++) {
		char *copy = xstrdup(paths[i]), *b, *tag;
		size_t len = strlen(copy);

		while (len > 1 && copy[len - 1] == '/')
			copy[--len] = '\0';
		b = strrchr(copy, '/');
		tag = import_tag_join("", b ? b + 1 : copy);
		st = import_path(im, paths[i], tag, 1, err);
		free(tag);
		free(copy);
	}
	if (st == PM_OK)
		st = flush_batch(im, err);
	return st;
}

enum pm_status
import_run(const struct import_opts *o, char *const *paths, size_t n,
	   struct import_stats *st_r, struct pm_err *err)
{
	struct importer im = {0};
	enum pm_status st;
	int lock = -1;

	im.o = o;
	g_mime_init();
	st = take_lock(&lock, err);
	if (st == PM_OK)
		st = setup(&im, err);
	if (st == PM_OK)
		st = import_all(&im, paths, n, err);
	for (size_t i = 0; i < im.nbatch; i++)
		pending_free(&im.batch[i]);
	maildir_tmp_abort(&im.tmp);
	if (im.ix != NULL && st == PM_OK)
		st = index_sync_commit(im.ix, err);
	index_free(&im.ix);
	maildir_free(&im.md);
	msgscan_free(&im.scan);
	free(im.user_tags);
	free(im.seen);
	if (lock >= 0)
		close(lock);
	if (st == PM_OK && im.st.errors > 0)
		st = err_set(err, PM_DATAERR,
			     "%llu source(s) could not be "
			     "read (see above); everything else was imported",
			     (unsigned long long)im.st.errors);
	*st_r = im.st;
	return st;
}

void
import_source_done(struct importer *im, uint64_t bytes)
{
	im->src_bytes_done += bytes;
}
