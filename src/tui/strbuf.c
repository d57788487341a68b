/* strbuf.c: a growing string (strbuf.h). */
#include "config.h"

#include <string.h>

#include "popmuch/xmalloc.h"
#include "strbuf.h"

void
strbuf_put(struct strbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->s = xreallocarray(b->s, b->cap, 1);
	}
	if (n)
		memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}
