#!/bin/bash
# t-retention: the leave-on-server policy against a real Dovecot (issue 4).
#
# keep on / off / 1d (the clock moved with libfaketime), keep_max,
# skipsize, killsize (with keep off and keep on), --dry-run (also right
# after a killed run), a server that reuses a UIDL for a different
# message, the account's tags, a corrupt journal, a torn last record, a
# journal left alone by a run with nothing to do, the notmuch database
# locked by another process, and a full disk for the Maildir and for the
# journal (small tmpfs mounts; root only, a skip line otherwise).
#
# Each part has its own POP3 user and account (so its own Maildir
# $MAIL_ROOT/ACCOUNT and journal); notmuch counts are per account folder.
[ -n "${BASH_VERSION:-}" ] || exec /bin/bash "$0" "$@"
. "$(dirname "$0")/lib.sh"

command -v faketime >/dev/null ||
	t_bail "faketime is not installed (see contrib/install-deps)"

pm_world
# UIDLs are the server's file names, so the test can make the server
# reuse one for a different message (the UIDL-reuse part).
DOVECOT_EXTRA_CONF="pop3_uidl_format = %f"
dovecot_start keep off k1d kmax skip kill killon dry reuse tags corrupt \
	locked full jfull big drycrash
tls="tls_trust_file $TLS_CA"

# account NAME [LINE...]: a config with just account NAME, POP3 user
# NAME, STLS with the test CA (so a quiet run prints nothing at all).
account()
{
	local name=$1
	shift
	pm_config "$name" "user $name" "tls on" "$tls" "$@"
	A=$name
	BOX=$MAIL_ROOT/$name
}

# nm_count [QUERY]: notmuch's message count in the current account.
nm_count()
{
	notmuch count "path:$A/**${1:+ and ($1)}" 2>>"$T/log"
}

