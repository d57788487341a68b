#!/bin/bash
# t-fetch-basic: the walking skeleton.  "popmuch fetch" takes the mail off a
# real Dovecot into the account's Maildir, byte for byte, indexes it with
# notmuch, says nothing when all is well (cron), and never fetches a
# message twice.
[ -n "${BASH_VERSION:-}" ] || exec /bin/bash "$0" "$@"
. "$(dirname "$0")/lib.sh"

pm_world
dovecot_start
seed_messages "$POP_USER" 25
# What a cron user runs: STLS, the server's certificate checked.  (Plain
# POP3 with "auth user" rightly earns a warning, which is not silence.)
tls="tls_trust_file $TLS_CA"
pm_config test "tls on" "$tls"
box=$MAIL_ROOT/test

# new_count: files in the account's new/
new_count()
{
	find "$box/new" -maxdepth 1 -type f 2>/dev/null | wc -l
}

# same_as_seeded FIRST LAST: each seeded message FIRST..LAST is in the
# Maildir exactly once and equals the seeded file byte for byte.
same_as_seeded()
{
	local i s id f n ok=0 bad='' first=''

	for i in $(seq "$1" "$2"); do
		s=$(seed_file "$POP_USER" "$i")
		id=$(sed -n 's/^Message-ID: //p' "$s")
		f=$(maildir_find_msgid "$box" "$id")
		n=$(printf '%s' "$f" | grep -c '')
		if [ "$n" = 1 ] && cmp -s "$s" "$f"; then
			ok=$((ok + 1))
		else
			bad="$bad $i($n)"
			[ -n "$first" ] || [ "$n" != 1 ] ||
				first=$(diff -u "$s" "$f" | head -n 12)
		fi
	done
	t_is "messages $1..$2 arrived once, byte-identical" "$ok" \
		$(($2 - $1 + 1)) ||
		t_diag "differing or not once (copies):$bad" "$first"
}

# ---- first fetch ----------------------------------------------------------
run_pm fetch
t_rc "fetch exits 0" 0
t_empty "fetch prints nothing on stdout" "$T/out"
t_empty "fetch prints nothing on stderr" "$T/err"
t_is "25 messages in the account's new/" "$(new_count)" 25
t_is "nothing left in tmp/" \
	"$(find "$box/tmp" -type f 2>/dev/null | wc -l)" 0
same_as_seeded 1 25
t_is "notmuch indexed 25" "$(notmuch count '*' 2>>"$T/log")" 25
t_is "new.tags applied (inbox, unread)" \
	"$(notmuch count tag:inbox and tag:unread 2>>"$T/log")" 25
t_is "keep off (the default) empties the server" \
	"$(server_count "$POP_USER")" 0

# ---- second fetch: nothing new --------------------------------------------
run_pm fetch
t_rc "second fetch exits 0" 0
t_empty "second fetch prints nothing on stdout" "$T/out"
t_empty "second fetch prints nothing on stderr" "$T/err"
t_is "second fetch adds no file" "$(new_count)" 25
t_is "notmuch still has 25" "$(notmuch count '*' 2>>"$T/log")" 25

# ---- -C FILE, and messages left on the server -------------------------------
# The config moves away from the default path, so only -C can find it.
alt=$T/alt-config
pm_config test "tls on" "$tls" "keep on"
mv "$PM_CONFIG" "$alt"
seed_messages "$POP_USER" 5
run_pm -C "$alt" fetch
t_rc "popmuch -C FILE fetch exits 0" 0
t_empty "... silently" "$T/err"
t_is "... and delivers the 5 new messages" "$(new_count)" 30
same_as_seeded 26 30
t_is "keep on leaves them on the server" "$(server_count "$POP_USER")" 5
run_pm -C "$alt" fetch
t_rc "fetching again exits 0" 0
t_is "messages kept on the server are not fetched twice" "$(new_count)" 30
t_is "notmuch has 30" "$(notmuch count '*' 2>>"$T/log")" 30

t_done
