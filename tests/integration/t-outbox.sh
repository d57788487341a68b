#!/bin/bash
# t-outbox: offline then online, exactly once; a permanent failure kept
# and shown; two senders at once send nothing twice.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/smtp.sh"

pm_world
export EDITOR=$TOP_SRCDIR/tests/data/compose/editor.sh T
unset VISUAL
port=$(smtp_free_port)
SMTP_PORT=$port
SMTP_MAILDIR=$T/smtp-received
compose_world_config
outbox_n() { find "$MAIL_ROOT/outbox/new" -type f | wc -l; }

# 1. Offline: the server is down; compose queues it.
EDIT_SED='/^$/a written on a train' run_pm compose --to friend@example.com \
	--subject "offline"
t_rc "compose while the server is down: exit 75" 75
t_like "... says it stays queued and how it goes out" "$(cat "$T/err")" \
	"stay queued.*outbox.*'popmuch send' sends it"
t_is "... one message in the outbox" "$(outbox_n)" 1
run_pm status
t_like "status shows it queued" "$(tr "\n" " " <"$T/out")" \
	'outbox: +1 message.*friend@example.com, "offline".*queued'
t_like "... with the last error" "$(cat "$T/out")" \
	'last error: the sendmail command exited 75.*(refused|connect)'

run_pm send
t_rc "popmuch send, still offline: exit 75" 75
t_is "... still queued" "$(outbox_n)" 1

# 2. Online: sent exactly once.
smtp_start "$port"
run_pm send
t_rc "popmuch send, online: exit 0" 0
t_empty "... silent on success" "$T/err"
t_is "... the server has it once" "$(smtp_count)" 1
t_is "... the outbox is empty" "$(outbox_n)" 0
t_is "... the sent copy is indexed and tagged" \
	"$(notmuch count tag:sent and subject:offline)" 1
t_is "... and has maildir flag S" "$(ls "$MAIL_ROOT/sent/cur" | grep -c ':2,S$')" 1
run_pm send
t_rc "popmuch send again: exit 0" 0
t_is "... nothing sent twice" "$(smtp_count)" 1

# 3. A permanent failure (550) is kept, marked failed, with the reason.
EDIT_SED='/^$/a nobody reads this' run_pm compose --to reject@example.com \
	--subject "bounce"
t_rc "compose to a refused recipient: exit 69" 69
t_is "... still in the outbox" "$(outbox_n)" 1
run_pm status
t_like "status shows it FAILED" "$(tr "\n" " " <"$T/out")" '"bounce".*FAILED'
t_like "... with the server's reason" "$(cat "$T/out")" 'last error:.*550'
run_pm send
t_rc "popmuch send leaves a failed message: exit 69" 69
t_is "... not retried by itself" "$(smtp_count)" 1
name=$(ls "$MAIL_ROOT/outbox/new")
EDIT_SED='/^$/a fine' run_pm compose --to ok@example.com --subject "fine"
t_rc "compose beside a failed message: exit 0 (its own result)" 0
t_is "... it was sent" "$(smtp_count)" 2
t_is "... the failed one stays" "$(ls "$MAIL_ROOT/outbox/new")" "$name"
run_pm send --retry "$name"
t_rc "send --retry NAME: exit 0" 0
run_pm send
t_rc "... the retry fails again: exit 69" 69
run_pm send --delete "$name"
t_rc "send --delete NAME: exit 0" 0
t_is "... the outbox is empty" "$(outbox_n)" 0
run_pm send --delete "$name"
t_rc "send --delete of an unknown name: exit 64" 64

# 4. Two senders at once: a slow command, two queued messages.
smtp_stop
EDIT_SED='/^$/a one' run_pm compose --to a@example.com --subject one
EDIT_SED='/^$/a two' run_pm compose --to b@example.com --subject two
t_is "two messages queued while offline" "$(outbox_n)" 2
smtp_start "$port"
pm_config test "tls off" \
	"sendmail_command \"sleep 1; msmtp -C $T/msmtprc -t --read-envelope-from\""
"$POPMUCH" send >"$T/s1.out" 2>"$T/s1.err" &
p1=$!
sleep 0.3
"$POPMUCH" send >"$T/s2.out" 2>"$T/s2.err"
rc2=$?
wait $p1
rc1=$?
t_is "the first sender: exit 0" "$rc1" 0
t_is "the second, meanwhile: exit 75" "$rc2" 75
t_like "... says another popmuch is sending" "$(cat "$T/s2.err")" \
	'another popmuch is sending'
t_is "each message reached the server once" "$(smtp_count)" 4
t_is "... the outbox is empty" "$(outbox_n)" 0
t_is "... every sent copy indexed (one batch per run)" \
	"$(notmuch count tag:sent)" 4
t_is "... no state left" \
	"$(ls "$XDG_STATE_HOME/popmuch/.outbox" | grep -c '\.state$')" 0

t_done
