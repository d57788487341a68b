#!/bin/bash
# run.sh: "make bench".  popmuch fetch+index beside mpop, fetchmail and
# getmail6 (each followed by "notmuch new"), in one run, on this machine,
# against one private Dovecot on loopback.  See tests/bench/README.md.
#
# Environment:
#   POPMUCH        the popmuch binary (make bench sets it)
#   BENCH_QUICK=1  small sizes, to try the harness in a few minutes
#   BENCH_ROUNDS   rounds per case and tool (default 3); medians reported
#   BENCH_CASES    cases to run, any of "a b c d e" (default all)
#   BENCH_TOOLS    tools to run (default "popmuch mpop fetchmail getmail")
#   BENCH_RTT_MS   round trip for case (b) (default 50)
#   BENCH_C_COUNT  messages kept in case (c) (default 20000; issue 16
#                  measures 100000); case (c) also times the server's
#                  floor (pollfloor.py) in every round
#   BENCH_TIMEOUT  seconds one command may take (default 1800)
#   BENCH_SETTLE   seconds to pause after a case deletes its runs (default
#                  10; see cleanup_case)
#   BENCH_RESULTS  where the tables go (default tests/bench/results)
#   KEEP_TEST_TMP  keep the temporary world (and every run directory)
#
# Prints the Markdown table at the end; exits 0 when the harness itself
# worked, even if a tool failed (a failed tool is a row that says why).

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PM_TAP=0
# shellcheck source=../integration/lib.sh
. "$BENCH_DIR/../integration/lib.sh"

QUICK=${BENCH_QUICK:-0}
ROUNDS=${BENCH_ROUNDS:-3}
CASES=${BENCH_CASES:-a b c d e}
TOOLS=${BENCH_TOOLS:-popmuch mpop fetchmail getmail}
RTT_MS=${BENCH_RTT_MS:-50}
BENCH_TIMEOUT=${BENCH_TIMEOUT:-1800}
RESULTS=${BENCH_RESULTS:-$BENCH_DIR/results}
if [ "$QUICK" = 1 ]; then
	A_SIZES="100 500"
	B_COUNT=50
	C_COUNT=${BENCH_C_COUNT:-2000}
	D_BYTES=$((10 * 1024 * 1024))
else
	A_SIZES="1000 10000"
	B_COUNT=200
	C_COUNT=${BENCH_C_COUNT:-20000}
	D_BYTES=$((100 * 1024 * 1024))
fi
SEED=4711
TIME=/usr/bin/time

say()
{
	printf 'bench: %s\n' "$*" >&2
}

die()
{
	say "error: $*"
	exit 1
}

case $ROUNDS in
'' | *[!0-9]* | 0) die "BENCH_ROUNDS must be a positive number" ;;
esac
[ -x "$TIME" ] || die "$TIME is missing (Debian package 'time')"
for t in mpop fetchmail getmail notmuch dovecot gnuplot; do
	command -v "$t" >/dev/null || say "warning: $t is not installed"
done

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
pm_world
mkdir -p "$T/run" "$T/logs" "$RESULTS" || die "cannot create directories"
TSV=$T/results.tsv
CASES_TSV=$T/cases.tsv
SIZES_TSV=$T/sizes.tsv
: >"$TSV"
: >"$CASES_TSV"
: >"$SIZES_TSV"
FAILLOG=$T/failures.log
: >"$FAILLOG"

# ---- server -----------------------------------------------------------------

# Messages stay on the server (every tool keeps them), and RETR must not
# rename files (\Seen): every round sees the same server.
export DOVECOT_EXTRA_CONF="pop3_no_flag_updates = yes
mail_max_userip_connections = 50"

# gen_box USER ARGS...: a server mailbox made by genmail.py.
gen_box()
{
	local u=$1 m out
	shift
	m=$(server_maildir "$u")
	out=$("$PM_PYTHON" "$BENCH_DIR/genmail.py" --maildir "$m" \
		--seed "$SEED" "$@") || die "genmail.py failed for $u"
	[ "$(id -u)" != 0 ] || chown -R "$PM_MAIL_UID:$PM_MAIL_GID" "$m"
	say "mailbox $u: ${out% *} messages, $(( ${out#* } / 1048576 )) MB"
}

