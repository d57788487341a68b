#!/bin/bash
# t-probe: "popmuch probe" against a real Dovecot: over STLS and implicit
# TLS it reports the greeting, TLS version, certificate subject, issuer
# and the SHA-256 fingerprint (ready to paste as tls_fingerprint), UIDL,
# PIPELINING, the login and STAT, and downloads nothing; a bare host
# whose certificate the system store refuses is still reported, with the
# reason; a wrong password is "Login: FAILED" and exit 77; the warnings
# for no TLS, keep off, a certificate close to expiry or expired, and
# (against the hostile fake) no UIDL while keep is on.
[ -n "${BASH_VERSION:-}" ] || exec /bin/bash "$0" "$@"
. "$(dirname "$0")/lib.sh"

pm_world
dovecot_start
seed_messages "$POP_USER" 5
tls="tls_trust_file $TLS_CA"

# field NAME: the value of "NAME:" in the last report.
field()
{
	sed -n "s/^$1: *//p" "$T/out" | head -n 1
}

# common_report WHAT: what every TLS report holds.
common_report()
{
	local w=$1
	t_like "$w: greeting" "$(field Greeting)" '^Dovecot .*ready'
	t_like "$w: TLS version" "$(field TLS)" '^TLS1\.[23], '
	t_is "$w: certificate subject" "$(field Certificate)" "CN=localhost"
	t_is "$w: issuer" "$(field Issuer)" "CN=popmuch test CA"
	t_like "$w: validity" "$(field Valid)" \
		'^[0-9]{4}-[0-9]{2}-[0-9]{2} to [0-9]{4}-[0-9]{2}-[0-9]{2}$'
	t_is "$w: SHA-256 is the certificate's" "$(field SHA-256)" \
		"$TLS_FP_SHA256"
	t_like "$w: ready to paste" "$(cat "$T/out")" \
		"for 'tls_fingerprint $TLS_FP_SHA256'"
	t_like "$w: capabilities" "$(field Capabilities)" 'UIDL.*PIPELINING'
	t_like "$w: auth mechanisms" "$(field 'Auth offered')" 'PLAIN'
	t_is "$w: UIDL" "$(field UIDL)" yes
	t_is "$w: PIPELINING" "$(field PIPELINING)" yes
}

# ---- an account over STLS ---------------------------------------------------
pm_config test "tls on" "$tls" "keep on"
run_pm probe test
t_rc "probe over STLS exits 0" 0
t_like "STLS: server line" "$(field Server)" \
	"^127\.0\.0\.1 port $POP3_PORT \(STLS\)$"
common_report STLS
t_is "STLS: verified" "$(field Verified)" yes
t_is "STLS: login ok" "$(field Login)" ok
t_like "STLS: STAT count" "$(field STAT)" '^5 messages, [0-9]+ bytes$'
t_is "STLS: no warning (TLS, keep on)" "$(grep -c '^Warning:' "$T/out")" 0
t_empty "STLS: nothing on stderr" "$T/err"
t_is "probe downloads nothing: 5 still on the server" \
	"$(server_count "$POP_USER")" 5
t_is "... and nothing delivered" "$(maildir_count "$MAIL_ROOT/test")" 0

# ---- an account over implicit TLS, SASL PLAIN --------------------------------
pm_config test "tls on" "$tls" "keep on" "port $POP3S_PORT" \
	"tls_starttls off" "auth plain"
run_pm probe test
t_rc "probe over implicit TLS exits 0" 0
t_like "implicit: server line" "$(field Server)" \
	"^127\.0\.0\.1 port $POP3S_PORT \(implicit TLS\)$"
common_report implicit
t_is "implicit: auth method" "$(field 'Auth method')" PLAIN
t_is "implicit: login ok" "$(field Login)" ok
t_like "implicit: STAT count" "$(field STAT)" '^5 messages'

# --debug: the transcript, blanked.
run_pm --debug probe test
t_like "--debug probe: transcript on stderr" "$(cat "$T/err")" '^-> CAPA'
t_like "--debug probe: AUTH blanked" "$(cat "$T/err")" '^-> AUTH.*\*\*\*'
t_unlike "--debug probe: no password" "$(cat "$T/err")" "$POP_PASS"
t_unlike "--debug probe: no base64 of it" "$(cat "$T/err")" \
	"$(printf '\0%s\0%s' "$POP_USER" "$POP_PASS" | base64 -w0 | cut -c1-20)"

# The printed fingerprint pins the certificate as it is.
fp=$(field SHA-256)
pm_config test "tls on" "keep on" "port $POP3S_PORT" "tls_starttls off" \
	"tls_fingerprint $fp"
run_pm probe test
t_rc "the printed fingerprint, pasted as tls_fingerprint: exit 0" 0
t_is "... verified by the pin" "$(field Verified)" yes
t_is "... login ok" "$(field Login)" ok

