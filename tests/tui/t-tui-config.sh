#!/bin/bash
# t-tui-config.sh: the TUI's config keywords (saved searches, bind, color,
# NO_COLOR), the / history, new mail noticed without a key press, and a
# tag that cannot be written because another process holds the notmuch
# write lock.
. "$TOP_SRCDIR/tests/integration/lib.sh"
. "$TOP_SRCDIR/tests/tui/tuilib.sh"

command -v tmux >/dev/null || { echo "1..0 # SKIP no tmux"; exit 0; }
tui_local_world
# not the newest thread, so its row is not the selected one
notmuch tag +urgent -- 'subject:"日本語のテスト"'
pm_config local
base=$(cat "$PM_CONFIG")

# write_config LINES: the TUI lines, then the account.
write_config()
{
	(umask 077 && printf '%s\n%s\n' "$1" "$base" >"$PM_CONFIG")
}

count() { notmuch count "$1" 2>/dev/null; }

# screen_has PCRE: the screen, with its attributes as escape sequences
# (\e written \x1b), matches.
screen_has()
{
	tui_screen_escapes | grep -qP -- "$1"
}

# ---- errors in bind and color lines, with file:line ---------------------
write_config 'bind list x frobnicate'
tui_start -C "$PM_CONFIG"
t_ok "unknown bind action: popmuch exits" tui_exited 20
t_is "unknown bind action: exit 78" "$(cat "$T/tui.exit")" "popmuch exited 78"
t_like "unknown bind action: file:line" "$(cat "$T/tui.err")" \
	"config:1: bind: unknown action"
tui_stop
write_config 'color frobs red'
tui_start -C "$PM_CONFIG"
t_ok "unknown colour element: popmuch exits" tui_exited 20
t_is "unknown colour element: exit 78" "$(cat "$T/tui.exit")" \
	"popmuch exited 78"
t_like "unknown colour element: file:line" "$(cat "$T/tui.err")" \
	'config:1: color: unknown element "frobs"'
tui_stop

# ---- saved searches, rebinding, colours ----------------------------------
write_config 'search mybox "tag:inbox and not tag:spam"
search köln subject:Köln
bind x archive
bind list "#" tag_add
color tag:urgent red
color tags green'

tui_start -C "$PM_CONFIG"
t_screen "the first saved search is the first screen" \
	'^popmuch: mybox +\[[0-9]+ threads\] +tag:inbox and not tag:spam'
t_screen "list drawn" 'Grüße aus Köln'
t_ok "colours: the urgent tag is red" screen_has '\x1b\[31murgent'
t_ok "colours: other tags green" screen_has '\x1b\[32m(\x1b\[49m)? \(inbox'

tui_keys S
t_screen "saved searches screen" '^popmuch: saved searches'
t_screen "saved searches have counts" '^ +[0-9]+ +[0-9]+ +mybox '
t_is "config searches in order, no defaults" \
	"$(tui_screen | grep -Eo '(mybox|köln|unread|flagged) ' | tr -d ' ' |
		tr '\n' ,)" "mybox,köln,"
tui_keys Down Enter
t_screen "Enter opens a saved search" '^popmuch: köln +\[1 thread\]'
tui_keys q q
t_screen "back on the first screen" '^popmuch: mybox '

tui_keys '?'
tui_wait '^popmuch: help' 10
tui_keys G
t_screen "help shows the rebound key" '^ *x +archive'
t_screen "help shows the screen binding" '^ *# +add tags'
tui_keys q
tui_keys '#'
t_screen "# opens the add-tags prompt" 'add tags:'
tui_keys Escape
t_screen "prompt cancelled" '\? help'

before=$(count tag:inbox)
tui_keys g x
i=0
while [ "$(count tag:inbox)" = "$before" ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
t_ok "x (bound to archive) removes inbox" \
	test "$(count tag:inbox)" -lt "$before"

# ---- / history -------------------------------------------------------------
tui_keys /
tui_type 'subject:Köln'
tui_keys Enter
t_screen "search" '^popmuch: subject:Köln'
tui_keys q /
tui_keys Up
t_screen "Up in the prompt recalls the last query" 'search: subject:Köln'
tui_keys Escape

# ---- new mail without a key press ------------------------------------------
cat >"$md/new/newmail.1" <<'EOF'
From: Newcomer <new@example.org>
To: Tester <pmtest@example.org>
Subject: freshly delivered
Date: Tue, 02 Jan 2024 10:00:00 +0000
Message-ID: <fresh@popmuch.test>

Hello.
EOF
notmuch new >>"$T/log" 2>&1
t_screen "status bar: new mail noticed" '1 new message' 15
t_screen "the list refreshed in place" 'freshly delivered'

# ---- tagging while another process holds the write lock ----------------------
nm_hold_lock
holder=$NM_HOLDER
tui_keys g '*'
t_screen "the tagger is stopped: database busy" \
	'notmuch database is busy.*tags \+flagged not saved' 20
kill "$holder"
wait "$holder" 2>/dev/null
t_is "the tag was not written" "$(count tag:flagged)" 0
tui_keys L
t_screen "the log has the busy database" 'error: the notmuch database is busy'
tui_keys q q
t_ok "q quits" tui_exited 20
t_is "exit status" "$(cat "$T/tui.exit" 2>/dev/null)" "popmuch exited 0"
t_ok "no sanitizer reports" tui_sanitizers_clean
tui_stop

# ---- NO_COLOR; o through mailcap when there is no xdg-open -----------------
# PATH holds neither xdg-open nor run-mailcap: the TUI reads $MAILCAPS
mkdir -p "$T/bin"
ln -s "$(command -v cp)" "$T/bin/cp"
printf '%s\n' '# a test mailcap' 'text/html; false %s' \
	"application/octet-stream; cp %s '$T/opened.bin'" >"$T/mailcap"
TUI_ENV="NO_COLOR=1 MAILCAPS=$T/mailcap PATH=$T/bin" tui_start -C "$PM_CONFIG"
t_screen "NO_COLOR: the list opens" '^popmuch: mybox '
t_screen "NO_COLOR: list drawn" 'freshly delivered'
t_ok "NO_COLOR: no colour on the screen" \
	eval '! screen_has "\x1b\\[([0-9]+;)*(3[0-8]|4[0-8]|9[0-7])m"'
t_ok "NO_COLOR: attributes remain (reverse title)" \
	screen_has '\x1b\[7mpopmuch: mybox'
tui_keys /
tui_type 'subject:Köln'
tui_keys Enter
t_screen "search" '^popmuch: subject:Köln'
tui_keys Enter Enter v
t_screen "attachment list" 'application/octet-stream +data.bin'
tui_keys o
t_screen "o opens through mailcap" 'opened .*/part\.bin \(mailcap\)'
i=0
while [ ! -s "$T/opened.bin" ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
t_cmp "the mailcap command got the attachment's bytes" "$T/attach.bin" \
	"$T/opened.bin"
tui_keys q q q q q
t_ok "q quits" tui_exited 20
tui_done