# warm USER [PORT]: one POP3 session (UIDL, LIST) so that Dovecot has built
# its index before the first timed tool connects.
warm()
{
	"$PM_PYTHON" - "$1" "$POP_PASS" "${2:-$POP3_PORT}" <<'EOF' ||
import poplib, sys
p = poplib.POP3("127.0.0.1", int(sys.argv[3]), timeout=600)
p.user(sys.argv[1])
p.pass_(sys.argv[2])
p.uidl()
p.list()
p.quit()
EOF
		die "POP3 warm-up for $1 failed (see $DOVECOT_LOG)"
}

users=()
for n in $A_SIZES; do
	users+=("a$n")
done
users+=("b$B_COUNT" "c$C_COUNT" big)
dovecot_start "${users[@]}"
say "Dovecot on 127.0.0.1:$POP3_PORT"

PROXY_PORT=
start_proxy()
{
	local i

	"$PM_PYTHON" "$BENCH_DIR/latproxy.py" --target-port "$POP3_PORT" \
		--delay-ms "$(awk -v r="$RTT_MS" 'BEGIN { print r / 2 }')" \
		--port-file "$T/proxy.port" 2>>"$T/logs/proxy.err" &
	PROXY_PID=$!
	pm_at_exit 'kill "$PROXY_PID" 2>/dev/null; wait "$PROXY_PID" 2>/dev/null'
	for i in $(seq 1 100); do
		[ -s "$T/proxy.port" ] && break
		kill -0 "$PROXY_PID" 2>/dev/null || break
		sleep 0.05
	done
	[ -s "$T/proxy.port" ] || die "latency proxy did not start"
	PROXY_PORT=$(cat "$T/proxy.port")
	say "latency proxy on 127.0.0.1:$PROXY_PORT (${RTT_MS} ms round trip)"
}

# ---- one run of one tool ----------------------------------------------------

# timed PREFIX CMD...: run CMD (bounded) with its output in PREFIX.out and
# PREFIX.err; sets T_WALL (seconds), T_RSS (peak RSS, kB) and T_RC.
timed()
{
	local pre=$1 t0 t1
	shift
	t0=$EPOCHREALTIME
	timeout -k 10 "$BENCH_TIMEOUT" "$TIME" -f '%M' -o "$pre.rss" "$@" \
		</dev/null >"$pre.out" 2>"$pre.err"
	T_RC=$?
	t1=$EPOCHREALTIME
	T_WALL=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
	T_RSS=$(tail -n 1 "$pre.rss" 2>/dev/null)
	case $T_RSS in
	'' | *[!0-9]*) T_RSS=- ;;
	esac
}

# why PREFIX WHAT: a one-line reason from a failed command's stderr.
why()
{
	local l
	l=$(grep -v -e 'Running as root is discouraged' "$1.err" 2>/dev/null |
		grep -v '^[[:space:]]*$' | tail -n 1 | tr '|\t' '/ ' | cut -c1-110)
	[ "$T_RC" = 124 ] && l="timed out after ${BENCH_TIMEOUT}s"
	case $l in
	*'waiting child pid'*'timed out'*)
		l="$l [getmail6 race: its SIGCHLD handler is set after fork()]"
		;;
	esac
	printf '%s exit %s%s' "$2" "$T_RC" "${l:+: $l}"
	{
		echo "== $2 ($1): exit $T_RC"
		tail -n 20 "$1.err" 2>/dev/null
	} >>"$FAILLOG"
}

