/* log.h: diagnostics on stderr (or syslog), off by default.
 *
 * Levels: LOG_ERROR and LOG_WARN are shown unless -q; LOG_INFO with -v,
 * LOG_VERBOSE with -vv; the protocol transcript only with --debug.
 * Thread-safe: one line is written with one write(2). */
#ifndef POPMUCH_LOG_H
#define POPMUCH_LOG_H

#include <stddef.h>

enum log_level {
	PM_LOG_ERROR = 0,
	PM_LOG_WARN = 1,
	PM_LOG_INFO = 2,
	PM_LOG_VERBOSE = 3,
};

/* Set the highest level printed (-1 = nothing, for -q), whether the
 * protocol transcript is on, and whether lines go to syslog. */
void log_setup(int level, int debug, int use_syslog);

/* True when the protocol transcript is on. */
int log_debug_enabled(void);

/* Print one line "popmuch: [account: ]msg".  Never pass a secret or
 * unescaped server bytes. */
void log_msg(enum log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Transcript line for --debug: dir is "<-" (server) or "->" (client);
 * the bytes are escaped.  Callers blank secrets before calling. */
void log_proto(const char *dir, const char *line, size_t len);

/* Escape untrusted bytes for display: printable ASCII is kept, anything
 * else becomes \xNN (backslash as \\).  At most max input bytes are
 * used (then "..." is appended).  Returns a string the caller frees. */
char *log_escape(const char *s, size_t len, size_t max);

#endif
