/* pool.c: a fixed set of threads taking jobs by index from a shared
 * counter (pool.h). */
#include "config.h"

#include <pthread.h>

#include "popmuch/pool.h"

struct pool {
	pthread_mutex_t mu;
	size_t n, next;
	void (*job)(void *ctx, size_t i);
	void *ctx;
};

static void *
worker(void *arg)
{
	struct pool *pl = arg;
	size_t i;

	for (;;) {
		pthread_mutex_lock(&pl->mu);
		i = pl->next < pl->n ? pl->next++ : pl->n;
		pthread_mutex_unlock(&pl->mu);
		if (i == pl->n)
			return NULL;
		pl->job(pl->ctx, i);
	}
}

void
pool_run(size_t n, int parallel, void (*job)(void *ctx, size_t i), void *ctx)
{
	struct pool pl = {.n = n, .job = job, .ctx = ctx};
	pthread_t th[64];
	int nt = parallel < 1 ? 1 : parallel > 64 ? 64 : parallel;
	int started = 0;

	if ((size_t)nt > n)
		nt = (int)n;
	pthread_mutex_init(&pl.mu, NULL);
	for (int i = 1; i < nt; i++)
		if (pthread_create(&th[started], NULL, worker, &pl) == 0)
			started++;
	worker(&pl); /* this thread works too */
	for (int i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	pthread_mutex_destroy(&pl.mu);
}
