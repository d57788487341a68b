#!/bin/bash
# t-outbox-crash: kill -9 at every step of queueing and sending
# (tests/popmuch-fault, POPMUCH_CRASH_AT), then recover: never two
# copies at the SMTP server, never a lost message; a message handed to
# the command whose result was not recorded is shown as maybe sent and
# not resent until the person says so.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/smtp.sh"

: "${POPMUCH_FAULT:=$TOP_BUILDDIR/tests/popmuch-fault}"
[ -x "$POPMUCH_FAULT" ] || t_bail "no fault-injection binary $POPMUCH_FAULT"

compose_world
outbox_n() { find "$MAIL_ROOT/outbox/new" -type f | wc -l; }
drafts_n() { find "$XDG_STATE_HOME/popmuch/.drafts" -type f 2>/dev/null | wc -l; }
at_server() { grep -l "^Subject: $1\$" "$SMTP_MAILDIR"/new/* 2>/dev/null | wc -l; }

# crash POINT SUBJECT: compose with the fault binary, killed at POINT.
crashed=
crash()
{
	crashed="$crashed $1"
	EDIT_SED="/^\$/a body of $2" POPMUCH=$POPMUCH_FAULT \
		POPMUCH_CRASH_AT=$1 run_pm compose --to x@example.com \
		--subject "$2"
	t_rc "$1: killed there" 137
}

# done_ok SUBJECT: once at the server, filed, indexed, outbox empty.
done_ok()
{
	t_is "... once at the server" "$(at_server "$1")" 1
	t_is "... the outbox is empty" "$(outbox_n)" 0
	t_is "... the sent copy indexed with tag sent" \
		"$(notmuch count "tag:sent and subject:$1")" 1
}

# 1. Before the message is durable in the outbox: the draft is kept.
crash outbox-queue-synced c1
t_is "... nothing at the server" "$(at_server c1)" 0
t_is "... the draft is kept" "$(drafts_n)" 1
run_pm compose --draft "$(find "$XDG_STATE_HOME/popmuch/.drafts" -type f)"
t_rc "... compose --draft sends it: exit 0" 0
done_ok c1

# 2.-3. Queued, not yet handed over: popmuch send sends it.
for p in compose-queued outbox-before-mark; do
	crash $p "c-$p"
	t_is "... nothing at the server yet" "$(at_server "c-$p")" 0
	t_is "... queued in the outbox" "$(outbox_n)" 1
	t_is "... no draft left (the outbox has it)" "$(drafts_n)" 0
	run_pm send
	t_rc "... popmuch send: exit 0" 0
	done_ok "c-$p"
done

# 4. Marked as being sent, the command not run: maybe sent; the person
# retries.
crash outbox-marked c4
run_pm status
t_like "... status: maybe sent" "$(cat "$T/out")" 'MAYBE SENT'
run_pm send
t_rc "... popmuch send leaves it to the person: exit 69" 69
t_is "... not sent by itself" "$(at_server c4)" 0
run_pm send --retry "$(ls "$MAIL_ROOT/outbox/new")"
run_pm send
t_rc "... after --retry, popmuch send: exit 0" 0
done_ok c4

# 5. The command ran, its result not recorded: maybe sent, never resent.
crash outbox-command-done c5
t_is "... the server has it" "$(at_server c5)" 1
run_pm send
t_rc "... popmuch send: exit 69 (maybe sent)" 69
t_is "... not sent twice" "$(at_server c5)" 1
run_pm status
t_like "... status: maybe sent" "$(cat "$T/out")" 'MAYBE SENT'
run_pm send --mark-sent "$(ls "$MAIL_ROOT/outbox/new")"
t_rc "... send --mark-sent: exit 0" 0
done_ok c5

# 6.-8. Accepted and recorded: recovery files and indexes it.
for p in outbox-accepted outbox-filed outbox-indexed; do
	crash $p "c-$p"
	t_is "... at the server once" "$(at_server "c-$p")" 1
	run_pm send
	t_rc "... popmuch send: exit 0" 0
	done_ok "c-$p"
	t_is "... no state left" "$(ls "$XDG_STATE_HOME/popmuch/.outbox" | grep -c '\.state$')" 0
done

t_is "in all, each message once at the server" "$(smtp_count)" 8

# Every outbox crash point (FAULT_POINTS in fault.h) was crashed at
# above (t-crash.sh leaves these to this test).
in_src=$(fault_points '^(outbox|compose)-' | xargs)
t_is "every outbox crash point in src/ is covered" \
	"$(printf '%s\n' $crashed | LC_ALL=C sort -u | xargs)" "$in_src"

t_done