# ids_in FILE...: sorted Message-IDs of the files (one per file).
ids_in()
{
	[ $# -gt 0 ] || return 0
	printf '%s\0' "$@" | ids_of
}

# ids_of: the same for NUL-separated file names on stdin.
ids_of()
{
	xargs -0 -r grep -h -i -m1 '^Message-ID:' 2>/dev/null |
		sed 's/^[^:]*: *//' | LC_ALL=C sort
}

local_ids()
{
	find "$BOX/new" "$BOX/cur" -maxdepth 1 -type f -print0 2>/dev/null |
		ids_of
}

server_ids()
{
	local m
	m=$(server_maildir "$A")
	find "$m/new" "$m/cur" -maxdepth 1 -type f -print0 | ids_of
}

# seed_ids I...: the Message-IDs of seeded messages I... of this user.
seed_ids()
{
	local i
	for i in "$@"; do
		ids_in "$(seed_file "$A" "$i")"
	done | LC_ALL=C sort
}

# last_run KEY: a field of the account's last-run summary.
last_run()
{
	sed -n "s/^$1 //p" "$XDG_STATE_HOME/popmuch/$A/last-run" 2>/dev/null
}

tmp_count()
{
	find "$BOX/tmp" -type f 2>/dev/null | wc -l
}

# ---- keep on --------------------------------------------------------------
account keep "keep on"
seed_messages keep 5
run_pm fetch
t_rc "keep on: fetch exits 0" 0
t_empty "keep on: silently" "$T/err"
t_is "keep on: 5 delivered" "$(local_ids)" "$(seed_ids 1 2 3 4 5)"
t_is "keep on: all 5 still on the server" "$(server_count keep)" 5
t_is "keep on: notmuch has 5" "$(nm_count)" 5
run_pm fetch
t_rc "keep on: second fetch exits 0" 0
t_is "keep on: second fetch downloads nothing" "$(last_run fetched)" 0
t_is "keep on: ... and adds no file" "$(maildir_count "$BOX")" 5
t_is "keep on: server still has 5" "$(server_count keep)" 5

# ---- keep off -------------------------------------------------------------
account off "keep off"
seed_messages off 5
run_pm fetch
t_rc "keep off: fetch exits 0" 0
t_is "keep off: 5 delivered" "$(local_ids)" "$(seed_ids 1 2 3 4 5)"
t_is "keep off: the server is empty" "$(server_count off)" 0
t_is "keep off: notmuch has 5" "$(nm_count)" 5

# ---- keep 1d, the clock moved by libfaketime ------------------------------
account k1d "keep 1d"
seed_messages k1d 4
run_pm fetch
t_rc "keep 1d: first fetch exits 0" 0
t_is "keep 1d: 4 delivered" "$(maildir_count "$BOX")" 4
t_is "keep 1d: and kept on the server" "$(server_count k1d)" 4
now=$(date +%s)
run_pm_at '+12 hours' fetch
t_rc "keep 1d: a run 12 hours later exits 0" 0
t_empty "keep 1d: ... silently" "$T/err"
lr=$(last_run time)
if [ -n "$lr" ] && [ "$lr" -ge $((now + 43000)) ] &&
	[ "$lr" -le $((now + 44000)) ]; then
	t_pass "keep 1d: faketime moves popmuch's clock (last-run time)"
else
	t_fail "keep 1d: faketime moves popmuch's clock (last-run time)" \
		"last-run time '$lr', expected about $((now + 43200))"
fi
t_is "keep 1d: 12 hours later nothing is deleted" "$(server_count k1d)" 4
t_is "keep 1d: ... nor downloaded again" "$(maildir_count "$BOX")" 4
run_pm_at '+2 days' fetch
t_rc "keep 1d: a run 2 days later exits 0" 0
t_is "keep 1d: 2 days later all 4 are deleted" "$(server_count k1d)" 0
t_is "keep 1d: ... and counted as deleted" "$(last_run deleted)" 4
t_is "keep 1d: the Maildir still has each once" "$(local_ids)" \
	"$(seed_ids 1 2 3 4)"
t_is "keep 1d: notmuch has 4" "$(nm_count)" 4

# ---- keep_max -------------------------------------------------------------
account kmax "keep on" "keep_max 3"
seed_messages kmax 5
run_pm fetch
t_rc "keep_max 3: fetch exits 0" 0
t_is "keep_max 3: all 5 delivered" "$(local_ids)" "$(seed_ids 1 2 3 4 5)"
t_is "keep_max 3: the 3 newest stay on the server" "$(server_ids)" \
	"$(seed_ids 3 4 5)"
seed_messages kmax 2
run_pm fetch
t_rc "keep_max 3: fetch with 2 more exits 0" 0
t_is "keep_max 3: the 2 new ones delivered" "$(maildir_count "$BOX")" 7
t_is "keep_max 3: again the 3 newest stay" "$(server_ids)" "$(seed_ids 5 6 7)"

# ---- skipsize -------------------------------------------------------------
account skip "keep off" "skipsize 10k"
seed_messages skip 2
seed_messages skip 1 20000
run_pm fetch
t_rc "skipsize: fetch exits 0" 0
t_is "skipsize: the small ones delivered, the big one not" "$(local_ids)" \
	"$(seed_ids 1 2)"
t_is "skipsize: the big one stays on the server" "$(server_ids)" \
	"$(seed_ids 3)"
t_is "skipsize: counted as skipped" "$(last_run skipped)" 1
run_pm fetch
t_rc "skipsize: second run exits 0" 0
t_is "skipsize: it still stays, undownloaded" \
	"$(server_count skip) $(maildir_count "$BOX")" "1 2"

# ---- killsize -------------------------------------------------------------
account kill "keep off" "killsize 10k"
seed_messages kill 2
seed_messages kill 1 20000
run_pm fetch
t_rc "killsize, keep off: fetch exits 0" 0
t_is "killsize, keep off: the big one is never downloaded" "$(local_ids)" \
	"$(seed_ids 1 2)"
t_is "killsize, keep off: ... and deleted on the server" \
	"$(server_count kill)" 0

account killon "keep on" "killsize 10k"
seed_messages killon 2
seed_messages killon 1 20000
run_pm fetch
t_rc "killsize, keep on: fetch exits 0" 0
t_is "killsize, keep on: the big one is not downloaded" "$(local_ids)" \
	"$(seed_ids 1 2)"
t_is "killsize, keep on: nothing is deleted" "$(server_ids)" \
	"$(seed_ids 1 2 3)"
t_is "killsize, keep on: counted as skipped" "$(last_run skipped)" 1

# ---- --dry-run ------------------------------------------------------------
account dry "keep on"
seed_messages dry 2
run_pm fetch
t_rc "dry-run: a first real run (keep on) exits 0" 0
seed_messages dry 3
account dry "keep off"
st=$XDG_STATE_HOME/popmuch/dry
# What a dry run must leave alone (the lock file only holds the pid of
# the last run that took it).
snap()
{
	(cd "$st" && find . -type f ! -name lock -print0 | LC_ALL=C sort -z |
		xargs -0 sha256sum)
	find "$BOX" | LC_ALL=C sort
	server_ids
	nm_count
}
before=$(snap)
run_pm fetch --dry-run
t_rc "dry-run: exits 0" 0
t_is "dry-run: names the 3 messages it would download" \
	"$(grep -c '^dry: would fetch message ' "$T/out")" 3
t_is "dry-run: names the 5 it would delete" \
	"$(grep -c '^dry: would delete message ' "$T/out")" 5
t_like "dry-run: with UIDL and size" "$(head -n 1 "$T/out")" \
	'^dry: would (fetch|delete) message [0-9]+ \([0-9]+ bytes, uidl .+\)$'
t_is "dry-run: Maildir, journal, state, server and notmuch untouched" \
	"$(snap)" "$before"
run_pm fetch
t_rc "dry-run: the real run after it exits 0" 0
t_is "dry-run: ... and does what was announced" \
	"$(maildir_count "$BOX") $(server_count dry)" "5 0"

# After a killed run, a dry run must announce what the real run will do:
# the real run completes the interrupted delivery (recovery), so it
# downloads none of those messages again.
: "${POPMUCH_FAULT:=$TOP_BUILDDIR/tests/popmuch-fault}"
if [ -x "$POPMUCH_FAULT" ]; then
	account drycrash "keep on"
	seed_messages drycrash 5
	# killed with the intents durable, the files still in tmp/
	POPMUCH=$POPMUCH_FAULT POPMUCH_CRASH_AT=intent:1 run_pm fetch \
		2>>"$T/log"
	t_rc "dry-run after a kill: the fetch was killed" 137
	run_pm fetch --dry-run
	t_rc "dry-run after a kill: exits 0" 0
	would=$(grep -c '^drycrash: would fetch ' "$T/out")
	run_pm fetch
	t_rc "dry-run after a kill: the real run exits 0" 0
	t_is "dry-run after a kill: ... and downloads what the dry run said" \
		"$(last_run fetched)" "$would"
	t_is "dry-run after a kill: each message once" "$(local_ids)" \
		"$(seed_ids 1 2 3 4 5)"
else
	t_skip "dry-run after a kill" "no $POPMUCH_FAULT (make check builds it)"
fi

# ---- a server that reuses a UIDL for a different message -----------------
account reuse "keep on"
seed_messages reuse 3
run_pm fetch
t_rc "UIDL reuse: first run (keep on) exits 0" 0
# Message 1 goes away on the server (webmail, another client); later a
# different, bigger message arrives under the same file name, so the
# server announces the same UIDL with another size.
srv=$(server_maildir reuse)
old=$(maildir_find_msgid "$srv" "$(seed_ids 1)")
ubase=$(basename "$old")
ubase=${ubase%%:*}
rm -f -- "$old"
run_pm fetch --dry-run # lets Dovecot notice the expunge
seed_messages reuse 1 3000
mv -- "$(maildir_find_msgid "$srv" "$(seed_ids 4)")" "$srv/new/$ubase"
_pm_chown_mail "$srv"
t_is "UIDL reuse: the server now has messages 2, 3 and the new 4" \
	"$(server_ids)" "$(seed_ids 2 3 4)"
# With keep off, the old record must not let the new message be deleted
# unread: skipsize keeps it from being downloaded in this run.
account reuse "keep off" "skipsize 2k"
run_pm fetch
t_rc "UIDL reuse: keep off + skipsize run exits 0" 0
t_is "UIDL reuse: the unsaved new message is not deleted" "$(server_ids)" \
	"$(seed_ids 4)"
t_is "UIDL reuse: ... nor downloaded (skipsize)" "$(maildir_count "$BOX")" 3
account reuse "keep off"
run_pm fetch
t_rc "UIDL reuse: keep off run exits 0" 0
t_like "UIDL reuse: warns that the server reuses the UIDL" "$(cat "$T/err")" \
	"reuses unique id $ubase"
t_is "UIDL reuse: the new message is fetched as new" "$(local_ids)" \
	"$(seed_ids 1 2 3 4)"
t_cmp "UIDL reuse: ... byte for byte" "$(seed_file reuse 4)" \
	"$(maildir_find_msgid "$BOX" "$(seed_ids 4)")"
t_is "UIDL reuse: and deleted once stored" "$(server_count reuse)" 0

# ---- the account's tags ---------------------------------------------------
account tags 'tags "+work -inbox"'
seed_messages tags 3
run_pm fetch
t_rc "tags: fetch exits 0" 0
t_is "tags: tag:work finds all 3" "$(nm_count tag:work)" 3
t_is "tags: -inbox removed what new.tags added" "$(nm_count tag:inbox)" 0
t_is "tags: the rest of new.tags stays (unread)" "$(nm_count tag:unread)" 3

# ---- a corrupt journal ----------------------------------------------------
account corrupt "keep on"
seed_messages corrupt 150
run_pm fetch
t_rc "corrupt journal: first run (keep on) exits 0" 0
# A second run with two new messages leaves their records in the
# journal's tail (under an eighth of the snapshot: not compacted).
seed_messages corrupt 2
run_pm fetch
t_rc "corrupt journal: second run (2 new) exits 0" 0
j=$XDG_STATE_HOME/popmuch/corrupt/journal
# Flip one bit inside the tail's second "delivered" record (its CRC no
# longer matches).
"$PM_PYTHON" - "$j" <<'EOF' || t_bail "cannot damage the journal"
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
hdr = b[:b.index(b"\n") + 1]
off = len(hdr) + int(hdr.split(b" ")[3])  # after the snapshot
seen = 0
for ln in b[off:].split(b"\n"):
    if ln.startswith(b"D "):
        seen += 1
        if seen == 2:
            b[off + 3] ^= 0x01
            break
    off += len(ln) + 1
else:
    sys.exit("no second D record in the tail")
open(p, "wb").write(b)
EOF
account corrupt "keep off"
run_pm fetch
t_like "corrupt journal: the run exits 0" "$RC" '^0$'
t_like "corrupt journal: says the journal is damaged" "$(cat "$T/err")" \
	'damaged'
t_like "corrupt journal: ... and that nothing is deleted" "$(cat "$T/err")" \
	'nothing will be deleted'
t_is "corrupt journal: nothing deleted on the server (keep off)" \
	"$(server_count corrupt)" 152
t_is "corrupt journal: no message delivered twice" \
	"$(maildir_count "$BOX") $(local_ids | uniq | wc -l)" "152 152"
t_is "corrupt journal: notmuch has 152" "$(nm_count)" 152
t_ok "corrupt journal: the damaged copy is kept for inspection" \
	compgen -G "$j.damaged.*"
run_pm fetch
t_rc "corrupt journal: the next run exits 0" 0
t_empty "corrupt journal: ... silently (the journal was rewritten)" \
	"$T/err"
t_is "corrupt journal: ... and deletes normally" "$(server_count corrupt)" 0
t_is "corrupt journal: still each message once" "$(local_ids)" \
	"$(seed_ids $(seq 1 152))"

# ---- a journal at rest, and a torn last record -----------------------------
# The journal is compacted only when its tail has grown to an eighth of
# its snapshot (doc/HACKING.md): a run with nothing new must not rewrite
# it, however many UIDLs it holds.
account big "keep on"
seed_messages big 150
run_pm fetch
t_rc "journal at rest: first run (keep on, 150) exits 0" 0
j=$XDG_STATE_HOME/popmuch/big/journal
cp -p "$j" "$T/journal.before"
ino=$(stat -c %i "$j")
run_pm fetch
t_rc "journal at rest: a run with nothing new exits 0" 0
t_is "journal at rest: ... and does not rewrite the journal (inode)" \
	"$(stat -c %i "$j")" "$ino"
t_cmp "journal at rest: ... nor change it" "$T/journal.before" "$j"
# A crash in the middle of an append leaves a last line without its
# newline: dropped silently, it is not damage.
printf 'D 1700000001.M1Ptorn' >>"$j"
run_pm fetch
t_rc "torn journal: the run exits 0" 0
t_empty "torn journal: ... silently (a torn append is not damage)" "$T/err"
t_is "torn journal: nothing fetched twice" "$(maildir_count "$BOX")" 150
t_cmp "torn journal: the torn record is cut off (the journal as it was)" \
	"$T/journal.before" "$j"

# ---- the notmuch database locked by another process -----------------------
account locked "keep off"
seed_messages locked 5
nm_hold_lock
holder=$NM_HOLDER
t0=$(date +%s)
run_pm fetch --index-timeout 3
t1=$(date +%s)
t_rc "notmuch locked: fetch exits 0" 0
t_like "notmuch locked: warns that messages are not indexed yet" \
	"$(cat "$T/err")" 'not indexed'
t_ok "notmuch locked: gives up after about --index-timeout" \
	test $((t1 - t0)) -lt 30
t_is "notmuch locked: delivery was not held up" "$(local_ids)" \
	"$(seed_ids 1 2 3 4 5)"
t_is "notmuch locked: keep off still deletes the stored mail" \
	"$(server_count locked)" 0
n=$(nm_count)
t_ok "notmuch locked: notmuch has fewer than 5 ($n)" test "$n" -lt 5
kill -TERM "$holder"
wait "$holder"
t_is "notmuch locked: the lock holder let go cleanly" "$?" 0
run_pm index
t_rc "notmuch locked: popmuch index exits 0" 0
t_empty "notmuch locked: ... silently" "$T/err"
t_is "notmuch locked: it caught up: notmuch has all 5" "$(nm_count)" 5
t_is "notmuch locked: ... with new.tags applied" "$(nm_count tag:inbox)" 5
run_pm fetch
t_rc "notmuch locked: a later fetch exits 0" 0
t_is "notmuch locked: ... and indexes nothing twice" \
	"$(notmuch count --output=files "path:locked/**" 2>>"$T/log")" 5

# ---- disk full ------------------------------------------------------------
account full "keep off"
mnt=$BOX
why=
if [ "$(id -u)" != 0 ]; then
	why="needs root to mount a small tmpfs"
else
	mkdir -p "$mnt"
	if mount -t tmpfs -o size=200k,mode=0700 tmpfs "$mnt" \
		>>"$T/log" 2>&1; then
		pm_at_exit "umount '$mnt'"
	else
		why="cannot mount a tmpfs here: $(tail -n 1 "$T/log")"
	fi
fi
if [ -n "$why" ]; then
	t_skip "disk full: no space, nothing partial, nothing deleted" "$why"
else
	seed_messages full 1
	seed_messages full 1 400000 # bigger than the whole file system
	run_pm fetch
	t_like "disk full: exits 74 (or 73)" "$RC" '^7[34]$'
	t_like "disk full: says there is no space" "$(cat "$T/err")" \
		'[Nn]o space'
	t_is "disk full: the message before it was delivered whole" \
		"$(local_ids)" "$(seed_ids 1)"
	t_cmp "disk full: ... byte for byte" "$(seed_file full 1)" \
		"$(maildir_find_msgid "$BOX" "$(seed_ids 1)")"
	t_is "disk full: nothing partial in new/" "$(maildir_count "$BOX")" 1
	t_is "disk full: tmp/ is empty" "$(tmp_count)" 0
	t_is "disk full: nothing deleted on the server (keep off)" \
		"$(server_count full)" 2
	mount -o remount,size=2m "$mnt"
	run_pm fetch
	t_rc "disk full: with space again the next run exits 0" 0
	t_is "disk full: ... delivers the rest, each once" "$(local_ids)" \
		"$(seed_ids 1 2)"
	t_is "disk full: ... and empties the server" "$(server_count full)" 0

	# The journal's file system full: an intent that cannot be written
	# stops the delivery before the rename.
	account jfull "keep off"
	jdir=$XDG_STATE_HOME/popmuch/jfull
	mkdir -p "$jdir"
	if mount -t tmpfs -o size=16k,mode=0700 tmpfs "$jdir" \
		>>"$T/log" 2>&1; then
		pm_at_exit "umount '$jdir'"
		seed_messages jfull 200
		run_pm fetch
		t_rc "journal disk full: exits 74" 74
		t_like "journal disk full: names the journal and the cause" \
			"$(cat "$T/err")" 'journal.*No space left'
		t_is "journal disk full: nothing deleted on the server" \
			"$(server_count jfull)" 200
		t_is "journal disk full: what was delivered, once" \
			"$(local_ids | uniq | wc -l)" "$(maildir_count "$BOX")"
		t_is "journal disk full: tmp/ is empty" "$(tmp_count)" 0
		mount -o remount,size=1m "$jdir"
		run_pm fetch
		t_rc "journal disk full: with space again exits 0" 0
		t_is "journal disk full: ... every message once" \
			"$(local_ids)" "$(seed_ids $(seq 1 200))"
		t_is "journal disk full: ... the server empty, notmuch all" \
			"$(server_count jfull) $(nm_count)" "0 200"
	else
		t_skip "journal disk full" "cannot mount a tmpfs here"
	fi
fi

t_done
