#!/bin/bash
# t-crash: "popmuch fetch" killed with SIGKILL anywhere loses nothing and
# delivers nothing twice (issue 4, the headline test).
#
# Two accounts on a real Dovecot: crashoff (keep off) and crashon (keep
# on).  For each, the fetch is killed
#   1. at every crash point of tests/popmuch-fault (POPMUCH_CRASH_AT, see
#      doc/HACKING.md): the points passed once per message (the close of
#      the tmp file, each rename, each delivered record) the 1st, 7th and
#      150th time, the points passed once per group commit (syncfs, the
#      intents' sync) in the 1st, 2nd and 4th (last) batch of 64, the
#      points passed once per run (before QUIT, after the journal's
#      compaction) once; rounds of 30 new messages, or 200 where the hit
#      needs them;
#   2. after a random 0-2 s delay (RANDOM=42), 5 times, each on 300 new
#      messages (a 300-message fetch takes 2-4 s under ASan).
# Right after each kill: no Message-ID twice in the Maildir, every seeded
# message on the server or in the Maildir, at most one unfinished batch
# of files in tmp/.  Then a normal run to completion, and: exit 0,
# silent; every seeded message exactly once in the Maildir and whole
# (files, unique Message-IDs); notmuch has each (messages and files);
# keep off: the server is empty, keep on: all still there.  At the end a
# run 37 hours later (faketime) removes what killed runs left in tmp/.
# About 2 minutes under ASan on 2 cores.  PM_CRASH_KILLS=N sets the number
# of random kills per account (a longer soak: PM_CRASH_KILLS=50).
[ -n "${BASH_VERSION:-}" ] || exec /bin/bash "$0" "$@"
. "$(dirname "$0")/lib.sh"

: "${POPMUCH_FAULT:=$TOP_BUILDDIR/tests/popmuch-fault}"
[ -x "$POPMUCH_FAULT" ] ||
	t_bail "no fault-injection binary $POPMUCH_FAULT (make check builds" \
		"tests/popmuch-fault; set POPMUCH_FAULT)"
command -v faketime >/dev/null ||
	t_bail "faketime is not installed (see contrib/install-deps)"

# The crash points, by how often a fetch passes them.
PER_MESSAGE="maildir-before-fsync maildir-after-rename renamed delivered"
PER_BATCH="synced intent"
PER_RUN="before-quit uidl-after-compact-rename"
# Passed by 'popmuch import' only: t-import.sh kills there.
UNREACHED="import-renamed import-synced import-indexed"
# the outbox's points (src/outbox.c, src/cli-compose.c): t-outbox-crash.sh
UNREACHED="$UNREACHED $(fault_points '^(outbox|compose)-' | tr '\n' ' ')"
RANDOM_KILLS=${PM_CRASH_KILLS:-5}
# deliver.c's group commit: a killed run may leave one unfinished batch
# of complete files (and one partial) in tmp/.
BATCH=$(sed -n 's/^#define DELIVER_BATCH \([0-9]*\).*/\1/p' \
	"$TOP_SRCDIR/include/popmuch/deliver.h" 2>/dev/null)
: "${BATCH:=64}"

pm_world
dovecot_start crashoff crashon
tls="tls_trust_file $TLS_CA"
pm_config crashoff "user crashoff" "keep off" "tls on" "$tls"
pm_config_add crashon "user crashon" "keep on" "tls on" "$tls"

# Everything below works on account $V (= its POP3 user), Maildir $BOX.
use()
{
	V=$1
	BOX=$MAIL_ROOT/$V
}

# files_in, ids_of, local_ids, server_ids, seeded_ids (and
# doubled_or_lost), shared with t-storm.
. "$(dirname "$0")/msgids.sh"

seeded_count()
{
	cat "$T/seed/$V/.count" 2>/dev/null || echo 0
}

tmp_list()
{
	find "$BOX/tmp" -type f 2>/dev/null | LC_ALL=C sort
}

nm()
{
	notmuch count "$@" "path:$V/**" 2>>"$T/log"
}

# after_kill LABEL: the state the kill left must already be safe.
after_kill()
{
	local label=$1 dup lost newtmp why=''

	dup=$(local_ids | uniq -d | head -n 3)
	lost=$(LC_ALL=C comm -23 <(seeded_ids) \
		<({ local_ids; server_ids; } | LC_ALL=C sort -u) | head -n 3)
	TMP_AFTER_KILL=$(tmp_list)
	newtmp=$(LC_ALL=C comm -13 <(echo "$TMP_BEFORE") \
		<(echo "$TMP_AFTER_KILL") | grep -c .)
	[ -z "$dup" ] || why="$why delivered twice: $dup;"
	[ -z "$lost" ] || why="$why neither on the server nor local: $lost;"
	[ "$newtmp" -le $((BATCH + 1)) ] ||
		why="$why $newtmp new files in tmp/;"
	t_is "$label: right after the kill nothing is lost or doubled" \
		"$why" ""
}

