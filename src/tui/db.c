/* db.c: the TUI's reads from notmuch, and tagging in a child process. */
#include "config.h"

#include <glib.h>
#include <notmuch.h>
#include <stdio.h>
#include <stdlib.h>
#include <dirent.h>
#include <string.h>
#include <unistd.h>

#include "popmuch/xmalloc.h"
#include "db-int.h"
#include "db.h"
#include "strbuf.h"

struct db_list {
	notmuch_query_t *query;
	notmuch_threads_t *threads;
	notmuch_messages_t *messages;
};

enum pm_status
db_open(struct db **db_r, struct pm_err *err)
{
	notmuch_database_t *nm = NULL;
	notmuch_status_t st;
	char *msg = NULL;
	struct db *db;

	st = notmuch_database_open_with_config(
	    NULL, NOTMUCH_DATABASE_MODE_READ_ONLY, NULL, NULL, &nm, &msg);
	if (st != NOTMUCH_STATUS_SUCCESS) {
		err_set(err, PM_INDEX, "cannot open the notmuch database: %s",
			msg ? msg : notmuch_status_to_string(st));
		free(msg);
		if (nm)
			notmuch_database_destroy(nm);
		return PM_INDEX;
	}
	free(msg);
	db = xcalloc(1, sizeof *db);
	db->nm = nm;
	db->revision = notmuch_database_get_revision(nm, NULL);
	*db_r = db;
	return PM_OK;
}

void
db_close(struct db **db)
{
	if (!*db)
		return;
	notmuch_database_destroy((*db)->nm);
	free(*db);
	*db = NULL;
}

unsigned long
db_refresh(struct db *db)
{
	notmuch_database_reopen(db->nm, NOTMUCH_DATABASE_MODE_READ_ONLY);
	db->revision = notmuch_database_get_revision(db->nm, NULL);
	return db->revision;
}

notmuch_query_t *
db_make_query(struct db *db, const char *qs)
{
	notmuch_query_t *q = notmuch_query_create(db->nm, qs);
	notmuch_config_values_t *v;

	if (!q)
		return NULL;
	notmuch_query_set_sort(q, NOTMUCH_SORT_NEWEST_FIRST);
	for (v = notmuch_config_get_values(db->nm, NOTMUCH_CONFIG_EXCLUDE_TAGS);
	     v && notmuch_config_values_valid(v);
	     notmuch_config_values_move_to_next(v))
		notmuch_query_add_tag_exclude(q, notmuch_config_values_get(v));
	if (v)
		notmuch_config_values_destroy(v);
	return q;
}

static char *
join_tags(notmuch_tags_t *tags, unsigned *flags)
{
	size_t len = 0, cap = 64;
	char *s = xmalloc(cap);
	const char *t;

	s[0] = '\0';
	for (; notmuch_tags_valid(tags); notmuch_tags_move_to_next(tags)) {
		t = notmuch_tags_get(tags);
		if (strcmp(t, "unread") == 0)
			*flags |= ROW_UNREAD;
		else if (strcmp(t, "flagged") == 0)
			*flags |= ROW_FLAGGED;
		else if (strcmp(t, "deleted") == 0)
			*flags |= ROW_DELETED;
		else if (strcmp(t, "attachment") == 0)
			*flags |= ROW_ATTACH;
		while (len + strlen(t) + 2 > cap)
			s = xreallocarray(s, cap *= 2, 1);
		if (len)
			s[len++] = ' ';
		memcpy(s + len, t, strlen(t) + 1);
		len += strlen(t);
	}
	notmuch_tags_destroy(tags);
	return s;
}

/* The display name of a From header: "Name <a@b>" gives Name. */
static char *
from_name(const char *from)
{
	const char *lt;
	size_t len;

	if (!from || !*from)
		return xstrdup("(nobody)");
	lt = strchr(from, '<');
	len = lt ? (size_t)(lt - from) : strlen(from);
	while (len && (from[len - 1] == ' ' || from[len - 1] == '"'))
		len--;
	while (len && (*from == ' ' || *from == '"'))
		from++, len--;
	if (len == 0 && lt) {
		from = lt + 1;
		len = strcspn(from, ">");
	}
	return xstrndup(from, len);
}

