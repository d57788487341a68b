/* log.c: stderr/syslog diagnostics and the --debug transcript. */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "popmuch/log.h"
#include "popmuch/xmalloc.h"

static int log_level_max = PM_LOG_WARN;
static int log_debug_on;
static int log_use_syslog;

void
log_setup(int level, int debug, int use_syslog)
{
	log_level_max = level;
	log_debug_on = debug;
	log_use_syslog = use_syslog;
	if (use_syslog)
		openlog("popmuch", LOG_PID, LOG_MAIL);
}

int
log_debug_enabled(void)
{
	return log_debug_on;
}

static void
log_write_line(const char *line)
{
	size_t len = strlen(line);
	ssize_t n;

	while (len > 0) {
		n = write(STDERR_FILENO, line, len);
		if (n <= 0)
			return;
		line += n;
		len -= (size_t)n;
	}
}

void
log_msg(enum log_level level, const char *fmt, ...)
{
	static const int prio[] = {LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG};
	char buf[2048];
	char line[2100];
	va_list ap;

	if ((int)level > log_level_max)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (log_use_syslog) {
		syslog(prio[level], "%s", buf);
		return;
	}
	(void)snprintf(line, sizeof(line), "popmuch: %s%s\n",
		       level == PM_LOG_WARN ? "warning: " : "", buf);
	log_write_line(line);
}

void
log_proto(const char *dir, const char *s, size_t len)
{
	char *esc, *line;

	if (!log_debug_on)
		return;
	esc = log_escape(s, len, 1000);
	line = xasprintf("%s %s\n", dir, esc);
	log_write_line(line);
	free(line);
	free(esc);
}

char *
log_escape(const char *s, size_t len, size_t max)
{
	size_t n = len < max ? len : max;
	char *out = xmalloc(n * 4 + 4);
	char *o = out;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\\') {
			*o++ = '\\';
			*o++ = '\\';
		} else if (c >= 0x20 && c < 0x7f) {
			*o++ = (char)c;
		} else {
			o += sprintf(o, "\\x%02x", c);
		}
	}
	if (len > max) {
		memcpy(o, "...", 3);
		o += 3;
	}
	*o = '\0';
	return out;
}
