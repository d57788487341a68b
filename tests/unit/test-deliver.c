/* test-deliver.c: the batched delivery (deliver.h) driven the way
 * src/fetch.c drives it (begin, data*, end; flush when full or at the
 * end; discard what is not trusted; drop the message being received),
 * on a real Maildir and a real journal. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "popmuch/deliver.h"
#include "popmuch/hdrhash.h"
#include "popmuch/maildir.h"
#include "popmuch/uidl.h"
#include "popmuch/xmalloc.h"
#include "tap.h"
#include "testutil.h"

#define MAILBOX "u@h:110"
#define NOW ((int64_t)1764580000)
#define MAXMSG 80

static char base[] = "/tmp/test-deliver.XXXXXX";

/* What the done callback was told, copied. */
struct told {
	char *uidl, *name, *path, *hash;
	uint64_t size;
	size_t tag;
	int mail;
	int ready; /* when told: in new/ and, with a UIDL, delivered */
};

struct got {
	size_t n;
	struct told m[MAXMSG];
	struct uidl_db *db; /* to look at when told (NULL: not looked at) */
};

/* One message as the test feeds it. */
struct msg {
	const char *uidl; /* NULL: none */
	uint64_t list_size;
	size_t tag;
	char *data;
	size_t len;
	int mail; /* starts like a message */
};

struct world {
	char *dir, *mdpath, *state;
	struct maildir *md;
	struct uidl_db *db;
	struct delivery *d;
};

static void
on_done(void *ctx, const struct delivered *m)
{
	struct got *g = ctx;
	struct told *t;

	if (g->n == MAXMSG)
		return;
	t = &g->m[g->n++];
	t->uidl = m->uidl != NULL ? xstrdup(m->uidl) : NULL;
	t->name = xstrdup(m->name);
	t->path = xstrdup(m->path);
	t->hash = xstrdup(m->hash);
	t->size = m->size;
	t->tag = m->tag;
	t->mail = m->mail;
	t->ready = access(m->path, F_OK) == 0;
	if (m->uidl != NULL && g->db != NULL)
		t->ready = t->ready && uidl_lookup(g->db, m->uidl) != NULL &&
			   uidl_lookup(g->db, m->uidl)->state == UIDL_DELIVERED;
}

static void
got_clear(struct got *g)
{
	for (size_t k = 0; k < g->n; k++) {
		free(g->m[k].uidl);
		free(g->m[k].name);
		free(g->m[k].path);
		free(g->m[k].hash);
	}
	g->n = 0;
}

static int
world_open(struct world *w, const char *name)
{
	struct pm_err err;

	memset(w, 0, sizeof(*w));
	w->dir = xasprintf("%s/%s", base, name);
	w->mdpath = xasprintf("%s/Maildir", w->dir);
	w->state = xasprintf("%s/state", w->dir);
	if (!ok(maildir_open(w->mdpath, &w->md, &err) == PM_OK,
		"%s: maildir_open", name) ||
	    !ok(uidl_open(w->state, MAILBOX, 0, &w->db, &err) == PM_OK,
		"%s: uidl_open", name)) {
		diag("  %s", err.msg);
		return -1;
	}
	w->d = delivery_new(w->md, w->db, NOW);
	return 0;
}

static void
world_close(struct world *w)
{
	delivery_free(&w->d);
	uidl_free(&w->db);
	maildir_free(&w->md);
	free(w->dir);
	free(w->mdpath);
	free(w->state);
}

/* Entries in the Maildir's sub (tmp, new, cur). */
static int
in_sub(const struct world *w, const char *sub)
{
	char *p = xasprintf("%s/%s", w->mdpath, sub);
	int n = dir_entries(p);

	free(p);
	return n;
}

