/* fault.h: test-only crash points.
 *
 * FAULT("name") compiles to nothing in the installed binary.  In the
 * test binary (tests/popmuch-fault, built with POPMUCH_FAULT_INJECTION)
 * it raises SIGKILL when $POPMUCH_CRASH_AT is "name" or "name:N" (the
 * Nth time the point is reached, 1-based).
 *
 * FAULT_POINTS is the one list of them: a name not in it does not
 * compile (in either build), and the tests ask the test binary for the
 * list ("tests/popmuch-fault --fault-points", fault_query()) to check
 * that they kill popmuch at every one.  Adding a point: a line here, the
 * FAULT() where the crash is to happen, and a case in the test that
 * covers its prefix (t-crash.sh, t-import.sh, t-outbox-crash.sh). */
#ifndef POPMUCH_FAULT_H
#define POPMUCH_FAULT_H

/* X(arg, name, where) for every crash point, by the path that reaches
 * it, in its order (arg is passed through to X). */
#define FAULT_POINTS(X, arg)                                                   \
	/* fetch (deliver.c, maildir.c, uidl.c, fetch.c) */                    \
	X(arg, "maildir-before-fsync",                                         \
	  "a message written to tmp/, not synced")                             \
	X(arg, "synced", "a batch's tmp/ files synced, no intent recorded")    \
	X(arg, "intent", "a batch's intents synced, nothing renamed")          \
	X(arg, "maildir-after-rename", "one message renamed into new/")        \
	X(arg, "renamed", "one message of a batch renamed into new/")          \
	X(arg, "delivered", "one delivered record written")                    \
	X(arg, "before-quit", "DELE sent, QUIT not yet")                       \
	X(arg, "uidl-after-compact-rename", "the compacted journal renamed")   \
	/* import (import.c) */                                                \
	X(arg, "import-renamed", "one imported message renamed into cur/")     \
	X(arg, "import-synced", "an import batch's cur/ synced")               \
	X(arg, "import-indexed", "one imported message indexed")               \
	/* sending (cli-compose.c, outbox.c) */                                \
	X(arg, "outbox-queue-synced",                                          \
	  "a message queued in the outbox, synced")                            \
	X(arg, "compose-queued", "queued, the draft removed")                  \
	X(arg, "outbox-before-mark", "about to mark a message maybe-sent")     \
	X(arg, "outbox-marked", "marked maybe-sent, the command not run")      \
	X(arg, "outbox-command-done", "sendmail_command ended, not recorded")  \
	X(arg, "outbox-accepted", "recorded as sent, not filed")               \
	X(arg, "outbox-filed", "filed into sent/, not indexed")                \
	X(arg, "outbox-indexed", "the sent copy indexed")

/* Whether the string literal name is in FAULT_POINTS, as a constant
 * expression: GCC and clang fold __builtin_strcmp of two literals. */
#if defined(__GNUC__) || defined(__clang__)
#define FAULT_IS_(name, point, where) || __builtin_strcmp(name, point) == 0
#define FAULT_CHECK_(name)                                                     \
	_Static_assert(0 FAULT_POINTS(FAULT_IS_, name),                        \
		       "FAULT(" name ") is not in FAULT_POINTS (fault.h)")
#else
#define FAULT_CHECK_(name) ((void)0)
#endif

#ifdef POPMUCH_FAULT_INJECTION
void fault_point(const char *name);
/* When argv is "PROGRAM --fault-points": print the names of
 * FAULT_POINTS on stdout, one a line.
 * Returns: the exit code (0) when it answered, else -1. */
int fault_query(int argc, char **argv);
#define FAULT(name)                                                            \
	do {                                                                   \
		FAULT_CHECK_(name);                                            \
		fault_point(name);                                             \
	} while (0)
#else
#define fault_query(argc, argv) (-1)
#define FAULT(name)                                                            \
	do {                                                                   \
		FAULT_CHECK_(name);                                            \
	} while (0)
#endif

#endif
