#!/bin/bash
# t-import: 'popmuch import' of mbox files (Thunderbird's mboxo with an
# unquoted "From " line, mboxrd quoting, mutt's mboxcl2 Content-Length,
# a wrong Content-Length), a nested Maildir++, an MH folder, duplicates
# inside the archive and against the database, idempotence, file dates,
# flags and folder tags, bad input (truncated mbox, binary file, a folder
# that cannot be read, a PST readpst refuses), --dry-run, and kill -9 at
# every import crash point followed by a rerun (each message once).
[ -n "${BASH_VERSION:-}" ] || exec /bin/bash "$0" "$@"
. "$(dirname "$0")/lib.sh"

: "${POPMUCH_FAULT:=$TOP_BUILDDIR/tests/popmuch-fault}"
DATA=$TOP_SRCDIR/tests/data/import
pm_world
BOX=$MAIL_ROOT/import

files()
{
	find "$BOX/cur" "$BOX/new" -type f 2>/dev/null | wc -l
}

# The body of the imported message with Message-ID $1.
body_of()
{
	local f
	f=$(notmuch search --output=files "id:$1" | head -1)
	[ -n "$f" ] && sed '1,/^$/d' "$f"
}

tags_of()
{
	notmuch search --output=tags "id:$1" | tr '\n' ' '
}

# ---- 1. mbox variants -------------------------------------------------------
run_pm import "$DATA/thunderbird.mbox" "$DATA/mboxrd.mbox" \
	"$DATA/mboxcl2.mbox"
t_rc "three mbox files: exit 0" 0
t_like "... summary line" "$(cat "$T/out")" \
	'^import: 7 messages read, 7 imported, 0 duplicates skipped, 0 errors$'
t_is "... 7 files in $BOX/cur" "$(files)" 7
t_is "... 7 messages in notmuch" "$(notmuch count 'folder:import')" 7
t_like "thunderbird: the unquoted 'From ' line stays in the body" \
	"$(body_of tb1@example.org)" '^From here on the plan changes'
t_like "... a quoted one is unquoted" "$(body_of tb1@example.org)" \
	'^From the archive\.$'
t_unlike "... (no unread tag)" "$(tags_of tb1@example.org)" 'unread'
t_like "... X-Mozilla-Status 0004: flagged, unread" \
	"$(tags_of tb2@example.org)" 'flagged.*unread'
t_like "... folder name as tag" "$(tags_of tb2@example.org)" 'thunderbird'
t_is "mboxrd: one '>' removed from each quoted From line" \
	"$(body_of rd1@example.org)" \
	"$(printf 'From one level\n>From two levels\n>>From three levels')"
t_like "... Status RO, X-Status A: read and replied" \
	"$(tags_of rd1@example.org)" 'replied'
t_unlike "... (not unread)" "$(tags_of rd1@example.org)" 'unread'
f=$(notmuch search --output=files id:rd1@example.org)
t_like "... Maildir flags RS in the file name" "$f" ':2,RS$'
t_unlike "... the mbox Status headers are not copied" "$(cat "$f")" \
	'^(Status|X-Status):'
t_is "... file date from the Date header" "$(stat -c %Y "$f")" \
	"$(date -d '2001-01-03 09:00:00 UTC' +%s)"
t_is "mboxcl2: a valid Content-Length keeps a 'From ' line in the body" \
	"$(body_of cl1@example.org | grep -c '^From dave')" 1
t_is "... the whole body, verbatim" "$(body_of cl1@example.org | wc -l)" 5
t_is "... a wrong Content-Length is ignored" \
	"$(body_of cl2@example.org)" "short body"
t_is "... and the next message is found" "$(body_of cl3@example.org)" last

# ---- 2. idempotence, duplicates ----------------------------------------------
run_pm import "$DATA/thunderbird.mbox" "$DATA/mboxrd.mbox" \
	"$DATA/mboxcl2.mbox"
t_rc "the same import again: exit 0" 0
t_like "... 0 imported, 7 duplicates" "$(cat "$T/out")" \
	' 0 imported, 7 duplicates'
t_is "... still 7 files" "$(files)" 7

# A message fetched earlier into another Maildir and indexed there; an
# archive holding it twice (different Status), a message without a
# Message-ID twice, and one reusing a Message-ID for a different body.
mkdir -p "$MAIL_ROOT/inbox/cur" "$MAIL_ROOT/inbox/new" "$MAIL_ROOT/inbox/tmp"
printf 'From: g@example.org\nMessage-ID: <known@example.org>\nSubject: known\n\nknown body\n' \
	>"$MAIL_ROOT/inbox/new/1.known"
