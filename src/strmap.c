/* strmap.c: a map from strings to pointers (strmap.h).  Hand-written:
 * GLib's GHashTable would do, but the journal's hot path (a lookup per
 * UIDL the server lists) wants slots without a node per key. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "popmuch/strmap.h"
#include "popmuch/xmalloc.h"

struct slot {
	const char *key; /* NULL: empty */
	void *val;
	uint64_t hash;
};

struct strmap {
	struct slot *slot;
	size_t cap; /* a power of two, or 0 */
	size_t count;
};

static uint64_t
hash_of(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ull;
	}
	return h;
}

/* The slot holding key, or the empty slot where it would go. */
static size_t
find_slot(const struct strmap *m, const char *key, uint64_t h)
{
	size_t i = (size_t)h & (m->cap - 1);

	while (m->slot[i].key != NULL &&
	       (m->slot[i].hash != h || strcmp(m->slot[i].key, key) != 0))
		i = (i + 1) & (m->cap - 1);
	return i;
}

static void
resize(struct strmap *m, size_t cap)
{
	struct slot *old = m->slot;
	size_t oldcap = m->cap, i, j;

	m->cap = cap;
	m->slot = xcalloc(cap, sizeof(*m->slot));
	for (i = 0; i < oldcap; i++) {
		if (old[i].key == NULL)
			continue;
		j = (size_t)old[i].hash & (cap - 1);
		while (m->slot[j].key != NULL)
			j = (j + 1) & (cap - 1);
		m->slot[j] = old[i];
	}
	free(old);
}

struct strmap *
strmap_new(void)
{
	return xcalloc(1, sizeof(struct strmap));
}

void
strmap_free(struct strmap **mp)
{
	if (mp == NULL || *mp == NULL)
		return;
	free((*mp)->slot);
	free(*mp);
	*mp = NULL;
}

void
strmap_reserve(struct strmap *m, size_t n)
{
	size_t cap = m->cap ? m->cap : 64;

	/* at most three quarters full */
	while (n * 4 > cap * 3)
		cap *= 2;
	if (cap != m->cap)
		resize(m, cap);
}

void *
strmap_get(const struct strmap *m, const char *key)
{
	if (m->count == 0)
		return NULL;
	return m->slot[find_slot(m, key, hash_of(key))].val;
}

void *
strmap_put(struct strmap *m, const char *key, void *val)
{
	uint64_t h = hash_of(key);
	struct slot *s;
	void *was;

	strmap_reserve(m, m->count + 1);
	s = &m->slot[find_slot(m, key, h)];
	was = s->val;
	if (s->key == NULL)
		m->count++;
	s->key = key;
	s->val = val;
	s->hash = h;
	return was;
}

void *
strmap_del(struct strmap *m, const char *key)
{
	size_t mask = m->cap - 1, i, j, home;
	void *was;

	if (m->count == 0)
		return NULL;
	i = find_slot(m, key, hash_of(key));
	if (m->slot[i].key == NULL)
		return NULL;
	was = m->slot[i].val;
	m->slot[i] = (struct slot){0};
	m->count--;
	for (j = (i + 1) & mask; m->slot[j].key != NULL; j = (j + 1) & mask) {
		home = (size_t)m->slot[j].hash & mask;
		/* Move slot j into the hole at i unless its home lies
		 * cyclically in (i, j]. */
		if (((j - home) & mask) >= ((j - i) & mask)) {
			m->slot[i] = m->slot[j];
			m->slot[j] = (struct slot){0};
			i = j;
		}
	}
	return was;
}

size_t
strmap_count(const struct strmap *m)
{
	return m->count;
}

void
strmap_foreach(const struct strmap *m,
	       void (*fn)(const char *key, void *val, void *ctx), void *ctx)
{
	for (size_t i = 0; i < m->cap; i++)
		if (m->slot[i].key != NULL)
			fn(m->slot[i].key, m->slot[i].val, ctx);
}

void
strmap_clear(struct strmap *m)
{
	if (m->cap > 0)
		memset(m->slot, 0, m->cap * sizeof(*m->slot));
	m->count = 0;
}