# mkrun DIR USER PORT: a fresh client side in DIR: empty Maildir
# DIR/mail/inbox, empty notmuch mail root DIR/mail with its own config,
# and each tool's configuration (nothing seen yet).
mkrun()
{
	local r=$1 u=$2 port=$3 box=$1/mail/inbox

	rm -rf -- "$r"
	mkdir -p "$box/new" "$box/cur" "$box/tmp" "$r/home" "$r/state" \
		"$r/getmail" "$r/fetchmail"
	chmod 755 "$r" "$r/mail"
	cat >"$r/notmuch-config" <<EOF
[database]
path=$r/mail

[user]
name=Bench
primary_email=bench@example.org

[new]
tags=unread;inbox;
ignore=

[search]
exclude_tags=deleted;spam;

[maildir]
synchronize_flags=true
EOF
	(
		umask 077
		cat >"$r/popmuch.conf" <<EOF
account bench
host 127.0.0.1
port $port
tls off
auth user
user $u
password $POP_PASS
delivery maildir $box
keep on
EOF
		cat >"$r/mpoprc" <<EOF
account bench
host 127.0.0.1
port $port
tls off
auth user
user $u
password $POP_PASS
delivery maildir $box
keep on
uidls_file $r/mpop-uidls
EOF
		cat >"$r/fetchmailrc" <<EOF
set no syslog
set no bouncemail
poll 127.0.0.1 protocol pop3 port $port uidl
	user "$u" password "$POP_PASS"
	keep sslproto '' mda "$BENCH_DIR/deliver-maildir.sh $box"
EOF
		cat >"$r/getmail/getmailrc" <<EOF
[retriever]
type = SimplePOP3Retriever
server = 127.0.0.1
port = $port
username = $u
password = $POP_PASS
timeout = 60

[destination]
type = Maildir
path = $box/

[options]
delete = false
read_all = false
verbose = 0
message_log_syslog = false
EOF
	)
	# getmail6 refuses to deliver as root: it runs as the mail user.
	if [ "$(id -u)" = 0 ]; then
		chown -R "$PM_MAIL_UID:$PM_MAIL_GID" "$r/getmail" "$r/home" "$box"
	fi
}

# fetch_cmd TOOL DIR: print nothing; run TOOL's fetch in DIR (timed).
fetch_tool()
{
	local tool=$1 r=$2 pre=$2/fetch

	case $tool in
	popmuch)
		if [ ! -x "$POPMUCH" ] && ! command -v "$POPMUCH" >/dev/null
		then
			T_RC=127 T_WALL=- T_RSS=-
			echo "popmuch binary not built ($POPMUCH)" >"$pre.err"
			return
		fi
		timed "$pre" env HOME="$r/home" XDG_STATE_HOME="$r/state" \
			XDG_CONFIG_HOME="$r/home/.config" \
			NOTMUCH_CONFIG="$r/notmuch-config" \
			"$POPMUCH" -C "$r/popmuch.conf" fetch
		;;
	mpop)
		timed "$pre" env HOME="$r/home" mpop -C "$r/mpoprc" -q bench
		;;
	fetchmail)
		chmod 600 "$r/fetchmailrc"
		timed "$pre" env HOME="$r/home" FETCHMAILHOME="$r/fetchmail" \
			fetchmail -f "$r/fetchmailrc" --idfile "$r/fetchmail/ids" \
			--nodetach --silent
		# 1: no new mail, which a poll expects
		[ "$T_RC" = 1 ] && T_RC=0
		;;
	getmail)
		if [ "$(id -u)" = 0 ]; then
			timed "$pre" runuser -u "$PM_MAIL_USER" -- \
				env HOME="$r/home" getmail --getmaildir="$r/getmail" \
				--rcfile=getmailrc --quiet
		else
			timed "$pre" env HOME="$r/home" getmail \
				--getmaildir="$r/getmail" --rcfile=getmailrc --quiet
		fi
		;;
	esac
}

# record CASE TOOL ROUND FETCH INDEX RSSF RSSI STATUS NOTE
record()
{
	local IFS=$'\t'
	echo "$*" >>"$TSV"
}

# check DIR WANT: the Maildir and the notmuch database both hold WANT
# messages; sets CHECK_NOTE otherwise.
check()
{
	local got idx
	CHECK_NOTE=
	got=$(maildir_count "$1/mail/inbox")
	if [ "$got" != "$2" ]; then
		CHECK_NOTE="delivered $got of $2"
		return 1
	fi
	idx=$(NOTMUCH_CONFIG="$1/notmuch-config" notmuch count '*' 2>/dev/null)
	if [ "$idx" != "$2" ]; then
		CHECK_NOTE="indexed ${idx:-none} of $2"
		return 1
	fi
	return 0
}