/* begin, data in chunks of chunk bytes, end: what fetch.c's sink does. */
static enum pm_status
feed(struct delivery *d, const struct msg *m, size_t chunk, struct pm_err *err)
{
	enum pm_status st =
	    delivery_begin(d, m->uidl, m->list_size, m->tag, err);

	for (size_t off = 0; st == PM_OK && off < m->len; off += chunk)
		st = delivery_data(d, m->data + off,
				   m->len - off < chunk ? m->len - off : chunk,
				   err);
	return st == PM_OK ? delivery_end(d, err) : st;
}

/* Message k: a small mail whose header differs from every other's. */
static void
make_msg(struct msg *m, size_t k, const char *uidl)
{
	m->uidl = uidl;
	m->tag = 1000 + k;
	m->data = xasprintf("From: a@example.org\nSubject: message %zu\n"
			    "Message-ID: <%zu@example.org>\n\nbody %zu\n",
			    k, k, k);
	m->len = strlen(m->data);
	m->list_size = m->len + 7; /* LIST counts CRLF: not the stored size */
	m->mail = 1;
}

/* A message of len bytes: a header, then a body of 'b'. */
static void
make_big(struct msg *m, size_t k, const char *uidl, size_t len)
{
	int hl;

	m->uidl = uidl;
	m->tag = k;
	m->data = xmalloc(len + 1);
	hl = snprintf(m->data, len, "Subject: big %zu\n\n", k);
	memset(m->data + hl, 'b', len - (size_t)hl);
	m->data[len] = '\0';
	m->len = len;
	m->list_size = len;
	m->mail = 1;
}

static void
hash_of(const struct msg *m, char hex[HDRHASH_HEX + 1])
{
	struct hdrhash h;

	hdrhash_init(&h);
	hdrhash_feed(&h, m->data, m->len);
	hdrhash_final(&h, hex);
}

/* Does the journal entry for m say what delivery_flush reported? */
static int
entry_right(struct uidl_db *db, const struct msg *m, const struct told *t)
{
	const struct uidl_entry *e = uidl_lookup(db, m->uidl);

	return e != NULL && e->state == UIDL_DELIVERED &&
	       e->size == m->list_size && e->first_seen == NOW &&
	       e->hash != NULL &&
	       strncmp(e->hash, t->hash, UIDL_HASH_HEX) == 0 &&
	       strcmp(e->file, t->name) == 0 && !e->indexed && !e->refused;
}

/* Everything the done callback was told about msgs[0..n), in order:
 * when told, the file was in new/ and the UIDL delivered; the file
 * byte-exact in new/, the hash, the journal entry.  Returns
 * the messages that were wrong (diag lines say how). */
static int
check_told(const struct world *w, const struct got *g, const struct msg *m,
	   size_t n)
{
	char hex[HDRHASH_HEX + 1], *want_path, *size_tail, *data;
	int bad = 0;
	size_t len;

	if (g->n != n)
		return diag("  told %zu messages, want %zu", g->n, n), (int)n;
	for (size_t k = 0; k < n; k++) {
		const struct told *t = &g->m[k];
		int good;

		hash_of(&m[k], hex);
		want_path = xasprintf("%s/new/%s", w->mdpath, t->name);
		size_tail = xasprintf(",S=%zu", m[k].len);
		data = slurp(t->path, &len);
		good = t->ready && t->tag == m[k].tag &&
		       strcmp(t->path, want_path) == 0 && data != NULL &&
		       len == m[k].len && memcmp(data, m[k].data, len) == 0 &&
		       t->size == m[k].len && strcmp(t->hash, hex) == 0 &&
		       t->mail == m[k].mail &&
		       strlen(t->name) > strlen(size_tail) &&
		       strcmp(t->name + strlen(t->name) - strlen(size_tail),
			      size_tail) == 0 &&
		       maildir_find(w->md, t->name) == MAILDIR_IN_NEW;
		if (m[k].uidl == NULL)
			good = good && t->uidl == NULL;
		else
			good = good && t->uidl != NULL &&
			       strcmp(t->uidl, m[k].uidl) == 0 &&
			       entry_right(w->db, &m[k], t);
		if (!good) {
			diag("  message %zu (%s) is wrong: %s", k,
			     m[k].uidl ? m[k].uidl : "no UIDL", t->path);
			bad++;
		}
		free(data);
		free(want_path);
		free(size_tail);
	}
	return bad;
}

