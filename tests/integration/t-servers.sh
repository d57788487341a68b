#!/bin/bash
# t-servers: popmuch against real POP3 servers other than Dovecot (issue
# 10): GNU Mailutils pop3d, popa3d, Solid POP3, Courier and Cyrus, each run from
# the unpacked Debian package (tests/integration/lib-servers.sh, which
# also lists what each server does that Dovecot does not).
#
# For each server, each part with its own POP3 user and account:
#   off     keep off: every message exactly once in the Maildir, equal to
#           what was seeded (but for the headers the server adds), the
#           server empty; a second run adds no file
#   on      keep on: exactly once; a second run downloads nothing and
#           adds no file; nothing deleted
#   1d      keep 1d: exactly once; two days later (faketime) deleted,
#           still once locally
#   add     keep on, two messages added between runs: the second run
#           downloads just those; every message once
#   nopipe  (servers that offer PIPELINING) pipelining off: keep on, a
#           second run downloads nothing; then keep off empties the
#           server; every message once
#   probe   popmuch probe reports UIDL, and PIPELINING as the server's
#           CAPA says
# Every server runs as root only (private mount namespaces); without root
# each server's parts are one skip line.
[ -n "${BASH_VERSION:-}" ] || exec /bin/bash "$0" "$@"
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-servers.sh"

command -v faketime >/dev/null ||
	t_bail "faketime is not installed (see contrib/install-deps)"

pm_world

# Which servers announce PIPELINING in their CAPA (seen in their
# transcripts; probe must report the same).
declare -A PIPELINES=([mailutils]=yes [popa3d]=no [solid]=no [courier]=yes
	[cyrus]=yes)

# account SERVER PART [LINE...]: a config with the one account
# SERVER-PART (POP3 user SERVER-PART on SERVER); sets A and BOX.
account()
{
	local s=$1 part=$2
	shift 2
	A=$s-$part
	BOX=$MAIL_ROOT/$A
	pm_config "$A" "port ${SRV_PORT[$s]}" "user $(srv_login "$s" "$A")" "$@"
}

# last_fetched: how many messages the account's last run downloaded.
last_fetched()
{
	sed -n 's/^fetched //p' "$XDG_STATE_HOME/popmuch/$A/last-run" 2>/dev/null
}

msgid_of()
{
	grep -i -m1 '^Message-ID:' "$1" | sed 's/^[^:]*: *//'
}

