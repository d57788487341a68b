/* quirks.c: server facts remembered per account (see quirks.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "popmuch/fsutil.h"
#include "popmuch/quirks.h"
#include "popmuch/xmalloc.h"

int
quirks_no_pipelining(const char *dir, char **why_r)
{
	char *path = xasprintf("%s/no-pipelining", dir), line[512];
	FILE *f = fopen(path, "re");

	free(path);
	if (why_r != NULL)
		*why_r = NULL;
	if (f == NULL)
		return 0;
	if (why_r != NULL && fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		*why_r = xstrdup(line);
	}
	fclose(f);
	return 1;
}

enum pm_status
quirks_set_no_pipelining(const char *dir, int64_t now, const char *why,
			 struct pm_err *err)
{
	char *path = xasprintf("%s/no-pipelining", dir), date[32];
	time_t t = (time_t)now;
	struct tm tm;
	enum pm_status st;
	char *line;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(date, sizeof(date), "%Y-%m-%d %H:%M UTC", &tm) == 0)
		(void)snprintf(date, sizeof(date), "%lld", (long long)now);
	line = xasprintf("replies out of step under pipelining on %s: %.300s\n",
			 date, why);
	line[strcspn(line, "\n") + 1] = '\0'; /* one line, whatever why held */
	st = fsutil_write_atomic(path, line, strlen(line), err);
	free(line);
	free(path);
	return st;
}
