/* arena.c: a bump allocator over linked blocks (arena.h).  Hand-written:
 * GLib's GStringChunk copies strings only, and obstack is not a library
 * we link. */
#include "config.h"

#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "popmuch/arena.h"
#include "popmuch/xmalloc.h"

#define ARENA_BLOCK (256 * 1024)
#define ARENA_ALIGN alignof(uint64_t) /* pointers, 64-bit numbers */

struct block {
	struct block *next;
	size_t used, cap;
	alignas(max_align_t) unsigned char mem[];
};

struct arena {
	struct block *head; /* the block pieces come from; others behind */
};

struct arena *
arena_new(void)
{
	return xcalloc(1, sizeof(struct arena));
}

static struct block *
block_new(size_t cap, struct block *next)
{
	struct block *b = xmalloc(sizeof(*b) + cap);

	b->next = next;
	b->used = 0;
	b->cap = cap;
	return b;
}

/* n bytes from the arena, at a multiple of align (a power of two; a
 * new block's memory is aligned for anything). */
static void *
take(struct arena *a, size_t n, size_t align)
{
	struct block *b = a->head;
	size_t pad = 0;

	if (n > ARENA_BLOCK / 4) {
		/* a large piece gets a block of its own, behind the head */
		b = block_new(n, NULL);
		b->used = n;
		if (a->head != NULL) {
			b->next = a->head->next;
			a->head->next = b;
		} else {
			a->head = b;
		}
		return b->mem;
	}
	if (b != NULL)
		pad = (align - (b->used & (align - 1))) & (align - 1);
	if (b == NULL || b->cap - b->used < n + pad) {
		b = a->head = block_new(ARENA_BLOCK, a->head);
		pad = 0;
	}
	b->used += pad + n;
	return b->mem + b->used - n;
}

void *
arena_alloc(struct arena *a, size_t n)
{
	void *p = take(a, n, ARENA_ALIGN);

	memset(p, 0, n);
	return p;
}

char *
arena_strndup(struct arena *a, const char *s, size_t len)
{
	char *p = take(a, len + 1, 1);

	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

void
arena_free(struct arena **ap)
{
	struct block *b, *next;

	if (ap == NULL || *ap == NULL)
		return;
	for (b = (*ap)->head; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	free(*ap);
	*ap = NULL;
}