static void
free_msgs(struct msg *m, size_t n)
{
	for (size_t k = 0; k < n; k++)
		free(m[k].data);
}

/* Five messages, one without UIDL, one in CRLF, one not mail, fed in
 * chunks of every size class; one flush. */
static void
test_flush(void)
{
	static const char *const uidls[] = {"u1", "u2", NULL, "u 4%", "u5"};
	static const size_t chunks[] = {1, 3, 4096, 7, 65536};
	struct msg m[5];
	struct got g = {0};
	struct world w;
	struct pm_err err;
	char *journal, *rec, *path;
	size_t len;

	if (world_open(&w, "flush") != 0)
		return;
	g.db = w.db;
	for (size_t k = 0; k < 5; k++)
		make_msg(&m[k], k, uidls[k]);
	free(m[1].data);
	m[1].data =
	    xstrdup("From: c@example.org\r\nSubject: crlf\r\n\r\nb\r\n");
	m[1].len = strlen(m[1].data);
	free(m[3].data);
	m[3].data = xstrdup("+OK message follows\r\nSubject: s\r\n\r\nb\r\n");
	m[3].len = strlen(m[3].data);
	m[3].mail = 0;
	for (size_t k = 0; k < 5; k++) {
		is_int(feed(w.d, &m[k], chunks[k], &err), PM_OK,
		       "flush: message %zu fed in chunks of %zu", k, chunks[k]);
		is_int(delivery_waiting(w.d), k + 1, "flush: %zu waiting",
		       k + 1);
		ok(!delivery_full(w.d), "flush: not full after %zu", k + 1);
	}
	is_int(in_sub(&w, "tmp"), 5, "flush: five synced files wait in tmp/");
	is_int(in_sub(&w, "new"), 0, "flush: nothing in new/ before the flush");
	is_int(uidl_count(w.db), 0, "flush: no journal entry before the flush");
	is_int(delivery_flush(w.d, on_done, &g, &err), PM_OK, "flush: PM_OK");
	is_int(check_told(&w, &g, m, 5), 0,
	       "flush: each told in order, byte-exact in new/, hash, journal "
	       "delivered with the LIST size");
	is_int(in_sub(&w, "new"), 5, "flush: five files in new/");
	is_int(in_sub(&w, "tmp"), 0, "flush: nothing left in tmp/");
	is_int(delivery_waiting(w.d), 0, "flush: nothing waits after it");
	is_int(uidl_count(w.db), 4,
	       "flush: the message without UIDL is not "
	       "journaled");
	ok(g.n == 5 && g.m[3].mail == 0 && g.m[0].mail == 1,
	   "flush: '+OK' first is reported as not mail");
	/* The intent on disk, in the format uidl.c documents. */
	path = xasprintf("%s/journal", w.state);
	journal = slurp(path, &len);
	rec = xasprintf("\nI u%%204%%25 %" PRIu64 " %" PRId64 " %s %.*s *",
			m[3].list_size, NOW, g.n == 5 ? g.m[3].name : "?",
			UIDL_HASH_HEX, g.n == 5 ? g.m[3].hash : "?");
	ok(journal != NULL && strstr(journal, rec) != NULL,
	   "flush: the intent record names size, time, file and hash");
	free(journal);
	free(rec);
	free(path);

	/* Durable: the same entries after the journal is reopened. */
	delivery_free(&w.d);
	ok(w.d == NULL, "delivery_free sets NULL");
	delivery_free(&w.d);
	uidl_free(&w.db);
	ok(uidl_open(w.state, MAILBOX, 0, &w.db, &err) == PM_OK,
	   "flush: reopen the journal");
	ok(w.db != NULL && !uidl_damaged(w.db, NULL) && uidl_count(w.db) == 4,
	   "flush: reopened, clean, four entries");
	w.d = delivery_new(w.md, w.db, NOW);
	if (w.db != NULL)
		is_int(check_told(&w, &g, m, 5), 0,
		       "flush: reopened entries are the same");
	got_clear(&g);
	free_msgs(m, 5);
	world_close(&w);
}

