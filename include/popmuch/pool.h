/* pool.h: run n jobs on up to `parallel` threads (the calling thread
 * among them), each job once; for fetching several accounts at a time. */
#ifndef POPMUCH_POOL_H
#define POPMUCH_POOL_H

#include <stddef.h>

/* Call job(ctx, i) for every i in [0, n), on at most `parallel` threads
 * (1 to 64; the caller's thread works too), and return when all are
 * done.  A thread that cannot be created leaves its share to the
 * others.  Never fails. */
void pool_run(size_t n, int parallel, void (*job)(void *ctx, size_t i),
	      void *ctx);

#endif
