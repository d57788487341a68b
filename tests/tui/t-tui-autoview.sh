#!/bin/bash
# t-tui-autoview.sh: mutt's auto_view through mailcap copiousoutput
# entries in the pager: HTML through the first copiousoutput entry for
# text/html unless html_command is set (which wins); a non-text part
# shown in the pager through its entry (the stdin form), a note naming
# it; a type with a view entry only opened as before; a failing command
# passed over for the next choice, the log saying so; the part's file in
# a private directory that is gone afterwards.
. "$TOP_SRCDIR/tests/integration/lib.sh"
. "$TOP_SRCDIR/tests/tui/tuilib.sh"

command -v tmux >/dev/null || t_bail "tmux is not installed"
tui_local_world
head_of()
{
	printf '%s\n' "From: Auto Viewer <av@example.org>" \
		"To: pmtest@example.org" "Subject: $2" \
		"Date: Tue, 02 Jan 2024 10:00:00 +0000" \
		"Message-ID: <$1@popmuch.test>" "MIME-Version: 1.0"
}
{
	head_of av-html "an html message"
	printf '%s\n' "Content-Type: text/html; charset=utf-8" "" \
		"<html><body><p>hello <b>html</b> world</p></body></html>"
} >"$md/new/av-html"
{
	head_of av-parts "parts to auto_view"
	printf '%s\n' 'Content-Type: multipart/mixed; boundary="B"' "" \
		"--B" "Content-Type: text/plain" "" "the body" \
		"--B" "Content-Type: application/x-popmuch-test" \
		'Content-Disposition: attachment; filename="test.dat"' \
		"Content-Transfer-Encoding: base64" "" \
		"$(printf 'auto viewed content\n' | base64)" \
		"--B" "Content-Type: application/x-popmuch-other" \
		'Content-Disposition: attachment; filename="other.bin"' "" \
		"other content" \
		"--B" "Content-Type: application/x-popmuch-fail" \
		'Content-Disposition: attachment; filename="fail.bin"' "" \
		"fail content" "--B--"
} >"$md/new/av-parts"
notmuch new >>"$T/log" 2>&1 || t_bail "notmuch new failed"
pm_config local

# PATH: what the entries use, no xdg-open, run-mailcap or w3m
mkdir -p "$T/bin" "$T/tmp" "$T/run"
for p in sed tr cat cp; do
	ln -s "$(command -v $p)" "$T/bin/$p"
done
cat >"$T/mailcap" <<EOM
text/html; sed -e 's/<[^>]*>//g' %s | tr a-z A-Z; copiousoutput
application/x-popmuch-test; cp %s '$T/viewed-only'
application/x-popmuch-test; cat; copiousoutput
application/x-popmuch-other; cp %s '$T/opened-other'
application/x-popmuch-fail; exit 3; copiousoutput
EOM
chmod 700 "$T/run"
TUI_COLS=120 # the log lines in full
AV_ENV="MAILCAPS=$T/mailcap PATH=$T/bin TMPDIR=$T/tmp XDG_RUNTIME_DIR=$T/run DISPLAY="
no_leftovers()
{
	[ -z "$(find "$T/run" "$T/tmp" -name 'popmuch-view-*' | head -1)" ]
}
row() { tui_screen | grep -E "^ +$1 " | sed 's/ *$//'; }

# ---- no html_command: the copiousoutput entry for text/html --------------
TUI_ENV=$AV_ENV tui_start -C "$PM_CONFIG"
t_screen "the inbox opens" 'popmuch: inbox'
tui_open_query 'id:av-html@popmuch.test'
t_screen "HTML through the mailcap entry (upper-cased)" '^HELLO HTML WORLD$'
t_ok "its private directory is gone" no_leftovers
tui_keys q q q

