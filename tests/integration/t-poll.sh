#!/bin/bash
# t-poll: a poll sends and opens only what it needs (issue 16), against a
# real Dovecot and a real notmuch:
#   - a poll that finds nothing new sends STAT and UIDL, no LIST, QUIT
#     without waiting for its answer (Dovecot still logs it out), and
#     neither starts the indexer nor opens the notmuch database: it
#     succeeds at once while another process holds notmuch's write lock,
#     where a fetch of one new message, in the same world, cannot index
#     (the control: the lock is real);
#   - a new message brings LIST back (its size is needed), and a known
#     message whose size changed on the server makes STAT's total differ,
#     so LIST is sent too;
#   - the indexer is fed before a group commit of 64 is full: with 10
#     messages the second group commit (crash point "synced") is reached,
#     and a rerun after that kill stores each message once.
[ -n "${BASH_VERSION:-}" ] || exec /bin/bash "$0" "$@"
. "$(dirname "$0")/lib.sh"

: "${POPMUCH_FAULT:=$TOP_BUILDDIR/tests/popmuch-fault}"
[ -x "$POPMUCH_FAULT" ] || t_bail "no $POPMUCH_FAULT (make builds it)"

pm_world
dovecot_start poll feed
tls="tls_trust_file $TLS_CA"
box=$MAIL_ROOT/poll

# sent CMD: how many times the --debug transcript in $T/err sends CMD
# (a bare command: "LIST" and not "LIST 3").
sent()
{
	grep -c -- "-> $1\$" "$T/err"
}

pm_config poll "user poll" "tls on" "$tls" "keep on"
seed_messages poll 5
run_pm -vv fetch
t_rc "first fetch: exit 0" 0
t_is "first fetch: 5 delivered" "$(maildir_count "$box")" 5
t_like "first fetch: -vv tells what the indexer did" "$(cat "$T/err")" \
	'indexer: 5 file\(s\); notmuch database opened read-write 1 time'
t_is "first fetch: notmuch has the 5" "$(notmuch count folder:poll)" 5

# ---- nothing new -----------------------------------------------------------
# logouts: how many sessions of the user poll Dovecot logged out (its log
# process writes a moment after the session ends: wait up to 5 s for N)
logouts()
{
	grep -c 'pop3(poll).*Disconnected: Logged out' "$DOVECOT_LOG"
}
wait_logouts()
{
	local i
	for i in $(seq 50); do
		[ "$(logouts)" -ge "$1" ] && break
		sleep 0.1
	done
	logouts
}
before=$(wait_logouts 1)
run_pm -vv --debug fetch
t_rc "poll, nothing new: exit 0" 0
t_is "poll, nothing new: STAT sent once" "$(sent STAT)" 1
t_is "poll, nothing new: UIDL sent once" "$(sent UIDL)" 1
t_is "poll, nothing new: no LIST (sizes come from the journal)" \
	"$(sent LIST)" 0
t_like "poll, nothing new: the indexer is not started" "$(cat "$T/err")" \
	'indexer: not started \(nothing to index\); notmuch database not opened'

t_is "poll, nothing new: QUIT sent" "$(sent QUIT)" 1
t_unlike "poll, nothing new: its answer not waited for (nothing deleted)" \
	"$(cat "$T/err")" '<- \+OK Logging out'
t_is "... yet Dovecot took the QUIT: the session logged out" \
	"$(wait_logouts $((before + 1)))" $((before + 1))

nm_hold_lock
holder=$NM_HOLDER
t0=$(date +%s)
run_pm fetch --index-timeout 20
t1=$(date +%s)
t_rc "poll while notmuch is locked: exit 0" 0
t_empty "poll while notmuch is locked: silent" "$T/err"
t_ok "poll while notmuch is locked: does not wait for the lock ($((t1 - t0)) s)" \
	test $((t1 - t0)) -lt 15

