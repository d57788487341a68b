#!/bin/bash
# t-tui-mime.sh: the messages that broke the message view (an empty body,
# forwarded mail, flowed text, hostile names and controls) read in the
# real binary in tmux; and the harness itself: a crash of the TUI fails.
. "$TOP_SRCDIR/tests/integration/lib.sh"
. "$TOP_SRCDIR/tests/tui/tuilib.sh"

command -v tmux >/dev/null || { echo "1..0 # SKIP no tmux"; exit 0; }
tui_local_world
# notmuch's corpus: ghost-root's first message has a 0-byte body
cp "$PM_DATA/corpus/qp-utf8/ghost-root-qp.eml" "$md/new/ghost-root"
"$PM_PYTHON" "$TOP_SRCDIR/tests/tui/mkmime.py" "$md/new" ||
	t_bail "cannot write the MIME test messages"
notmuch new >>"$T/log" 2>&1 || t_bail "notmuch new failed"
pm_config local

# ---- the harness: a crash of the TUI is caught -----------------------------
tui_start -C "$PM_CONFIG"
t_screen "the inbox opens" 'popmuch: inbox'
kill -SEGV "$(cat "$T/tui.pid")"
t_ok "the killed TUI has exited" tui_exited 20
t_ok "tui_sanitizers_clean sees the crash" eval '! tui_sanitizers_clean || ! grep -q "exited 0" "$T/tui.exit"'
t_unlike "the exit status is not 0" "$(cat "$T/tui.exit")" 'exited 0$'
tui_stop
rm -f "$T"/asan* "$T"/ubsan* "$XDG_STATE_HOME/popmuch/tui.log"

tui_start -C "$PM_CONFIG"
t_screen "the inbox opens again" 'popmuch: inbox'

# ---- 1. an empty body -------------------------------------------------------
tui_open_query 'id:87bmc6lp3h.fsf@len.workgroup'
t_screen "a message with a 0-byte body opens" \
	'^Subject: FYI: xxxx +xxxxxxx +xxxxxxxxxxxx xxx'
tui_keys q q
t_screen "and the TUI is still alive" 'popmuch: id:87bmc6lp3h'
tui_open_query 'id:empty-mp@popmuch.test'
t_screen "an empty text part inside a multipart opens" \
	'^Subject: empty multipart part'
tui_keys q q

# ---- 4. the saved search "*": its unread count is every unread message ------
tui_keys S
t_screen "saved searches" 'popmuch: saved searches'
unread=$(notmuch count tag:unread)
t_screen "\"all\" (*) counts every unread message ($unread)" \
	"^ +$(notmuch count '*') +$unread +all +\\*\$"
tui_keys q

tui_done