void
db_message_row(notmuch_message_t *m, struct row *r)
{
	const char *s;

	memset(r, 0, sizeof *r);
	r->id = xstrdup(notmuch_message_get_message_id(m));
	r->authors = from_name(notmuch_message_get_header(m, "from"));
	s = notmuch_message_get_header(m, "subject");
	r->subject = xstrdup(s ? s : "");
	r->tags = join_tags(notmuch_message_get_tags(m), &r->flags);
	s = notmuch_message_get_filename(m);
	r->path = s ? xstrdup(s) : NULL;
	r->date = notmuch_message_get_date(m);
	r->total = r->matched = 1;
}

/* Append " or id:ID" (no " or " first) to b. */
static void
ids_add(struct strbuf *b, const char *id)
{
	char *q = db_quote(id);

	if (b->len)
		strbuf_put(b, " or ", 4);
	strbuf_put(b, "id:", 3);
	strbuf_put(b, q, strlen(q));
	free(q);
}

/* "id:A or id:B ..." for the messages of t (already read with it). */
static char *
thread_msgs(notmuch_thread_t *t)
{
	notmuch_messages_t *ms = notmuch_thread_get_messages(t);
	struct strbuf b = {0};

	strbuf_put(&b, "", 0);
	for (; ms && notmuch_messages_valid(ms);
	     notmuch_messages_move_to_next(ms)) {
		notmuch_message_t *m = notmuch_messages_get(ms);

		ids_add(&b, notmuch_message_get_message_id(m));
		notmuch_message_destroy(m);
	}
	if (ms)
		notmuch_messages_destroy(ms);
	return b.s;
}

void
db_thread_row(notmuch_thread_t *t, struct row *r)
{
	const char *s;

	memset(r, 0, sizeof *r);
	r->id = xstrdup(notmuch_thread_get_thread_id(t));
	s = notmuch_thread_get_authors(t);
	r->authors = xstrdup(s ? s : "");
	s = notmuch_thread_get_subject(t);
	r->subject = xstrdup(s ? s : "");
	r->tags = join_tags(notmuch_thread_get_tags(t), &r->flags);
	r->date = notmuch_thread_get_newest_date(t);
	r->total = notmuch_thread_get_total_messages(t);
	r->matched = notmuch_thread_get_matched_messages(t);
	r->msgs = thread_msgs(t);
}

enum pm_status
db_list_start(struct db *db, const char *query, int threads,
	      struct db_list **l_r, struct pm_err *err)
{
	struct db_list *l = xcalloc(1, sizeof *l);
	notmuch_status_t st;

	l->query = db_make_query(db, query);
	if (!l->query) {
		free(l);
		return err_set(err, PM_INDEX, "cannot create the query");
	}
	if (threads)
		st = notmuch_query_search_threads(l->query, &l->threads);
	else
		st = notmuch_query_search_messages(l->query, &l->messages);
	if (st != NOTMUCH_STATUS_SUCCESS) {
		err_set(err, PM_INDEX, "bad query \"%s\": %s", query,
			notmuch_status_to_string(st));
		db_list_free(&l);
		return PM_INDEX;
	}
	*l_r = l;
	return PM_OK;
}

static void
list_end(struct db_list *l)
{
	if (l->query)
		notmuch_query_destroy(l->query);
	l->query = NULL;
	l->threads = NULL;
	l->messages = NULL;
}

