/* xmalloc.h: allocation that aborts on out-of-memory, and fatal(). */
#ifndef POPMUCH_XMALLOC_H
#define POPMUCH_XMALLOC_H

#include <stddef.h>

/* All return memory the caller frees with free(); none returns NULL. */
void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
/* Overflow-checked n*size reallocation. */
void *xreallocarray(void *p, size_t n, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Overwrite len bytes at p with zeros in a way the compiler keeps. */
void xwipe(void *p, size_t len);
/* Zero the vector registers (x86-64: xmm/ymm/zmm; elsewhere nothing):
 * the C library's string functions leave pieces of the text they read
 * there, and a thread created later inherits them and may save them on
 * its stack.  Call after handling a secret. */
void xwipe_registers(void);
/* Wipe and free a NUL-terminated secret; NULL is fine. */
void xfree_secret(char *s);
/* Grow a buffer that may hold a secret to size bytes: its first used
 * bytes are copied and the old buffer wiped before it is freed (realloc
 * may leave a copy behind in freed memory). */
void *xgrow_secret(void *p, size_t used, size_t size);

/* Print "popmuch: fatal: ..." and abort().  For out-of-memory and
 * broken invariants only. */
void fatal(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

#endif
