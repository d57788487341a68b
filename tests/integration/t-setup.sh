#!/bin/bash
# t-setup: "popmuch setup" for a person with nothing configured (no
# notmuch, no popmuch configuration), against the Dovecot fixture: by
# flags, through an RFC 6186 SRV record (a test DNS server on loopback),
# through autoconfig documents (a web server on loopback),
# and answering its questions in tmux; then "popmuch fetch" works.
[ -n "${BASH_VERSION:-}" ] || exec /bin/bash "$0" "$@"
. "$(dirname "$0")/lib.sh"
. "$TOP_SRCDIR/tests/tui/tuilib.sh"

pm_world
rm -f "$NOTMUCH_CONFIG"
dovecot_start
seed_messages "$POP_USER" 2

# ---- by flags (a script) ------------------------------------------------------
run_pm setup "$POP_USER@example.org" host=127.0.0.1 port="$POP3_PORT" \
	tls_trust_file="$TLS_CA" user="$POP_USER" passwordeval="echo $POP_PASS"
t_rc "setup by flags: exit 0" 0
t_like "it checked the login" "$(cat "$T/err")" 'Login: +ok \(2 messages'
t_like "it names what it wrote" "$(cat "$T/err")" "Wrote $PM_CONFIG"
t_ok "the notmuch configuration was created" test -s "$NOTMUCH_CONFIG"
t_is "... with the mail root ~/mail" \
	"$(sed -n 's/^path=//p' "$NOTMUCH_CONFIG")" "$HOME/mail"
t_is "... and the address" \
	"$(sed -n 's/^primary_email=//p' "$NOTMUCH_CONFIG")" \
	"$POP_USER@example.org"
t_is "the popmuch configuration is private" "$(stat -c %a "$PM_CONFIG")" 600
run_pm fetch
t_rc "then popmuch fetch works: exit 0" 0
t_is "... both messages delivered" "$(maildir_count "$MAIL_ROOT/example")" 2
t_is "... and indexed" "$(pm_notmuch count '*')" 2
cp "$PM_CONFIG" "$T/first"
run_pm setup "$POP_USER@example.org" host=127.0.0.1 port="$POP3_PORT" \
	tls_trust_file="$TLS_CA" passwordeval="echo x" probe=off
t_rc "a second setup: exit 73" 73
t_like "... saying it never replaces the file" "$(cat "$T/err")" \
	'already exists; popmuch setup never replaces it'
t_cmp "... and the file is unchanged" "$PM_CONFIG" "$T/first"

# ---- what is refused ---------------------------------------------------------
run_pm setup
t_rc "no address, no terminal: exit 64" 64
run_pm setup me@example.org password=secret
t_rc "password= on the command line: exit 64" 64
t_like "... visible in ps" "$(cat "$T/err")" 'visible to every user \(ps\)'
run_pm -C "$T/wrongpw" setup "$POP_USER@example.org" host=127.0.0.1 \
	port="$POP3_PORT" tls_trust_file="$TLS_CA" user="$POP_USER" \
	passwordeval="echo wrong"
t_rc "a wrong password: exit 77" 77
t_ok "... and nothing is written" test ! -e "$T/wrongpw"
run_pm -C "$T/dry" --dry-run setup "$POP_USER@example.org" host=127.0.0.1 \
	port="$POP3_PORT" tls_trust_file="$TLS_CA" user="$POP_USER" \
	passwordeval="echo $POP_PASS" keep=30d
t_rc "--dry-run: exit 0" 0
t_like "... prints the configuration" "$(cat "$T/out")" 'keep 30d'
t_ok "... and writes nothing" test ! -e "$T/dry"

# ---- the server from DNS: _pop3s._tcp SRV (RFC 6186) ---------------------
: "${POPMUCH_FAULT:=$TOP_BUILDDIR/tests/popmuch-fault}"
"$PM_PYTHON" "$PM_DATA/srv-dns.py" "$T/dns" _pop3s._tcp.srv.example \
	"$POP3S_PORT" localhost 2>>"$T/log" &
dns=$!
pm_at_exit "kill $dns 2>/dev/null"
for _ in $(seq 1 100); do [ -s "$T/dns" ] && break; sleep 0.05; done
export POPMUCH_TEST_DNS=$(cat "$T/dns")
# (the test resolver exists in the fault-injection build only)
POPMUCH=$POPMUCH_FAULT run_pm -C "$T/srv.conf" setup "$POP_USER@srv.example" tls_trust_file="$TLS_CA" \
	user="$POP_USER" passwordeval="echo $POP_PASS"
