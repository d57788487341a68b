#!/bin/bash
# t-tui-parts.sh: every MIME part reachable (issue 13): the part tree of a
# message (nesting drawn as neomutt does), any text part in the pager
# whatever its charset or disposition, HTML through html_command, a
# message/rfc822 part shown with its own headers and parts (recursively),
# its own part tree, and a part piped to a command.
. "$TOP_SRCDIR/tests/integration/lib.sh"
. "$TOP_SRCDIR/tests/tui/tuilib.sh"

command -v tmux >/dev/null || t_bail "tmux is not installed"
tui_local_world
"$PM_PYTHON" "$TOP_SRCDIR/tests/tui/mkmime.py" "$md/new" ||
	t_bail "cannot write the MIME test messages"
mv "$md/fwd-outer.eml" "$T/fwd-outer.eml"
notmuch new >>"$T/log" 2>&1 || t_bail "notmuch new failed"
pm_config local

# html_command: upper case, so that the screen shows it was used
printf '#!/bin/sh\nexec tr a-z A-Z\n' >"$T/upper.sh"
chmod +x "$T/upper.sh"
TUI_ENV="POPMUCH_HTML_COMMAND=$T/upper.sh" tui_start -C "$PM_CONFIG"
t_screen "the inbox opens" 'popmuch: inbox'
tui_open_query 'id:parts@popmuch.test'
t_screen "the body" '^the parts body$'
t_ok "attachments are not shown inline" \
	eval '! tui_screen | grep -q "an html attachment"'
tui_keys v
t_screen "v: the part tree, numbered, every node" 'popmuch: attachments  \[10 parts\]'
row() { tui_screen | grep -E "^ +$1 " | sed 's/ *$//'; }
t_like "the root container" "$(row 1)" '^ +1 multipart/mixed +part-1\.eml +[0-9]+ bytes$'
t_like "a child: |-" "$(row 3)" '^ +3 \|-text/html +page\.html +25 bytes$'
t_like "the forwarded message" "$(row 5)" \
	"^ +5 \\|-message/rfc822 +message-5\\.eml +$(stat -c %s "$T/fwd-outer.eml") bytes\$"
t_like "its body, one level down, the outer level going on" "$(row 6)" \
	'^ +6 \| `-multipart/mixed +part-6\.eml'
t_like "the message inside it" "$(row 8)" '^ +8 \|   `-message/rfc822 +message-8\.eml'
t_like "and its text, four levels down" "$(row 9)" '^ +9 \|     `-text/plain +part-9 +19 bytes$'
t_like "the last child: \`-" "$(row 10)" '^ +10 `-application/octet-stream +blob\.bin +5 bytes$'
t_like "the selection starts on the first attachment" \
	"$(tui_screen_escapes | grep 'page\.html')" $'\033\\[[0-9;]*7m'

tui_keys Enter
t_screen "Enter on HTML: the pager, titled with the part" 'popmuch: part 3: text/html page\.html'
t_screen "through html_command" '^<P>AN HTML ATTACHMENT</P>$'
tui_keys q j Enter
t_screen "a KOI8-R text attachment in the pager" 'popmuch: part 4: text/plain russian\.txt'
t_screen "decoded to UTF-8" '^Привет, мир$'
tui_keys q j Enter
t_screen "a message/rfc822 part: its headers" '^Subject: the middle message$'
t_is "once, at the top" "$(tui_screen | sed -n 2p; tui_screen | grep -c '^Subject: the middle message$')" \
	"From: Middle Author <middle@example.org>
1"
t_screen "its body" '^middle body text$'
t_screen "the message inside it, with its headers" '^From: Inner Author <inner@example\.org>$'
t_screen "and body" '^innermost body text$'
tui_keys '|'
t_screen "| in a part's pager pipes the part" '^pipe the part to:'
tui_type "cat >'$T/piped.eml'"
tui_keys Enter
t_screen "waits for Enter" 'press Enter to return'
tui_keys Enter
t_screen "back in the part's pager" 'popmuch: part 5: message/rfc822'
t_cmp "the command got the attached message as it is" "$T/fwd-outer.eml" "$T/piped.eml"
tui_keys v
t_screen "v in a part's pager: that part's tree" 'popmuch: attachments  \[5 parts\]'
t_like "drawn from its own root" "$(row 1)" '^ +1 message/rfc822 +message-5\.eml'
t_like "its deepest part" "$(row 5)" '^ +5     `-text/plain +part-9 +19 bytes$'
tui_keys G Enter
t_screen "that part on its own" 'popmuch: part 5: text/plain part-9'
t_screen "its text" '^innermost body text$'
t_ok "nothing else" eval '! tui_screen | grep -q "middle body text"'
tui_keys q q q q q q

tui_done
