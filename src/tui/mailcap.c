/* mailcap.c: mailcap view entries, expanded safely (mailcap.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "popmuch/account.h"
#include "popmuch/xmalloc.h"
#include "strbuf.h"
#include "mailcap.h"

/* RFC 2045 token characters: CHAR except SPACE, CTLs and tspecials. */
static int
token_char(unsigned char c)
{
	return c > 0x20 && c < 0x7f && !strchr("()<>@,;:\\\"/[]?=", c);
}

int
mailcap_type_ok(const char *type)
{
	const char *p = type;
	int slash = 0;

	for (; *p; p++) {
		if (*p == '/' && !slash && p != type && token_char(p[1]))
			slash = 1;
		else if (!token_char((unsigned char)*p))
			return 0;
	}
	return slash;
}

char *
mailcap_safe_name(const char *filename)
{
	const char *dot = filename ? strrchr(filename, '.') : NULL;
	size_t i, n = dot ? strlen(dot + 1) : 0;

	if (n < 1 || n > 16)
		return xstrdup("part");
	for (i = 0; i < n; i++)
		if (!((dot[1 + i] >= 'a' && dot[1 + i] <= 'z') ||
		      (dot[1 + i] >= 'A' && dot[1 + i] <= 'Z') ||
		      (dot[1 + i] >= '0' && dot[1 + i] <= '9')))
			return xstrdup("part");
	return xasprintf("part.%s", dot + 1);
}

/* Insert value where the entry's quoting state is q (0, '\'' or '"'). */
static int
put_value(struct strbuf *b, const char *value, char q)
{
	const char *p;

	if (q == '\'' && strchr(value, '\''))
		return -1;
	if (q == '"' && strpbrk(value, "\"$`\\!"))
		return -1;
	if (q) {
		strbuf_put(b, value, strlen(value));
		return 0;
	}
	strbuf_put(b, "'", 1);
	for (p = value; *p; p++)
		if (*p == '\'')
			strbuf_put(b, "'\\''", 4);
		else
			strbuf_put(b, p, 1);
	strbuf_put(b, "'", 1);
	return 0;
}

/* The value of parameter name (n bytes) in params, "" if none. */
static const char *
param_value(const char *const *params, const char *name, size_t n)
{
	for (; params && params[0] && params[1]; params += 2)
		if (strlen(params[0]) == n &&
		    strncasecmp(params[0], name, n) == 0)
			return params[1];
	return "";
}

/* At p, a substitution (%s, %t, %{name}): its value and its length in
 * cmd in *n_r, else NULL. */
static const char *
subst_at(const char *p, const char *type, const char *file,
	 const char *const *params, size_t *n_r)
{
	size_t n;

	if (p[0] != '%')
		return NULL;
	*n_r = 2;
	if (p[1] == 's')
		return file;
	if (p[1] == 't')
		return type;
	if (p[1] != '{')
		return NULL;
	for (n = 2; token_char((unsigned char)p[n]) && p[n] != '}'; n++)
		;
	if (p[n] != '}' || n == 2)
		return NULL;
	*n_r = n + 1;
	return param_value(params, p + 2, n - 2);
}

/* "exec <'file'; cmd": the file on the stdin of every command of cmd. */
static char *
file_on_stdin(char *cmd, const char *file)
{
	struct strbuf b = {0};

	strbuf_put(&b, "exec < ", 7);
	put_value(&b, file, 0);
	strbuf_put(&b, "; ", 2);
	strbuf_put(&b, cmd, strlen(cmd));
	free(cmd);
	return b.s;
}

enum pm_status
mailcap_expand(const char *cmd, const char *type, const char *file,
	       const char *const *params, char **out_r, struct pm_err *err)
{
	struct strbuf b = {0};
	const char *p, *v;
	char q = 0; /* the quote the entry is inside of */
	int has_file = 0;
	size_t n;

	strbuf_put(&b, "", 0);
	for (p = cmd; *p; p++) {
		if (p[0] == '\\' && (p[1] == '%' || p[1] == ';')) {
			strbuf_put(&b, ++p, 1);
		} else if (p[0] == '\\' && p[1] && q != '\'') {
			strbuf_put(&b, p, 2); /* the shell's own escape */
			p++;
		} else if ((v = subst_at(p, type, file, params, &n)) != NULL) {
			has_file |= p[1] == 's';
			if (put_value(&b, v, q) != 0) {
				free(b.s);
				return err_set(err, PM_DATAERR,
					       "not opened: cannot put %s "
					       "inside the quotes of mailcap "
					       "entry \"%s\" safely",
					       p[1] == 's'   ? "the file name"
					       : p[1] == 't' ? "the type"
							     : "a parameter",
					       cmd);
			}
			p += n - 1;
		} else {
			if (*p == '\'' || *p == '"')
				q = q == *p ? 0 : q ? q : *p;
			strbuf_put(&b, p, 1);
		}
	}
	*out_r = has_file ? b.s : file_on_stdin(b.s, file);
	return PM_OK;
}