int
db_list_more(struct db_list *l, struct row **rows, size_t *nrows, size_t *cap,
	     size_t n)
{
	size_t i;

	for (i = 0; i < n && l->query; i++) {
		if (*nrows == *cap) {
			*cap = *cap ? *cap * 2 : 256;
			*rows = xreallocarray(*rows, *cap, sizeof **rows);
		}
		if (l->threads && notmuch_threads_valid(l->threads)) {
			notmuch_thread_t *t = notmuch_threads_get(l->threads);

			db_thread_row(t, &(*rows)[(*nrows)++]);
			notmuch_thread_destroy(t);
			notmuch_threads_move_to_next(l->threads);
		} else if (l->messages && notmuch_messages_valid(l->messages)) {
			notmuch_message_t *m =
			    notmuch_messages_get(l->messages);

			db_message_row(m, &(*rows)[(*nrows)++]);
			notmuch_message_destroy(m);
			notmuch_messages_move_to_next(l->messages);
		} else {
			list_end(l);
		}
	}
	return l->query != NULL;
}

void
db_list_free(struct db_list **l)
{
	if (!*l)
		return;
	list_end(*l);
	free(*l);
	*l = NULL;
}

void
row_clear(struct row *r)
{
	free(r->id);
	free(r->authors);
	free(r->subject);
	free(r->tags);
	free(r->path);
	free(r->msgs);
	memset(r, 0, sizeof *r);
}

void
row_copy(struct row *dst, const struct row *src)
{
	row_clear(dst);
	*dst = *src;
	dst->id = xstrdup(src->id);
	dst->authors = xstrdup(src->authors);
	dst->subject = xstrdup(src->subject);
	dst->tags = xstrdup(src->tags);
	dst->path = src->path ? xstrdup(src->path) : NULL;
	dst->msgs = src->msgs ? xstrdup(src->msgs) : NULL;
}

void
rows_free(struct row **rows, size_t n)
{
	size_t i;

	if (!*rows)
		return;
	for (i = 0; i < n; i++)
		row_clear(&(*rows)[i]);
	free(*rows);
	*rows = NULL;
}

struct tree {
	struct row *rows;
	size_t n, cap;
};

static void
walk(notmuch_messages_t *ms, int depth, struct tree *t)
{
	notmuch_bool_t match;

	for (; notmuch_messages_valid(ms); notmuch_messages_move_to_next(ms)) {
		notmuch_message_t *m = notmuch_messages_get(ms);

		if (t->n == t->cap) {
			t->cap = t->cap ? t->cap * 2 : 32;
			t->rows =
			    xreallocarray(t->rows, t->cap, sizeof *t->rows);
		}
		db_message_row(m, &t->rows[t->n]);
		t->rows[t->n].depth = depth;
		if (notmuch_message_get_flag_st(m, NOTMUCH_MESSAGE_FLAG_MATCH,
						&match) == 0 &&
		    match)
			t->rows[t->n].flags |= ROW_MATCHED;
		t->n++;
		walk(notmuch_message_get_replies(m), depth + 1, t);
		notmuch_message_destroy(m);
	}
}

static int
thread_tree(struct db *db, const char *qs, struct tree *t)
{
	notmuch_query_t *q = db_make_query(db, qs);
	notmuch_threads_t *ts = NULL;
	notmuch_thread_t *th;

	if (!q)
		return 0;
	notmuch_query_set_omit_excluded(q, NOTMUCH_EXCLUDE_FLAG);
	if (notmuch_query_search_threads(q, &ts) == 0 && ts &&
	    notmuch_threads_valid(ts)) {
		th = notmuch_threads_get(ts);
		walk(notmuch_thread_get_toplevel_messages(th), 0, t);
		notmuch_thread_destroy(th);
	}
	notmuch_query_destroy(q);
	return t->n > 0;
}

enum pm_status
db_thread(struct db *db, const char *thread_id, const char *query,
	  struct row **rows_r, size_t *n_r, struct pm_err *err)
{
	struct tree t = {0};
	char *qs;

	{
		char *tq = xasprintf("thread:%s", thread_id);

		qs = db_query_and(tq, query);
		free(tq);
	}
	if (!thread_tree(db, qs, &t)) {
		free(qs);
		qs = xasprintf("thread:%s", thread_id);
		thread_tree(db, qs, &t);
	}
	free(qs);
	if (t.n == 0)
		return err_set(err, PM_INDEX, "thread %s not found", thread_id);
	*rows_r = t.rows;
	*n_r = t.n;
	return PM_OK;
}

