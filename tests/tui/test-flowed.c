/* test-flowed.c: RFC 3676 format=flowed decoding. */
#include "config.h"

#include <stdlib.h>

#include "../unit/tap.h"
#include "../../src/tui/flowed.h"

static void
dec_is(const char *in, int delsp, const char *want, const char *name)
{
	char *got = flowed_decode(in, delsp);

	is_str(got, want, "%s", name);
	free(got);
}

int
main(void)
{
	dec_is("one \r\ntwo \r\nthree\r\n", 0, "one two three\n",
	       "soft breaks joined");
	dec_is("fixed\nlines\n", 0, "fixed\nlines\n", "hard breaks stay");
	dec_is("> quoted \n> para\nafter\n", 0, "> quoted para\nafter\n",
	       "a quoted paragraph is one line with its depth");
	dec_is(">> deep \n> shallow\n", 0, ">> deep \n> shallow\n",
	       "a depth change ends the paragraph");
	dec_is(" From here\n", 0, "From here\n", "space-stuffing undone");
	dec_is("a \n-- \nsig\n", 0, "a \n-- \nsig\n",
	       "the signature separator is not a soft break");
	dec_is("Wort \nteil\n", 1, "Wortteil\n", "DelSp=yes deletes the space");
	dec_is("last \n", 0, "last \n", "a soft break at the end");
	dec_is("", 0, "", "empty");
	return done_testing();
}
