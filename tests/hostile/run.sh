#!/bin/bash
# run.sh: popmuch against a hostile POP3 server (TAP).
#
# Every case in tests/hostile/cases.py (listed with its one line of
# expected behaviour in tests/hostile/CASES) runs fakepop3.py with that
# case, points a fresh popmuch world (HOME, XDG dirs, notmuch config,
# Maildir) at it, runs "$POPMUCH -C CONFIG fetch" under "timeout 30", and
# gives one TAP line that passes when all of these hold:
#   - the exit code is one of the case's (sysexits: 0 ok, 69 unavailable
#     or certificate refused, 75 temporary/network/timeout, 76 protocol
#     or TLS handshake, 77 authentication);
#   - no crash: exit < 128, no sanitizer report on stderr;
#   - on failure a "popmuch: hostile: ..." line on stderr names the cause
#     (the case's keyword ERE, case-insensitive);
#   - tmp/ of the Maildir is empty; every file in new/ and cur/ is one of
#     the server's messages, complete and byte-exact, and none twice;
#   - every message whose deletion the server committed is stored locally
#     (nothing lost); counts of delivered/deleted as the case says;
#   - no USER/PASS/AUTH/APOP before TLS when TLS was asked for; no DELE or
#     a QUIT when the case says so (from the server's transcript).
#
# Environment: POPMUCH (the binary), HOSTILE_CASES (space-separated case
# names to run, default all), HOSTILE_CLIENT=mpop (run mpop instead of
# popmuch, to check the fake server itself; the keyword and exit code
# checks then describe mpop), KEEP_TEST_TMP (keep the temp dir).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"

HOSTILE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../integration/lib.sh
. "$HOSTILE_DIR/../integration/lib.sh"

FAKE=$HOSTILE_DIR/fakepop3.py
PM_TIMEOUT=30
POP_USER=u
POP_PASS=p

pm_world
tls_init || t_bail "cannot generate test certificates" "$(tail -n 20 "$T/log")"
MAIN_NOTMUCH_CONFIG=$NOTMUCH_CONFIG

# A fresh HOME with XDG dirs, notmuch config and an empty Maildir for one case.
case_world()
{
	export HOME=$1/home
	export XDG_CONFIG_HOME=$HOME/.config
	export XDG_STATE_HOME=$HOME/.local/state
	export XDG_DATA_HOME=$HOME/.local/share
	export XDG_CACHE_HOME=$HOME/.cache
	export NOTMUCH_CONFIG=$HOME/.notmuch-config
	export PM_CONFIG=$XDG_CONFIG_HOME/popmuch/config
	export MAIL_ROOT=$HOME/mail
	mkdir -p "$XDG_CONFIG_HOME" "$XDG_STATE_HOME" "$XDG_DATA_HOME" \
		"$XDG_CACHE_HOME" "$MAIL_ROOT/hostile/new" \
		"$MAIL_ROOT/hostile/cur" "$MAIL_ROOT/hostile/tmp"
	sed "s|^path=.*|path=$MAIL_ROOT|" "$MAIN_NOTMUCH_CONFIG" >"$NOTMUCH_CONFIG"
	notmuch new --quiet >>"$T/log" 2>&1 ||
		t_bail "cannot create a notmuch database in $MAIL_ROOT"
}

# Start fakepop3.py for case $1 with its files in $2; sets SRV_PID, SRV_PORT.
server_start()
{
	local i

	"$PM_PYTHON" "$FAKE" serve "$1" --dir "$2/srv" \
		--port-file "$2/port" --tls-dir "$TLS_DIR" \
		--connections "${RUNS:-1}" \
		>"$2/server.out" 2>"$2/server.err" &
	SRV_PID=$!
	for i in $(seq 1 400); do
		[ -s "$2/port" ] && break
		kill -0 "$SRV_PID" 2>/dev/null || break
		sleep 0.05
	done
	SRV_PORT=$(cat "$2/port" 2>/dev/null)
	[ -n "$SRV_PORT" ]
}

