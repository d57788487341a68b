#!/bin/bash
# t-adopt: the readers of the peers' records (src/adopt.c) on files that
# the real mpop, fetchmail and getmail6 write after fetching from Dovecot
# with "keep on": each reader returns exactly the UIDLs Dovecot lists.
# (tests/unit/adopt-dump prints what adopt_load_account() finds.)
[ -n "${BASH_VERSION:-}" ] || exec /bin/bash "$0" "$@"
. "$(dirname "$0")/lib.sh"

DUMP=$TOP_BUILDDIR/tests/unit/adopt-dump
pm_world
dovecot_start
seed_messages "$POP_USER" 4

# The UIDLs Dovecot lists, one a line, sorted (an independent client).
server_uidls()
{
	"$PM_PYTHON" - "$POP3_PORT" "$POP_USER" "$POP_PASS" "$TLS_CA" <<'EOF'
import poplib, ssl, sys
port, user, pw, ca = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
p = poplib.POP3("127.0.0.1", int(port), timeout=30)
p.stls(ssl.create_default_context(cafile=ca))
p.user(user)
p.pass_(pw)
for line in sorted(l.split()[1].decode() for l in p.uidl()[1]):
    print(line)
p.quit()
EOF
}
want=$(server_uidls)
t_is "Dovecot lists 4 UIDLs" "$(printf '%s\n' "$want" | grep -c .)" 4

# dump SOURCE: the UIDLs adopt-dump finds with source SOURCE, sorted
dump()
{
	"$DUMP" "$T/mpoprc" test 2>"$T/dump.err" | awk -v s="$1" \
		'$3 ~ s { print $1 }' | sort
}

# ---- mpop, with the very file popmuch then reads ---------------------------
mkdir -p "$MAIL_ROOT/test/new" "$MAIL_ROOT/test/cur" "$MAIL_ROOT/test/tmp"
mpop_rc "$T/mpoprc" "keep on" "delivery maildir $MAIL_ROOT/test"
t_ok "mpop fetches with keep on" mpop --file="$T/mpoprc" -q
t_ok "mpop wrote its default uidls file" \
	test -s "$HOME/.mpop_uidls/${POP_USER}_at_127.0.0.1"
t_is "mpop's record: exactly Dovecot's UIDLs" "$(dump mpop)" "$want"
t_like "adopt names mpop's file" "$(cat "$T/dump.err")" \
	"file: $HOME/.mpop_uidls/${POP_USER}_at_127.0.0.1"

# uidls_file in the same mpoprc moves it; popmuch follows
sed -i "s|^keep on\$|keep on\nuidls_file $T/uidls-%U|" "$T/mpoprc"
t_ok "mpop with uidls_file" mpop --file="$T/mpoprc" -q
rm -rf "$HOME/.mpop_uidls"
t_is "uidls_file read, %U replaced" "$(dump mpop)" "$want"

# ---- popmuch takes over from mpop, reading the same mpoprc ------------------
# (its uidls_file, moved above): nothing mpop fetched is fetched again
# (mpop itself stored them twice above, once per uidls file)
before=$(maildir_count "$MAIL_ROOT/test")
run_pm -C "$T/mpoprc" fetch --dry-run
t_rc "a dry run after mpop: exit 0" 0
t_like "... would adopt mpop's 4, naming the file" "$(cat "$T/err")" \
	"would adopt 4 message.*$T/uidls-$POP_USER"
t_is "... and would fetch none of them" "$(grep -c 'would fetch' "$T/out")" 0
run_pm -C "$T/mpoprc" fetch
t_rc "popmuch after mpop: exit 0" 0
t_like "... says it adopted mpop's 4 and names the file" "$(cat "$T/err")" \
	"adopted 4 message.*$T/uidls-$POP_USER"
t_is "... and downloads none of them again" \
	"$(maildir_count "$MAIL_ROOT/test")" "$before"
seed_messages "$POP_USER" 1
run_pm -C "$T/mpoprc" fetch
t_rc "a new message: exit 0" 0
t_empty "... silently (the adoption was told once)" "$T/err"
t_is "... only the new one is fetched" \
	"$(maildir_count "$MAIL_ROOT/test")" "$((before + 1))"
t_is "... and notmuch indexed it" \
	"$(notmuch count --output=files "folder:test" 2>/dev/null)" 1
sed -i 's/^keep on$/keep off/' "$T/mpoprc"
run_pm -C "$T/mpoprc" fetch --dry-run
t_is "keep off, a dry run: would delete only the one popmuch stored" \
	"$(grep -c 'would delete' "$T/out")" 1