/* Full at DELIVER_BATCH messages, as fetch.c flushes then. */
static void
test_full_count(void)
{
	struct msg m[DELIVER_BATCH + 1];
	char uidl[DELIVER_BATCH + 1][16];
	struct got g = {0};
	struct world w;
	struct pm_err err;
	int early = 0, fed = 0;

	if (world_open(&w, "count") != 0)
		return;
	g.db = w.db;
	for (size_t k = 0; k < DELIVER_BATCH; k++) {
		snprintf(uidl[k], sizeof(uidl[k]), "c%zu", k);
		make_msg(&m[k], k, uidl[k]);
		fed += feed(w.d, &m[k], 512, &err) == PM_OK;
		if (k + 1 < DELIVER_BATCH)
			early += delivery_full(w.d);
	}
	is_int(fed, DELIVER_BATCH, "count: %d messages fed", DELIVER_BATCH);
	is_int(early, 0, "count: not full before %d", DELIVER_BATCH);
	ok(delivery_full(w.d), "count: full at %d", DELIVER_BATCH);
	is_int(delivery_waiting(w.d), DELIVER_BATCH, "count: all waiting");
	is_int(delivery_flush(w.d, on_done, &g, &err), PM_OK, "count: flush");
	is_int(check_told(&w, &g, m, DELIVER_BATCH), 0,
	       "count: all %d delivered and journaled", DELIVER_BATCH);
	is_int(in_sub(&w, "new"), DELIVER_BATCH, "count: all in new/");
	is_int(in_sub(&w, "tmp"), 0, "count: tmp/ empty");
	ok(!delivery_full(w.d) && delivery_waiting(w.d) == 0,
	   "count: empty and not full after the flush");
	/* The next batch starts from nothing. */
	snprintf(uidl[DELIVER_BATCH], sizeof(uidl[0]), "c%d", DELIVER_BATCH);
	make_msg(&m[DELIVER_BATCH], DELIVER_BATCH, uidl[DELIVER_BATCH]);
	got_clear(&g);
	ok(feed(w.d, &m[DELIVER_BATCH], 100, &err) == PM_OK &&
	       !delivery_full(w.d) && delivery_waiting(w.d) == 1,
	   "count: a next message starts a new batch");
	is_int(delivery_flush(w.d, on_done, &g, &err), PM_OK,
	       "count: flush the last one");
	is_int(check_told(&w, &g, &m[DELIVER_BATCH], 1), 0,
	       "count: the last one delivered");
	is_int(uidl_count(w.db), DELIVER_BATCH + 1, "count: %d entries",
	       DELIVER_BATCH + 1);
	got_clear(&g);
	free_msgs(m, DELIVER_BATCH + 1);
	world_close(&w);
}