# The control: the same world with one new message must index, and
# cannot while the lock is held.
seed_messages poll 1
run_pm -vv --debug fetch --index-timeout 2
t_rc "control, one new while locked: exit 0" 0
t_like "control: ... its file is not indexed (the lock is real)" \
	"$(cat "$T/err")" 'not indexed yet'
t_is "control: ... it is delivered" "$(maildir_count "$box")" 6
t_is "control: ... a new message brings LIST back" "$(sent LIST)" 1
kill -TERM "$holder"
wait "$holder"
t_is "the lock holder let go cleanly" "$?" 0
run_pm index
t_rc "popmuch index catches up: exit 0" 0
t_is "notmuch has all 6" "$(notmuch count folder:poll)" 6

# ---- a known message changes size on the server ----------------------------
# One more header line in message 1's file, and Dovecot's cached size
# (W in dovecot-uidlist, and its index) dropped: STAT's total differs
# from the journal's sum, so LIST is sent; the size changed, so the
# header decides (another header: a new message under a reused UIDL,
# fetched as new, as the rule for DELE says).
srv=$(server_maildir poll)
f=$(ls "$srv"/cur/1700000001.* "$srv"/new/1700000001.* 2>/dev/null | head -n 1)
[ -n "$f" ] || t_bail "no message file 1 on the server"
{
	printf 'X-Added: by the test\n'
	cat "$f"
} >"$T/grown" && cat "$T/grown" >"$f"
sed -i 's/^1 W[0-9]* :/1 :/' "$srv/dovecot-uidlist"
rm -f "$srv"/dovecot.index*
run_pm --debug fetch
t_rc "a known message grew on the server: exit 0" 0
t_is "... LIST is sent (STAT's total differs)" "$(sent LIST)" 1
t_like "... the header differs: fetched as new" "$(cat "$T/err")" \
	'reuses unique id .* for a different message'
t_is "... so 7 files" "$(maildir_count "$box")" 7

# ---- the journal is loaded beside the login ------------------------------
# The lock is taken first; then the connection and login run beside the
# journal's load and recovery, and nothing is sent after the login until
# both are done: a local failure ends the run with its own error and no
# listing, and a server that cannot be reached with the server's.
: >"$MAIL_ROOT/notadir"
pm_config side "user poll" "tls on" "$tls" "keep on" \
	"delivery maildir $MAIL_ROOT/notadir"
run_pm --debug fetch
t_isnt "a Maildir that is a file: the run fails" "$RC" 0
t_like "... naming the Maildir" "$(grep -v -- '->\|<-' "$T/err")" \
	"notadir"
t_like "... the login ran beside the load" "$(cat "$T/err")" '-> USER poll'
t_is "... and nothing was listed: no STAT" "$(sent STAT)" 0
t_is "... no UIDL" "$(sent UIDL)" 0
t_is "... no LIST" "$(sent LIST)" 0
pm_config poll "user poll" "tls on" "$tls" "keep on" "port $(_pm_free_ports | cut -d" " -f1)"
run_pm fetch
t_is "a server that cannot be reached: exit 75 (EX_TEMPFAIL)" "$RC" 75
t_like "... the error is the connection's" "$(cat "$T/err")" \
	'connect|refused'
t_is "... and the local side still ran: nothing lost" \
	"$(maildir_count "$box")" 7

# ---- the indexer is fed before a batch of 64 is full -------------------------
pm_config feed "user feed" "tls on" "$tls" "keep on"
seed_messages feed 10
POPMUCH=$POPMUCH_FAULT POPMUCH_CRASH_AT=synced:2 run_pm fetch feed \
	2>>"$T/log"
t_is "10 messages: a second group commit before 64 (killed there)" \
	"$RC" 137
run_pm -vv fetch feed
t_rc "the rerun: exit 0" 0
t_is "the rerun: 10 stored, each once" \
	"$(maildir_count "$MAIL_ROOT/feed")" 10
t_is "the rerun: notmuch has the 10" "$(notmuch count folder:feed)" 10
t_like "the rerun: -vv says when indexing ended" "$(cat "$T/err")" \
	'indexing ended [0-9.]+ s after the last file was handed over'

t_done
