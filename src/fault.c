/* fault.c: test-only crash points (see fault.h). */
#include "config.h"

#include "popmuch/fault.h"
#include "popmuch/parse.h"

#ifdef POPMUCH_FAULT_INJECTION
#include <limits.h>
#include <signal.h>
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
#else
/* Keep the translation unit non-empty. */
extern int fault_unused;
#endif