# run_tool CASE TOOL ROUND DIR WANT: fetch (and for the peers, notmuch new)
# in a prepared DIR; records the result.  Returns 1 on failure.
run_tool()
{
	local c=$1 tool=$2 round=$3 r=$4 want=$5 f rf i=0 ri=-

	fetch_tool "$tool" "$r"
	f=$T_WALL rf=$T_RSS
	if [ "$T_RC" != 0 ]; then
		record "$c" "$tool" "$round" - - - - failed "$(why "$r/fetch" "$tool")"
		return 1
	fi
	if [ "$tool" != popmuch ]; then
		timed "$r/index" env NOTMUCH_CONFIG="$r/notmuch-config" \
			notmuch new --quiet
		i=$T_WALL ri=$T_RSS
		if [ "$T_RC" != 0 ]; then
			record "$c" "$tool" "$round" "$f" - "$rf" - failed \
				"$(why "$r/index" "notmuch new")"
			return 1
		fi
	fi
	if ! check "$r" "$want"; then
		record "$c" "$tool" "$round" "$f" "$i" "$rf" "$ri" failed \
			"$CHECK_NOTE"
		echo "== $tool $c round $round: $CHECK_NOTE" >>"$FAILLOG"
		return 1
	fi
	record "$c" "$tool" "$round" "$f" "$i" "$rf" "$ri" ok ""
	return 0
}

# notmuch_alone CASE ROUND USER WANT: the floor: the server's files copied
# into a fresh Maildir, then "notmuch new" alone.
notmuch_alone()
{
	local r=$T/run/$1-notmuch-$2 m
	m=$(server_maildir "$3")
	mkrun "$r" "$3" 0
	find "$m/new" "$m/cur" -maxdepth 1 -type f \
		-exec cp -t "$r/mail/inbox/new" -- {} +
	sync
	timed "$r/index" env NOTMUCH_CONFIG="$r/notmuch-config" \
		notmuch new --quiet
	if [ "$T_RC" != 0 ]; then
		record "$1" notmuch "$2" - - - - failed "$(why "$r/index" "notmuch new")"
	elif ! check "$r" "$4"; then
		record "$1" notmuch "$2" - - - - failed "$CHECK_NOTE"
	else
		record "$1" notmuch "$2" 0 "$T_WALL" - "$T_RSS" ok ""
	fi
	defer_cleanup "$r"
}

cleanup_run()
{
	[ -n "${KEEP_TEST_TMP:-}" ] || rm -rf -- "$1"
	sync
}

# Finished runs are kept until their case ends (defer_cleanup), then
# deleted together, followed by a pause (cleanup_case): on ext4 without
# a journal, creating files right after thousands were deleted costs a
# scan per new file, so deleting one run just before the next tool's
# would bill that tool for the cleanup (issue 16).
CASE_RUNS=()
defer_cleanup()
{
	CASE_RUNS+=("$1")
}
cleanup_case()
{
	local r
	for r in "${CASE_RUNS[@]}"; do
		cleanup_run "$r"
	done
	CASE_RUNS=()
	sleep "${BENCH_SETTLE:-10}"
}

# one_shot CASE USER PORT WANT: every tool, ROUNDS rounds (tools
# interleaved within a round), each from a fresh state.
one_shot()
{
	local c=$1 u=$2 port=$3 want=$4 round tool r

	for round in $(seq 1 "$ROUNDS"); do
		for tool in $TOOLS; do
			r=$T/run/$c-$tool-$round
			mkrun "$r" "$u" "$port"
			sync
			run_tool "$c" "$tool" "$round" "$r" "$want"
			say "$c $tool round $round: $(tail -n 1 "$TSV" |
				cut -f4,5,8,9 | tr '\t' ' ')"
			defer_cleanup "$r"
		done
	done
}

case_label()
{
	local IFS=$'\t'
	echo "$*" >>"$CASES_TSV"
}

# ---- the cases --------------------------------------------------------------

want_case()
{
	case " $CASES " in
	*" $1 "*) return 0 ;;
	esac
	return 1
}