# Wait (at most 10 s) for the server to finish its session, then stop it.
server_stop()
{
	local i

	for i in $(seq 1 200); do
		kill -0 "$SRV_PID" 2>/dev/null || break
		sleep 0.05
	done
	kill "$SRV_PID" 2>/dev/null
	wait "$SRV_PID" 2>/dev/null
}

run_client()
{
	if [ "${HOSTILE_CLIENT:-}" = mpop ]; then
		PM_LAST_RUN="mpop -C $PM_CONFIG -a"
		timeout -k 10 "$PM_TIMEOUT" mpop -C "$PM_CONFIG" -a -q \
			</dev/null >"$T/out" 2>"$T/err"
		RC=$?
		return 0
	fi
	run_pm -C "$PM_CONFIG" fetch
}

PROBLEMS=()
problem()
{
	PROBLEMS+=("$*")
}

# Exit code, crash, and the error line.
check_exit()
{
	local err=$1 line

	case "|$RC_WANT|" in
	*"|$RC|"*) ;;
	*) problem "exit code $RC, want $RC_WANT" ;;
	esac
	[ "$RC" -lt 128 ] || problem "killed by a signal (exit $RC)"
	[ "$RC" != 124 ] || problem "hung: still running after ${PM_TIMEOUT}s"
	if grep -Eq 'AddressSanitizer|LeakSanitizer|runtime error:|UndefinedBehaviorSanitizer' "$err"; then
		problem "sanitizer report on stderr"
	fi
	# (the test config sends the password without TLS on purpose)
	line=$(grep -v "the password was sent without TLS" "$err")
	if [ "${SILENT:-0}" = 1 ] && [ -n "$line" ]; then
		problem "run $RUN_NO: not silent: $(printf '%s\n' "$line" | head -n 2)"
	fi
	[ "$RC" != 0 ] && [ -n "$SAY" ] || return 0
	if [ "${HOSTILE_CLIENT:-}" = mpop ]; then
		line=$(cat "$err")
	else
		line=$(grep -E '^popmuch: hostile: ' "$err")
		[ -n "$line" ] || problem "no 'popmuch: hostile: ...' line on stderr"
	fi
	printf '%s\n' "$line" | grep -Eiq -- "$SAY" ||
		problem "error line does not match /$SAY/"
}