notmuch new >/dev/null 2>&1
{
	for s in RO O; do
		printf 'From g@example.org Mon Jan  8 09:00:00 2001\n'
		printf 'From: g@example.org\nMessage-ID: <known@example.org>\n'
		printf 'Subject: known\nStatus: %s\n\nknown body\n\n' "$s"
	done
	for s in RO O; do
		printf 'From h@example.org Mon Jan  8 09:00:00 2001\n'
		printf 'From: h@example.org\nSubject: no id\nStatus: %s\n\nno id body\n\n' "$s"
	done
	printf 'From h@example.org Mon Jan  8 09:00:00 2001\n'
	printf 'From: i@example.org\nMessage-ID: <rd2@example.org>\n'
	printf 'Subject: same id, other text\n\nsomething else\n\n'
	printf 'From h@example.org Mon Jan  8 09:00:00 2001\n'
	printf 'From: i@example.org\nMessage-ID: <rd2@example.org>\n'
	printf 'Subject: same id, other text\n\nsomething else\n'
} >"$T/dups.mbox"
run_pm import "$T/dups.mbox"
t_rc "duplicates: exit 0" 0
t_like "... 6 read, 2 imported, 4 duplicates" "$(cat "$T/out")" \
	'6 messages read, 2 imported, 4 duplicates'
t_is "... the known message is not copied" \
	"$(notmuch count --output=files id:known@example.org)" 1
t_is "... the one without Message-ID once" \
	"$(grep -l '^Subject: no id' "$BOX"/cur/* | wc -l)" 1
t_is "... a different body under a used Message-ID is kept (2 files)" \
	"$(notmuch count --output=files id:rd2@example.org)" 2

# ---- 3. Maildir++ and MH ------------------------------------------------------
md=$T/Maildir
mkdir -p "$md"/{cur,new,tmp} "$md"/.Lists.debian/{cur,new,tmp} \
	"$md"/.Sent/{cur,new,tmp}
msg()
{
	printf 'From: j@example.org\nMessage-ID: <%s@example.org>\nSubject: %s\nDate: Tue, 09 Jan 2001 09:00:00 +0000\n\nbody of %s\n' "$1" "$1" "$1"
}
msg md-inbox >"$md/cur/100.a:2,S"
msg md-new >"$md/new/101.b"
msg md-debian >"$md/.Lists.debian/cur/102.c:2,FS"
msg md-sent >"$md/.Sent/cur/103.d:2,RS"
touch "$md/.Lists.debian/maildirfolder" "$md/dovecot-uidlist"
mh=$T/mh/work
mkdir -p "$mh/projects"
msg mh-1 >"$mh/1"
msg mh-2 >"$mh/2"
msg mh-3 >"$mh/projects/1"
printf 'unseen: 2\nflagged: 1\n' >"$mh/.mh_sequences"
run_pm import --tag archive --tag=-inbox "$md" "$mh"
t_rc "Maildir++ and MH: exit 0" 0
t_like "... 7 imported" "$(cat "$T/out")" '7 messages read, 7 imported'
t_like "nested Maildir++ folder as tag" "$(tags_of md-debian@example.org)" \
	'Maildir/Lists/debian'
t_like "... its flags: flagged, read" "$(tags_of md-debian@example.org)" \
	'^Maildir/Lists/debian archive flagged $'
t_like "... new/ stays unread" "$(tags_of md-new@example.org)" unread
t_like "... --tag added, -inbox removed" "$(tags_of md-sent@example.org)" \
	'^Maildir/Sent archive replied $'
t_like "MH: not in unseen: read; flagged sequence" \
	"$(tags_of mh-1@example.org)" '^archive flagged work $'
t_like "... in unseen: unread" "$(tags_of mh-2@example.org)" unread
t_like "... subfolder" "$(tags_of mh-3@example.org)" 'work/projects'

# ---- 4. bad input -------------------------------------------------------------
n0=$(files)
{
	cat "$DATA/mboxrd.mbox" | sed 's/rd\([12]\)@/tr\1@/'
	printf 'From k@example.org Mon Jan  8 09:00:00 2001\nFrom: k@example.org\n'
	printf 'Message-ID: <cut@example.org>\nSubject: cut\n\nthe file ends in the midd'
} >"$T/truncated.mbox"
head -c 5000 /bin/ls >"$T/binary.mbox"
mkdir -p "$T/tree/sub"
msg tree-ok >"$T/tree/sub/inbox"
printf 'From x Mon Jan  8 09:00:00 2001\n' | cat - "$T/tree/sub/inbox" \
	>"$T/tree/sub/inbox.mbox" && rm "$T/tree/sub/inbox"
ln -s loop "$T/tree/loop"
printf '!BDN not really a PST file' >"$T/fake.pst"
run_pm import "$T/truncated.mbox" "$T/binary.mbox" "$T/tree" "$T/fake.pst"
t_rc "bad input: exit 65" 65
t_like "... truncated mbox named, with the byte offset" "$(cat "$T/err")" \
	"truncated.mbox: truncated: the message at byte [0-9]+ ends in the middle of a line"
t_like "... binary file named" "$(cat "$T/err")" \
	'binary.mbox: not a mailbox .*binary data'