t_rc "setup through an SRV record: exit 0" 0
t_like "... says where the server came from" "$(cat "$T/err")" \
	"Server: localhost port $POP3S_PORT \(TLS\), from DNS \(SRV _pop3s._tcp\)"
t_is "... and writes it with implicit TLS" \
	"$(grep -E '^(host|port|tls_starttls) ' "$T/srv.conf" | tr '\n' ' ')" \
	"host localhost port $POP3S_PORT tls_starttls off "
# Autoconfig from a local web server (POPMUCH_AUTOCONFIG_URL, for tests,
# replaces the https bases of the three documents); empty at first
mkdir -p "$T/ac/mail" "$T/ac/v1.1" "$T/ac/.well-known"
"$PM_PYTHON" -u -m http.server 0 --bind 127.0.0.1 --directory "$T/ac" \
	>"$T/ac.out" 2>"$T/ac.log" &
acpid=$!
pm_at_exit "kill $acpid 2>/dev/null"
for _ in $(seq 1 100); do grep -q 'port [0-9]' "$T/ac.out" && break; sleep 0.05; done
export POPMUCH_AUTOCONFIG_URL=http://127.0.0.1:$(sed -n 's/.* port \([0-9]*\) .*/\1/p' "$T/ac.out")
POPMUCH=$POPMUCH_FAULT run_pm -C "$T/nosrv" setup "$POP_USER@nosrv.example" \
	probe=off
t_rc "no table entry, no SRV record, no autoconfig: exit 69" 69
t_like "... asks for host=" "$(cat "$T/err")" 'give host=HOST'
t_like "... saying what autoconfig answered" "$(cat "$T/err")" \
	"no autoconfig: $POPMUCH_AUTOCONFIG_URL/v1.1/nosrv.example: HTTP 404"

# autoconfig_xml SOCKET PORT USER: a document as an ISP publishes it
autoconfig_xml()
{
	cat <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id="%EMAILDOMAIN%">
    <domain>ac.example</domain>
    <incomingServer type="imap">
      <hostname>imap.invalid</hostname><port>993</port>
      <socketType>SSL</socketType><username>%EMAILADDRESS%</username>
    </incomingServer>
    <incomingServer type="pop3">
      <hostname>localhost</hostname>
      <port>$2</port>
      <socketType>$1</socketType>
      <username>$3</username>
      <authentication>password-cleartext</authentication>
    </incomingServer>
  </emailProvider>
</clientConfig>
EOF
}
autoconfig_xml SSL "$POP3S_PORT" %EMAILLOCALPART% >"$T/ac/v1.1/ac.example"
POPMUCH=$POPMUCH_FAULT run_pm -C "$T/ispdb.conf" setup "$POP_USER@ac.example" \
	tls_trust_file="$TLS_CA" passwordeval="echo $POP_PASS"
t_rc "setup through the ISPDB: exit 0" 0
t_like "... says where the server came from" "$(cat "$T/err")" \
	"Server: localhost port $POP3S_PORT \\(TLS\\), from autoconfig \\(Thunderbird's ISPDB\\)"
t_like "... the login with the document's user name worked" \
	"$(cat "$T/err")" 'Login: +ok \('
t_is "... and writes it, with implicit TLS and the local part as user" \
	"$(grep -E '^(host|port|tls_starttls|user) ' "$T/ispdb.conf" | tr '\n' ' ')" \
	"host localhost port $POP3S_PORT tls_starttls off user $POP_USER "
