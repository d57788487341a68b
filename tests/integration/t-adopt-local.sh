#!/bin/bash
# t-adopt-local: on an account's first run, what the real mpop already
# put into the account's Maildir (and notmuch indexed) is adopted by
# Message-ID and header (src/adopt-local.c): not downloaded again, and,
# unlike an adoption from a peer's record alone, deleted under 'keep
# off'.  A local file with the server message's Message-ID but another
# header is no copy of it.
[ -n "${BASH_VERSION:-}" ] || exec /bin/bash "$0" "$@"
. "$(dirname "$0")/lib.sh"

pm_world
dovecot_start
seed_messages "$POP_USER" 5
md=$MAIL_ROOT/test

# mpop with keep on, delivering into the Maildir popmuch will use
mkdir -p "$md/new" "$md/cur" "$md/tmp"
mpop_rc "$T/mpoprc" "keep on" "delivery maildir $md"
t_ok "mpop fetches 5 with keep on" mpop --file="$T/mpoprc" -q
t_is "... into the Maildir" "$(maildir_count "$md")" 5
t_like "mpop puts a Received line on top (the header check looks past it)" \
	"$(head -n 1 "$(maildir_find_msgid "$md" \
		"$(sed -n 's/^Message-ID: //p' "$(seed_file "$POP_USER" 1)")")")" \
	"^Received: from 127.0.0.1 "
rm -rf "$HOME/.mpop_uidls" # no peer record: only the copies tell

# Message 5's local copy gets another Subject: the same Message-ID, not
# the same header (a different message as far as the header shows)
id5=$(sed -n 's/^Message-ID: <\(.*\)>$/\1/p' "$(seed_file "$POP_USER" 5)")
f5=$(maildir_find_msgid "$md" "$id5")
sed 's/^Subject: .*/Subject: edited locally/' "$f5" >"$md/cur/local5:2,S"
rm -f "$f5"
t_ok "notmuch new indexes the 5 local files" notmuch new --quiet
t_is "... one of them message 5's Message-ID" \
	"$(notmuch count --output=files "id:$id5")" 1

pm_config test "tls on" "tls_trust_file $TLS_CA" "keep on" -auth
state=$XDG_STATE_HOME/popmuch/test

# ---- --dry-run: what would be adopted, and from where ----------------------
run_pm fetch --dry-run test
t_rc "dry run: exit 0" 0
t_is "... would adopt 4 messages, each named with its file" \
	"$(grep -c "would adopt message [0-9]* (unique id .*): $md/new/.* has the same Message-ID and header" "$T/err")" 4
t_like "... and says where they are" "$(cat "$T/err")" \
	"would adopt 4 message\\(s\\) the server lists that are in $md already"
t_is "... would fetch only message 5 (the other header)" \
	"$(grep -c 'would fetch' "$T/out")" 1
t_like "... which is message 5" "$(cat "$T/out")" "would fetch message 5 "
t_is "... and journals nothing" \
	"$(grep -cv '^popmuch-journal ' "$state/journal" 2>/dev/null)" 0

# ---- the first run ------------------------------------------------------------
run_pm fetch test
t_rc "first run, keep on: exit 0" 0
t_like "... says it adopted the 4 copies in the Maildir" "$(cat "$T/err")" \
	"adopted 4 message\\(s\\) the server lists that are in $md already"
t_is "... downloads only message 5" "$(maildir_count "$md")" 6
t_is "... which notmuch now has twice (the edited file and the real one)" \
	"$(notmuch count --output=files "id:$id5")" 2
t_is "... the server keeps all 5" "$(server_count "$POP_USER")" 5
run_pm fetch test
t_rc "a second run: exit 0" 0
t_empty "... silent" "$T/err"
t_is "... fetches nothing" "$(maildir_count "$md")" 6

# ---- keep off: the adopted messages are deleted like any stored -------------
sed -i 's/^keep on$/keep off/' "$PM_CONFIG"
run_pm fetch test
t_rc "keep off: exit 0" 0
t_is "... deletes all 5 on the server (4 adopted, 1 fetched)" \
	"$(server_count "$POP_USER")" 0
