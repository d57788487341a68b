/* flowed.c: RFC 3676 format=flowed decoding (flowed.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "popmuch/xmalloc.h"
#include "strbuf.h"
#include "flowed.h"

char *
flowed_decode(const char *text, int delsp)
{
	struct strbuf o = {0};
	const char *p = text, *nl, *body;
	size_t len, depth;
	long open = -1; /* depth of the paragraph being joined, or -1 */

	strbuf_put(&o, "", 0);
	while (*p) {
		nl = strchr(p, '\n');
		len = nl ? (size_t)(nl - p) : strlen(p);
		if (len && p[len - 1] == '\r')
			len--;
		for (depth = 0; depth < len && p[depth] == '>'; depth++)
			;
		body = p + depth;
		len -= depth;
		if (len && *body == ' ') { /* space-stuffing */
			body++;
			len--;
		}
		if (open >= 0 && (size_t)open != depth) /* depth changed */
			strbuf_put(&o, "\n", 1);
		if (open < 0 || (size_t)open != depth) {
			size_t i;

			for (i = 0; i < depth; i++)
				strbuf_put(&o, ">", 1);
			if (depth)
				strbuf_put(&o, " ", 1);
		}
		if (len == 3 && memcmp(body, "-- ", 3) == 0) { /* signature */
			if (open >= 0 && (size_t)open == depth)
				strbuf_put(&o, "\n", 1);
			strbuf_put(&o, "-- \n", 4);
			open = -1;
		} else if (len && body[len - 1] == ' ') { /* soft break */
			strbuf_put(&o, body, delsp ? len - 1 : len);
			open = (long)depth;
		} else {
			strbuf_put(&o, body, len);
			strbuf_put(&o, "\n", 1);
			open = -1;
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	if (open >= 0)
		strbuf_put(&o, "\n", 1);
	return o.s;
}