t_like "... the folder that cannot be read named" "$(cat "$T/err")" \
	'tree/loop: Too many levels of symbolic links'
t_like "... the PST readpst refuses named" "$(cat "$T/err")" \
	'fake.pst: readpst could not read it'
t_is "... everything before the cut and elsewhere imported" \
	"$(( $(files) - n0 ))" 3
t_is "... the cut message is not" \
	"$(notmuch count id:cut@example.org)" 0

# ---- 5. --dry-run, target outside the mail root -----------------------------
n0=$(files)
msg dry-1 | sed '1i From x Mon Jan  8 09:00:00 2001' >"$T/dry.mbox"
cat "$T/dry.mbox" "$DATA/mboxrd.mbox" >"$T/dry2.mbox"
run_pm import --dry-run "$T/dry2.mbox"
t_rc "--dry-run: exit 0" 0
t_like "... counts" "$(cat "$T/out")" \
	'3 messages read, 1 would be imported, 2 duplicates'
t_is "... writes nothing" "$(files)" "$n0"
run_pm import --maildir /tmp "$T/dry.mbox"
t_rc "--maildir outside the mail root: exit 78" 78
t_like "... says so" "$(cat "$T/err")" "not inside notmuch's mail root"

# One import at a time: a second one, while the lock (lockfile.c, the
# same lock as an account's) is held with a pid in it, exits 75 naming it.
lock=$XDG_STATE_HOME/popmuch/import.lock
mkdir -p "$(dirname "$lock")"
echo 4242 >"$lock"
(
	exec 9<>"$lock"
	flock -x 9
	exec sleep 30
) &
holder=$!
pm_at_exit "kill $holder 2>/dev/null"
for _ in $(seq 50); do
	flock -n -x "$lock" true 2>/dev/null || break
	sleep 0.1
done
n0=$(files)
run_pm import "$T/dry.mbox"
t_rc "a second import while one runs: exit 75" 75
t_like "... naming the holder's pid" "$(cat "$T/err")" \
	'import: locked by another popmuch run \(pid 4242\)'
t_is "... and imports nothing" "$(files)" "$n0"
kill "$holder"
wait "$holder" 2>/dev/null

# ---- 6. progress on a terminal (script(1) gives it a pty) -------------------
{
	for i in $(seq 1 300); do
		printf 'From p@example.org Mon Jan  8 09:00:00 2001\n'
		printf 'From: p@example.org\nMessage-ID: <tty%d@example.org>\n' "$i"
		printf 'Subject: tty %d\n\n%0500d\n\n' "$i" 0
	done
} >"$T/tty.mbox"
script -qec "$POPMUCH import --maildir tty $T/tty.mbox" "$T/typescript" \
	</dev/null >/dev/null 2>&1
t_like "on a terminal: a progress line" "$(tr '\r' '\n' <"$T/typescript")" \
	'^import: [0-9]+ messages, [0-9]+ new, 0 duplicates, [0-9.]+ MB \(tty\.mbox\)'
t_like "... and the summary" "$(cat "$T/typescript")" \
	'import: 300 messages read, 300 imported'
run_pm import --maildir tty "$T/tty.mbox"
t_is "... not on a pipe" "$(grep -c 'MB (' "$T/err")" 0

# ---- 7. kill -9 at every crash point, then a rerun -----------------------------
{
	for i in $(seq 1 150); do
		printf 'From l@example.org Mon Jan  8 09:00:00 2001\n'
		printf 'From: l@example.org\nMessage-ID: <crash%d@example.org>\n' "$i"
		printf 'Subject: crash %d\n\nbody %d\n\n' "$i" "$i"
	done
} >"$T/crash.mbox"
SPECS="maildir-before-fsync:70 import-renamed:70 import-synced:2
	import-indexed:1 import-indexed:70 import-indexed:129"
missing=
for p in $(fault_points '^import-'); do
	case " $(echo $SPECS) " in
	*" $p:"*) ;;
	*) missing="$missing $p" ;;
	esac
done
t_is "every import crash point is killed at below" "$missing" ""
for spec in $SPECS; do
	rm -rf "$MAIL_ROOT/crash"
	POPMUCH=$POPMUCH_FAULT POPMUCH_CRASH_AT=$spec \
		run_pm import --maildir crash "$T/crash.mbox"
	t_rc "killed at $spec: SIGKILL (137)" 137
	run_pm import --maildir crash "$T/crash.mbox"
	t_rc "... the rerun: exit 0" 0
	t_is "... 150 files, each message once" \
		"$(find "$MAIL_ROOT/crash/cur" -type f | xargs grep -h '^Message-ID' | sort -u | wc -l) $(find "$MAIL_ROOT/crash/cur" -type f | wc -l)" \
		"150 150"
	t_is "... all indexed" \
		"$(notmuch count --output=files 'folder:crash')" 150
	notmuch new >/dev/null 2>&1 # forget the files removed above
done

t_done
