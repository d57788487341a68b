/* strmap.h: a map from NUL-terminated strings to pointers, by open
 * addressing with linear probing (FNV-1a hashes, backward-shift
 * deletion, so no tombstones).
 *
 * The map does not copy keys: a key must stay valid and unchanged while
 * it is in the map (the caller keeps it, typically inside the value).
 * No I/O; it allocates only its slot array and aborts when out of
 * memory (xmalloc.h).  Not thread-safe. */
#ifndef POPMUCH_STRMAP_H
#define POPMUCH_STRMAP_H

#include <stddef.h>

struct strmap;

/* An empty map; free with strmap_free(). */
struct strmap *strmap_new(void);

/* Free the map (not its keys or values) and set *m to NULL; NULL is
 * fine. */
void strmap_free(struct strmap **m);

/* Make room for n keys in all, so that inserting them does not grow the
 * slot array again. */
void strmap_reserve(struct strmap *m, size_t n);

/* The value of key, or NULL when key is not in the map. */
void *strmap_get(const struct strmap *m, const char *key);

/* Map key to val (not NULL), replacing its value if key is there (the
 * key kept is then the new one).  Returns the value replaced, or NULL. */
void *strmap_put(struct strmap *m, const char *key, void *val);

/* Remove key.  Returns its value, or NULL when it was not there. */
void *strmap_del(struct strmap *m, const char *key);

/* Number of keys. */
size_t strmap_count(const struct strmap *m);

/* Call fn for each key and value (order unspecified).  fn must not
 * change the map. */
void strmap_foreach(const struct strmap *m,
		    void (*fn)(const char *key, void *val, void *ctx),
		    void *ctx);

/* Remove every key (the slot array is kept). */
void strmap_clear(struct strmap *m);

#endif