# ---- a bare host --------------------------------------------------------------
# Not an account: no login; the test CA is not in the system store.
run_pm probe "127.0.0.1:$POP3S_PORT"
t_rc "bare host: exit 0 (a refused certificate is a warning)" 0
t_like "bare host: implicit TLS guessed on an odd port" "$(field Server)" \
	"port $POP3S_PORT \(implicit TLS\)"
common_report "bare host"
t_like "bare host: not verified" "$(field Verified)" '^NO'
t_like "bare host: a warning names the reason" \
	"$(grep '^Warning:' "$T/out")" 'certificate would be refused.*issuer'
t_like "bare host: login not tried" "$(field Login)" '^not tried'

run_pm probe "127.0.0.1:$POP3_PORT"
t_rc "bare host, plain port: exit 0" 0
t_like "... STLS found" "$(field Server)" "port $POP3_PORT \(STLS\)"
t_is "... same certificate" "$(field SHA-256)" "$TLS_FP_SHA256"

for bad in 127.0.0.1:99x 127.0.0.1:0 127.0.0.1:65536 127.0.0.1: "[::1]:+1"; do
	run_pm probe "$bad"
	t_rc "bare host $bad: exit 64" 64
	t_like "... says the port is wrong" "$(cat "$T/err")" \
		'port must be a number from 1 to 65535'
	t_empty "... and prints no report" "$T/out"
done

run_pm probe nosuch
t_rc "probe of a name that is neither an account nor a host: exit 64" 64

# ---- failures and warnings -----------------------------------------------------
pm_config test "tls on" "$tls" "keep on" "password wrong-password"
run_pm probe test
t_rc "wrong password: exit 77" 77
t_like "... Login: FAILED" "$(field Login)" '^FAILED: '
common_report "wrong password"

pm_config test "tls on" "keep on"
run_pm probe test
t_rc "certificate refused for an account: exit 69" 69
t_like "... report still printed" "$(field SHA-256)" "$TLS_FP_SHA256"
t_like "... with the reason" "$(grep '^Warning:' "$T/out")" \
	'certificate would be refused.*issuer'
t_like "... and no login over it" "$(field Login)" '^not tried'

pm_config test "keep on"
run_pm probe test
t_rc "tls off: exit 0" 0
t_like "tls off: server line says none" "$(field Server)" '\(none\)'
t_like "tls off: warning" "$(grep '^Warning:' "$T/out")" \
	'no TLS: .*clear.*offers STLS'

pm_config test "tls on" "$tls" "keep off"
run_pm probe test
t_like "keep off: warning" "$(grep '^Warning:' "$T/out")" \
	"'keep off'.*only copy.*back it up"

if command -v faketime >/dev/null; then
	pm_config test "tls on" "$tls" "keep on"
	PM_LAST_RUN="faketime +20d popmuch probe test"
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 \
		faketime -f +20d "$POPMUCH" probe test \
		</dev/null >"$T/out" 2>"$T/err"
	RC=$?
	t_rc "20 days later: still exit 0" 0
	t_like "... the certificate expires soon: warning" \
		"$(grep '^Warning:' "$T/out")" 'expires in [0-9] day'
else
	t_skip "certificate expiry warning" "faketime is not installed"
	t_skip "certificate expiry warning" "faketime is not installed"
fi

# ---- no UIDL while 'keep' is on ----------------------------------------------
# Dovecot always has UIDL: the hostile fake's no-uidl-keep case announces
# it in CAPA and answers -ERR.  Only the login step learns that, so the
# warning must come after it.
fake=$T/fake-no-uidl
"$PM_PYTHON" "$TOP_SRCDIR/tests/hostile/fakepop3.py" serve no-uidl-keep \
	--dir "$fake" --port-file "$T/fake.port" >"$T/fake.out" 2>"$T/fake.err" &
fake_pid=$!
for _ in $(seq 1 200); do
	[ -s "$T/fake.port" ] && break
	sleep 0.05
done
POP3_PORT=$(cat "$T/fake.port" 2>/dev/null) pm_config test "keep on" \
	"user u" "password p"
run_pm probe test
t_rc "no UIDL, keep on: probe exits 0" 0
t_is "... the login worked" "$(field Login)" ok
t_is "... UIDL: no (the answer, not CAPA's announcement)" "$(field UIDL)" no
t_like "... the 'no UIDL but keep is on' warning" \
	"$(grep '^Warning:' "$T/out")" "no UIDL, but 'keep' is on.*'keep off'"
kill "$fake_pid" 2>/dev/null
wait "$fake_pid" 2>/dev/null

dovecot_use_cert expired
pm_config test "tls on" "$tls" "keep on"
run_pm probe test
t_rc "expired certificate: exit 69" 69
t_like "... the warning says expired" "$(grep '^Warning:' "$T/out")" \
	'expired'

t_done
