#!/bin/bash
# t-tui-open.sh: o (open) on hostile attachments through the built-in
# mailcap code (no xdg-open, no run-mailcap on PATH): no shell command
# from the message runs; the temporary files are private, in $TMPDIR,
# and gone when the TUI quits; run-mailcap gets the terminal.
. "$TOP_SRCDIR/tests/integration/lib.sh"
. "$TOP_SRCDIR/tests/tui/tuilib.sh"

command -v tmux >/dev/null || { echo "1..0 # SKIP no tmux"; exit 0; }
tui_local_world
"$PM_PYTHON" "$TOP_SRCDIR/tests/tui/mkmime.py" "$md/new" ||
	t_bail "cannot write the MIME test messages"
notmuch new >>"$T/log" 2>&1 || t_bail "notmuch new failed"
pm_config local

# PATH: the tools the mailcap entries (and an attack) would use, but no
# xdg-open or run-mailcap
mkdir -p "$T/bin" "$T/tmp"
for p in cp cat touch env; do
	ln -s "$(command -v $p)" "$T/bin/$p"
done
cat >"$T/mailcap" <<EOM
text/plain; cp '%s' '$T/opened-name'
application/x\`touch\${IFS}PWNED2\`; cp %s '$T/opened-type' \\; echo %t >'$T/type'
application/y\`touch\${IFS}PWNED3\`; cp %s '$T/opened-dq' \\; echo "%t"
EOM

open_query()
{
	tui_open_query "$1"
	tui_keys v
	tui_wait 'popmuch: attachments' 10
}
wait_file()
{
	local i=0
	while [ ! -s "$1" ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -s "$1" ]
}

TUI_ENV="MAILCAPS=$T/mailcap PATH=$T/bin TMPDIR=$T/tmp DISPLAY=" \
	tui_start -C "$PM_CONFIG"
t_screen "the inbox opens" 'popmuch: inbox'

open_query 'id:evil-name@popmuch.test'
t_screen "the hostile name is listed" 'x\$\(touch PWNED\)\.txt'
tui_keys o
t_screen "o: '%s' entry runs" 'opened .*/part\.txt \(mailcap\)'
t_ok "the viewer got the bytes" wait_file "$T/opened-name"
t_is "the bytes" "$(cat "$T/opened-name")" "evil name body"
t_ok "no command from the file name ran" test ! -e "$T/PWNED"
f=$(find "$T/tmp" -name part.txt)
t_like "the temporary file is in \$TMPDIR" "$f" "^$T/tmp/popmuch-"
t_is "the temporary file is 0600" "$(stat -c %a "$f")" 600
t_is "its directory is 0700" "$(stat -c %a "$(dirname "$(dirname "$f")")")" 700
tui_keys q q q q

open_query 'id:evil-type@popmuch.test'
tui_keys o
t_screen "o: crafted type" 'opened .*/part\.bin \(mailcap\)'
t_ok "the viewer got the bytes" wait_file "$T/opened-type"
t_ok "%t: no command from the type ran" test ! -e "$T/PWNED2"
t_is "%t came through literally" "$(cat "$T/type")" \
	'application/x`touch${IFS}PWNED2`'
tui_keys q q q q

open_query 'id:evil-dq@popmuch.test'
tui_keys o
t_screen "\"%t\" with a backquote in the type: refused, saying why" \
	'not opened: cannot put the type inside the quotes of mailcap'
t_ok "no command from the type ran" test ! -e "$T/PWNED3"
t_ok "and nothing ran" test ! -e "$T/opened-dq"
tui_keys q q q q

tui_keys q
t_ok "q quits" tui_exited 20
t_is "exit status" "$(cat "$T/tui.exit")" "popmuch exited 0"
t_is "the temporary directory is removed at exit" \
	"$(find "$T/tmp" -mindepth 1 | head -3)" ""
tui_stop

# ---- run-mailcap with no display: its terminal entries get the terminal --
# Debian's run-mailcap (package mailcap) reads $MAILCAPS; less shows the
# text in the pane, with curses suspended, and popmuch comes back after it
if command -v run-mailcap >/dev/null; then
	for p in run-mailcap less perl; do
		ln -sf "$(command -v $p)" "$T/bin/$p"
	done
	printf '%s\n' 'text/plain; less %s; needsterminal' >"$T/mailcap-rm"
	TUI_ENV="MAILCAPS=$T/mailcap-rm PATH=$T/bin TMPDIR=$T/tmp DISPLAY= LESS=" \
		tui_start -C "$PM_CONFIG"
	t_screen "the inbox opens" 'popmuch: inbox'
	open_query 'id:evil-name@popmuch.test'
	tui_keys o
	t_screen "needsterminal: less shows the part in the terminal" \
		'^evil name body'
	tui_keys q
	t_screen "back in popmuch after the viewer" \
		'opened .*/part\.txt with run-mailcap'
	t_screen "the attachment list is redrawn" 'popmuch: attachments'
else
	t_fail "run-mailcap is installed (contrib/install-deps: mailcap)"
fi
tui_done
