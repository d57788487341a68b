/* layout.c: fitting UTF-8 text into terminal columns. */
#include "config.h"

#include <string.h>
#include <wchar.h>

#include "popmuch/xmalloc.h"
#include "layout.h"

#define REPLACEMENT 0xFFFDu

size_t
layout_decode(const char *s, size_t len, unsigned *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned c = u[0], min;
	size_t n, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		n = 2, c &= 0x1F, min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 3, c &= 0x0F, min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4, c &= 0x07, min = 0x10000;
	} else {
		*cp = REPLACEMENT;
		return 1;
	}
	for (i = 1; i < n; i++) {
		if (i >= len || (u[i] & 0xC0) != 0x80) {
			*cp = REPLACEMENT;
			return i;
		}
		c = (c << 6) | (u[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) {
		*cp = REPLACEMENT;
		return n;
	}
	*cp = c;
	return n;
}

int
layout_dropped(unsigned cp)
{
	return (cp >= 0x202A && cp <= 0x202E) || /* bidi embeddings */
	       (cp >= 0x2066 && cp <= 0x2069) || /* bidi isolates */
	       cp == 0x200E || cp == 0x200F || cp == 0x061C || /* marks */
	       cp == 0x200D ||			 /* zero width joiner */
	       cp == 0xFE0E || cp == 0xFE0F ||	 /* emoji presentation */
	       (cp >= 0x1F3FB && cp <= 0x1F3FF); /* skin tone modifiers */
}

/* The character actually shown for cp, and its width; 0 when it is
 * dropped (layout_dropped). */
static unsigned
shown(unsigned cp, int *width)
{
	int w;

	if (layout_dropped(cp)) {
		*width = 0;
		return 0;
	}
	if (cp == '\t') {
		*width = 1;
		return ' ';
	}
	w = wcwidth((wchar_t)cp);
	if (w < 0 || cp == 0xAD) {
		*width = 1;
		return REPLACEMENT;
	}
	*width = w;
	return cp;
}

int
layout_cpwidth(unsigned cp)
{
	int w;

	shown(cp, &w);
	return w;
}

size_t
layout_encode(unsigned cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

static size_t
widthn(const char *s, size_t len)
{
	size_t i = 0, total = 0;
	unsigned cp;
	int w;

	while (i < len) {
		i += layout_decode(s + i, len - i, &cp);
		shown(cp, &w);
		total += (size_t)w;
	}
	return total;
}

size_t
layout_width(const char *s)
{
	return widthn(s, strlen(s));
}

char *
layout_fitn(const char *s, size_t len, int cols, int pad)
{
	size_t i = 0, o = 0, total, limit;
	char *out;
	int used = 0, w, cut, based = 0;
	unsigned cp;

	if (cols < 0)
		cols = 0;
	out = xmalloc(len * 3 + (size_t)cols + 8);
	total = widthn(s, len);
	cut = total > (size_t)cols;
	limit = cut ? (size_t)(cols > 0 ? cols - 1 : 0) : (size_t)cols;
	while (i < len) {
		i += layout_decode(s + i, len - i, &cp);
		cp = shown(cp, &w);
		if (cp == 0 || (w == 0 && !based))
			continue;
		if ((size_t)(used + w) > limit) {
			if (w == 0)
				continue;
			break;
		}
		o += layout_encode(cp, out + o);
		used += w;
		based = 1;
	}
	if (cut && cols > 0) {
		o += layout_encode(0x2026, out + o);
		used++;
	}
	while (pad && used < cols) {
		out[o++] = ' ';
		used++;
	}
	out[o] = '\0';
	return out;
}

char *
layout_fit(const char *s, int cols, int pad)
{
	return layout_fitn(s, strlen(s), cols, pad);
}

void
layout_date(time_t t, time_t now, char *buf, size_t size)
{
	struct tm tm, tnow;
	size_t n;

	localtime_r(&t, &tm);
	localtime_r(&now, &tnow);
	if (tm.tm_year == tnow.tm_year && tm.tm_yday == tnow.tm_yday)
		n = strftime(buf, size, "%H:%M", &tm);
	else if (t <= now && now - t < 6 * 86400)
		n = strftime(buf, size, "%a %H:%M", &tm);
	else if (tm.tm_year == tnow.tm_year)
		n = strftime(buf, size, "%b %d", &tm);
	else
		n = strftime(buf, size, "%Y-%m-%d", &tm);
	if (n == 0 && size > 0)
		buf[0] = '\0';
}

char *
layout_detab(const char *s, size_t len)
{
	size_t i = 0, o = 0, col = 0, n, cap;
	char *out;
	unsigned cp;
	int w;

	if (len > 0 && s[len - 1] == '\r')
		len--;
	cap = len + 1;
	out = xmalloc(cap);
	while (i < len) {
		n = layout_decode(s + i, len - i, &cp);
		if (cp == '\t') {
			size_t k = 8 - col % 8;

			cap += k;
			out = xreallocarray(out, cap, 1);
			memset(out + o, ' ', k);
			o += k;
			col += k;
		} else {
			memcpy(out + o, s + i, n);
			o += n;
			shown(cp, &w);
			col += (size_t)w;
		}
		i += n;
	}
	out[o] = '\0';
	return out;
}

size_t
layout_wrap(const char *s, size_t len, int cols)
{
	size_t i = 0, n, last_space = 0;
	int used = 0, w;
	unsigned cp;

	while (i < len) {
		n = layout_decode(s + i, len - i, &cp);
		shown(cp, &w);
		if (used + w > cols && i > 0)
			return last_space ? last_space : i;
		used += w;
		i += n;
		if (cp == ' ')
			last_space = i;
	}
	return len;
}

char *
layout_strip(const char *s)
{
	size_t len = strlen(s), i = 0, o = 0, n;
	char *out = xmalloc(len + 1);
	unsigned cp;

	while (i < len) {
		n = layout_decode(s + i, len - i, &cp);
		if (!(cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) ||
		      layout_dropped(cp))) {
			memcpy(out + o, s + i, n);
			o += n;
		}
		i += n;
	}
	out[o] = '\0';
	return out;
}

char *
layout_tail(const char *s, int cols)
{
	const char *p = s;
	size_t len = strlen(s);
	unsigned cp;

	while (*p && layout_width(p) > (size_t)(cols > 0 ? cols : 0))
		p += layout_decode(p, len - (size_t)(p - s), &cp);
	return layout_fit(p, cols, 0);
}