# stored_once SERVER I...: nothing when the account's Maildir holds
# exactly seeded messages I... of user $A, each once and equal to what
# SERVER was seeded with (srv_expect) but for the headers it adds
# (srv_strip); otherwise one line per problem.
stored_once()
{
	local s=$1 i files n
	shift
	n=$(maildir_count "$BOX")
	[ "$n" = $# ] || echo "$n files for $# messages"
	for i in "$@"; do
		files=$(maildir_find_msgid "$BOX" "$(msgid_of "$(seed_file "$A" "$i")")")
		n=$(printf '%s' "$files" | grep -c .)
		if [ "$n" != 1 ]; then
			echo "message $i stored $n times"
		elif ! srv_strip "$files" | cmp -s - "$(srv_expect "$s" "$A" "$i")"
		then
			echo "message $i differs from what was seeded:"
			srv_strip "$files" | diff - "$(srv_expect "$s" "$A" "$i")" |
				head -n 6
		fi
	done
}

# ---- keep off -------------------------------------------------------------
part_off()
{
	local s=$1 p="$1 keep off"
	account "$s" off "keep off"
	srv_seed "$s" "$A" 4
	srv_seed "$s" "$A" 1 40000 # more than one TCP segment
	run_pm fetch "$A"
	t_rc "$p: fetch exits 0" 0
	t_is "$p: each message once, as seeded" "$(stored_once "$s" 1 2 3 4 5)" ""
	t_is "$p: the server is empty" "$(srv_count "$s" "$A")" 0
	run_pm fetch "$A"
	t_rc "$p: a second fetch exits 0" 0
	t_is "$p: ... and adds no file" "$(stored_once "$s" 1 2 3 4 5)" ""
}

# ---- keep on --------------------------------------------------------------
part_on()
{
	local s=$1 p="$1 keep on"
	account "$s" on "keep on"
	srv_seed "$s" "$A" 4
	run_pm fetch "$A"
	t_rc "$p: fetch exits 0" 0
	t_is "$p: each message once, as seeded" "$(stored_once "$s" 1 2 3 4)" ""
	t_is "$p: all 4 stay on the server" "$(srv_count "$s" "$A")" 4
	run_pm fetch "$A"
	t_rc "$p: a second fetch exits 0" 0
	t_is "$p: ... downloads nothing" "$(last_fetched)" 0
	t_is "$p: ... and adds no file" "$(stored_once "$s" 1 2 3 4)" ""
	t_is "$p: ... and deletes nothing" "$(srv_count "$s" "$A")" 4
}

# ---- keep 1d, the clock moved by libfaketime ------------------------------
part_1d()
{
	local s=$1 p="$1 keep 1d"
	account "$s" 1d "keep 1d"
	srv_seed "$s" "$A" 3
	run_pm fetch "$A"
	t_rc "$p: fetch exits 0" 0
	t_is "$p: each message once, as seeded" "$(stored_once "$s" 1 2 3)" ""
	t_is "$p: all 3 stay on the server" "$(srv_count "$s" "$A")" 3
	run_pm_at '+2 days' fetch "$A"
	t_rc "$p: a fetch 2 days later exits 0" 0
	t_is "$p: ... deletes all 3" "$(srv_count "$s" "$A")" 0
	t_is "$p: ... and they are still each once" \
		"$(stored_once "$s" 1 2 3)" ""
}

# ---- messages added between runs (keep on) --------------------------------
part_add()
{
	local s=$1 p="$1 added between runs"
	account "$s" add "keep on"
	srv_seed "$s" "$A" 3
	run_pm fetch "$A"
	t_rc "$p: first fetch exits 0" 0
	srv_seed "$s" "$A" 2
	run_pm fetch "$A"
	t_rc "$p: the fetch after 2 more arrived exits 0" 0
	t_is "$p: ... downloads just the 2" "$(last_fetched)" 2
	t_is "$p: every message once, as seeded" \
		"$(stored_once "$s" 1 2 3 4 5)" ""
	t_is "$p: all 5 stay on the server" "$(srv_count "$s" "$A")" 5
}

# ---- pipelining off against a server that offers it -----------------------
# keep on, then keep off, on the same account: without pipelining too,
# nothing is downloaded twice and the second policy deletes what the
# first kept.
part_nopipe()
{
	local s=$1 p="$1 pipelining off"
	account "$s" nopipe "keep on" "pipelining off"
	srv_seed "$s" "$A" 4
	srv_seed "$s" "$A" 1 40000
	run_pm fetch "$A"
	t_rc "$p: fetch (keep on) exits 0" 0
	t_is "$p: each message once, as seeded" "$(stored_once "$s" 1 2 3 4 5)" ""
	t_is "$p: all 5 stay on the server" "$(srv_count "$s" "$A")" 5
	run_pm fetch "$A"
	t_rc "$p: a second fetch exits 0" 0
	t_is "$p: ... downloads nothing" "$(last_fetched)" 0
	account "$s" nopipe "keep off" "pipelining off"
	run_pm fetch "$A"
	t_rc "$p: a fetch with keep off exits 0" 0
	t_is "$p: ... empties the server" "$(srv_count "$s" "$A")" 0
	t_is "$p: ... and each message is still once" \
		"$(stored_once "$s" 1 2 3 4 5)" ""
}

# ---- what probe sees ------------------------------------------------------
part_probe()
{
	local s=$1
	account "$s" on "keep on"
	run_pm probe "$A"
	t_rc "$s probe: exits 0" 0
	t_is "$s probe: login ok" "$(sed -n 's/^Login: *//p' "$T/out")" ok
	t_is "$s probe: UIDL" "$(sed -n 's/^UIDL: *//p' "$T/out")" yes
	t_is "$s probe: PIPELINING as in its CAPA" \
		"$(sed -n 's/^PIPELINING: *//p' "$T/out")" "${PIPELINES[$s]}"
}

for s in mailutils popa3d solid courier cyrus; do
	# Not installed is a missing fixture (srv_start bails out); only
	# running without root skips.
	if [ "$(id -u)" != 0 ]; then
		t_skip "$s: every part" "$(srv_usable "$s")"
		continue
	fi
	parts="off on 1d add"
	[ "${PIPELINES[$s]}" = yes ] && parts="$parts nopipe"
	users=()
	for p in $parts; do
		users+=("$s-$p")
	done
	srv_start "$s" "${users[@]}"
	for p in $parts probe; do
		"part_$p" "$s"
	done
	srv_stop "$s"
done

t_done