/* Split a mailcap line into fields at unescaped ';' (in place). */
static size_t
split_fields(char *line, char **fields, size_t max)
{
	size_t n = 0, i;
	char *p;

	for (p = line; n < max;) {
		fields[n++] = p;
		while (*p && *p != ';')
			p += p[0] == '\\' && p[1] ? 2 : 1;
		if (!*p)
			break;
		*p++ = '\0';
	}
	for (i = 0; i < n; i++) {
		size_t l;

		fields[i] += strspn(fields[i], " \t");
		l = strlen(fields[i]);
		while (l &&
		       (fields[i][l - 1] == ' ' || fields[i][l - 1] == '\t'))
			fields[i][--l] = '\0';
	}
	return n;
}

static int
type_matches(const char *pattern, const char *type)
{
	size_t tl = strcspn(type, "/");

	return strcasecmp(pattern, type) == 0 ||
	       (strncasecmp(pattern, type, tl + 1) == 0 &&
		strcmp(pattern + tl + 1, "*") == 0) ||
	       (strncasecmp(pattern, type, tl) == 0 && pattern[tl] == '\0');
}

/* The entry of one line, or NULL (no match, a test= entry, or not
 * copiousoutput when want is MAILCAP_COPIOUS). */
static struct mailcap_entry *
parse_line(char *line, const char *type, enum mailcap_want want)
{
	char *fields[32];
	size_t n = split_fields(line, fields, 32), i;
	struct mailcap_entry *e;

	if (n < 2 || !type_matches(fields[0], type))
		return NULL;
	for (i = 2; i < n; i++)
		if (strncasecmp(fields[i], "test", 4) == 0 &&
		    fields[i][4 + strspn(fields[i] + 4, " \t")] == '=')
			return NULL; /* not evaluated: skip the entry */
	e = xcalloc(1, sizeof *e);
	e->command = xstrdup(fields[1]);
	for (i = 2; i < n; i++) {
		e->needsterminal |= strcasecmp(fields[i], "needsterminal") == 0;
		e->copiousoutput |= strcasecmp(fields[i], "copiousoutput") == 0;
		if (!e->nametemplate &&
		    strncasecmp(fields[i], "nametemplate=", 13) == 0)
			e->nametemplate = xstrdup(fields[i] + 13);
	}
	if (want == MAILCAP_COPIOUS && !e->copiousoutput)
		mailcap_entry_free(&e); /* auto_view: the next one */
	return e;
}

static struct mailcap_entry *
find_entry(const char *type, enum mailcap_want want)
{
	const char *env = getenv("MAILCAPS");
	char *home = account_home(), *list, *path, *save = NULL, line[4096];
	struct mailcap_entry *e = NULL;
	FILE *f;

	list = env ? xstrdup(env)
		   : xasprintf("%s/.mailcap:/etc/mailcap", home ? home : "");
	free(home);
	for (path = strtok_r(list, ":", &save); path && !e;
	     path = strtok_r(NULL, ":", &save)) {
		if (!(f = fopen(path, "re")))
			continue;
		while (!e && fgets(line, sizeof line, f)) {
			line[strcspn(line, "\r\n")] = '\0';
			if (line[0] != '#' && line[0])
				e = parse_line(line, type, want);
		}
		fclose(f);
	}
	free(list);
	return e;
}

enum pm_status
mailcap_find(const char *type, enum mailcap_want want,
	     struct mailcap_entry **e_r, struct pm_err *err)
{
	if (!mailcap_type_ok(type))
		return err_set(err, PM_DATAERR,
			       "not opened: the part's type is not a valid "
			       "MIME type");
	*e_r = find_entry(type, want);
	if (!*e_r)
		return err_set(
		    err, PM_UNAVAILABLE, "no mailcap entry%s for %s",
		    want == MAILCAP_COPIOUS ? " with copiousoutput" : "", type);
	return PM_OK;
}

enum pm_status
mailcap_lookup(const char *type, const char *file, struct mailcap_entry **e_r,
	       struct pm_err *err)
{
	struct mailcap_entry *e;
	char *cmd;
	enum pm_status st;

	if ((st = mailcap_find(type, MAILCAP_VIEW, &e, err)) != PM_OK)
		return st;
	if (mailcap_expand(e->command, type, file, NULL, &cmd, err) != PM_OK) {
		mailcap_entry_free(&e);
		return err->code;
	}
	free(e->command);
	e->command = cmd;
	*e_r = e;
	return PM_OK;
}

void
mailcap_entry_free(struct mailcap_entry **e)
{
	if (!*e)
		return;
	free((*e)->command);
	free((*e)->nametemplate);
	free(*e);
	*e = NULL;
}
