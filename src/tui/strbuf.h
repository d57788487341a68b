/* strbuf.h: a growing NUL-terminated string (the TUI's text builders). */
#ifndef POPMUCH_TUI_STRBUF_H
#define POPMUCH_TUI_STRBUF_H

#include <stddef.h>

struct strbuf {
	char *s; /* NUL-terminated once anything was put; caller frees */
	size_t len, cap;
};

/* Append n bytes of s (n may be 0: makes s a valid empty string). */
void strbuf_put(struct strbuf *b, const char *s, size_t n);

#endif
