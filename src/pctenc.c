/* pctenc.c: the journal's %XX encoding (pctenc.h).  Hand-written: the
 * URI escapers of the libraries we link (GLib's g_uri_escape_string,
 * libcurl's) escape another set of bytes and allocate. */
#include "config.h"

#include "popmuch/parse.h"
#include "popmuch/pctenc.h"

size_t
pctenc_encode(char *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c > 0x20 && c < 0x7f && c != '%') {
			out[o++] = (char)c;
		} else {
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	out[o] = '\0';
	return o;
}

int
pctenc_decode(char *s)
{
	char *o = s;
	int hi, lo;

	for (; *s != '\0'; s++) {
		if (*s != '%') {
			*o++ = *s;
			continue;
		}
		hi = parse_hexdigit(s[1]);
		lo = hi < 0 ? -1 : parse_hexdigit(s[2]);
		if (lo < 0 || (hi == 0 && lo == 0))
			return -1;
		*o++ = (char)(hi << 4 | lo);
		s += 2;
	}
	*o = '\0';
	return 0;
}
