/* adopt-local.c: on an account's first run, the messages the server
 * lists that are already in the account's Maildir (the rule for DELE in
 * doc/HACKING.md, 3): a file notmuch holds for the Message-ID of the
 * server's header (TOP n 0, this session), in the account's new/ or
 * cur/, whose own header is the server's (hdrhash_file_matches()).
 * Such a message is known: journaled with that file and the server's
 * header hash, delivered and indexed, so it is not fetched again and the
 * retention policy may delete it, as any message popmuch stored.
 *
 * A step of the fetch (fetch-int.h), called from plan.c. */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "popmuch/account.h"
#include "popmuch/hdrhash.h"
#include "popmuch/index.h"
#include "popmuch/log.h"
#include "popmuch/msgscan.h"
#include "popmuch/pop3.h"
#include "popmuch/retention.h"
#include "popmuch/uidl.h"
#include "popmuch/verify.h"
#include "popmuch/xmalloc.h"
#include "fetch-int.h"

/* One message on the server that may be here already. */
struct cand {
	char *id; /* its Message-ID as notmuch stores it; NULL: none */
	char hash[HDRHASH_HEX + 1]; /* its header hash ("" before TOP) */
	char *path;		    /* the copy found, or NULL */
};

struct local {
	struct run *r;
	struct pick pk; /* the candidates, as TOP takes them */
	struct cand *c; /* c[k] is message pk.idx[k] */
	struct msgscan *scan;
	struct stat dirs[2]; /* the Maildir's new/ and cur/ */
	char **used;	     /* files that stand for a message already */
	size_t nused;
};

/* Whether the Maildir's new/ or cur/ holds any file (else there is
 * nothing to look for, and no TOP is sent); fills l->dirs. */
static int
maildir_has_mail(struct local *l)
{
	static const char *const sub[] = {"new", "cur"};
	struct dirent *de;
	int any = 0;

	for (int k = 0; k < 2; k++) {
		char *p = xasprintf("%s/%s", l->r->maildir_path, sub[k]);
		DIR *d = opendir(p);

		if (d == NULL || stat(p, &l->dirs[k]) != 0)
			memset(&l->dirs[k], 0, sizeof(l->dirs[k]));
		while (d != NULL && !any && (de = readdir(d)) != NULL)
			any = de->d_name[0] != '.';
		if (d != NULL)
			closedir(d);
		free(p);
	}
	return any;
}

/* The server's header of candidate k: its hash and Message-ID. */
static void
on_header(void *ctx, size_t k, const char *header, size_t len)
{
	struct local *l = ctx;
	struct hdrhash h;
	struct pm_err err;
	const char *id;

	hdrhash_init(&h);
	hdrhash_feed(&h, header, len);
	hdrhash_final(&h, l->c[k].hash);
	msgscan_reset(l->scan);
	if (msgscan_feed(l->scan, header, len, &err) == PM_OK &&
	    msgscan_finish(l->scan, &err) == PM_OK &&
	    (id = msgscan_message_id(l->scan)) != NULL)
		l->c[k].id = xstrdup(id);
}

/* Is path in the Maildir's new/ or cur/? */
static int
in_maildir(const struct local *l, const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	struct stat st;
	int ok = 0;

	if (slash == NULL || slash[1] == '\0')
		return 0;
	dir = xstrndup(path, (size_t)(slash - path));
	if (stat(dir, &st) == 0)
		for (int k = 0; k < 2; k++)
			ok |= l->dirs[k].st_ino != 0 &&
			      st.st_dev == l->dirs[k].st_dev &&
			      st.st_ino == l->dirs[k].st_ino;
	free(dir);
	return ok;
}

static int
used(const struct local *l, const char *path)
{
	for (size_t u = 0; u < l->nused; u++)
		if (strcmp(l->used[u], path) == 0)
			return 1;
	return 0;
}

/* A file notmuch holds for the Message-ID of candidate k: the copy, if
 * it is in this Maildir, has the server's header, and stands for no
 * other message on the server (one copy, one message). */