case_a()
{
	local n
	for n in $A_SIZES; do
		gen_box "a$n" --count "$n"
		warm "a$n"
		case_label "a$n" "(a) $n messages, 0 ms" time "a: $n msgs"
		one_shot "a$n" "a$n" "$POP3_PORT" "$n"
		for round in $(seq 1 "$ROUNDS"); do
			notmuch_alone "a$n" "$round" "a$n" "$n"
		done
		cleanup_case
	done
}

case_b()
{
	local u=b$B_COUNT
	gen_box "$u" --count "$B_COUNT"
	start_proxy
	warm "$u" "$PROXY_PORT"
	case_label "$u" "(b) $B_COUNT messages, ${RTT_MS} ms RTT" time \
		"b: $B_COUNT msgs, ${RTT_MS} ms"
	one_shot "$u" "$u" "$PROXY_PORT" "$B_COUNT"
	cleanup_case
}

# state_size CASE TOOL DIR: the size of what TOOL remembers about the
# mailbox after its first fetch (popmuch's journal, mpop's uidls file).
state_size()
{
	local f
	case $2 in
	popmuch) f=$3/state/popmuch/bench/journal ;;
	mpop) f=$3/mpop-uidls ;;
	*) return ;;
	esac
	if [ -f "$f" ]; then
		printf '%s\t%s\t%s\t%s\n' "$1" "$2" "${f##*/}" \
			"$(stat -c %s "$f")" >>"$SIZES_TSV"
	else
		say "warning: $2 left no ${f##*/} after its first fetch"
	fi
}

# poll_floor CASE ROUND USER WANT: the server's floor for a poll, timed like
# a tool: pollfloor.py's pipelined USER/PASS/STAT/UIDL/QUIT (the password
# in its environment, not its argv).  The note keeps its own connect-to-EOF
# time ("net=S"), which leaves out the interpreter's start-up.
poll_floor()
{
	local pre=$T/logs/$1-floor-$2 net
	POLLFLOOR_PASS=$POP_PASS timed "$pre" "$PM_PYTHON" -S \
		"$BENCH_DIR/pollfloor.py" --port "$POP3_PORT" --user "$3" \
		--expect "$4"
	if [ "$T_RC" != 0 ]; then
		record "$1" floor "$2" - - - - failed "$(why "$pre" pollfloor.py)"
		return
	fi
	net=$(sed -n 's/.*, \([0-9.]*\) s from connect to EOF$/\1/p' "$pre.out")
	record "$1" floor "$2" "$T_WALL" 0 "$T_RSS" - ok "net=${net:-?}"
}

# Case (c): every tool fetches the whole box once (not timed), then the
# no-new-mail poll is timed ROUNDS times on that state, tools interleaved
# within a round and the server's floor (poll_floor) last in each round.
# Every tool's state is kept to the end of the case (see the README on
# ext4 and deletions).
case_c()
{
	local u=c$C_COUNT tool r round setup
	local -A first_ok first_note
	gen_box "$u" --count "$C_COUNT" --attach-rate 0
	warm "$u"
	case_label "$u" "(c) poll, $C_COUNT kept, nothing new" time \
		"c: poll, $C_COUNT kept"
	for tool in $TOOLS; do
		r=$T/run/$u-$tool
		mkrun "$r" "$u" "$POP3_PORT"
		run_tool "$u-setup" "$tool" 0 "$r" "$C_COUNT"
		first_ok[$tool]=$?
		setup=$(tail -n 1 "$TSV" | cut -f4,5,8,9 | tr '\t' ' ')
		first_note[$tool]=$(tail -n 1 "$TSV" | cut -f9)
		say "$u $tool first fetch: $setup"
		[ "${first_ok[$tool]}" = 0 ] && state_size "$u" "$tool" "$r"
	done
	for round in $(seq 1 "$ROUNDS"); do
		for tool in $TOOLS; do
			r=$T/run/$u-$tool
			if [ "${first_ok[$tool]}" != 0 ]; then
				record "$u" "$tool" "$round" - - - - failed \
					"first fetch failed: ${first_note[$tool]}"
				continue
			fi
			sync
			run_tool "$u" "$tool" "$round" "$r" "$C_COUNT"
			say "$u $tool poll $round: $(tail -n 1 "$TSV" |
				cut -f4,5,8,9 | tr '\t' ' ')"
		done
		sync
		poll_floor "$u" "$round" "$u" "$C_COUNT"
		say "$u floor $round: $(tail -n 1 "$TSV" | cut -f4,8,9 |
			tr '\t' ' ')"
	done
	for tool in $TOOLS; do
		defer_cleanup "$T/run/$u-$tool"
	done
	cleanup_case
}

