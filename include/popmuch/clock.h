/* clock.h: seconds on the monotonic clock, for the timings the fetch
 * reports and paces itself by (index.c, retrieve.c, progress.c). */
#ifndef POPMUCH_CLOCK_H
#define POPMUCH_CLOCK_H

#include <time.h>

/* Seconds since t0 (a CLOCK_MONOTONIC reading).  Never fails. */
static inline double
clock_seconds_since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t0->tv_sec) +
	       (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

#endif