t_is "... after asking the domain's server, then its .well-known, then the ISPDB" \
	"$(sed -n 's/.*"GET \([^ ]*\) HTTP[^"]*" \([0-9]*\).*/\1 \2/p' "$T/ac.log" | tail -n 3 | tr '\n' ' ')" \
	"/mail/config-v1.1.xml?emailaddress=$POP_USER%40ac.example 404 /.well-known/autoconfig/mail/config-v1.1.xml 404 /v1.1/ac.example 200 "
autoconfig_xml STARTTLS "$POP3_PORT" "%EMAILADDRESS%" \
	>"$T/ac/mail/config-v1.1.xml"
POPMUCH=$POPMUCH_FAULT run_pm -C "$T/acsrv.conf" setup "$POP_USER@ac.example" \
	tls_trust_file="$TLS_CA" user="$POP_USER" passwordeval="echo $POP_PASS"
t_rc "setup through the domain's autoconfig server: exit 0" 0
t_like "... which comes first" "$(cat "$T/err")" \
	"Server: localhost port $POP3_PORT \\(STLS\\), from autoconfig \\(the domain's autoconfig server\\)"
t_is "... written for STARTTLS (the default), and user= stands" \
	"$(grep -E '^(host|port|tls_starttls|user) ' "$T/acsrv.conf" | tr '\n' ' ')" \
	"host localhost port $POP3_PORT user $POP_USER "
t_like "... the login over STLS worked" "$(cat "$T/err")" 'Login: +ok \('

# ---- a person at a terminal, in tmux ------------------------------------------
# (not tui_start: setup talks on stderr, which that sends to a file)
command -v tmux >/dev/null || t_bail "tmux is not installed"
rm -f "$NOTMUCH_CONFIG"
rm -f "$T/tui.exit"
tui_tmux new-session -d -x 100 -y 30 -e "HOME=$HOME" \
	-e "XDG_CONFIG_HOME=$XDG_CONFIG_HOME" -e "XDG_STATE_HOME=$XDG_STATE_HOME" \
	-e "NOTMUCH_CONFIG=$NOTMUCH_CONFIG" -e "POPMUCH_TEST_DNS=$POPMUCH_TEST_DNS" \
	-e "ASAN_OPTIONS=${ASAN_OPTIONS:-}:log_path=$T/asan" \
	-e "UBSAN_OPTIONS=${UBSAN_OPTIONS:-}:log_path=$T/ubsan" \
	"cd '$T' && '$POPMUCH_FAULT' -C '$T/tty.conf' setup tls_trust_file='$TLS_CA';
	 echo \"popmuch exited \$?\" >'$T/tui.exit'; exec sleep 600"
pm_at_exit tui_stop
t_screen "asks for the address" 'Your e-mail address:$'
tui_type "$POP_USER@srv.example"
tui_keys Enter
t_screen "asks for the user, the address by default" \
	"User name \[$POP_USER@srv.example\]:$"
tui_type "$POP_USER"
tui_keys Enter
t_screen "finds the server by SRV" "Server: localhost port $POP3S_PORT"
t_screen "asks for the mail directory (no notmuch yet)" \
	'Mail directory \(new notmuch mail root\) \[~/mail\]:$'
tui_keys Enter
t_screen "asks where the password is" '3  nowhere: ask on the terminal'
tui_type 2
tui_keys Enter
t_screen "asks for the command" 'Command:$'
tui_type "echo $POP_PASS"
tui_keys Enter
t_screen "checks the login" 'Login: +ok \('
t_screen "writes the files" "Wrote $T/tty.conf \(account srv\)"
t_ok "setup exits" tui_exited 20
t_is "exit status" "$(cat "$T/tui.exit" 2>/dev/null)" "popmuch exited 0"
t_like "the passwordeval line" "$(cat "$T/tty.conf")" "passwordeval \"echo $POP_PASS\""
t_ok "the notmuch configuration again" test -s "$NOTMUCH_CONFIG"
t_ok "no sanitizer reports" tui_sanitizers_clean
tui_stop

# ---- Gmail and Microsoft: OAuth2 logins only (issue 15) -------------------
run_pm -C "$T/gmail.conf" setup --dry-run joe@gmail.com probe=off
t_rc "gmail without a client ID: exit 64" 64
t_like "... naming oauth2_client_id" "$(cat "$T/err")" \
	'OAuth2 logins only: give oauth2_client_id=ID'
run_pm -C "$T/gmail.conf" setup joe@gmail.com oauth2_client_id=cid.apps
t_rc "gmail with a client ID: exit 0 (nothing to probe before auth)" 0
t_like "... written for OAuth2" "$(tr '\n' ' ' <"$T/gmail.conf")" \
	'host pop.gmail.com port 995 tls_starttls off user joe@gmail.com oauth2_provider google oauth2_client_id cid.apps'
t_is "... no passwordeval line" "$(grep -c passwordeval "$T/gmail.conf")" 0
t_like "... names popmuch auth as the next step" "$(cat "$T/err")" \
	'Next: popmuch auth gmail'
run_pm -C "$T/gmail.conf" status gmail
t_like "... and status shows it waiting for popmuch auth" "$(cat "$T/out")" \
	"oauth2 token: +none \('popmuch auth gmail' signs in\)"
run_pm -C "$T/ms.conf" setup --dry-run joe@outlook.com oauth2_client_id=c2 \
	probe=off
t_rc "outlook.com: exit 0" 0
t_like "... Microsoft's server and provider" "$(tr '\n' ' ' <"$T/out")" \
	'host outlook.office365.com .*oauth2_provider microsoft oauth2_client_id c2'
t_done