run_pm -C "$T/mpoprc" fetch
t_rc "keep off: exit 0" 0
t_is "... deletes the message popmuch stored, not the adopted ones" \
	"$("$PM_PYTHON" - "$POP3_PORT" "$POP_USER" "$POP_PASS" "$TLS_CA" <<'PYEOF'
import poplib, ssl, sys
port, user, pw, ca = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
p = poplib.POP3("127.0.0.1", int(port), timeout=30)
p.stls(ssl.create_default_context(cafile=ca))
p.user(user)
p.pass_(pw)
print(len(p.list()[1]))
p.quit()
PYEOF
)" 4
sed -i 's/^keep off$/keep on/' "$T/mpoprc"

# ---- fetchmail ---------------------------------------------------------------
(umask 077 && cat >"$T/fetchmailrc" <<EOF
poll 127.0.0.1 port $POP3_PORT proto pop3 uidl
  user "$POP_USER" there with password "$POP_PASS" is root here
  keep sslcertck sslcertfile "$TLS_CA" sslproto TLS1.2+ sslcommonname localhost
  mda "cat >/dev/null"
EOF
)
t_ok "fetchmail fetches with keep" \
	fetchmail -f "$T/fetchmailrc" --nodetach --silent
t_is "fetchmail's .fetchids: exactly Dovecot's UIDLs" "$(dump fetchmail)" \
	"$want"
# popmuch takes over from fetchmail: a new account on the same mailbox
on_server=$(server_count "$POP_USER")
pm_config fm "tls on" "tls_trust_file $TLS_CA" "keep on" -auth
run_pm fetch fm
t_rc "popmuch after fetchmail: exit 0" 0
t_like "... adopts what fetchmail's .fetchids records" "$(cat "$T/err")" \
	"adopted $on_server message.*$HOME/.fetchids"
t_is "... and downloads none of it again" "$(maildir_count "$MAIL_ROOT/fm")" 0

# ---- getmail6 (refuses to deliver as root: run as the mail user) ---------
gm=$HOME/.getmail
mkdir -p "$gm" "$T/gmbox/new" "$T/gmbox/cur" "$T/gmbox/tmp"
cat >"$gm/getmailrc" <<EOF
[retriever]
type = SimplePOP3SSLRetriever
server = 127.0.0.1
port = $POP3S_PORT
username = $POP_USER
password = $POP_PASS
ca_certs = $TLS_CA
[destination]
type = Maildir
path = $T/gmbox/
[options]
delete = false
read_all = false
EOF
as_user=()
if [ "$(id -u)" = 0 ]; then
	chown -R "$PM_MAIL_USER" "$gm" "$T/gmbox"
	as_user=(runuser -u "$PM_MAIL_USER" --)
fi
before=$(date +%s)
# getmail6 checks the certificate name: 127.0.0.1 is not in it
sed -i 's/^server = .*/server = localhost/' "$gm/getmailrc"
t_ok "getmail6 fetches with delete = false" \
	"${as_user[@]}" getmail --getmaildir="$gm" --rcfile=getmailrc --quiet
sed -i "s/^host .*/host localhost/" "$T/mpoprc"
t_is "getmail6's oldmail file: exactly Dovecot's UIDLs" "$(dump getmail6)" \
	"$want"
times=$("$DUMP" "$T/mpoprc" test 2>/dev/null | awk '$3 ~ /getmail6/ { print $2 }')
t_ok "getmail6's first-seen times are kept" \
	awk -v b="$before" '$1 < b - 5 || $1 > b + 600 { exit 1 }' <<<"$times"
# popmuch takes over from getmail6 (fetchmail's record moved away)
mv "$HOME/.fetchids" "$T/fetchids.aside"
pm_config gm "host localhost" "tls on" "tls_trust_file $TLS_CA" "keep on" \
	-auth
run_pm fetch gm
t_rc "popmuch after getmail6: exit 0" 0
t_like "... adopts what getmail6's oldmail file records" "$(cat "$T/err")" \
	"adopted $on_server message.*oldmail-localhost-"
t_is "... and downloads none of it again" "$(maildir_count "$MAIL_ROOT/gm")" 0

# ---- a corrupt record is an error naming the file --------------------------
printf 'garbage\n' >"$HOME/.fetchids"
"$DUMP" "$T/mpoprc" test >/dev/null 2>"$T/dump.err"
t_is "corrupt .fetchids: exit 65" "$?" 65
t_like "the error names the file" "$(cat "$T/dump.err")" \
	"$HOME/.fetchids:1: not a fetchmail .fetchids file"
t_done
