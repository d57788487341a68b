/* err.h: the one status type of popmuch, with sysexits codes.
 *
 * Every function that can fail returns enum pm_status and takes
 * struct pm_err *err last; err_set() fills it.  Text that came from a
 * server is escaped with log_escape() before it goes into a message. */
#ifndef POPMUCH_ERR_H
#define POPMUCH_ERR_H

#include <stddef.h>

/* X(name, sysexits code, short description) */
#define PM_STATUS_LIST(X)                                                      \
	X(OK, 0, "success")                                                    \
	X(USAGE, 64, "usage error")                                            \
	X(DATAERR, 65, "bad input data")                                       \
	X(UNAVAILABLE, 69, "service unavailable")                              \
	X(CERT, 69, "TLS certificate refused")                                 \
	X(SOFTWARE, 70, "internal error")                                      \
	X(CANTCREAT, 73, "cannot create file")                                 \
	X(IOERR, 74, "local input/output error")                               \
	X(NOSPACE, 74, "no space left on device")                              \
	X(INDEX, 74, "notmuch index error")                                    \
	X(TEMPFAIL, 75, "temporary failure")                                   \
	X(NETWORK, 75, "network error")                                        \
	X(TIMEOUT, 75, "timeout")                                              \
	X(LOCKED, 75, "account locked by another popmuch")                     \
	X(PROTOCOL, 76, "POP3 protocol error")                                 \
	X(TLS, 76, "TLS error")                                                \
	X(NOPERM, 77, "authentication failed")                                 \
	X(CONFIG, 78, "configuration error")

enum pm_status {
#define PM_STATUS_ENUM(name, code, desc) PM_##name,
	PM_STATUS_LIST(PM_STATUS_ENUM)
#undef PM_STATUS_ENUM
	    PM_STATUS_COUNT
};

#define PM_ERR_MSG_MAX 1024

struct pm_err {
	enum pm_status code;
	char msg[PM_ERR_MSG_MAX];
};

/* Clear err to PM_OK with an empty message.  err may be NULL. */
void err_clear(struct pm_err *err);

/* Set err to code with a printf-formatted message (truncated to
 * PM_ERR_MSG_MAX-1 bytes).  err may be NULL.  Returns code. */
enum pm_status err_set(struct pm_err *err, enum pm_status code, const char *fmt,
		       ...) __attribute__((format(printf, 3, 4)));

/* Put "prefix: " in front of err's message.  Returns err->code. */
enum pm_status err_prefix(struct pm_err *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The sysexits code of a status (0..78). */
int err_exitcode(enum pm_status code);

/* Static name ("NETWORK") and description of a status. */
const char *err_name(enum pm_status code);
const char *err_desc(enum pm_status code);

/* Parse a status name as err_name() prints it.
 * Returns: the status, or PM_STATUS_COUNT for a name that is none. */
enum pm_status err_from_name(const char *name);

/* Rank used to pick the worst of several accounts' results: a higher
 * rank wins.  OK ranks lowest. */
int err_severity(enum pm_status code);

#endif
