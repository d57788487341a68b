/* arena.h: memory handed out in pieces from a few large blocks and
 * freed all at once, so that loading 100,000 journal entries makes a
 * few dozen allocations, not 300,000.  Aborts when out of memory
 * (xmalloc.h).  Not thread-safe. */
#ifndef POPMUCH_ARENA_H
#define POPMUCH_ARENA_H

#include <stddef.h>

struct arena;

/* An empty arena; free with arena_free(). */
struct arena *arena_new(void);

/* n bytes, zeroed, aligned for pointers and 64-bit numbers (not for
 * long double); valid until arena_free(). */
void *arena_alloc(struct arena *a, size_t n);

/* A copy of s[0..len) followed by a NUL; valid until arena_free(). */
char *arena_strndup(struct arena *a, const char *s, size_t len);

/* Free every piece and the arena, and set *a to NULL; NULL is fine. */
void arena_free(struct arena **a);

#endif
