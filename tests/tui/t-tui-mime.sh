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
mv "$md/fwd-outer.eml" "$T/fwd-outer.eml"
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

# ---- 3. message/rfc822, nested twice ---------------------------------------
tui_open_query 'id:fwd2@popmuch.test'
t_screen "the outer body" '^outer body text'
t_screen "the attached message's headers" '^Subject: the middle message'
t_screen "its body" '^middle body text'
t_screen "the message attached to it: headers" '^From: Inner Author <inner@example.org>'
t_screen "and body" '^innermost body text'
tui_keys v
t_screen "the attached messages are listed with their size" \
	"message/rfc822 +message-3\\.eml +$(stat -c %s "$T/fwd-outer.eml") bytes"
t_screen "the inner one too" 'message/rfc822 +message-6\.eml +[1-9][0-9]* bytes'
tui_keys s
t_screen "save prompt" 'save to: .*/message-3\.eml'
tui_keys C-u
tui_type "$T/saved.eml"
tui_keys Enter
t_screen "saved" "saved $T/saved.eml"
t_cmp "the saved message is the attached one, byte for byte" \
	"$T/fwd-outer.eml" "$T/saved.eml"
t_is "saved with mode 0600" "$(stat -c %a "$T/saved.eml")" 600
tui_keys q q q

# ---- 7. controls, bidi overrides, emoji sequences ---------------------------
mkdir -p "$HOME/Downloads"
tui_open_query 'id:hostile@popmuch.test'
t_screen "the subject shows, controls neutralised" \
	'^Subject: bidi evil.*red'
t_ok "no U+202E reaches the terminal" \
	eval '! tui_screen | grep -q "$(printf "\342\200\256")"'
t_ok "no ZWJ or skin tone modifier reaches the terminal" \
	eval '! tui_screen | grep -Eq "$(printf "\342\200\215|\360\237\217\275")"'
t_screen "an emoji sequence shows as its emoji" \
	"^line 00 $(printf '\360\237\221\250\360\237\221\251\360\237\221\247') and"
tui_keys PageDown PageDown PageUp
scrolled() { tui_screen | sed -n 2p | grep -q '^line 22 '; }
t_ok "scrolled down twice and up once" tui_poll scrolled 10
before=$(tui_screen)
tui_keys C-l
sleep 0.5
t_is "after scrolling the screen is what a redraw (C-l) draws" \
	"$before" "$(tui_screen)"
# find in the message: /, n, N (less and mutt habits)
tui_keys g /
t_screen "/ in the message: the find prompt" '^find:'
tui_type 'LINE 5'
tui_keys Enter
at_top_48() { tui_screen | sed -n 2p | grep -q "^line 48 "; }
at_top_49() { tui_screen | sed -n 2p | grep -q "^line 49 "; }
t_ok "the first match (case folded) shows near the top" tui_poll at_top_48 5
t_like "the status says how to go on" "$(tui_screen | tail -1)" 'found "LINE 5"'
tui_keys n
t_ok "n: the next match" tui_poll at_top_49 5
tui_keys N
t_ok "N: the previous match" tui_poll at_top_48 5
tui_keys /
tui_keys C-u Enter
t_screen "an empty find stops finding" 'find: off'
tui_keys g
tui_keys v
t_screen "attachment list" 'plain\.txt'
c1=$(tui_screen | grep 'plain\.txt' | tui_column ' bytes')
c2=$(tui_screen | grep 'txt\.exe' | tui_column ' bytes')
t_is "the list is padded by columns (a wide name lines up)" "$c1" "$c2"
tui_keys s
t_screen "the save prompt offers the name without controls" \
	"save to: $HOME/Downloads/日本\\[2Jtxt\\.exe"
prompt_w=$(tui_screen | grep '^save to:' | sed 's/ *$//' |
	"$PM_PYTHON" -c 'import sys, unicodedata
l = sys.stdin.read().rstrip("\n")
print(sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in l))')
t_is "the prompt's cursor is at the end of what it shows" \
	"$(tui_tmux display -p -t 0 '#{cursor_x}')" "$prompt_w"
tui_keys Enter
t_screen "saved" 'saved .*txt\.exe'
t_is "the saved name has no control or bidi character" \
	"$(ls "$HOME/Downloads")" "日本[2Jtxt.exe"
tui_keys W
t_screen "W: save all, asking for a directory" "^save all to the directory: $HOME/Downloads"
tui_keys C-u
tui_type "$T/all"
tui_keys Enter
t_screen "every attachment saved" "saved 2 attachments in $T/all"
t_is "both files, named" "$(ls "$T/all" | sort | tr '\n' ' ')" "plain.txt 日本[2Jtxt.exe "
t_is "with their bytes" "$(cat "$T/all/plain.txt")" "ascii"
tui_keys W C-u
# the prompt replaces the last status: what shows after Enter is new
t_screen "W again asks for the directory" "^save all to the directory:"
tui_type "$T/all"
tui_keys Enter
t_screen "again: saved beside, nothing overwritten" "saved 2 attachments in $T/all"
t_is "as name-2" "$(ls "$T/all" | sort | tr '\n' ' ')" \
	"plain-2.txt plain.txt 日本[2Jtxt-2.exe 日本[2Jtxt.exe "
tui_keys q q q

# ---- 8. format=flowed --------------------------------------------------------
tui_open_query 'id:flowed@popmuch.test'
t_screen "a flowed paragraph is one line in the pager" \
	'^This paragraph was sent as three lines that a flowed reader joins\.$'
t_screen "a flowed quoted paragraph too" '^> and a quoted one$'
tui_keys q q

# ---- | pipes the message, or a part, to a command ---------------------------
tui_open_query 'id:qp-attach@popmuch.test'
tui_keys '|'
t_screen "| in the message: the pipe prompt" '^pipe the message to:'
tui_type "cat >'$T/piped.eml'; echo PIPE-DONE"
tui_keys Enter
t_screen "the command runs on the terminal" 'PIPE-DONE'
t_screen "then popmuch waits for Enter" 'press Enter to return'
tui_keys Enter
t_screen "back, the status says so" 'piped to cat'
t_cmp "the command got the message file as it is" \
	"$(notmuch search --output=files id:qp-attach@popmuch.test)" "$T/piped.eml"
tui_keys v
t_screen "attachments" 'data\.bin'
tui_keys '|'
t_screen "| on a part: the pipe prompt" '^pipe the part to:'
tui_type "cat >'$T/piped.bin'"
tui_keys Enter
t_screen "waits for Enter" 'press Enter to return'
tui_keys Enter
t_screen "back in the attachment list" 'popmuch: attachments'
t_cmp "the command got the part, decoded" "$T/attach.bin" "$T/piped.bin"
tui_keys q q q q

# ---- 4. the saved search "*": its unread count is every unread message ------
tui_keys S
t_screen "saved searches" 'popmuch: saved searches'
unread=$(notmuch count tag:unread)
t_screen "\"all\" (*) counts every unread message ($unread)" \
	"^ +$(notmuch count '*') +$unread +all +\\*\$"
tui_keys q

tui_done
