#!/bin/bash
# t-concurrency: two popmuch runs on one account never work it at the same
# time (issue 4).  A held account lock makes "popmuch fetch" exit 75 and
# name the holder, "--wait" waits for it; and two fetches started at the
# same moment on 200 messages deliver each message exactly once.
[ -n "${BASH_VERSION:-}" ] || exec /bin/bash "$0" "$@"
. "$(dirname "$0")/lib.sh"

command -v flock >/dev/null || t_bail "flock (util-linux) is not installed"

pm_world
dovecot_start
tls="tls_trust_file $TLS_CA"
box=$MAIL_ROOT/test
state=$XDG_STATE_HOME/popmuch/test
total=0

# check_once WHAT: every message seeded so far is in the Maildir exactly
# once (files, unique Message-IDs, each seeded one present) and notmuch
# has each.
check_once()
{
	local files ids want
	files=$(maildir_count "$box")
	ids=$(find "$box/new" "$box/cur" -maxdepth 1 -type f -print0 |
		xargs -0 -r grep -h -i -m1 '^Message-ID:' | LC_ALL=C sort)
	want=$(cat "$T/seed/$POP_USER/"*.eml | grep -i '^Message-ID:' |
		LC_ALL=C sort)
	t_is "$1: $total files in the Maildir" "$files" "$total"
	t_is "$1: each seeded message exactly once" "$ids" "$want"
	t_is "$1: notmuch has $total" "$(notmuch count '*' 2>>"$T/log")" \
		"$total"
	t_is "$1: tmp/ is empty" \
		"$(find "$box/tmp" -type f 2>/dev/null | wc -l)" 0
}

# bg_fetch NAME ARGS...: start popmuch ARGS in the background; output in
# $T/NAME.out and $T/NAME.err; its pid in BG_PID.
bg_fetch()
{
	local name=$1
	shift
	echo "bg_fetch $name: popmuch $*" >>"$T/log"
	"$POPMUCH" "$@" </dev/null >"$T/$name.out" 2>"$T/$name.err" &
	BG_PID=$!
}

# ---- the lock held by another process -------------------------------------
pm_config test "keep on" "tls on" "$tls"
seed_messages "$POP_USER" 10
total=10
mkdir -p "$state"
chmod 700 "$state"
ready=$T/lock-ready
hold=$T/lock-hold
: >"$hold"
# The holder does what a popmuch run does: flock the lock file and write
# its pid into it.
flock "$state/lock" sh -c 'echo $$ >"$1"; : >"$2"
	while [ -e "$3" ]; do sleep 0.05; done' sh \
	"$state/lock" "$ready" "$hold" &
flocker=$!
pm_at_exit "rm -f '$hold'; wait $flocker 2>/dev/null"
for _ in $(seq 1 200); do
	[ -e "$ready" ] && break
	kill -0 "$flocker" 2>/dev/null || break
	sleep 0.05
done
[ -e "$ready" ] || t_bail "flock did not take the account lock"
holder=$(cat "$state/lock")

run_pm fetch
t_rc "lock held: fetch exits 75 (EX_TEMPFAIL)" 75
t_like "lock held: says another run holds the lock, naming its pid" \
	"$(cat "$T/err")" "locked by another popmuch run \\(pid $holder\\)"
t_is "lock held: nothing delivered" "$(maildir_count "$box")" 0
t_is "lock held: nothing deleted" "$(server_count "$POP_USER")" 10

bg_fetch wait fetch --wait
waiter=$BG_PID
# There is no event to wait for here: the point is that nothing happens
# while the lock is held.
sleep 1
t_ok "lock held: fetch --wait waits" kill -0 "$waiter"
t_is "lock held: ... and delivers nothing meanwhile" \
	"$(maildir_count "$box")" 0
rm -f "$hold"
wait "$flocker"
wait "$waiter"
RC=$?
t_rc "lock released: fetch --wait goes on and exits 0" 0
t_empty "lock released: ... silently" "$T/wait.err"
check_once "fetch --wait"

# ---- a real race, keep off ------------------------------------------------
pm_config test "keep off" "tls on" "$tls"
seed_messages "$POP_USER" 200
total=210
bg_fetch a fetch
a=$BG_PID
bg_fetch b fetch
b=$BG_PID
wait "$a"
ra=$?
wait "$b"
rb=$?
t_like "race: each run exits 0 or 75 (got $ra, $rb)" "$ra $rb" \
	'^(0|75) (0|75)$'
t_unlike "race: at least one run did the work" "$ra $rb" '^75 75$'
for x in a b; do
	if grep -q 'locked' "$T/$x.err"; then
		t_like "race: the run that lost ($x) names the lock" \
			"$(cat "$T/$x.err")" 'locked by another popmuch run'
	else
		t_empty "race: run $x prints nothing" "$T/$x.err"
	fi
done
run_pm fetch
t_rc "race: a run after both exits 0" 0
check_once "race, keep off"
t_is "race, keep off: the server is empty" "$(server_count "$POP_USER")" 0

# ---- a real race, keep on, both waiting -----------------------------------
pm_config test "keep on" "tls on" "$tls"
seed_messages "$POP_USER" 200
total=410
bg_fetch a fetch --wait
a=$BG_PID
bg_fetch b fetch --wait
b=$BG_PID
wait "$a"
ra=$?
wait "$b"
rb=$?
t_is "race with --wait: both runs exit 0" "$ra $rb" "0 0"
t_empty "race with --wait: run a prints nothing" "$T/a.err"
t_empty "race with --wait: run b prints nothing" "$T/b.err"
check_once "race with --wait, keep on"
t_is "race with --wait, keep on: all 200 stay on the server" \
	"$(server_count "$POP_USER")" 200

t_done
