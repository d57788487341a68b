/* deliver.c: the group commit (see deliver.h and doc/HACKING.md). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "popmuch/deliver.h"
#include "popmuch/fault.h"
#include "popmuch/maildir.h"
#include "popmuch/uidl.h"
#include "popmuch/xmalloc.h"

struct held {
	struct maildir_tmp *t;
	const char *uidl;
	uint64_t list_size;
	size_t tag;
	char hash[HDRHASH_HEX + 1];
	int mail;
};

struct delivery {
	struct maildir *md;
	struct uidl_db *db;
	int64_t now;
	struct held cur; /* the message being received (cur.t != NULL) */
	struct hdrhash hh;
	struct held batch[DELIVER_BATCH];
	size_t n;
	uint64_t bytes;
};

struct delivery *
delivery_new(struct maildir *md, struct uidl_db *db, int64_t now)
{
	struct delivery *d = xcalloc(1, sizeof(*d));

	d->md = md;
	d->db = db;
	d->now = now;
	return d;
}

enum pm_status
delivery_begin(struct delivery *d, const char *uidl, uint64_t list_size,
	       size_t tag, struct pm_err *err)
{
	delivery_drop_current(d);
	d->cur.uidl = uidl;
	d->cur.list_size = list_size;
	d->cur.tag = tag;
	hdrhash_init(&d->hh);
	return maildir_tmp_new(d->md, &d->cur.t, err);
}

enum pm_status
delivery_data(struct delivery *d, const char *buf, size_t len,
	      struct pm_err *err)
{
	if (!d->hh.done)
		hdrhash_feed(&d->hh, buf, len);
	return maildir_tmp_write(d->cur.t, buf, len, err);
}

enum pm_status
delivery_end(struct delivery *d, struct pm_err *err)
{
	enum pm_status st;

	if (d->n == DELIVER_BATCH)
		fatal("delivery_end: the batch is full");
	/* fsync this file only: a syncfs() per batch would also flush the
	 * notmuch database the indexer is writing on the same filesystem,
	 * which costs far more than it saves (doc/HACKING.md). */
	if ((st = maildir_tmp_sync(d->cur.t, err)) != PM_OK)
		return st;
	hdrhash_final(&d->hh, d->cur.hash);
	d->cur.mail = hdrhash_looks_like_mail(&d->hh);
	d->bytes += maildir_tmp_size(d->cur.t);
	d->batch[d->n++] = d->cur;
	memset(&d->cur, 0, sizeof(d->cur));
	return PM_OK;
}

void
delivery_drop_current(struct delivery *d)
{
	maildir_tmp_abort(&d->cur.t);
}

size_t
delivery_waiting(const struct delivery *d)
{
	return d->n;
}

int
delivery_full(const struct delivery *d)
{
	return d->n == DELIVER_BATCH || d->bytes >= DELIVER_BATCH_BYTES;
}

void
delivery_discard(struct delivery *d)
{
	for (size_t k = 0; k < d->n; k++)
		maildir_tmp_abort(&d->batch[k].t);
	d->n = 0;
	d->bytes = 0;
}

/* Each intent appended, then one sync: durable before any rename. */
static enum pm_status
write_intents(struct delivery *d, struct pm_err *err)
{
	enum pm_status st = PM_OK;

	FAULT("synced"); /* every file of the batch was synced as it ended */
	for (size_t k = 0; k < d->n && st == PM_OK; k++) {
		const struct held *h = &d->batch[k];

		if (h->uidl != NULL)
			st = uidl_intent_nosync(d->db, h->uidl, h->list_size,
						d->now, maildir_tmp_name(h->t),
						h->hash, err);
	}
	if (st == PM_OK && d->n > 0)
		st = uidl_sync(d->db, err);
	FAULT("intent");
	return st;
}

enum pm_status
delivery_flush(struct delivery *d,
	       void (*done)(void *ctx, const struct delivered *m), void *ctx,
	       struct pm_err *err)
{
	size_t n = d->n, moved = 0;
	char **names = xcalloc(n + 1, sizeof(*names));
	uint64_t *sizes = xcalloc(n + 1, sizeof(*sizes));
	enum pm_status st = write_intents(d, err);

	for (; moved < n && st == PM_OK; moved++) {
		names[moved] = xstrdup(maildir_tmp_name(d->batch[moved].t));
		sizes[moved] = maildir_tmp_size(d->batch[moved].t);
		st = maildir_tmp_move(&d->batch[moved].t, err);
		FAULT("renamed");
	}
	if (moved > 0) {
		enum pm_status st2 = maildir_sync_new(d->md, err);

		if (st == PM_OK)
			st = st2;
	}
	for (size_t k = 0; k < moved && st == PM_OK; k++) {
		const struct held *h = &d->batch[k];
		char *path = maildir_new_path(d->md, names[k]);
		struct delivered m = {h->uidl,	names[k], path,	  h->hash,
				      sizes[k], h->tag,	  h->mail};

		if (h->uidl != NULL)
			st = uidl_delivered(d->db, h->uidl, err);
		FAULT("delivered");
		if (st == PM_OK)
			done(ctx, &m);
		free(path);
	}
	for (size_t k = 0; k < n; k++) {
		maildir_tmp_abort(&d->batch[k].t); /* what was not moved */
		free(names[k]);
	}
	free(names);
	free(sizes);
	d->n = 0;
	d->bytes = 0;
	return st;
}

void
delivery_free(struct delivery **dp)
{
	struct delivery *d = dp != NULL ? *dp : NULL;

	if (d == NULL)
		return;
	delivery_drop_current(d);
	delivery_discard(d);
	free(d);
	*dp = NULL;
}
