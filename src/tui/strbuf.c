/* strbuf.c: a growing string, lines through a fixed buffer (strbuf.h). */
#include "config.h"

#include <string.h>
#include <unistd.h>

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

ssize_t
strbuf_read_lines(int fd, char *buf, size_t size, size_t *len,
		  void (*line)(void *arg, const char *text), void *arg)
{
	ssize_t r;
	char *nl;

	while ((r = read(fd, buf + *len, size - 1 - *len)) > 0) {
		*len += (size_t)r;
		buf[*len] = '\0';
		while ((nl = strchr(buf, '\n')) != NULL || *len == size - 1) {
			size_t n = nl ? (size_t)(nl - buf) : *len;

			buf[n] = '\0';
			line(arg, buf);
			n += nl ? 1 : 0;
			memmove(buf, buf + n, *len - n + 1);
			*len -= n;
		}
	}
	return r;
}
