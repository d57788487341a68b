/* fault.c: test-only crash points (see fault.h). */
#include "config.h"

#include "popmuch/fault.h"
#include "popmuch/parse.h"

#ifdef POPMUCH_FAULT_INJECTION
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void
fault_point(const char *name)
{
	static unsigned long hits;
	const char *spec = getenv("POPMUCH_CRASH_AT");
	size_t len = strlen(name);
	unsigned long want = 1;

	if (spec == NULL || strncmp(spec, name, len) != 0)
		return;
	if (spec[len] == ':' &&
	    parse_ulong(spec + len + 1, ULONG_MAX, &want) != 0)
		return;
	if (spec[len] != ':' && spec[len] != '\0')
		return;
	if (++hits >= want)
		kill(getpid(), SIGKILL);
}

#define FAULT_PRINT_(f, point, where) fprintf(f, "%s\n", point);

int
fault_query(int argc, char **argv)
{
	if (argc != 2 || strcmp(argv[1], "--fault-points") != 0)
		return -1;
	FAULT_POINTS(FAULT_PRINT_, stdout)
	return fflush(stdout) == 0 ? 0 : 1;
}
#else
/* Keep the translation unit non-empty. */
extern int fault_unused;
#endif