/* The file in old's Maildir (cur/ or new/) with old's unique name and
 * any flags: a tagger renames the file a moment before the database
 * says so.  NULL when there is none. */
static char *
maildir_sibling(const char *old)
{
	static const char *const sub[] = {"cur", "new"};
	const char *base = strrchr(old, '/');
	size_t ulen, dlen, i;
	char *dir, *found = NULL;
	struct dirent *de;
	DIR *d;

	if (!base || base - old < 4 ||
	    (strncmp(base - 4, "/cur", 4) != 0 &&
	     strncmp(base - 4, "/new", 4) != 0))
		return NULL;
	base++;
	ulen = strcspn(base, ":");
	dlen = (size_t)(base - old) - 4; /* the Maildir, without /cur/ */
	for (i = 0; i < 2 && !found; i++) {
		dir = xasprintf("%.*s/%s", (int)dlen, old, sub[i]);
		d = opendir(dir);
		while (d && !found && (de = readdir(d)) != NULL)
			if (strncmp(de->d_name, base, ulen) == 0 &&
			    (de->d_name[ulen] == ':' || !de->d_name[ulen]))
				found = xasprintf("%s/%s", dir, de->d_name);
		if (d)
			closedir(d);
		free(dir);
	}
	return found;
}

char *
db_message_path(struct db *db, const char *id, const char *old)
{
	notmuch_message_t *m = NULL;
	const char *f;
	char *path = NULL, *sib;

	notmuch_database_reopen(db->nm, NOTMUCH_DATABASE_MODE_READ_ONLY);
	if (notmuch_database_find_message(db->nm, id, &m) == 0 && m) {
		f = notmuch_message_get_filename(m);
		path = f ? xstrdup(f) : NULL;
		notmuch_message_destroy(m);
	}
	if ((!path || access(path, R_OK) != 0) && old &&
	    (sib = maildir_sibling(old)) != NULL) {
		free(path);
		path = sib;
	}
	return path;
}

char **
db_session_keys(struct db *db, const char *id)
{
	notmuch_message_t *m = NULL;
	notmuch_message_properties_t *p;
	GPtrArray *keys = g_ptr_array_new();

	if (notmuch_database_find_message(db->nm, id, &m) == 0 && m) {
		for (p = notmuch_message_get_properties(m, "session-key", TRUE);
		     p && notmuch_message_properties_valid(p);
		     notmuch_message_properties_move_to_next(p))
			g_ptr_array_add(
			    keys,
			    g_strdup(notmuch_message_properties_value(p)));
		if (p)
			notmuch_message_properties_destroy(p);
		notmuch_message_destroy(m);
	}
	if (keys->len == 0) {
		g_ptr_array_free(keys, TRUE);
		return NULL;
	}
	g_ptr_array_add(keys, NULL);
	return (char **)g_ptr_array_free(keys, FALSE);
}

/* The messages q matches, and q destroyed; -1 on error (q NULL too). */
static long
count_messages(notmuch_query_t *q)
{
	unsigned count = 0;
	notmuch_status_t st;

	if (!q)
		return -1;
	st = notmuch_query_count_messages(q, &count);
	notmuch_query_destroy(q);
	return st == NOTMUCH_STATUS_SUCCESS ? (long)count : -1;
}

long
db_count(struct db *db, const char *query)
{
	return count_messages(db_make_query(db, query));
}

long
db_count_all(struct db *db)
{
	return count_messages(notmuch_query_create(db->nm, "*"));
}

size_t
db_named_queries(struct db *db, char ***names_r, char ***queries_r)
{
	notmuch_config_pairs_t *p;
	size_t n = 0;

	*names_r = NULL;
	*queries_r = NULL;
	p = notmuch_config_get_pairs(db->nm, "query.");
	for (; p && notmuch_config_pairs_valid(p);
	     notmuch_config_pairs_move_to_next(p)) {
		const char *k = notmuch_config_pairs_key(p);
		const char *v = notmuch_config_pairs_value(p);

		if (strncmp(k, "query.", 6) != 0 || !v)
			continue;
		*names_r = xreallocarray(*names_r, n + 1, sizeof(char *));
		*queries_r = xreallocarray(*queries_r, n + 1, sizeof(char *));
		(*names_r)[n] = xstrdup(k + 6);
		(*queries_r)[n] = xstrdup(v);
		n++;
	}
	if (p)
		notmuch_config_pairs_destroy(p);
	return n;
}

