/* jtable.c: the journal's entries in memory (jtable.h). */
#include "config.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "popmuch/arena.h"
#include "popmuch/jline.h"
#include "popmuch/jsnap.h"
#include "popmuch/jtable.h"
#include "popmuch/strmap.h"
#include "popmuch/uidl.h"
#include "popmuch/xmalloc.h"

struct entry {
	struct uidl_entry e; /* e.uidl is key[]; e.file in the arena */
	unsigned listed;     /* jtable_unlisted(): the generation that saw it */
	char hex[UIDL_HASH_HEX + 1]; /* e.hash */
	unsigned char live;	     /* in the map (not forgotten) */
	char key[];
};

struct jtable {
	struct strmap *map;  /* uidl -> struct entry */
	struct arena *arena; /* the entries and their strings */
	unsigned gen;
	size_t unsettled;	 /* entries in the map that unsettled() says */
	const char *last_loaded; /* jtable_load()'s previous key */
	int unsorted;		 /* jtable_loaded_unsorted() */
};

/* Not settled: pending, or not yet indexed nor refused (what recovery
 * looks for: settle.c). */
static size_t
unsettled(const struct entry *en)
{
	return en->e.state == UIDL_PENDING || !(en->e.indexed || en->e.refused);
}

/* (the key's address, computed: no load from the entry, so a lookup
 * touches the entry only where strcmp() reads the key) */
static const char *
key_of(const void *val)
{
	return ((const struct entry *)val)->key;
}

struct jtable *
jtable_new(void)
{
	struct jtable *t = xcalloc(1, sizeof(*t));

	t->map = strmap_new(key_of);
	t->arena = arena_new();
	return t;
}

void
jtable_free(struct jtable **tp)
{
	if (tp == NULL || *tp == NULL)
		return;
	strmap_free(&(*tp)->map);
	arena_free(&(*tp)->arena);
	free(*tp);
	*tp = NULL;
}

void
jtable_clear(struct jtable *t)
{
	strmap_clear(t->map);
	t->unsettled = 0;
	t->last_loaded = NULL;
	t->unsorted = 0;
	arena_free(&t->arena);
	t->arena = arena_new();
}

void
jtable_reserve(struct jtable *t, size_t n)
{
	strmap_reserve(t->map, n);
}

struct uidl_entry *
jtable_get(const struct jtable *t, const char *uidl)
{
	struct entry *en = strmap_get(t->map, uidl);

	return en != NULL ? &en->e : NULL;
}

size_t
jtable_count(const struct jtable *t)
{
	return strmap_count(t->map);
}

size_t
jtable_unsettled(const struct jtable *t)
{
	return t->unsettled;
}

struct foreach_ctx {
	void (*fn)(const struct uidl_entry *e, void *ctx);
	void *ctx;
};

static void
foreach_one(void *val, void *ctx)
{
	struct foreach_ctx *f = ctx;

	f->fn(&((struct entry *)val)->e, f->ctx);
}

void
jtable_foreach(const struct jtable *t,
	       void (*fn)(const struct uidl_entry *e, void *ctx), void *ctx)
{
	struct foreach_ctx f = {fn, ctx};

	strmap_foreach(t->map, foreach_one, &f);
}

struct sorted_ctx {
	struct entry **v;
	size_t n;
};

static void
gather(void *val, void *ctx)
{
	struct sorted_ctx *c = ctx;

	c->v[c->n++] = val;
}

static int
cmp_key(const void *a, const void *b)
{
	return strcmp((*(struct entry *const *)a)->key,
		      (*(struct entry *const *)b)->key);
}

void
jtable_foreach_sorted(const struct jtable *t,
		      void (*fn)(const struct uidl_entry *e, void *ctx),
		      void *ctx)
{
	struct sorted_ctx c = {
	    xreallocarray(NULL, strmap_count(t->map) + 1, sizeof(*c.v)), 0};

	strmap_foreach(t->map, gather, &c);
	qsort(c.v, c.n, sizeof(*c.v), cmp_key);
	for (size_t i = 0; i < c.n; i++)
		fn(&c.v[i]->e, ctx);
	free(c.v);
}

int
jtable_loaded_unsorted(const struct jtable *t)
{
	return t->unsorted;
}

/* Insert or replace the entry for uidl[0..len). */
static struct entry *
put(struct jtable *t, const char *uidl, size_t len, uint64_t size,
    int64_t first_seen)
{
	char key[JLINE_UIDL_MAX + 1];
	struct entry *en;

	memcpy(key, uidl, len); /* len <= JLINE_UIDL_MAX (jline.h, jsnap.h) */
	key[len] = '\0';
	if ((en = strmap_get(t->map, key)) == NULL) {
		en = arena_alloc(t->arena,
				 offsetof(struct entry, key) + len + 1);
		memcpy(en->key, key, len + 1);
		en->e.uidl = en->key;
		en->listed = 0;
		en->live = 1;
		strmap_put(t->map, en);
	} else {
		t->unsettled -= unsettled(en);
	}
	t->unsettled++; /* pending, below */
	en->e.size = size;
	en->e.first_seen = first_seen;
	en->e.file = "";
	en->e.hash = NULL;
	en->e.state = UIDL_PENDING;
	en->e.indexed = 0;
	en->e.refused = 0;
	return en;
}

/* The journal keeps UIDL_HASH_HEX digits of hex (NULL: none). */
static void
set_hash(struct entry *en, const char *hex)
{
	if (hex == NULL)
		return;
	memcpy(en->hex, hex, UIDL_HASH_HEX);
	en->hex[UIDL_HASH_HEX] = '\0';
	en->e.hash = en->hex;
}

