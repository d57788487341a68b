#!/bin/bash
# t-storm: a kill -9 storm over a slow link ends with every message
# exactly once (issue 10: "30+ kills at random moments over a
# 500-message keep off fetch").
#
# 500 messages on a real Dovecot, account keep off, STLS, reached through
# tests/bench/latproxy.py (PM_STORM_DELAY_MS one way, default 8: 16 ms
# round trip).  The release binary (src/popmuch, no crash points) is
# started and SIGKILLed again and again, try t after a random 0 to
# 250 * (1 + t % 6) ms (after a run ended by itself, at most as long as
# that run was given), so that short kills (connect, TLS, login, LIST,
# the first batch) alternate with long ones (deep in the transfer, the
# TOP checks, DELE, after QUIT, indexing), until PM_STORM_KILLS runs
# (default 36) died by the signal (at most twice as many tries; a run
# that ends by itself must exit 0, silently).  With the default seed the
# 36 kills fall about 10 in the transfer, 6 with everything stored but
# not yet deleted, 20 after QUIT (the indexing of what killed runs left).
# Right after each kill: no Message-ID twice in the Maildir, every seeded
# message in the Maildir or on the server.  Then a clean run: exit 0,
# silent; 500 files, each seeded message exactly once and byte-identical
# to what was seeded; notmuch has each message once, with one file; the
# server is empty.  One more run: exit 0, and no complete popmuch file in
# tmp/ whose message is not in new/ or cur/ (the count of what killed
# runs left there is a diag line).  RANDOM=PM_STORM_SEED (default 1010)
# makes the moments repeatable.  About 35 s under ASan on 2 cores.
[ -n "${BASH_VERSION:-}" ] || exec /bin/bash "$0" "$@"
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/msgids.sh"

KILLS=${PM_STORM_KILLS:-36}
DELAY_MS=${PM_STORM_DELAY_MS:-8}
STEP_MS=${PM_STORM_STEP_MS:-250}
N=500
V=storm

pm_world
dovecot_start "$V"
BOX=$MAIL_ROOT/$V

# The slow link.
"$PM_PYTHON" "$TOP_SRCDIR/tests/bench/latproxy.py" \
	--target-port "$POP3_PORT" --delay-ms "$DELAY_MS" \
	--port-file "$T/proxy.port" 2>>"$T/log" &
PROXY_PID=$!
pm_at_exit "kill $PROXY_PID 2>/dev/null; wait $PROXY_PID 2>/dev/null"
for _ in $(seq 1 100); do
	[ -s "$T/proxy.port" ] && break
	sleep 0.05
done
[ -s "$T/proxy.port" ] || t_bail "latproxy.py did not start" \
	"$(tail -n 5 "$T/log")"
pm_config "$V" "user $V" "keep off" "tls on" "tls_trust_file $TLS_CA" \
	"port $(cat "$T/proxy.port")"

after_kill()
{
	t_is "$1: nothing lost or doubled" "$(doubled_or_lost)" ""
}

seed_messages "$V" "$N"
RANDOM=${PM_STORM_SEED:-1010}
start=$(date +%s)
killed=0
ended=0
try=0
cap=0 # once a run ended by itself within cap ms, later kills come sooner
while [ "$killed" -lt "$KILLS" ] && [ "$try" -lt $((2 * KILLS)) ]; do
	try=$((try + 1))
	win=$((STEP_MS * (1 + try % 6)))
	[ "$cap" -gt 0 ] && [ "$win" -gt "$cap" ] && win=$cap
	ms=$((RANDOM % (win + 1)))
	"$POPMUCH" fetch "$V" </dev/null >"$T/out" 2>"$T/err" &
	pid=$!
	sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	rc=$?
	if [ "$rc" = 137 ]; then
		killed=$((killed + 1))
	else
		ended=$((ended + 1))
		# (a build without ASan runs an empty mailbox in well under
		# the window: without the cap it would end most tries)
		cap=$((ms > 20 ? ms : 20))
		# A run that ended by itself must have ended well.
		t_is "try $try: a run that was not killed exits 0, silently" \
			"$rc $(head -c 300 "$T/err")" "0 "
	fi
	echo "storm: try $try after $ms ms: exit $rc," \
		"$(maildir_count "$BOX") local, $(server_count "$V") on the" \
		"server, $(find "$BOX/tmp" -type f | wc -l) in tmp/" >>"$T/log"
	after_kill "try $try (kill after $ms ms, exit $rc)"
