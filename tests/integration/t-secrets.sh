#!/bin/bash
# t-secrets: what a helper, a signal or a memory reader can do to a fetch
# (issue 10, items 9 to 11), against the hostile POP3 server
# (tests/hostile/fakepop3.py) serving its cases "plain-ok" and
# "retr-stall-third" (RETR 3 stops mid-body after messages 1 and 2).
#   - passwordeval whose command leaves a child holding its stdout: the
#     run reads the first line and goes on (exit 0, seconds, not the
#     child's 20 s), and the child holds no lock;
#   - passwordeval that never prints, or prints and never exits: stopped
#     at the account's timeout, exit 75, a message naming passwordeval
#     and never the password;
#   - while a helper inspects its parent: core size limit 0, and the
#     process is not dumpable (its /proc/PID/environ refused to a reader
#     without CAP_SYS_PTRACE);
#   - after login (USER/PASS, and AUTH PLAIN through GNU SASL) the
#     configured password, or its PLAIN base64, is nowhere in the
#     process's writable memory (read through /proc/PID/mem while RETR 3
#     stalls), nor is the password of another account the run does not
#     fetch;
#   - SIGTERM, SIGINT, SIGHUP while RETR 3 stalls: exit 75 within a
#     second or two, messages 1 and 2 in new/, nothing of 3, tmp/ empty;
#     the next run fetches 3 only: each message exactly once;
#   - SIGTERM while the indexer waits for a notmuch lock another process
#     holds: exit 75 at once (not at --index-timeout), the mail delivered;
#   - kill -9 while RETR 3 stalls leaves complete files in tmp/; the next
#     run removes them (their writer is dead) and stores each message
#     exactly once.
[ -n "${BASH_VERSION:-}" ] || exec /bin/bash "$0" "$@"
. "$(dirname "$0")/lib.sh"

FAKE=$TOP_SRCDIR/tests/hostile/fakepop3.py
POP_USER=u
PW=pm-mem-Zq7v-4711-secret
OTHER_PW=pm-other-Kx3w-0815-secret
BOX=$MAIL_ROOT/s
STATE=$XDG_STATE_HOME/popmuch/s

pm_world
BOX=$MAIL_ROOT/s
STATE=$XDG_STATE_HOME/popmuch/s
mkdir -p "$BOX/new" "$BOX/cur" "$BOX/tmp"

# fake_start NAME CASE [fakepop3 options]: serve CASE with password $PW;
# sets SRV_PID, SRV_DIR, POP3_PORT.
fake_start()
{
	local i

	SRV_DIR=$T/srv-$1
	rm -rf "$SRV_DIR"
	mkdir -p "$SRV_DIR"
	"$PM_PYTHON" "$FAKE" serve "$2" --dir "$SRV_DIR" --password "$PW" \
		--port-file "$SRV_DIR/port" "${@:3}" \
		>"$SRV_DIR/out" 2>"$SRV_DIR/err" &
	SRV_PID=$!
	for i in $(seq 1 200); do
		[ -s "$SRV_DIR/port" ] && break
		sleep 0.05
	done
	POP3_PORT=$(cat "$SRV_DIR/port" 2>/dev/null)
	[ -n "$POP3_PORT" ] || t_bail "fakepop3.py did not start: $(cat "$SRV_DIR/err")"
}

fake_stop()
{
	kill "$SRV_PID" 2>/dev/null
	wait "$SRV_PID" 2>/dev/null
}

