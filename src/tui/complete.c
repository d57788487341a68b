/* complete.c: Tab completion in the prompt.  Tags come from libnotmuch
 * (db.c); addresses from `notmuch address`, run without a shell, as
 * the notmuch CLI finds them (its exclusions and config honoured). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "popmuch/xmalloc.h"
#include "complete.h"
#include "layout.h"
#include "tui-int.h"

#define ADDRESSES_MAX 200 /* addresses read from notmuch address */
#define LISTED_MAX 8	  /* candidates named in the status bar */

/* The query prefixes notmuch knows (notmuch-search-terms(7)). */
static const char *const prefixes[] = {
    "attachment:", "body:",    "date:",	    "folder:", "from:",	    "id:",
    "is:",	   "lastmod:", "mimetype:", "path:",   "property:", "query:",
    "subject:",	   "tag:",     "thread:",   "to:",     NULL};

struct cands {
	char **v;
	size_t n;
	int fold; /* compare without ASCII case (addresses) */
};

static int
starts(const struct cands *c, const char *s, const char *pre)
{
	size_t n = strlen(pre);

	return c->fold ? g_ascii_strncasecmp(s, pre, n) == 0
		       : strncmp(s, pre, n) == 0;
}

static void
cands_add(struct cands *c, const char *s)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (strcmp(c->v[i], s) == 0)
			return;
	c->v = xreallocarray(c->v, c->n + 1, sizeof *c->v);
	c->v[c->n++] = xstrdup(s);
}

static void
cands_free(struct cands *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		free(c->v[i]);
	free(c->v);
}

static void
tags_into(struct tui *t, const char *pre, struct cands *c)
{
	char **tags;
	size_t i;

	if (!tui_db(t))
		return;
	db_refresh(t->db);
	tags = db_all_tags(t->db);
	for (i = 0; tags[i]; i++) {
		if (starts(c, tags[i], pre))
			cands_add(c, tags[i]);
		free(tags[i]);
	}
	free(tags);
}

static void addresses_run(const char *q, const char *pre, struct cands *c);

/* The addresses of field (from: senders, to: recipients) that notmuch
 * finds for "field:W*", W the first word of pre (a wildcard does not
 * reach past a "." or "@": Xapian makes a phrase of them); those
 * starting with pre, else (a name matched) all of them. */
static void
addresses_into(const char *field, const char *pre, struct cands *c)
{
	size_t wl = 0;
	char *q;

	while (g_ascii_isalnum(pre[wl]))
		wl++;
	if (wl == 0)
		return;
	q = xasprintf("%s:%.*s*", field, (int)wl, pre);
	addresses_run(q, pre, c);
	free(q);
}

/* Run notmuch address for query q into c (see addresses_into). */
static void
addresses_run(const char *q, const char *pre, struct cands *c)
{
	char *out = NULL, *line, *save;
	const char *argv[] = {"notmuch",
			      "address",
			      strncmp(q, "to:", 3) == 0 ? "--output=recipients"
							: "--output=sender",
			      "--output=address",
			      "--deduplicate=address",
			      "--",
			      q,
			      NULL};
	struct cands all = {.fold = 1};
	int status = 0;
	size_t i;

	if (g_spawn_sync(NULL, (gchar **)argv, NULL,
			 G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL |
			     G_SPAWN_STDIN_FROM_DEV_NULL,
			 NULL, NULL, &out, NULL, &status, NULL) &&
	    g_spawn_check_wait_status(status, NULL))
		for (line = strtok_r(out, "\n", &save);
		     line && all.n < ADDRESSES_MAX;
		     line = strtok_r(NULL, "\n", &save))
			cands_add(&all, line);
	for (i = 0; i < all.n; i++)
		if (starts(c, all.v[i], pre))
			cands_add(c, all.v[i]);
	for (i = 0; c->n == 0 && i < all.n; i++)
		cands_add(c, all.v[i]);
	cands_free(&all);
	g_free(out);
}

/* The candidates for word w; *what names them, *end what follows a
 * single one (a space, or nothing after a prefix's ":"), *value where
 * the part they replace starts in w. */
static void
candidates(struct tui *t, const char *w, enum prompt_complete pc,
	   struct cands *c, const char **what, const char **end,
	   const char **value)
{
	const char *colon = strchr(w, ':');
	size_t i;

	*what = "tag";
	*end = " ";
	*value = w;
	if (pc == PC_TAGS) {
		*value = w + (*w == '+' || *w == '-');
		tags_into(t, *value, c);
		return;
	}
	if (!colon) { /* a query prefix */
		*what = "search term";
		*end = "";
		for (i = 0; *w && prefixes[i]; i++)
			if (starts(c, prefixes[i], w))
				cands_add(c, prefixes[i]);
		return;
	}
	*value = colon + 1;
	if (strncmp(w, "tag:", 4) == 0 || strncmp(w, "is:", 3) == 0) {
		tags_into(t, *value, c);
	} else if ((strncmp(w, "from:", 5) == 0 || strncmp(w, "to:", 3) == 0) &&
		   **value) {
		*what = "address";
		c->fold = 1;
		addresses_into(*w == 'f' ? "from" : "to", *value, c);
	} else {
		*what = **value ? "completion" : "address (type its start)";
	}
}

/* The start the candidates share (at least n bytes: they all start
 * with the typed n). */
static size_t
common(const struct cands *c, size_t n)
{
	size_t len = strlen(c->v[0]), i, k;

	for (i = 1; i < c->n; i++) {
		for (k = 0; k < len && c->v[i][k] &&
			    (c->fold ? g_ascii_tolower(c->v[i][k]) ==
					   g_ascii_tolower(c->v[0][k])
				     : c->v[i][k] == c->v[0][k]);
		     k++)
			;
		len = k;
	}
	return len > n ? len : n;
}

/* The status bar: the candidates (the first few). */
static void
list_candidates(struct tui *t, const struct cands *c)
{
	char *s = xasprintf("%zu completions:", c->n), *n;
	size_t i;

	for (i = 0; i < c->n && i < LISTED_MAX; i++) {
		n = xasprintf("%s %s", s, c->v[i]);
		free(s);
		s = n;
	}
	tui_status(t, 0, "%s%s", s, c->n > LISTED_MAX ? " ..." : "");
	free(s);
}

char *
complete_line(struct tui *t, const char *line, enum prompt_complete pc)
{
	const char *w = line + strlen(line), *what, *end, *value;
	struct cands c = {0};
	size_t keep;
	char *s = NULL;

	if (pc == PC_NONE)
		return NULL;
	while (w > line && w[-1] != ' ' && w[-1] != '(')
		w--;
	candidates(t, w, pc, &c, &what, &end, &value);
	keep = (size_t)(value - line);
	if (c.n == 1) {
		s = xasprintf("%.*s%s%s", (int)keep, line, c.v[0], end);
	} else if (c.n > 1) {
		size_t len = common(&c, strlen(value));

		if (len > strlen(value))
			s = xasprintf("%.*s%.*s", (int)keep, line, (int)len,
				      c.v[0]);
		list_candidates(t, &c);
	} else {
		tui_status(t, 0, "no %s starts with \"%s\"", what, value);
	}
	cands_free(&c);
	return s;
}
