#!/bin/bash
# t-tui-fetch.sh: fetch from the accounts screen with live progress, then
# see the new messages in the inbox, refreshed in place.
. "$TOP_SRCDIR/tests/integration/lib.sh"
. "$TOP_SRCDIR/tests/tui/tuilib.sh"

command -v tmux >/dev/null || { echo "1..0 # SKIP no tmux"; exit 0; }
pm_world
dovecot_start
seed_corpus "$POP_USER" qp-utf8
seed_messages "$POP_USER" 40 20000
pm_config home
mkdir -p "$MAIL_ROOT/home"
notmuch new >>"$T/log" 2>&1

tui_start -C "$PM_CONFIG"
t_screen "the empty inbox opens" 'popmuch: inbox +\[0 threads\]'
tui_keys A
t_screen "accounts screen lists the account" "home +$POP_USER@127.0.0.1:$POP3_PORT"
tui_keys F
t_screen "fetch finishes with a count in the status bar" '41 new' 60
t_screen "this session's result on the accounts screen" \
	'this session: OK, 41 fetched'
tui_keys q
t_screen "inbox refreshed in place" 'popmuch: inbox +\[41 threads\]'
t_screen "fetched messages listed" 'Test message 40'
t_is "notmuch sees them" "$(notmuch count tag:inbox)" 41
tui_keys L
t_screen "the log has the fetch" 'fetch ended: 41 new'
tui_keys q q
t_ok "q quits" tui_exited 20
tui_done
