/* fault.h: test-only crash points.
 *
 * FAULT("name") compiles to nothing in the installed binary.  In the
 * test binary (tests/popmuch-fault, built with POPMUCH_FAULT_INJECTION)
 * it raises SIGKILL when $POPMUCH_CRASH_AT is "name" or "name:N" (the
 * Nth time the point is reached, 1-based). */
#ifndef POPMUCH_FAULT_H
#define POPMUCH_FAULT_H

#ifdef POPMUCH_FAULT_INJECTION
void fault_point(const char *name);
#define FAULT(name) fault_point(name)
#else
#define FAULT(name) ((void)0)
#endif

#endif