# wait_for FILE ERE: until FILE has a line matching ERE (10 s at most).
wait_for()
{
	local i

	for i in $(seq 1 200); do
		grep -Eq -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

now_ms() { date +%s%3N; }

# lock_free: nobody holds the account lock.
lock_free()
{
	flock -n "$STATE/lock" true
}

# stored_once WHAT N: N files in new/ and cur/, each one of the server's
# messages byte for byte, none twice; tmp/ empty.
stored_once()
{
	local f e n=0 seen=" " dup=0 stray=0 m

	for f in "$BOX"/new/* "$BOX"/cur/*; do
		[ -f "$f" ] || continue
		n=$((n + 1))
		m=
		for e in "$SRV_DIR"/expect/*.eml; do
			cmp -s "$f" "$e" && m=$(basename "$e" .eml) && break
		done
		[ -n "$m" ] || stray=$((stray + 1))
		case "$seen" in *" $m "*) dup=$((dup + 1)) ;; esac
		seen="$seen$m "
	done
	t_is "$1: $2 messages stored" "$n" "$2"
	t_is "$1: each one complete and byte-exact" "$stray" 0
	t_is "$1: none stored twice" "$dup" 0
	t_is "$1: tmp/ is empty" "$(ls -A "$BOX/tmp" | wc -l)" 0
}

fresh_account()
{
	rm -rf "$STATE" "$BOX"
	mkdir -p "$BOX/new" "$BOX/cur" "$BOX/tmp"
}

# ---- passwordeval -----------------------------------------------------

# eval_run NAME COMMAND TIMEOUT: a fetch with passwordeval COMMAND; MS is
# how long it took.
eval_run()
{
	local t0

	fresh_account
	fake_start "$1" plain-ok --no-faults 1
	pm_config s -password "passwordeval \"$2\"" "timeout $3"
	t0=$(now_ms)
	run_pm -C "$PM_CONFIG" fetch
	MS=$(($(now_ms) - t0))
	fake_stop
}

eval_run linger "echo $PW; sleep 20 &" 10
t_rc "a helper that leaves a child holding stdout: exit 0" 0
t_ok "it took ${MS} ms, not the child's 20 s" [ "$MS" -lt 8000 ]
t_ok "the lingering child holds no account lock" lock_free
stored_once "lingering child" 2

for c in "sleep 30|printed no line within 2 seconds" \
	"echo $PW; sleep 30|did not exit within 2 seconds"; do
	eval_run silent "${c%%|*}" 2
	t_rc "passwordeval '${c%%|*}', timeout 2: exit 75" 75
	t_ok "stopped at the bound: ${MS} ms" [ "$MS" -lt 6000 ]
	t_like "the message names passwordeval and the bound" \
		"$(cat "$T/err")" "passwordeval command ${c#*|}"
	t_unlike "the message does not hold the password" "$(cat "$T/err")" \
		"$PW"
	t_ok "the account lock is free" lock_free
done

# ---- core dumps and ptrace while a helper runs ------------------------

fresh_account
# The helper opens its parent's /proc/PID/mem with the same
# credentials: allowed unless the parent is not dumpable.  (As root,
# popmuch runs without CAP_SYS_PTRACE, which would override that.)
cat >"$T/inspect.sh" <<EOF
#!/bin/sh
cat /proc/\$PPID/limits >"$T/limits"
if dd if=/proc/\$PPID/mem bs=1 count=0 2>/dev/null; then
	echo readable >"$T/mem"
else
	echo refused >"$T/mem"
fi
echo "$PW"
EOF
chmod 755 "$T/inspect.sh"
fake_start inspect plain-ok --no-faults 1
pm_config s -password "passwordeval \"exec $T/inspect.sh\""
nocap=()
[ "$(id -u)" != 0 ] || nocap=(setpriv --bounding-set=-sys_ptrace)
(
	ulimit -S -c "$(ulimit -H -c)"
	# ASan turns core dumps off by itself; let it leave the limit alone.
	export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}disable_coredump=0"
	timeout 60 "${nocap[@]}" "$POPMUCH" -C "$PM_CONFIG" fetch \
		</dev/null >"$T/out" 2>"$T/err"
	echo "$?" >"$T/inspect.rc"
)
fake_stop
t_is "helper inspecting its parent: exit 0" "$(cat "$T/inspect.rc")" 0
t_like "core file size limit 0 while the password is fetched" \
	"$(grep '^Max core file size' "$T/limits")" \
	'^Max core file size +0 '
t_is "not dumpable: its /proc/PID/mem refused to a process of the same user" \
	"$(cat "$T/mem")" refused

# ---- signals during a stalled RETR (and the password in memory) -------

# stall_run NAME AUTH [SASL]: a fetch (auth AUTH; the server offers
# SASL) that stalls in RETR 3; its pid in PM_PID.
stall_run()
{
	fresh_account
	fake_start "stall-$1" retr-stall-third ${3:+--sasl "$3"}
	pm_config s "password $PW" "timeout 30" "auth $2"
	pm_config_add other "user v" "password $OTHER_PW"
	env --default-signal=INT,HUP,TERM "$POPMUCH" -C "$PM_CONFIG" fetch s \
		</dev/null >"$T/out" 2>"$T/err" &
	PM_PID=$!
	wait_for "$SRV_DIR/transcript" '^-- stall' ||
		t_fail "the fetch never reached the stall" "$(tail -5 "$SRV_DIR/transcript")"
}

# memscan PID [PW]: "present", "absent" or "unreadable" for PW ($PW), or the
# PLAIN credentials in base64, in PID's writable memory (mappings over
# 256 MB, e.g. ASan's shadow, skipped).
memscan()
{
	"$PM_PYTHON" - "$1" "${2:-$PW}" <<'EOF'
import base64
import sys
pid, pw = sys.argv[1], sys.argv[2].encode()
needles = [pw, base64.b64encode(b"\0u\0" + pw)]
try:
    maps = open("/proc/%s/maps" % pid).read().splitlines()
    mem = open("/proc/%s/mem" % pid, "rb", buffering=0)
except OSError:
    print("unreadable")
    sys.exit(0)
read = 0
for line in maps:
    f = line.split()
    lo, hi = (int(x, 16) for x in f[0].split("-"))
    if not f[1].startswith("rw") or hi - lo > (256 << 20):
        continue
    try:
        mem.seek(lo)
        data = mem.read(hi - lo)
    except (OSError, OverflowError, ValueError):
        continue
    read += len(data)
    if any(n in data for n in needles):
        print("present")
        sys.exit(0)
print("absent" if read else "unreadable")
EOF
}

for sig in TERM INT HUP; do
	case $sig in
	INT) stall_run "$sig" plain PLAIN ;;
	*) stall_run "$sig" user ;;
	esac
	if [ "$sig" != HUP ]; then
		got=$(memscan "$PM_PID")
		t_isnt "after login ($(grep -m1 -Eo '^C: (USER|AUTH [A-Z]+)' \
			"$SRV_DIR/transcript")) the password is not in memory ($got)" \
			"$got" present
		got=$(memscan "$PM_PID" "$OTHER_PW")
		t_isnt "the password of an account not fetched is not in memory ($got)" \
			"$got" present
	fi
	t0=$(now_ms)
	kill -s "$sig" "$PM_PID"
	wait "$PM_PID"
	RC=$?
	ms=$(($(now_ms) - t0))
	fake_stop
	t_is "SIG$sig during RETR 3: exit 75" "$RC" 75
	t_ok "SIG$sig: ended ${ms} ms after the signal" [ "$ms" -lt 3000 ]
	t_like "SIG$sig: the message says so" "$(cat "$T/err")" \
		"interrupted by signal \\(SIG$sig\\)"
	stored_once "SIG$sig: messages 1 and 2 delivered, 3 removed" 2
	t_ok "SIG$sig: the account lock is free" lock_free
	fake_start "after-$sig" retr-stall-third --no-faults 1
	pm_config s "password $PW"
	run_pm -C "$PM_CONFIG" fetch
	fake_stop
	t_rc "SIG$sig: the next run: exit 0" 0
	stored_once "SIG$sig: the next run" 3
done

# ---- a signal while the indexer waits for the notmuch lock ------------

fresh_account
nm_hold_lock
holder=$NM_HOLDER
fake_start locked plain-ok --no-faults 1
pm_config s "password $PW"
env --default-signal=INT,HUP,TERM "$POPMUCH" -C "$PM_CONFIG" fetch \
	--index-timeout 60 </dev/null >"$T/out" 2>"$T/err" &
PM_PID=$!
wait_for "$SRV_DIR/transcript" '^C: QUIT' ||
	t_fail "the fetch never sent QUIT" "$(tail -5 "$SRV_DIR/transcript")"
sleep 0.3
t0=$(now_ms)
kill -TERM "$PM_PID"
wait "$PM_PID"
RC=$?
ms=$(($(now_ms) - t0))
fake_stop
kill -TERM "$holder"
wait "$holder"
t_is "SIGTERM while the notmuch lock is held: exit 75" "$RC" 75
t_ok "ended ${ms} ms after the signal, not at --index-timeout" \
	[ "$ms" -lt 3000 ]
t_like "the messages say so: interrupted, not indexed yet" \
	"$(tr '\n' ' ' <"$T/err")" \
	"not indexed yet.*interrupted by signal \\(SIGTERM\\)"
stored_once "SIGTERM while indexing: the mail is delivered" 2

# ---- kill -9: the next run cleans tmp/ -------------------------------

stall_run KILL user
{
	kill -9 "$PM_PID"
	wait "$PM_PID"
} 2>/dev/null
fake_stop
t_ok "kill -9 left complete files in tmp/" \
	[ "$(ls -A "$BOX/tmp" | wc -l)" -ge 2 ]
fake_start after-kill retr-stall-third --no-faults 1
pm_config s "password $PW"
run_pm -C "$PM_CONFIG" fetch
fake_stop
t_rc "after kill -9, the next run: exit 0" 0
stored_once "after kill -9, the next run (the dead writer's files removed)" 3

t_done
