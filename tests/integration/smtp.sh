#!/bin/bash
# smtp.sh: a real SMTP server and real msmtp for the sending tests.
# Sourced after lib.sh (and pm_world).
#   smtp_start [PORT]   start tests/data/smtpd.py (aiosmtpd) on 127.0.0.1;
#                       sets SMTP_PORT, SMTP_MAILDIR (what it received)
#   smtp_stop           stop it (the port stays known for smtp_start)
#   smtp_count          how many messages it has received
#   smtp_msg N          the path of the Nth received message (1-based)
#   compose_world       pm_world, the SMTP server, compose_world_config,
#                       a notmuch database, the test $EDITOR (editor.sh)
#   compose_world_config  msmtp's config and a popmuch config whose
#                       sendmail_command is msmtp to SMTP_PORT
SMTP_MAILDIR=
SMTP_PORT=
_smtp_pid=

smtp_start()
{
	local i=0

	SMTP_MAILDIR=$T/smtp-received
	rm -f "$T/smtp.port"
	"$PM_PYTHON" "$TOP_SRCDIR/tests/data/smtpd.py" "$SMTP_MAILDIR" \
		"$T/smtp.port" ${1:-} >>"$T/smtp.log" 2>&1 &
	_smtp_pid=$!
	pm_at_exit "kill $_smtp_pid 2>/dev/null"
	while [ ! -s "$T/smtp.port" ]; do
		i=$((i + 1))
		[ $i -lt 200 ] || t_bail "the SMTP server did not start: $(tail -3 "$T/smtp.log")"
		kill -0 "$_smtp_pid" 2>/dev/null ||
			t_bail "the SMTP server died: $(tail -3 "$T/smtp.log")"
		sleep 0.05
	done
	SMTP_PORT=$(cat "$T/smtp.port")
}

smtp_stop()
{
	[ -n "$_smtp_pid" ] || return 0
	kill "$_smtp_pid" 2>/dev/null
	wait "$_smtp_pid" 2>/dev/null
	_smtp_pid=
}

smtp_count()
{
	find "$SMTP_MAILDIR/new" -type f 2>/dev/null | wc -l
}

smtp_msg()
{
	find "$SMTP_MAILDIR/new" -type f | sort | sed -n "${1}p"
}

# A free port for a server that is down for now.
smtp_free_port()
{
	"$PM_PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# compose_world: the world, msmtp's config for SMTP_PORT (which must be
# set), and an account whose sendmail_command is that msmtp.
compose_world_config()
{
	cat >"$T/msmtprc" <<EOM
defaults
auth off
tls off
timeout 10
account default
host 127.0.0.1
port $SMTP_PORT
EOM
	chmod 600 "$T/msmtprc"
	pm_config test "tls off" \
		"sendmail_command \"msmtp -C $T/msmtprc -t --read-envelope-from\""
}

compose_world()
{
	pm_world
	smtp_start
	compose_world_config
	notmuch new >>"$T/log" 2>&1 || t_bail "notmuch new failed"
	export EDITOR=$TOP_SRCDIR/tests/data/compose/editor.sh T
	unset VISUAL
}
