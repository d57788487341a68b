/* failing.c: messages the server refuses to send (see failing.h). */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "popmuch/failing.h"
#include "popmuch/fsutil.h"
#include "popmuch/xmalloc.h"

struct fail {
	char *uidl;
	int64_t since, told;
	int noted; /* failed in this run */
};

struct failing {
	char *path;
	struct fail *v;
	size_t n, cap;
};

static struct fail *
find(struct failing *f, const char *uidl)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->v[i].uidl, uidl) == 0)
			return &f->v[i];
	return NULL;
}

static struct fail *
add(struct failing *f, const char *uidl, int64_t since, int64_t told)
{
	if (f->n == f->cap) {
		f->cap = f->cap ? 2 * f->cap : 8;
		f->v = xreallocarray(f->v, f->cap, sizeof(*f->v));
	}
	f->v[f->n] = (struct fail){xstrdup(uidl), since, told, 0};
	return &f->v[f->n++];
}

static int
uidl_ok(const char *u)
{
	size_t n = strlen(u);

	if (n == 0 || n > 70)
		return 0;
	for (; *u != '\0'; u++)
		if (*u < 0x21 || *u > 0x7e)
			return 0;
	return 1;
}

struct failing *
failing_load(const char *dir)
{
	struct failing *f = xcalloc(1, sizeof(*f));
	char line[256], uidl[128];
	int64_t since, told;
	FILE *fp;

	f->path = xasprintf("%s/failing", dir);
	if ((fp = fopen(f->path, "re")) == NULL)
		return f;
	while (fgets(line, sizeof(line), fp) != NULL)
		if (sscanf(line, "%127s %" SCNd64 " %" SCNd64, uidl, &since,
			   &told) == 3 &&
		    uidl_ok(uidl) && find(f, uidl) == NULL)
			add(f, uidl, since, told);
	fclose(fp);
	return f;
}

int
failing_note(struct failing *f, const char *uidl, int64_t now, int64_t *since_r)
{
	struct fail *e = find(f, uidl);
	int tell =
	    e == NULL || now - e->told >= FAILING_TELL_EVERY || now < e->told;

	if (e == NULL)
		e = add(f, uidl, now, now);
	e->noted = 1;
	if (tell)
		e->told = now;
	*since_r = e->since;
	return tell;
}

static size_t
count(const struct failing *f, int noted_only, int64_t *oldest_r)
{
	size_t n = 0;

	*oldest_r = 0;
	for (size_t i = 0; i < f->n; i++)
		if (f->v[i].noted || !noted_only) {
			if (n++ == 0 || f->v[i].since < *oldest_r)
				*oldest_r = f->v[i].since;
		}
	return n;
}

size_t
failing_count(const struct failing *f, int64_t *oldest_r)
{
	return count(f, 1, oldest_r);
}

size_t
failing_recorded(const struct failing *f, int64_t *oldest_r)
{
	return count(f, 0, oldest_r);
}

enum pm_status
failing_save(struct failing *f, struct pm_err *err)
{
	size_t len = 0, cap = 256;
	char *buf = xmalloc(cap);
	enum pm_status st;
	int64_t oldest;

	if (failing_count(f, &oldest) == 0) {
		free(buf);
		if (unlink(f->path) != 0 && errno != ENOENT)
			return err_set(err, PM_IOERR, "cannot remove %s: %s",
				       f->path, strerror(errno));
		return PM_OK;
	}
	for (size_t i = 0; i < f->n; i++) {
		const struct fail *e = &f->v[i];
		int n;

		if (!e->noted)
			continue;
		while (cap - len < 128) {
			cap *= 2;
			buf = xreallocarray(buf, cap, 1);
		}
		n = snprintf(buf + len, cap - len,
			     "%s %" PRId64 " %" PRId64 "\n", e->uidl, e->since,
			     e->told);
		if (n < 0 || (size_t)n >= cap - len)
			fatal("failing_save: record too long");
		len += (size_t)n;
	}
	st = fsutil_write_atomic(f->path, buf, len, err);
	free(buf);
	return st;
}

void
failing_free(struct failing **fp)
{
	struct failing *f = fp != NULL ? *fp : NULL;

	if (f == NULL)
		return;
	for (size_t i = 0; i < f->n; i++)
		free(f->v[i].uidl);
	free(f->v);
	free(f->path);
	free(f);
	*fp = NULL;
}
