/* strmap.h: a map from NUL-terminated strings to values that carry
 * their own key, by open addressing with linear probing (FNV-1a hashes,
 * backward-shift deletion, so no tombstones).  A slot is the value's
 * pointer and 32 bits of its key's hash (16 bytes), so that 100,000
 * UIDLs take 2 MB of slots.
 *
 * The map does not copy keys: it asks a value for its key (key_of), and
 * that key must stay valid and unchanged while the value is in the map.
 * No I/O; it allocates only its slot array and aborts when out of
 * memory (xmalloc.h).  Not thread-safe. */
#ifndef POPMUCH_STRMAP_H
#define POPMUCH_STRMAP_H

#include <stddef.h>

struct strmap;

/* An empty map whose values give their key through key_of; free with
 * strmap_free(). */
struct strmap *strmap_new(const char *(*key_of)(const void *val));

/* Free the map (not its values) and set *m to NULL; NULL is fine. */
void strmap_free(struct strmap **m);

/* Make room for n keys in all, so that inserting them does not grow the
 * slot array again. */
void strmap_reserve(struct strmap *m, size_t n);

/* The value of key, or NULL when key is not in the map. */
void *strmap_get(const struct strmap *m, const char *key);

/* Put val (not NULL) under its key, replacing the value there.
 * Returns the value replaced, or NULL. */
void *strmap_put(struct strmap *m, void *val);

/* Remove key.  Returns its value, or NULL when it was not there. */
void *strmap_del(struct strmap *m, const char *key);

/* Number of keys. */
size_t strmap_count(const struct strmap *m);

/* Call fn for each value (order unspecified).  fn must not change the
 * map. */
void strmap_foreach(const struct strmap *m, void (*fn)(void *val, void *ctx),
		    void *ctx);

/* Remove every key (the slot array is kept). */
void strmap_clear(struct strmap *m);

#endif