# ---- a non-text part in the pager ----------------------------------------
tui_open_query 'id:av-parts@popmuch.test'
t_screen "the body" '^the body$'
t_ok "attachments are not shown inline" \
	eval '! tui_screen | grep -q "auto viewed content"'
tui_keys v
t_screen "v: the part tree" 'popmuch: attachments  \[5 parts\]'
t_like "the selection on the test part" \
	"$(tui_screen_escapes | grep 'test\.dat')" $'\033\\[[0-9;]*7m'
tui_keys Enter
t_screen "Enter: the part in the pager" \
	'popmuch: part 3: application/x-popmuch-test test\.dat'
t_screen "a note naming the entry (the first copiousoutput one)" \
	'^\[application/x-popmuch-test through the mailcap entry: cat\]$'
t_screen "the command's output: the part on its stdin" '^auto viewed content$'
t_ok "the view-only entry before it did not run" test ! -e "$T/viewed-only"
t_ok "its private directory is gone" no_leftovers
tui_keys q
t_screen "back in the part tree" 'popmuch: attachments'

tui_keys j Enter
t_screen "a type with a view entry only: Enter opens it as before" \
	'opened .*/part\.bin \(mailcap\)'
t_ok "not in the pager" eval '! tui_screen | grep -q "popmuch: part 4"'
i=0
while [ ! -s "$T/opened-other" ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
t_is "the viewer got the part" "$(cat "$T/opened-other" 2>/dev/null)" \
	"other content"

tui_keys j Enter
t_screen "a failing entry: the old error" \
	'part 5 is not text: o opens it with a viewer'
t_ok "its private directory is gone" no_leftovers
tui_keys q q q q q
t_screen "back in the inbox" 'popmuch: inbox'
tui_keys L
t_screen "the log says the entry failed" \
	'part 5, application/x-popmuch-fail: mailcap entry failed \(exited 3 with no output\): exit 3'
tui_keys q q
t_ok "q quits" tui_exited 20
t_is "exit status" "$(cat "$T/tui.exit" 2>/dev/null)" "popmuch exited 0"
t_ok "no sanitizer reports" tui_sanitizers_clean
tui_stop

# ---- html_command set: it wins over the mailcap entry --------------------
printf '#!/bin/sh\nexec sed -e "s/<[^>]*>//g" -e "s/^/CMD: /"\n' >"$T/cmd.sh"
chmod +x "$T/cmd.sh"
{
	echo "html_command $T/cmd.sh"
	cat "$PM_CONFIG"
} >"$T/cmd.conf"
chmod 600 "$T/cmd.conf"
TUI_ENV=$AV_ENV tui_start -C "$T/cmd.conf"
t_screen "the inbox opens (html_command in the config)" 'popmuch: inbox'
tui_open_query 'id:av-html@popmuch.test'
t_screen "html_command wins" '^CMD: hello html world$'
t_ok "the mailcap entry did not run" \
	eval '! tui_screen | grep -q "HELLO HTML WORLD"'
tui_keys q q q q
t_ok "q quits" tui_exited 20
tui_stop

# ---- a failing html_command, then a failing entry: the stripper ----------
printf '%s\n' 'text/html; exit 5; copiousoutput' >"$T/mailcap-fail"
TUI_ENV="$AV_ENV POPMUCH_HTML_COMMAND=no-such-renderer MAILCAPS=$T/mailcap-fail" \
	tui_start -C "$PM_CONFIG"
t_screen "the inbox opens" 'popmuch: inbox'
tui_open_query 'id:av-html@popmuch.test'
t_screen "both failed: the built-in stripper" '^hello html world$'
tui_keys q q q L
t_screen "the log: html_command failed" \
	'text/html: html_command failed \(could not be run, exit 127\), falling back: no-such-renderer'
t_screen "the log: then the mailcap entry failed" \
	'text/html: mailcap entry failed \(exited 5 with no output\), falling back: exit 5'
t_ok "no private directory left" no_leftovers
tui_keys q q

tui_done
