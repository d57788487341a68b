/* parse.c: the small parsers every module shares (see parse.h).
 * Hand-written: strtoull() accepts a sign and leading blanks and clamps
 * on overflow, all wrong for untrusted server and file input. */
#include "config.h"

#include <string.h>

#include "popmuch/parse.h"

int
parse_u64_prefix(const char *s, const char **end_r, uint64_t *v_r)
{
	uint64_t v = 0, d;

	if (*s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		d = (uint64_t)(*s - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*end_r = s;
	*v_r = v;
	return 0;
}

int
parse_u64(const char *s, uint64_t *v_r)
{
	const char *end;
	uint64_t v;

	if (parse_u64_prefix(s, &end, &v) != 0 || *end != '\0')
		return -1;
	*v_r = v;
	return 0;
}

int
parse_ulong(const char *s, unsigned long max, unsigned long *v_r)
{
	uint64_t v;

	if (parse_u64(s, &v) != 0 || v > max)
		return -1;
	*v_r = (unsigned long)v;
	return 0;
}

int
parse_hexdigit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int
parse_basename_ok(const char *s)
{
	return s != NULL && s[0] != '\0' && strchr(s, '/') == NULL &&
	       strcmp(s, ".") != 0 && strcmp(s, "..") != 0;
}

/* The quoted word starting after the quote at p, unescaped in place;
 * returns where its closing quote is (or the end of the text). */
static char *
unquote(char *p, enum parse_quoting q)
{
	char *o = p;

	for (; *p != '\0' && *p != '"'; p++) {
		if (*p == '\\' &&
		    (q == PARSE_QUOTE_STRICT ? p[1] == '"' || p[1] == '\\'
					     : p[1] != '\0'))
			p++;
		*o++ = *p;
	}
	if (o < p)
		*o = '\0';
	return p;
}

char *
parse_word(char **s, const char *blanks, enum parse_quoting q, int *bad_r)
{
	char *p = *s + strspn(*s, blanks), *w;

	*bad_r = 0;
	if (*p == '\0')
		return NULL;
	if (*p != '"') {
		w = p;
		p += strcspn(p, blanks);
	} else {
		w = p + 1;
		p = unquote(w, q);
		if (q == PARSE_QUOTE_STRICT &&
		    (*p != '"' || (p[1] != '\0' && !strchr(blanks, p[1])))) {
			*bad_r = 1;
			return NULL;
		}
		if (*p == '"')
			*p++ = '\0';
	}
	if (*p != '\0')
		*p++ = '\0';
	*s = p;
	return w;
}

int
parse_i64(const char *s, int64_t *v_r)
{
	uint64_t v;
	int neg = *s == '-';

	if (parse_u64(s + neg, &v) != 0 || v > INT64_MAX)
		return -1;
	*v_r = neg ? -(int64_t)v : (int64_t)v;
	return 0;
}