# rerun LABEL: a normal run to completion, then exactly once.
rerun()
{
	local label=$1 total want got partial leftover server

	run_pm fetch "$V"
	if [ "$RC" = 0 ] && [ ! -s "$T/err" ]; then
		t_pass "$label: the next run exits 0, silently"
	else
		t_fail "$label: the next run exits 0, silently" \
			"exit $RC: $(head -c 600 "$T/err")"
	fi
	total=$(seeded_count)
	want=$(seeded_ids)
	got=$(local_ids)
	t_is "$label: $total files in the Maildir" \
		"$(files_in "$BOX/new" "$BOX/cur" | grep -zc .)" "$total"
	if [ "$got" = "$want" ]; then
		t_pass "$label: every seeded message exactly once"
	else
		t_fail "$label: every seeded message exactly once" \
			"missing: $(LC_ALL=C comm -23 <(echo "$want") \
				<(echo "$got") | head -n 3 | tr '\n' ' ')" \
			"twice: $(echo "$got" | uniq -d | head -n 3 |
				tr '\n' ' ')"
	fi
	partial=$(files_in "$BOX/new" "$BOX/cur" |
		xargs -0 -r grep -L '^end of message ' | head -n 3)
	t_is "$label: no partial message" "$partial" ""
	t_is "$label: notmuch has each (messages files)" \
		"$(nm) $(nm --output=files)" "$total $total"
	server=$(server_count "$V")
	if [ "$V" = crashoff ]; then
		t_is "$label: keep off: the server is empty" "$server" 0
	else
		t_is "$label: keep on: all still on the server" "$server" \
			"$total"
	fi
	leftover=$(LC_ALL=C comm -13 <(echo "$TMP_AFTER_KILL") \
		<(tmp_list) | head -n 3)
	t_is "$label: the next run leaves nothing of its own in tmp/" \
		"$leftover" ""
}

# crash_at SPEC N: seed N messages, run popmuch-fault with
# POPMUCH_CRASH_AT=SPEC, check, rerun, check.
crash_at()
{
	local spec=$1 label="$V $1"

	seed_messages "$V" "$2"
	TMP_BEFORE=$(tmp_list)
	# (bash reports the killed child on its stderr: into the log)
	POPMUCH=$POPMUCH_FAULT POPMUCH_CRASH_AT=$spec run_pm fetch "$V" \
		2>>"$T/log"
	t_is "$label: killed at the crash point" "$RC" 137
	after_kill "$label"
	rerun "$label"
}

# kill_randomly I: seed 300, start a fetch, SIGKILL it after 0-2 s.
kill_randomly()
{
	local label="$V random kill $1" ms pid rc

	seed_messages "$V" 300
	TMP_BEFORE=$(tmp_list)
	ms=$((RANDOM % 2001))
	echo "kill_randomly: $label after $ms ms" >>"$T/log"
	"$POPMUCH" fetch "$V" </dev/null >"$T/out" 2>"$T/err" &
	pid=$!
	sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>>"$T/log"
	rc=$?
	[ "$rc" = 137 ] || t_diag "$label: the run ended by itself (exit $rc)"
	after_kill "$label after $ms ms"
	rerun "$label"
}

# Every crash point (FAULT_POINTS in fault.h, as tests/popmuch-fault
# --fault-points lists them) is exercised here (or known not to be
# reachable from a fetch): a new point needs a line below.
missing=
for p in $(fault_points); do
	case " $PER_MESSAGE $PER_BATCH $PER_RUN $UNREACHED " in
	*" $p "*) ;;
	*) missing="$missing $p" ;;
	esac
done
t_is "every crash point in src/ is covered" "$missing" ""

# The installed binary has no crash points: POPMUCH_CRASH_AT means
# nothing to it (they exist in tests/popmuch-fault alone).
use crashoff
seed_messages "$V" 1
POPMUCH_CRASH_AT=before-quit:1 run_pm fetch "$V"
t_rc "src/popmuch ignores POPMUCH_CRASH_AT (no crash points built in)" 0
t_is "... and fetched" "$(server_count "$V")" 0

start=$(date +%s)
for v in crashoff crashon; do
	use "$v"
	for p in $PER_MESSAGE; do
		crash_at "$p:1" 30
		crash_at "$p:7" 30
		crash_at "$p:150" 200
	done
	for p in $PER_BATCH; do
		crash_at "$p:1" 30
		crash_at "$p:2" 200
		crash_at "$p:4" 200
	done
	crash_at before-quit 30
	# A run that is sure to compact the journal: the run after one that
	# deleted 200 messages (keep off) forgets their UIDLs once the server
	# no longer lists them, a tail past an eighth of the snapshot.
	if [ "$v" = crashoff ]; then
		seed_messages "$V" 200
		run_pm fetch "$V"
		t_rc "$V: a run that deletes 200 exits 0" 0
		crash_at uidl-after-compact-rename 1
	fi
done
t_diag "crash points: $(($(date +%s) - start)) s"

start=$(date +%s)
RANDOM=42
for v in crashoff crashon; do
	use "$v"
	for i in $(seq 1 "$RANDOM_KILLS"); do
		kill_randomly "$i"
	done
done
t_diag "random kills: $(($(date +%s) - start)) s"

# Stale files in tmp/ (a killed run's) go after 36 hours.
for v in crashoff crashon; do
	use "$v"
	run_pm_at '+37 hours' fetch "$V"
	t_rc "$V: a run 37 hours later exits 0" 0
	t_is "$V: ... and empties tmp/" "$(tmp_list)" ""
	t_is "$V: ... still with each message once" \
		"$(maildir_count "$BOX")" "$(seeded_count)"
done

t_done