t_is "... and no local file" "$(maildir_count "$md")" 6

# ---- a peer's record and a local copy: the copy makes it deletable ----------
seed_messages "$POP_USER" 2
t_ok "mpop fetches 2 more (its record written again)" \
	mpop --file="$T/mpoprc" -q
t_ok "notmuch new" notmuch new --quiet
pm_config two "tls on" "tls_trust_file $TLS_CA" "keep off" -auth \
	"delivery maildir $md"
run_pm fetch --dry-run two
t_like "a new account on the same mailbox, dry run: mpop's record" \
	"$(cat "$T/err")" "would adopt 2 message.*mpop_uidls"
t_like "... and both copies" "$(cat "$T/err")" \
	"would adopt 2 message\\(s\\) the server lists that are in $md already"
t_is "... would fetch nothing" "$(grep -c 'would fetch' "$T/out")" 0
t_is "... and would delete both (their copies are here)" \
	"$(grep -c 'would delete' "$T/out")" 2
run_pm fetch two
t_rc "a new account on the same mailbox, keep off: exit 0" 0
t_like "... adopts mpop's record" "$(cat "$T/err")" \
	"adopted 2 message.*mpop_uidls"
t_like "... and finds both copies" "$(cat "$T/err")" \
	"adopted 2 message\\(s\\) the server lists that are in $md already"
t_is "... downloads nothing" "$(maildir_count "$md")" 8
t_is "... and deletes both on the server" "$(server_count "$POP_USER")" 0

# ---- a copy outside the account's Maildir does not count --------------------
seed_messages "$POP_USER" 1
t_ok "mpop fetches 1 more" mpop --file="$T/mpoprc" -q
rm -rf "$HOME/.mpop_uidls"
mkdir -p "$MAIL_ROOT/elsewhere/cur" "$MAIL_ROOT/elsewhere/new" \
	"$MAIL_ROOT/elsewhere/tmp"
id8=$(sed -n 's/^Message-ID: <\(.*\)>$/\1/p' "$(seed_file "$POP_USER" 8)")
mv "$(maildir_find_msgid "$md" "$id8")" "$MAIL_ROOT/elsewhere/cur/m8:2,"
t_ok "notmuch new" notmuch new --quiet
pm_config three "tls on" "tls_trust_file $TLS_CA" "keep on" -auth \
	"delivery maildir $md"
run_pm fetch three
t_rc "the copy in another folder: exit 0" 0
t_unlike "... is not adopted" "$(cat "$T/err")" "in $md already"
t_is "... the message is fetched into the account's Maildir" \
	"$(maildir_find_msgid "$md" "$id8" | wc -l)" 1

# ---- a copy cut short (a full disk under the peer): known, never deleted ---
seed_messages "$POP_USER" 1
t_ok "mpop fetches 1 more" mpop --file="$T/mpoprc" -q
rm -rf "$HOME/.mpop_uidls"
id9=$(sed -n 's/^Message-ID: <\(.*\)>$/\1/p' "$(seed_file "$POP_USER" 9)")
f9=$(maildir_find_msgid "$md" "$id9")
awk '{ print } /^$/ { getline; print; exit }' "$f9" >"$T/cut9"
cat "$T/cut9" >"$f9"
t_ok "notmuch new" notmuch new --quiet
pm_config four "tls on" "tls_trust_file $TLS_CA" "keep off" -auth \
	"delivery maildir $md"
run_pm fetch four
t_rc "a local copy with its body cut short, keep off: exit 0" 0
t_like "... is named as shorter than the server's message" "$(cat "$T/err")" \
	"$f9 is shorter than the server's size of message [0-9]* .*kept on the server"
t_is "... is not fetched again" "$(maildir_find_msgid "$md" "$id9" | wc -l)" 1
t_is "... and stays on the server (the whole copy, 8, is deleted)" \
	"$(server_count "$POP_USER")" 1
run_pm fetch four
t_rc "the next run: exit 0" 0
t_is "... keeps it on the server still" "$(server_count "$POP_USER")" 1
t_is "... and fetches nothing" "$(maildir_find_msgid "$md" "$id9" | wc -l)" 1
t_done
