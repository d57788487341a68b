/* history.c: the search history across runs (history.h). */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "popmuch/fetch.h"
#include "popmuch/fsutil.h"
#include "popmuch/xmalloc.h"
#include "errlog.h"
#include "history.h"

static char *
history_path(void)
{
	return tui_state_path("history");
}

/* Rewrite the file with the last n entries of h (atomically). */
static void
rewrite(const char *path, char **h, size_t n)
{
	char *tmp = xasprintf("%s.tmp", path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	size_t i;
	int ok;

	if (!f) {
		if (fd >= 0)
			close(fd);
		free(tmp);
		return;
	}
	for (i = 0; i < n; i++)
		fprintf(f, "%s\n", h[i]);
	ok = fflush(f) == 0 && fsync(fileno(f)) == 0;
	ok = fclose(f) == 0 && ok;
	if (!ok || rename(tmp, path) != 0)
		unlink(tmp);
	free(tmp);
}

void
history_load(char ***h, size_t *n)
{
	char *path = history_path(), line[4096], **all = NULL;
	size_t nall = 0, i, from;
	FILE *f = fopen(path, "re");

	while (f && fgets(line, sizeof line, f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!line[0])
			continue;
		all = xreallocarray(all, nall + 1, sizeof *all);
		all[nall++] = xstrdup(line);
	}
	if (f)
		fclose(f);
	from = nall > HISTORY_MAX ? nall - HISTORY_MAX : 0;
	if (nall > 2 * HISTORY_MAX) /* cut the file back */
		rewrite(path, all + from, nall - from);
	for (i = 0; i < nall; i++) {
		if (i < from) {
			free(all[i]);
			continue;
		}
		*h = xreallocarray(*h, *n + 1, sizeof **h);
		(*h)[(*n)++] = all[i];
	}
	free(all);
	free(path);
}

void
history_append(const char *entry)
{
	char *path = history_path(), *dir = tui_state_dir();
	struct pm_err err;
	int fd;

	err_clear(&err);
	if (!strchr(entry, '\n') && fsutil_mkdirs(dir, &err) == PM_OK &&
	    (fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
		       0600)) >= 0) {
		char *l = xasprintf("%s\n", entry);

		if (write(fd, l, strlen(l)) < 0) {
			/* ignored: the history is a convenience */
		}
		free(l);
		close(fd);
	}
	free(dir);
	free(path);
}