/* Full at DELIVER_BATCH_BYTES stored bytes. */
static void
test_full_bytes(void)
{
	enum { N = 8 };
	const size_t each = DELIVER_BATCH_BYTES / N;
	static const char *const uidls[N + 1] = {"b0", "b1", "b2", "b3", "b4",
						 "b5", "b6", "b7", "b8"};
	struct msg m[N + 1];
	struct got g = {0};
	struct world w;
	struct pm_err err;
	int early = 0;

	if (world_open(&w, "bytes") != 0)
		return;
	g.db = w.db;
	for (size_t k = 0; k < N; k++) {
		make_big(&m[k], k, uidls[k], k + 1 < N ? each : each - 1);
		is_int(feed(w.d, &m[k], 65536, &err), PM_OK,
		       "bytes: message %zu of %zu bytes", k, m[k].len);
		if (k + 1 < N)
			early += delivery_full(w.d);
	}
	is_int(early, 0, "bytes: not full below %u bytes", DELIVER_BATCH_BYTES);
	ok(!delivery_full(w.d), "bytes: one byte short: not full");
	m[N] = (struct msg){uidls[N], 1, N, xstrdup("X"), 1, 0};
	is_int(feed(w.d, &m[N], 1, &err), PM_OK, "bytes: one more byte");
	ok(delivery_full(w.d) && delivery_waiting(w.d) == N + 1,
	   "bytes: full at exactly %u bytes, %d messages", DELIVER_BATCH_BYTES,
	   N + 1);
	is_int(delivery_flush(w.d, on_done, &g, &err), PM_OK, "bytes: flush");
	is_int(check_told(&w, &g, m, N + 1), 0,
	       "bytes: all delivered byte-exact and journaled");
	is_int(in_sub(&w, "tmp"), 0, "bytes: tmp/ empty");
	got_clear(&g);
	free_msgs(m, N + 1);

	/* One message above the limit fills a batch alone. */
	make_big(&m[0], 99, "huge", DELIVER_BATCH_BYTES + 1);
	ok(feed(w.d, &m[0], 1 << 20, &err) == PM_OK && delivery_full(w.d) &&
	       delivery_waiting(w.d) == 1,
	   "bytes: one message above the limit is a full batch");
	delivery_discard(w.d);
	ok(!delivery_full(w.d), "bytes: not full after a discard");
	is_int(in_sub(&w, "tmp"), 0, "bytes: the discarded one left tmp/");
	ok(uidl_lookup(w.db, "huge") == NULL, "bytes: and is not journaled");
	free_msgs(m, 1);
	world_close(&w);
}

/* What is not trusted is dropped: nothing in new/, tmp/ empty, no
 * journal entry, now or after a reopen. */
static void
test_discard(void)
{
	static const char *const uidls[] = {"d1", NULL, "d3"};
	struct msg m[3];
	struct got g = {0};
	struct world w;
	struct pm_err err;

	if (world_open(&w, "discard") != 0)
		return;
	for (size_t k = 0; k < 3; k++) {
		make_msg(&m[k], k, uidls[k]);
		feed(w.d, &m[k], 10, &err);
	}
	is_int(in_sub(&w, "tmp"), 3, "discard: three wait in tmp/");
	delivery_discard(w.d);
	is_int(delivery_waiting(w.d), 0, "discard: nothing waits");
	is_int(in_sub(&w, "tmp"), 0, "discard: tmp/ empty");
	is_int(in_sub(&w, "new"), 0, "discard: nothing in new/");
	is_int(uidl_count(w.db), 0, "discard: no journal entry");
	is_int(delivery_flush(w.d, on_done, &g, &err), PM_OK,
	       "discard: a flush after it: PM_OK");
	is_int(g.n, 0, "discard: ...and tells of nothing");
	is_int(in_sub(&w, "new"), 0, "discard: still nothing in new/");
	delivery_free(&w.d);
	uidl_free(&w.db);
	ok(uidl_open(w.state, MAILBOX, 0, &w.db, &err) == PM_OK &&
	       uidl_count(w.db) == 0 && uidl_lookup(w.db, "d1") == NULL,
	   "discard: reopened journal has no entry");
	free_msgs(m, 3);
	world_close(&w);
}

/* The message being received is dropped (a connection broken mid-body;
 * a second begin without end); delivery_free drops all. */