char **
db_all_tags(struct db *db)
{
	notmuch_tags_t *tags = notmuch_database_get_all_tags(db->nm);
	char **v = xcalloc(1, sizeof *v);
	size_t n = 0;

	for (; tags && notmuch_tags_valid(tags);
	     notmuch_tags_move_to_next(tags)) {
		v = xreallocarray(v, n + 2, sizeof *v);
		v[n++] = xstrdup(notmuch_tags_get(tags));
		v[n] = NULL;
	}
	if (tags)
		notmuch_tags_destroy(tags);
	return v;
}

char *
db_ids_query(char *const *ids, size_t n)
{
	struct strbuf b = {0};
	size_t i;

	strbuf_put(&b, "", 0);
	for (i = 0; i < n; i++)
		ids_add(&b, ids[i]);
	return b.s;
}

size_t
db_message_ids(struct db *db, const char *query, char ***ids_r)
{
	notmuch_query_t *q = notmuch_query_create(db->nm, query);
	notmuch_messages_t *ms = NULL;
	char **ids = NULL;
	size_t n = 0;

	if (q)
		notmuch_query_set_sort(q, NOTMUCH_SORT_UNSORTED);
	if (q && notmuch_query_search_messages(q, &ms) == 0)
		for (; notmuch_messages_valid(ms);
		     notmuch_messages_move_to_next(ms)) {
			notmuch_message_t *m = notmuch_messages_get(ms);

			ids = xreallocarray(ids, n + 1, sizeof *ids);
			ids[n++] = xstrdup(notmuch_message_get_message_id(m));
			notmuch_message_destroy(m);
		}
	if (q)
		notmuch_query_destroy(q);
	*ids_r = ids;
	return n;
}

char *
db_quote(const char *s)
{
	size_t i, o = 0;
	char *out = xmalloc(strlen(s) * 2 + 3);

	out[o++] = '"';
	for (i = 0; s[i]; i++) {
		if (s[i] == '"')
			out[o++] = '"';
		out[o++] = s[i];
	}
	out[o++] = '"';
	out[o] = '\0';
	return out;
}

char *
db_shown_query(struct db *db, const char *query)
{
	notmuch_config_values_t *v;
	char *q = xstrdup(query), *n, *term, *qt, *plain;
	const char *tag;

	for (v = notmuch_config_get_values(db->nm, NOTMUCH_CONFIG_EXCLUDE_TAGS);
	     v && notmuch_config_values_valid(v);
	     notmuch_config_values_move_to_next(v)) {
		tag = notmuch_config_values_get(v);
		qt = db_quote(tag);
		term = xasprintf("tag:%s", qt);
		free(qt);
		plain = xasprintf("tag:%s", tag);
		/* as notmuch: a query that names the tag shows it */
		if (!strstr(query, term) && !strstr(query, plain)) {
			char *not = xasprintf("not %s", term);

			n = db_query_and(q, not );
			free(not );
			free(q);
			q = n;
		}
		free(term);
		free(plain);
	}
	if (v)
		notmuch_config_values_destroy(v);
	return q;
}

/* "*" alone, give or take white space? */
static int
is_everything(const char *q)
{
	q += strspn(q, " \t");
	if (*q == '\0')
		return 1;
	if (*q != '*')
		return 0;
	q++;
	return q[strspn(q, " \t")] == '\0';
}

char *
db_query_and(const char *a, const char *b)
{
	if (is_everything(a))
		return is_everything(b) ? xstrdup("*") : xstrdup(b);
	if (is_everything(b))
		return xstrdup(a);
	return xasprintf("(%s) and (%s)", a, b);
}