static void
on_file(void *ctx, size_t k, const char *path)
{
	struct local *l = ctx;
	struct cand *c = &l->c[k];

	if (c->path != NULL || c->hash[0] == '\0' || !in_maildir(l, path) ||
	    used(l, path) || hdrhash_file_matches(path, c->hash) != 1)
		return;
	c->path = xstrdup(path);
	l->used = xreallocarray(l->used, l->nused + 1, sizeof(*l->used));
	l->used[l->nused++] = c->path;
}

/* The journal's name for the file at path: its base name without the
 * Maildir info (":2,FLAGS"), as maildir_locate() finds it in new/ or
 * cur/ whatever its flags become.  Caller frees. */
static char *
journal_name(const char *path)
{
	const char *base = strrchr(path, '/') + 1; /* in_maildir() saw it */
	const char *colon = strrchr(base, ':');

	return colon != NULL && colon > base
		   ? xstrndup(base, (size_t)(colon - base))
		   : xstrdup(base);
}

/* When the message first reached this machine: the earlier of the
 * peer's first-seen time (an adopted record) and the copy's mtime. */
static int64_t
first_seen(const struct run *r, const struct uidl_entry *e, const char *path)
{
	int64_t t = r->now;
	struct stat st;

	if (stat(path, &st) == 0 && (int64_t)st.st_mtime < t)
		t = (int64_t)st.st_mtime;
	if (e != NULL && e->first_seen >= 0 && e->first_seen < t)
		t = e->first_seen;
	return t;
}

/* Whether the file at path is at least as long as the server's message
 * of size octets (counted as the server counts them: a bare LF as CRLF)
 * and, when sync is set, durable (fsync): a copy cut short by a full
 * disk has the whole header but not the body.  Sizes are advisory, so
 * a copy that fails is kept as known but never deleted (adopt_one);
 * one that passes is as good as a message popmuch stored. */
static int
copy_complete(const char *path, uint64_t octets, int sync)
{
	char buf[65536];
	uint64_t n = 0;
	ssize_t got;
	char prev = '\0';
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW), ok;

	if (fd < 0)
		return 0;
	while ((got = read(fd, buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < got; i++) {
			n += buf[i] == '\n' && prev != '\r' ? 2 : 1;
			prev = buf[i];
		}
	}
	ok = got == 0 && n >= octets && (!sync || fsync(fd) == 0);
	(void)close(fd);
	return ok;
}

/* Candidate k has a copy: journal it as known (a dry run only says so,
 * and marks it for the plan). */
static enum pm_status
adopt_one(struct local *l, size_t k, struct pm_err *err)
{
	struct run *r = l->r;
	size_t i = l->pk.idx[k];
	const struct pop3_msg *m = &r->msgs[i];
	int64_t t = first_seen(r, uidl_lookup(r->db, m->uidl), l->c[k].path);
	char *name, *esc;
	enum pm_status st;

	r->seen[i] |= SEEN_VERIFIED; /* its header was compared just now */
	if (!copy_complete(l->c[k].path, m->size, !r->opts->dry_run)) {
		esc = log_escape(m->uidl, strlen(m->uidl), 80);
		fetch_warn(r,
			   "%s is shorter than the server's size of message "
			   "%" PRIu32 " (unique id %s), or cannot be synced: "
			   "the message %s known (not fetched again) but kept "
			   "on the server",
			   l->c[k].path, m->num, esc,
			   r->opts->dry_run ? "would be" : "is");
		free(esc);
		if (r->opts->dry_run) {
			r->seen[i] = (r->seen[i] & ~SEEN_ADOPTED) | SEEN_PEER;
			return PM_OK;
		}
		if (uidl_lookup(r->db, m->uidl) != NULL)
			return PM_OK; /* a peer's record: known already */
		st = uidl_intent_nosync(r->db, m->uidl, m->size,
					first_seen(r, NULL, l->c[k].path),
					UIDL_NO_FILE, NULL, err);
		return st == PM_OK ? uidl_delivered(r->db, m->uidl, err) : st;
	}
	if (r->opts->dry_run) {
		r->seen[i] = (r->seen[i] & ~SEEN_PEER) | SEEN_ADOPTED;
		r->plan[i].first_seen = t;
		esc = log_escape(m->uidl, strlen(m->uidl), 80);
		fetch_warn(r,
			   "would adopt message %" PRIu32 " (unique id %s): "
			   "%s has the same Message-ID and header",
			   m->num, esc, l->c[k].path);
		free(esc);
		return PM_OK;
	}
	name = journal_name(l->c[k].path);
	st = uidl_intent_nosync(r->db, m->uidl, m->size, t, name, l->c[k].hash,
				err);
	if (st == PM_OK)
		st = uidl_delivered(r->db, m->uidl, err);
	if (st == PM_OK)
		st = uidl_indexed(r->db, m->uidl, err);
	free(name);
	return st;
}

