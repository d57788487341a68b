/* strmap.c: a map from strings to values that carry their key
 * (strmap.h).  Hand-written: GLib's GHashTable would do, but it keeps a
 * node per key and a full hash besides; the journal's hot path (a
 * lookup per UIDL the server lists) wants 16-byte slots. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "popmuch/strmap.h"
#include "popmuch/xmalloc.h"

struct slot {
	void *val; /* NULL: empty */
	uint32_t hash;
};

struct strmap {
	const char *(*key_of)(const void *val);
	struct slot *slot;
	size_t cap; /* a power of two, or 0 */
	size_t count;
};

static uint32_t
hash_of(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ull;
	}
	return (uint32_t)(h ^ (h >> 32));
}

/* The slot holding key, or the empty slot where it would go. */
static size_t
find_slot(const struct strmap *m, const char *key, uint32_t h)
{
	size_t i = (size_t)h & (m->cap - 1);

	while (m->slot[i].val != NULL &&
	       (m->slot[i].hash != h ||
		strcmp(m->key_of(m->slot[i].val), key) != 0))
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
		if (old[i].val == NULL)
			continue;
		j = (size_t)old[i].hash & (cap - 1);
		while (m->slot[j].val != NULL)
			j = (j + 1) & (cap - 1);
		m->slot[j] = old[i];
	}
	free(old);
}

struct strmap *
strmap_new(const char *(*key_of)(const void *val))
{
	struct strmap *m = xcalloc(1, sizeof(*m));

	m->key_of = key_of;
	return m;
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

	/* at most four fifths full */
	while (n * 5 > cap * 4)
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
strmap_put(struct strmap *m, void *val)
{
	const char *key = m->key_of(val);
	uint32_t h = hash_of(key);
	struct slot *s;
	void *was;

	strmap_reserve(m, m->count + 1);
	s = &m->slot[find_slot(m, key, h)];
	was = s->val;
	if (was == NULL)
		m->count++;
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
	if ((was = m->slot[i].val) == NULL)
		return NULL;
	m->slot[i] = (struct slot){0};
	m->count--;
	for (j = (i + 1) & mask; m->slot[j].val != NULL; j = (j + 1) & mask) {
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
strmap_foreach(const struct strmap *m, void (*fn)(void *val, void *ctx),
	       void *ctx)
{
	for (size_t i = 0; i < m->cap; i++)
		if (m->slot[i].val != NULL)
			fn(m->slot[i].val, ctx);
}

void
strmap_clear(struct strmap *m)
{
	if (m->cap > 0)
		memset(m->slot, 0, m->cap * sizeof(*m->slot));
	m->count = 0;
}
