#!/bin/bash
# t-tui-compose.sh: reply from the message screen, edit, send; reply to
# all, postpone, resume the draft from the outbox screen, send; compose
# and discard; all through real msmtp to a real SMTP server.
. "$TOP_SRCDIR/tests/integration/lib.sh"
. "$TOP_SRCDIR/tests/integration/smtp.sh"
. "$TOP_SRCDIR/tests/tui/tuilib.sh"

command -v tmux >/dev/null || t_bail "tmux is not installed"
tui_local_world
smtp_start
compose_world_config
pm_config local \
	"sendmail_command \"msmtp -C $T/msmtprc -t --read-envelope-from\""
# the editor appends a line each time it runs
cat >"$T/editor.sh" <<'EOS'
#!/bin/sh
echo "Typed in the TUI." >>"$1"
EOS
chmod +x "$T/editor.sh"
count_is()
{
	local i=0
	while [ "$(smtp_count)" != "$2" ] && [ $i -lt 200 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	t_is "$1" "$(smtp_count)" "$2"
}
fact()
{
	"$PM_PYTHON" "$TOP_SRCDIR/tests/data/compose/mailcheck.py" \
		"$(smtp_msg "$1")" | grep -F -- "$2" | head -1
}

TUI_ENV="EDITOR=$T/editor.sh" tui_start -C "$PM_CONFIG"
t_screen "the inbox opens" 'popmuch: inbox'
tui_keys /
tui_type 'id:qp-attach@popmuch.test'
tui_keys Enter
# the list's title: the inbox shows the same subject before the search
t_screen "search results" 'popmuch: id:qp-attach@popmuch.test +\[1 thread\]'
tui_keys Enter
t_screen "thread" 'popmuch: thread'
# 0. f on the thread screen: a forward of the selected message.
tui_keys f
t_screen "f in the thread: the forward's compose screen" \
	'^Subject: Fwd: Grüße aus Köln'
t_screen "... with the original's text" '^Schöne Grüße'
tui_keys x
t_screen "... x asks" 'discard this draft'
tui_keys y Enter
t_ok "... the compose screen closes" tui_gone 'compose: y send'
t_screen "... back on the thread" 'popmuch: thread'
tui_keys Enter
t_screen "the message" '^Subject: Grüße aus Köln'

# 1. r: the draft in the editor, then the compose screen; y sends.
tui_keys r
t_screen "r: the compose screen after the editor" 'compose: y send'
t_screen "... shows the reply's headers" '^To: Jörg Müller <joerg@example.org>'
t_screen "... and the quoted text" '^> Schöne Grüße'
t_screen "... and what the editor added" '^Typed in the TUI\.'
tui_keys y
# (the status bar may already say "1 new message": the sent copy)
t_ok "y: the compose screen closes" tui_gone 'compose: y send'
count_is "... the SMTP server receives it" 1
t_is "... a reply to the message" "$(fact 1 'H In-Reply-To')" \
	"H In-Reply-To: <qp-attach@popmuch.test>"
t_is "... with one Re:" "$(fact 1 'H Subject')" "H Subject: Re: Grüße aus Köln"

# 2. R: reply to all; P postpones; O lists the draft; Enter resumes it.
tui_keys R
t_screen "R: the compose screen" 'compose: y send'
tui_keys P
t_ok "P: the compose screen closes" tui_gone 'compose: y send'
t_is "... the draft is kept" "$(ls "$XDG_STATE_HOME/popmuch/.drafts" | wc -l)" 1
t_is "... nothing sent" "$(smtp_count)" 1
tui_keys O
t_screen "O: the outbox screen lists the draft" \
	'draft +to Jörg Müller <joerg@example.org>, "Re: Grüße aus Köln"'
tui_keys Enter
t_screen "Enter: the draft edited again, the compose screen" 'compose: y send'
tui_keys y
count_is "... y sends the resumed draft" 2
t_is "... with both edits" \
	"$("$PM_PYTHON" "$TOP_SRCDIR/tests/data/compose/mailcheck.py" \
		"$(smtp_msg 2)" | grep -c '^T 0 | Typed in the TUI.$')" 2
t_is "... no draft left" "$(ls "$XDG_STATE_HOME/popmuch/.drafts" | wc -l)" 0

# 3. m: a new message; x discards it after asking.
tui_keys q
tui_keys m
t_screen "m: the compose screen" 'compose: y send'
tui_keys x
t_screen "x asks first" 'discard this draft\? \(y/n\)'
tui_keys y Enter
t_ok "... the compose screen closes" tui_gone 'compose: y send'
t_is "... no draft left" "$(ls "$XDG_STATE_HOME/popmuch/.drafts" | wc -l)" 0
t_is "... nothing more sent" "$(smtp_count)" 2

# 4. ? lists the new keys.
# (in one write: G reaches the help screen before its first draw)
tui_keys '?' G
t_screen "help lists reply" 'r +reply to the sender'
t_screen "help lists compose and the outbox" 'O +outbox and postponed drafts'
# 5. F sends the outbox too: a message queued while the server was down
# goes out with the fetch.
smtp_stop
EDIT_SED='/^$/a queued on the train' EDITOR=$TOP_SRCDIR/tests/data/compose/editor.sh \
	run_pm compose --to later@example.com --subject "from the train"
t_rc "compose while the SMTP server is down: queued (75)" 75
smtp_start "$SMTP_PORT"
tui_keys q
tui_keys F
count_is "F: the fetch sends the outbox" 3
t_is "... the queued message" "$(fact 3 'H Subject')" "H Subject: from the train"

tui_keys q q q q q
tui_exited 10 || tui_keys q
t_ok "the TUI exits" tui_exited 10
t_ok "no sanitizer report" tui_sanitizers_clean
tui_stop

# 6. send_with_fetch off: F leaves the outbox alone.
smtp_stop
EDIT_SED='/^$/a stays' EDITOR=$TOP_SRCDIR/tests/data/compose/editor.sh \
	run_pm compose --to later@example.com --subject "stays queued"
smtp_start "$SMTP_PORT"
{ echo "send_with_fetch off"; cat "$PM_CONFIG"; } >"$T/config.off"
chmod 600 "$T/config.off"
TUI_ENV="EDITOR=$T/editor.sh" tui_start -C "$T/config.off"
t_screen "send_with_fetch off: the inbox opens" 'popmuch: inbox'
tui_keys F
t_screen "... F fetches" 'fetch'
sleep 2 # nothing to wait for: the message must not arrive
t_is "... the outbox is not sent" "$(smtp_count)" 3
t_is "... the message stays queued" "$(ls "$MAIL_ROOT/outbox/new" | wc -l)" 1
tui_keys O
t_screen "O shows it queued" 'queued +to later@example.com, "stays queued"'
tui_keys s
count_is "... s sends it" 4

t_done