/* Ask the server for the candidates' headers, notmuch for files with
 * their Message-IDs.  A database that cannot be read adopts nothing
 * (the messages are fetched: nothing is lost). */
static enum pm_status
match(struct local *l, struct pm_err *err)
{
	const char **ids = xcalloc(l->pk.n + 1, sizeof(*ids));
	enum pm_status st;
	struct pm_err ierr;

	st = verify_each_header(l->r->p, l->pk.nums, l->pk.uidls, l->pk.n,
				on_header, l, err);
	for (size_t k = 0; k < l->pk.n; k++)
		ids[k] = l->c[k].id;
	if (st == PM_OK &&
	    index_find_files(l->r->acct->notmuch_config, ids, l->pk.n, on_file,
			     l, &ierr) != PM_OK)
		fetch_warn(l->r,
			   "%s; popmuch cannot tell which messages are in "
			   "%s already, and fetches them",
			   ierr.msg, l->r->maildir_path);
	free(ids);
	return st;
}

/* The candidates: messages with an id the journal does not hold, or
 * holds only from a peer's record (a copy here makes them deletable). */
static void
pick_candidates(struct local *l)
{
	struct run *r = l->r;
	unsigned char *want = xcalloc(r->nmsgs + 1, 1);

	for (size_t i = 0; i < r->nmsgs; i++) {
		const struct uidl_entry *e =
		    r->msgs[i].uidl ? uidl_lookup(r->db, r->msgs[i].uidl)
				    : NULL;

		want[i] = r->msgs[i].uidl != NULL &&
			  (e == NULL || strcmp(e->file, UIDL_NO_FILE) == 0);
	}
	fetch_pick(r, want, &l->pk);
	free(want);
}

static void
local_free(struct local *l)
{
	for (size_t k = 0; k < l->pk.n; k++) {
		free(l->c[k].id);
		free(l->c[k].path);
	}
	free(l->c);
	free(l->used);
	msgscan_free(&l->scan);
	fetch_pick_free(&l->pk);
}

enum pm_status
adopt_local(struct run *r, struct pm_err *err)
{
	struct local l = {.r = r};
	enum pm_status st = PM_OK;
	size_t n = 0;

	if (r->nmsgs == 0 || !maildir_has_mail(&l))
		return PM_OK;
	pick_candidates(&l);
	l.c = xcalloc(l.pk.n + 1, sizeof(*l.c));
	l.scan = msgscan_new(NULL, NULL, 0);
	if (l.pk.n > 0)
		st = match(&l, err);
	for (size_t k = 0; k < l.pk.n && st == PM_OK; k++) {
		if (l.c[k].path == NULL)
			continue;
		st = adopt_one(&l, k, err);
		n++;
	}
	if (st == PM_OK && n > 0 && !r->opts->dry_run)
		st = uidl_sync(r->db, err);
	if (st == PM_OK && n > 0)
		fetch_warn(r,
			   "%s %zu message(s) the server lists that are in %s "
			   "already (notmuch has a file there with the same "
			   "Message-ID and header): they are not fetched "
			   "again, and 'keep' applies to them as to messages "
			   "popmuch fetched",
			   r->opts->dry_run ? "would adopt" : "adopted", n,
			   r->maildir_path);
	local_free(&l);
	return st;
}
