#!/bin/bash
# t-tui-interval.sh: fetch_interval fetches on a timer, with no key
# pressed, and the inbox refreshes in place.
. "$TOP_SRCDIR/tests/integration/lib.sh"
. "$TOP_SRCDIR/tests/tui/tuilib.sh"

command -v tmux >/dev/null || { echo "1..0 # SKIP no tmux"; exit 0; }
pm_world
dovecot_start
seed_messages "$POP_USER" 5 2000
pm_config home
(umask 077 && { echo "fetch_interval 10s"; cat "$PM_CONFIG"; } \
	>"$PM_CONFIG.new" && mv "$PM_CONFIG.new" "$PM_CONFIG")
mkdir -p "$MAIL_ROOT/home"
notmuch new >>"$T/log" 2>&1

tui_start -C "$PM_CONFIG"
t_screen "the empty inbox opens" 'popmuch: inbox +\[0 threads\]'
t_screen "the timer fetched, the inbox refreshed" \
	'popmuch: inbox +\[5 threads\]' 40
t_is "notmuch sees them" "$(notmuch count tag:inbox)" 5
tui_keys L
t_screen "the log says the timer started the fetch" \
	'fetch_interval: fetching'
tui_keys q q
t_ok "q quits" tui_exited 20
tui_done