case_d()
{
	local mb=$((D_BYTES / 1048576))
	gen_box big --big "$D_BYTES"
	warm big
	case_label big "(d) one $mb MB message: peak RSS" rss "d: one $mb MB message"
	one_shot big big "$POP3_PORT" 1
	for round in $(seq 1 "$ROUNDS"); do
		notmuch_alone big "$round" big 1
	done
	cleanup_case
}

# Case (e): the TUI's own benchmark, when there is one:
# tests/bench/tui-bench.sh (else tui-bench.py, else tui-bench); its stdout
# (Markdown) is quoted.  Quick mode asks it for 10,000 messages.
case_e()
{
	local f='' x rc
	for x in tui-bench.sh tui-bench.py tui-bench; do
		if [ -f "$BENCH_DIR/$x" ]; then
			f=$BENCH_DIR/$x
			break
		fi
	done
	if [ -z "$f" ]; then
		record e popmuch 1 - - - - none \
			"not measured: no tests/bench/tui-bench.sh yet"
		case_label e "(e) TUI" text e
		return
	fi
	case_label e "(e) TUI ($(basename "$f"))" text e
	case $f in
	*.py) set -- "$PM_PYTHON" "$f" ;;
	*) set -- bash "$f" ;;
	esac
	[ "$QUICK" = 1 ] && export TUI_BENCH_COUNT=${TUI_BENCH_COUNT:-10000}
	BENCH_QUICK=$QUICK BENCH_ROUNDS=$ROUNDS BENCH_RESULTS=$RESULTS \
		TUI_BENCH_ROUNDS=${TUI_BENCH_ROUNDS:-$ROUNDS} \
		timeout -k 10 "$BENCH_TIMEOUT" "$@" </dev/null \
		>"$T/tui-bench.md" 2>"$T/logs/tui-bench.err"
	rc=$?
	if [ "$rc" = 0 ]; then
		record e popmuch 1 - - - - ok "see (e) below"
		cp "$T/tui-bench.md" "$T/section-e.md"
	else
		T_RC=$rc
		record e popmuch 1 - - - - failed \
			"$(why "$T/logs/tui-bench" "$(basename "$f")")"
	fi
}

for c in a b c d e; do
	want_case "$c" || continue
	say "case ($c)"
	"case_$c"
done

# ---- the report --------------------------------------------------------------

stamp=$(date -u +%Y%m%d-%H%M)
name=bench-$stamp
[ "$QUICK" = 1 ] && name=$name-quick
if [ -x "$POPMUCH" ] || command -v "$POPMUCH" >/dev/null; then
	pm_build=$("$POPMUCH" --version 2>/dev/null | head -n 1)
	if ldd "$(command -v "$POPMUCH")" 2>/dev/null | grep -q asan; then
		pm_build="$pm_build, built with ASan (slower; not representative)"
	fi
else
	pm_build="not built"
fi
"$PM_PYTHON" "$BENCH_DIR/summarize.py" --results "$TSV" --cases "$CASES_TSV" \
	--sizes "$SIZES_TSV" \
	--rounds "$ROUNDS" --quick "$QUICK" --rtt "$RTT_MS" \
	--popmuch "$pm_build" --section-e "$T/section-e.md" \
	--out "$RESULTS/latest.md" --png "$RESULTS/latest.png" \
	--load "$LOAD_START / $(cut -d' ' -f1-3 /proc/loadavg)" \
	--workdir "$T" || die "summarize.py failed"
cp "$RESULTS/latest.md" "$RESULTS/$name.md"
[ -s "$RESULTS/latest.png" ] && cp "$RESULTS/latest.png" "$RESULTS/$name.png"
cp "$FAILLOG" "$RESULTS/latest-failures.log"
cat "$RESULTS/latest.md"
say "written: $RESULTS/latest.md, $RESULTS/latest.png, $RESULTS/$name.md"
exit 0
