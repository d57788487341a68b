/* lastrun.c: the "last-run" record of an account (see lastrun.h): its
 * one writer and its one reader. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "popmuch/fsutil.h"
#include "popmuch/lastrun.h"
#include "popmuch/parse.h"
#include "popmuch/xmalloc.h"

/* The numeric fields, by key; the writer and the reader share it. */
#define LASTRUN_NUMBERS(X)                                                     \
	X(on_server) X(fetched) X(deleted) X(kept) X(skipped) X(index_pending)

static char *
format(const struct lastrun *lr)
{
	char msg[sizeof(lr->message)], *s, *t;

	(void)snprintf(msg, sizeof(msg), "%s", lr->message);
	msg[strcspn(msg, "\r\n")] = '\0';
	s = xasprintf("time %" PRId64 "\nstatus %s\n", lr->time, lr->status);
#define LASTRUN_PRINT(f)                                                       \
	t = xasprintf("%s" #f " %" PRIu32 "\n", s, lr->f);                     \
	free(s);                                                               \
	s = t;
	LASTRUN_NUMBERS(LASTRUN_PRINT)
#undef LASTRUN_PRINT
	t = xasprintf("%smessage %s\n", s, msg);
	free(s);
	return t;
}

enum pm_status
lastrun_write(const char *dir, const struct lastrun *lr, struct pm_err *err)
{
	char *path = xasprintf("%s/last-run", dir);
	char *text = format(lr);
	enum pm_status st = fsutil_write_atomic(path, text, strlen(text), err);

	free(text);
	free(path);
	return st;
}

/* Store the value of one "key value" line in lr; unknown keys are
 * skipped.  Returns -1 for a known numeric key without a valid value. */
static int
parse_line(struct lastrun *lr, const char *key, const char *val)
{
	unsigned long v;
	uint64_t t;

	if (strcmp(key, "time") == 0) {
		if (parse_u64(val, &t) != 0 || t > INT64_MAX)
			return -1;
		lr->time = (int64_t)t;
	} else if (strcmp(key, "status") == 0) {
		(void)snprintf(lr->status, sizeof(lr->status), "%s", val);
	} else if (strcmp(key, "message") == 0) {
		(void)snprintf(lr->message, sizeof(lr->message), "%s", val);
	}
#define LASTRUN_PARSE(f)                                                       \
	else if (strcmp(key, #f) == 0)                                         \
	{                                                                      \
		if (parse_ulong(val, UINT32_MAX, &v) != 0)                     \
			return -1;                                             \
		lr->f = (uint32_t)v;                                           \
	}
	LASTRUN_NUMBERS(LASTRUN_PARSE)
#undef LASTRUN_PARSE
	return 0;
}

enum pm_status
lastrun_read(const char *dir, struct lastrun *lr_r, struct pm_err *err)
{
	char *path = xasprintf("%s/last-run", dir), line[PM_ERR_MSG_MAX + 16],
	     *sp;
	FILE *f = fopen(path, "re");
	enum pm_status st = PM_OK;

	memset(lr_r, 0, sizeof(*lr_r));
	if (f == NULL) {
		st = errno == ENOENT
			 ? err_set(err, PM_UNAVAILABLE,
				   "%s: no fetch recorded yet", path)
			 : err_set(err, PM_IOERR, "cannot read %s: %s", path,
				   strerror(errno));
		free(path);
		return st;
	}
	while (st == PM_OK && fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if ((sp = strchr(line, ' ')) == NULL)
			continue;
		*sp++ = '\0';
		if (parse_line(lr_r, line, sp) != 0)
			st = err_set(err, PM_DATAERR,
				     "%s: field %s: \"%.40s\" is not a number",
				     path, line, sp);
	}
	if (st == PM_OK && ferror(f))
		st = err_set(err, PM_IOERR, "cannot read %s", path);
	fclose(f);
	free(path);
	return st;
}