# The Maildir against the server's messages.
check_maildir()
{
	local md=$1 srv=$2 f e n=0 found matched=" " d

	[ -z "$(ls -A "$md/tmp" 2>/dev/null)" ] ||
		problem "tmp/ not empty: $(ls "$md/tmp" | head -3 | tr '\n' ' ')"
	for f in "$md"/new/* "$md"/cur/*; do
		[ -f "$f" ] || continue
		n=$((n + 1))
		found=
		for e in "$srv"/expect/*.eml; do
			if cmp -s "$f" "$e"; then
				found=$(basename "$e" .eml)
				break
			fi
		done
		if [ -z "$found" ] && [ "$SUSPECT_OK" = 1 ]; then
			t_diag "${f#"$md"/}: no server message (allowed: out of step)"
		elif [ -z "$found" ]; then
			problem "${f#"$md"/} is no server message (partial or corrupt)"
		elif [ "${matched#* "$found" }" != "$matched" ]; then
			problem "message $found stored twice"
		fi
		matched="$matched$found "
	done
	[ -z "$DELIVERED" ] || [ "$n" = "$DELIVERED" ] ||
		problem "$n messages stored, want $DELIVERED"
	n=0
	if [ -s "$srv/deleted" ]; then
		while read -r d; do
			n=$((n + 1))
			[ "${matched#* "$d" }" != "$matched" ] ||
				problem "message $d deleted on the server but not stored (lost)"
		done <"$srv/deleted"
	fi
	[ -z "$DELETED" ] || [ "$n" = "$DELETED" ] ||
		problem "$n deletions committed, want $DELETED"
}

# What the client sent, from the server's transcript.
check_transcript()
{
	local tx=$1 before

	[ -s "$tx" ] || { problem "no transcript (server did not run?)"; return; }
	if [ "$NOCRED" = 1 ]; then
		before=$(sed '/^-- tls /,$d' "$tx")
		printf '%s\n' "$before" | grep -Eiq '^C: (USER|PASS|AUTH|APOP)( |$)' &&
			problem "credentials sent before TLS"
	fi
	if [ "$NO_DELE" = 1 ] && grep -Eiq '^C: DELE' "$tx"; then
		problem "DELE sent"
	fi
	if [ "$QUIT" = 1 ] && ! grep -Eiq '^C: QUIT' "$tx"; then
		problem "QUIT not sent"
	fi
	return 0
}

run_case()
{
	local name=$1 cd=$T/c/$1 conf=() l

	mkdir -p "$cd"
	l=$("$PM_PYTHON" "$FAKE" expect "$name") ||
		t_bail "cannot read case $name"
	eval "$l"
	case_world "$cd"
	PROBLEMS=()
	if ! server_start "$name" "$cd"; then
		t_fail "$name: $ABOUT" "fakepop3.py did not start:" \
			"$(tail -n 5 "$cd/server.err")"
		return
	fi
	[ "$CHECK_PWN" = 0 ] || rm -f /tmp/pm-hostile-pwn
	for RUN_NO in $(seq 1 "$RUNS"); do
		conf=()
		eval "CONF=\$CONF_$RUN_NO RC_WANT=\$RC_$RUN_NO"
		eval "SAY=\$SAY_$RUN_NO SILENT=\$SILENT_$RUN_NO"
		while IFS= read -r l; do
			conf+=("${l//@TLS_CA@/$TLS_CA}")
		done <<<"$CONF"
		POP3_PORT=$SRV_PORT pm_config hostile "${conf[@]}"
		run_client
		cp "$T/err" "$cd/client.err.$RUN_NO"
		check_exit "$cd/client.err.$RUN_NO"
	done
	server_stop
	if [ -n "$STATUS" ]; then
		run_pm -C "$PM_CONFIG" status
		tr '\n' ' ' <"$T/out" | grep -Eq -- "$STATUS" ||
			problem "popmuch status does not match /$STATUS/: $(tr '\n' ' ' <"$T/out")"
	fi
	check_maildir "$MAIL_ROOT/hostile" "$cd/srv"
	check_transcript "$cd/srv/transcript"
	if [ "$CHECK_PWN" = 1 ]; then
		[ ! -e /tmp/pm-hostile-pwn ] ||
			problem "a UIDL was used as a path: /tmp/pm-hostile-pwn exists"
		[ -z "$(find "$cd/home" -name 'pm-hostile-pwn*' -o -path '*/a/b*')" ] ||
			problem "a UIDL was used as a path below HOME"
	fi
	if [ -s "$cd/server.err" ]; then
		problem "fakepop3.py failed: $(tail -n 1 "$cd/server.err")"
	fi
	if [ ${#PROBLEMS[@]} -eq 0 ]; then
		t_pass "$name: $ABOUT"
	else
		t_fail "$name: $ABOUT" "${PROBLEMS[@]}" \
			"--- transcript (last 8 lines):" \
			"$(tail -n 8 "$cd/srv/transcript" 2>/dev/null | cut -c1-200)"
	fi
}

# The case list in CASES is the one the server knows.
"$PM_PYTHON" "$FAKE" list >"$T/cases.now" 2>&1
t_cmp "tests/hostile/CASES lists every case with its expected behaviour" \
	"$HOSTILE_DIR/CASES" "$T/cases.now"

if [ -n "${HOSTILE_CASES:-}" ]; then
	names=$HOSTILE_CASES
else
	names=$(cut -d: -f1 "$T/cases.now")
fi
for name in $names; do
	run_case "$name"
done
t_done
