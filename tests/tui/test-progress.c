/* test-progress.c: the fetch progress line of the TUI's account screen
 * never says "ETA 0s" while bytes remain, and says what is happening
 * once every message has arrived. */
#include "config.h"

#include <string.h>

#include "../unit/tap.h"
#include "../../src/tui/tui-int.h"

int
main(void)
{
	char buf[256];
	struct fetch_nums n = {.done = 40,
			       .to_fetch = 41,
			       .to_delete = 5,
			       .bytes_done = 999000,
			       .bytes = 1000000,
			       .elapsed = 10,
			       .finishing = -1};

	fetch_progress_text(&n, buf, sizeof buf);
	ok(strstr(buf, "ETA 1s") != NULL, "a little left: ETA 1s (%s)", buf);
	ok(strstr(buf, "ETA 0s") == NULL, "never ETA 0s while bytes remain");
	n.bytes_done = 500000;
	fetch_progress_text(&n, buf, sizeof buf);
	ok(strstr(buf, "ETA 10s") != NULL, "half: ETA 10s (%s)", buf);
	n.done = 41;
	n.bytes_done = 1000000;
	n.finishing = 3;
	fetch_progress_text(&n, buf, sizeof buf);
	ok(strstr(buf, "ETA") == NULL, "all received: no ETA (%s)", buf);
	ok(strstr(buf, "41/41 messages") != NULL, "counts");
	ok(strstr(buf, "all received; finishing, deleting 5 on the server "
		       "(3s)") != NULL,
	   "says it is finishing, and for how long (%s)", buf);
	n.to_delete = 0;
	fetch_progress_text(&n, buf, sizeof buf);
	ok(strstr(buf, "finishing (3s)") != NULL, "nothing to delete (%s)",
	   buf);
	return done_testing();
}
