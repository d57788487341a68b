/* strbuf.h: a growing NUL-terminated string (the TUI's text builders),
 * and lines read from a pipe through a fixed buffer. */
#ifndef POPMUCH_TUI_STRBUF_H
#define POPMUCH_TUI_STRBUF_H

#include <stddef.h>
#include <sys/types.h>

struct strbuf {
	char *s; /* NUL-terminated once anything was put; caller frees */
	size_t len, cap;
};

/* Append n bytes of s (n may be 0: makes s a valid empty string). */
void strbuf_put(struct strbuf *b, const char *s, size_t n);

/* Read what the non-blocking fd has into buf (size bytes, of which *len
 * are used and kept between calls: a line may arrive in pieces), and
 * call line(arg, text) for each complete line without its newline, or
 * for a full buffer of a longer one.
 * Returns: what the last read(2) returned: 0 at the end, -1 with errno
 * set (EAGAIN: nothing more for now). */
ssize_t strbuf_read_lines(int fd, char *buf, size_t size, size_t *len,
			  void (*line)(void *arg, const char *text), void *arg);

#endif