static void
test_drop_current(void)
{
	struct msg m[3];
	struct got g = {0};
	struct world w;
	struct pm_err err;

	if (world_open(&w, "drop") != 0)
		return;
	g.db = w.db;
	make_msg(&m[0], 0, "x0");
	make_msg(&m[1], 1, "x1");
	make_msg(&m[2], 2, "x2");
	delivery_drop_current(w.d);
	ok(delivery_begin(w.d, m[0].uidl, m[0].list_size, 0, &err) == PM_OK &&
	       delivery_data(w.d, m[0].data, 10, &err) == PM_OK,
	   "drop: half a message");
	is_int(in_sub(&w, "tmp"), 1, "drop: its file is in tmp/");
	delivery_drop_current(w.d);
	is_int(in_sub(&w, "tmp"), 0, "drop: dropped, tmp/ empty");
	delivery_drop_current(w.d);
	ok(delivery_begin(w.d, m[0].uidl, m[0].list_size, 0, &err) == PM_OK &&
	       delivery_data(w.d, m[0].data, 10, &err) == PM_OK,
	   "drop: half a message again");
	is_int(feed(w.d, &m[1], 5, &err), PM_OK,
	       "drop: the next begins without an end for it");
	is_int(in_sub(&w, "tmp"), 1, "drop: the unfinished one was dropped");
	is_int(delivery_waiting(w.d), 1, "drop: one waits");
	is_int(delivery_flush(w.d, on_done, &g, &err), PM_OK, "drop: flush");
	is_int(check_told(&w, &g, &m[1], 1), 0,
	       "drop: the complete one "
	       "delivered");
	ok(uidl_lookup(w.db, "x0") == NULL, "drop: the dropped one unknown");
	is_int(in_sub(&w, "new"), 1, "drop: one file in new/");
	/* One waiting and one being received when the delivery is freed. */
	feed(w.d, &m[2], 5, &err);
	delivery_begin(w.d, "x3", 1, 3, &err);
	delivery_data(w.d, "Subject: x\n", 11, &err);
	is_int(in_sub(&w, "tmp"), 2, "drop: two files in tmp/ before free");
	delivery_free(&w.d);
	is_int(in_sub(&w, "tmp"), 0, "drop: delivery_free empties tmp/");
	is_int(in_sub(&w, "new"), 1, "drop: ...and adds nothing to new/");
	ok(uidl_lookup(w.db, "x2") == NULL && uidl_count(w.db) == 1,
	   "drop: nothing journaled for them");
	got_clear(&g);
	free_msgs(m, 3);
	world_close(&w);
}

/* A journal write that fails (an empty UIDL is refused) fails the flush:
 * nothing is told, nothing reaches new/, nothing counts as delivered. */
static void
test_flush_error(void)
{
	static const char *const uidls[] = {"e1", "", "e3"};
	struct msg m[3];
	struct got g = {0};
	struct world w;
	struct pm_err err;
	const struct uidl_entry *e;

	if (world_open(&w, "error") != 0)
		return;
	for (size_t k = 0; k < 3; k++) {
		make_msg(&m[k], k, uidls[k]);
		feed(w.d, &m[k], 64, &err);
	}
	is_int(delivery_flush(w.d, on_done, &g, &err), PM_DATAERR,
	       "error: a bad UIDL fails the flush: %s", err.msg);
	is_int(g.n, 0, "error: nothing told");
	is_int(in_sub(&w, "new"), 0, "error: nothing in new/");
	e = uidl_lookup(w.db, "e1");
	ok(e == NULL || e->state == UIDL_PENDING,
	   "error: the message before it is not delivered");
	is_int(delivery_waiting(w.d), 0, "error: nothing waits after it");
	free_msgs(m, 3);
	world_close(&w);
}

int
main(void)
{
	if (mkdtemp(base) == NULL) {
		ok(0, "mkdtemp: %s", strerror(errno));
		return done_testing();
	}
	test_flush();
	test_full_count();
	test_full_bytes();
	test_discard();
	test_drop_current();
	test_flush_error();
	rm_tree(base);
	return done_testing();
}
