/* tui.h: the ncursesw interface (src/tui/).
 *
 * tui_main() runs until the person quits.  Fetches run as a child
 * "popmuch -C CONFIG fetch --progress-fd N" (progress.h describes the
 * lines), so the UI never blocks on the network. */
#ifndef POPMUCH_TUI_H
#define POPMUCH_TUI_H

#include "popmuch/config.h"

/* Run the TUI.  cfg is borrowed; config_path is the file it came from
 * (passed to the fetch child with -C); self is the path of the popmuch
 * binary to run for fetches.  Returns a sysexits code. */
int tui_main(const struct config *cfg, const char *config_path,
	     const char *self);

#endif