int
jtable_apply(struct jtable *t, const struct jline *r)
{
	struct entry *en;

	if (r->type == 'I') {
		en = put(t, r->uidl, strlen(r->uidl), r->size, r->first_seen);
		en->e.file = arena_strndup(t->arena, r->file, strlen(r->file));
		set_hash(en, r->hash);
		return 0;
	}
	if (r->type == 'F') {
		if ((en = strmap_del(t->map, r->uidl)) != NULL) {
			en->live = 0;
			t->unsettled -= unsettled(en);
		}
		return 0;
	}
	if ((en = strmap_get(t->map, r->uidl)) == NULL)
		return -1;
	t->unsettled -= unsettled(en);
	switch (r->type) {
	case 'S':
		en->e.size = r->size;
		if (en->e.state == UIDL_DELETED)
			en->e.state = UIDL_DELIVERED;
		break;
	case 'D':
		en->e.state = UIDL_DELIVERED;
		break;
	case 'X':
		en->e.state = UIDL_DELETED;
		break;
	case 'N':
		en->e.indexed = 1;
		break;
	case 'R':
		en->e.refused = 1;
		break;
	}
	t->unsettled += unsettled(en);
	return 0;
}

int
jtable_load(const struct jsnap_rec *r, void *ctx)
{
	struct jtable *t = ctx;
	char hex[UIDL_HASH_HEX + 1];
	struct entry *en;

	if (memchr(r->uidl, '\0', r->uidl_len) != NULL ||
	    (r->file != NULL && (memchr(r->file, '\0', r->file_len) != NULL ||
				 memchr(r->file, '/', r->file_len) != NULL)))
		return -1;
	en = put(t, r->uidl, r->uidl_len, r->size, r->first_seen);
	if (t->last_loaded != NULL && strcmp(t->last_loaded, en->key) >= 0)
		t->unsorted = 1;
	t->last_loaded = en->key;
	t->unsettled--; /* put() counted it pending */
	en->e.state = (enum uidl_state)(r->flags & JSNAP_STATE);
	en->e.indexed = (r->flags & JSNAP_INDEXED) != 0;
	en->e.refused = (r->flags & JSNAP_REFUSED) != 0;
	t->unsettled += unsettled(en);
	if (r->flags & JSNAP_ADOPTED)
		en->e.file = UIDL_NO_FILE;
	else if (r->file != NULL)
		en->e.file = arena_strndup(t->arena, r->file, r->file_len);
	if (r->flags & JSNAP_HASHED) {
		jsnap_hash_hex(r, hex);
		set_hash(en, hex);
	}
	return 0;
}

struct uidl_entry *
jtable_entry_of(const char *key)
{
	struct entry *en =
	    (struct entry *)(void *)(key - offsetof(struct entry, key));

	return en->live ? &en->e : NULL;
}

/* Mark the entry of listed (a hint, or NULL) as seen in generation gen.
 * The hint is taken only when it is in the map under that very key (an
 * entry in the map is the only one there for its key); otherwise, or
 * without one, the map is asked.  Returns 1 when it marked an entry not
 * marked yet in this generation (so the count of these is the number of
 * distinct entries in the map that are marked), else 0. */
static int
mark_listed(struct jtable *t, const char *listed, const struct uidl_entry *hint,
	    unsigned gen)
{
	struct entry *en = NULL;

	if (hint != NULL) {
		en = (struct entry *)(void *)((const char *)hint -
					      offsetof(struct entry, e));
		if (!en->live ||
		    (en->key != listed && strcmp(en->key, listed) != 0))
			en = NULL;
	}
	if (en == NULL)
		en = strmap_get(t->map, listed);
	if (en == NULL || en->listed == gen)
		return 0;
	en->listed = gen;
	return 1;
}

struct unlisted_ctx {
	unsigned gen;
	const char **v;
	size_t n, cap;
};

static void
pick(void *val, void *ctx)
{
	struct unlisted_ctx *u = ctx;
	struct entry *en = val;

	if (en->listed != u->gen && en->e.state != UIDL_PENDING &&
	    (en->e.indexed || en->e.refused)) {
		if (u->n + 1 >= u->cap) {
			u->cap = u->cap * 2 + 16;
			u->v = xreallocarray(u->v, u->cap, sizeof(*u->v));
		}
		u->v[u->n++] = en->e.uidl;
	}
}

size_t
jtable_unlisted(struct jtable *t, size_t n,
		const char *(*listed)(void *ctx, size_t i,
				      const struct uidl_entry **hint_r),
		void *ctx, const char ***uidls_r)
{
	const struct uidl_entry *hint;
	const char *uidl;
	struct unlisted_ctx u = {++t->gen, NULL, 0, 0};
	size_t marked = 0;

	if (u.gen == 0) /* wrapped: no entry may look seen by now */
		u.gen = ++t->gen;
	for (size_t i = 0; i < n; i++) {
		hint = NULL;
		if ((uidl = listed(ctx, i, &hint)) != NULL)
			marked += (size_t)mark_listed(t, uidl, hint, u.gen);
	}
	/* grown as needed: a poll that prunes nothing allocates little */
	u.v = xcalloc(1, sizeof(*u.v));
	u.cap = 1;
	/* Every entry in the map marked (the server lists all the journal
	 * holds): none is unlisted, and no pass over them is needed. */
	if (marked < strmap_count(t->map))
		strmap_foreach(t->map, pick, &u);
	*uidls_r = u.v;
	return u.n;
}