done
t_diag "storm: $killed runs killed, $ended ended by themselves, $try tries,\
 $(($(date +%s) - start)) s; then $(maildir_count "$BOX") of $N local,\
 $(server_count "$V") on the server, $(find "$BOX/tmp" -type f | wc -l)\
 files in tmp/"
t_ok "at least 30 runs were killed ($killed)" test "$killed" -ge 30

# The clean run.
run_pm fetch "$V"
if [ "$RC" = 0 ] && [ ! -s "$T/err" ]; then
	t_pass "the clean run exits 0, silently"
else
	t_fail "the clean run exits 0, silently" \
		"exit $RC: $(head -c 600 "$T/err")"
fi
t_is "$N files in the Maildir" \
	"$(files_in "$BOX/new" "$BOX/cur" | grep -zc .)" "$N"
want=$(seeded_ids)
got=$(local_ids)
if [ "$got" = "$want" ]; then
	t_pass "every seeded message exactly once (by Message-ID)"
else
	t_fail "every seeded message exactly once (by Message-ID)" \
		"missing: $(LC_ALL=C comm -23 <(echo "$want") <(echo "$got") |
			head -n 3 | tr '\n' ' ')" \
		"twice: $(echo "$got" | uniq -d | head -n 3 | tr '\n' ' ')"
fi

# Seed number -> local file (Message-ID <pmseed.I.USER.TOKEN@...>), then
# each seeded copy against it.
declare -A file_of
while IFS=$'\t' read -r i f; do
	file_of[$i]=$f
done < <(files_in "$BOX/new" "$BOX/cur" |
	xargs -0 -r grep -H -m1 '^Message-ID: <pmseed\.' |
	sed -n 's/^\(.*\):Message-ID: <pmseed\.\([0-9]*\)\..*$/\2\t\1/p')
differ=0
first=
for i in $(seq 1 "$N"); do
	if ! cmp -s -- "$(seed_file "$V" "$i")" "${file_of[$i]:-/nonexistent}"
	then
		differ=$((differ + 1))
		[ -n "$first" ] || first="$i (${file_of[$i]:-no file})"
	fi
done
t_is "each stored message is byte-identical to its seeded copy" \
	"$differ${first:+, first: $first}" 0

nm_ids=$(notmuch search --output=messages "path:$V/**" 2>>"$T/log" |
	sed 's/^id:/</; s/$/>/' | LC_ALL=C sort)
t_is "notmuch has each message once" "$nm_ids" \
	"$(echo "$want" | sed 's/^[^:]*: *//' | LC_ALL=C sort)"
t_is "notmuch has one file per message" \
	"$(notmuch count --output=files "path:$V/**" 2>>"$T/log")" "$N"
t_is "keep off: the server is empty" "$(server_count "$V")" 0

# One more run; what killed runs left in tmp/ is never a message that
# did not reach new/ or cur/.
run_pm fetch "$V"
t_rc "one more run exits 0" 0
left=0
complete=0
stuck=
while IFS= read -r -d '' f; do
	left=$((left + 1))
	grep -q '^end of message ' "$f" || continue
	complete=$((complete + 1))
	i=$(sed -n 's/^Message-ID: <pmseed\.\([0-9]*\)\..*/\1/p' "$f" | head -n 1)
	cmp -s -- "$f" "${file_of[$i]:-/nonexistent}" || stuck="$stuck ${f##*/}"
done < <(find "$BOX/tmp" -maxdepth 1 -type f -name '[0-9]*.M[0-9]*P[0-9]*Q*' \
	-print0)
t_diag "tmp/ after one more run: $left popmuch files, $complete complete"
t_is "tmp/ holds no complete message that is not in new/ or cur/" \
	"$stuck" ""

t_done
