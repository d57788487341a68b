#!/bin/bash
# t-oauth2.sh: OAuth2 built in, against a real authorization server
# (authlib, tests/data/oauth2server.py) whose introspection endpoint
# Dovecot's oauth2 passdb asks about every token: popmuch gets a token,
# Dovecot checks it with the same server, mail arrives.  The test plays
# the person at the browser (tests/data/oauth2person.py).
#
# Cases: the code flow (PKCE, loopback redirect) and the device flow end
# to end; a wrong state; a PKCE verifier mismatch; slow_down,
# expired_token and access_denied in the device flow; access token
# expiry (faketime) -> refresh with rotation (the old refresh token
# revoked) -> fetch; a refused refresh (invalid_grant) -> exit 77, one
# line, nothing touched; status; the key ring (gnome-keyring in
# dbus-run-session) and the file fallback; no token or secret in
# --debug output, ps, or any file but the token store.
[ -n "${BASH_VERSION:-}" ] || exec /bin/bash "$0" "$@"
. "$(dirname "$0")/lib.sh"

pm_world
# No key ring unless a case starts one: the file store.
unset DBUS_SESSION_BUS_ADDRESS XDG_RUNTIME_DIR DISPLAY WAYLAND_DISPLAY
oauth2_start
dovecot_start
box=$MAIL_ROOT/test
store=$XDG_STATE_HOME/popmuch/test/oauth2-token
PERSON=$PM_DATA/oauth2person.py
mapfile -t OCONF < <(oauth2_conf)
pm_config test "tls on" "tls_trust_file $TLS_CA" "${OCONF[@]}"

# auth_start ARGS...: "popmuch ARGS" in the background (output in
# $T/auth.out, $T/auth.err); waits until it printed PATTERN_LINE.
auth_start()
{
	: >"$T/auth.out"
	: >"$T/auth.err"
	timeout -k 5 60 "$POPMUCH" "$@" </dev/null >"$T/auth.out" \
		2>"$T/auth.err" &
	AUTH_PID=$!
	for _ in $(seq 1 100); do
		grep -q -E '^(http|    )' "$T/auth.out" && return 0
		kill -0 "$AUTH_PID" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# auth_wait: wait for the background popmuch; RC is its exit status.
auth_wait()
{
	wait "$AUTH_PID"
	RC=$?
	cp "$T/auth.out" "$T/out"
	cp "$T/auth.err" "$T/err"
}

auth_url()
{
	grep -m1 '^http' "$T/auth.out"
}

# field NAME: a member of the token store's JSON record.
field()
{
	"$PM_PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$store" "$1"
}

seeded=0
seed_one()
{
	seed_messages "$POP_USER" 1
	seeded=$((seeded + 1))
}

# ---- before any sign-in ----------------------------------------------------
seed_one
run_pm fetch
t_rc "no token yet: fetch exit 77" 77
t_like "... one line naming 'popmuch auth test'" "$(cat "$T/err")" \
	"^popmuch: test: no OAuth2 token in the token file, and no session bus to ask a key ring .*; run 'popmuch auth test'\$"
t_is "... without connecting to a token endpoint" "$(grep -c '' "$OAUTH2_LOG")" 0
DBUS_SESSION_BUS_ADDRESS=unix:path=$T/no-bus run_pm fetch
t_rc "a session bus that does not answer, no token file: exit 77" 77
t_like "... says the key ring could not be asked" "$(cat "$T/err")" \
	"^popmuch: test: no OAuth2 token in a file, and the key ring could not be asked \(.*\); unlock it, or run 'popmuch auth test'\$"

# ---- the code flow end to end -------------------------------------------
auth_start auth test || t_bail "popmuch auth printed no URL" "$(cat "$T/auth.err")"
url=$(auth_url)
t_like "auth prints the authorization URL with PKCE S256 and a state" "$url" \
	"^$OAUTH2_URL/authorize\\?.*code_challenge_method=S256.*" 
t_like "... with a loopback redirect on a port of its own" "$url" \
	'redirect_uri=http%3A%2F%2F127\.0\.0\.1%3A[0-9]+%2F'
ps -ww -eo args >"$T/ps.txt"
t_is "the person approves; the browser reaches popmuch's listener" \
	"$("$PM_PYTHON" "$PERSON" code "$url" approve)" 200
auth_wait
t_rc "popmuch auth: exit 0" 0
t_like "... says where the token went" "$(cat "$T/out")" "stored in $store"
t_like "... and that a login with it worked" "$(cat "$T/out")" \
	'Logged in to 127\.0\.0\.1 as pmtest: the token works'
t_is "the token store is a 0600 file" "$(stat -c %a "$store")" 600
t_is "Dovecot accepted the token (introspection said active)" \
	"$(oauth2_log_count 'introspect -> active')" 1
port=$(printf '%s\n' "$url" | sed -n 's/.*redirect_uri=http%3A%2F%2F127\.0\.0\.1%3A\([0-9]*\)%2F.*/\1/p')
t_fails "the loopback listener is closed after its one request" \
	curl -s -m 2 "http://127.0.0.1:$port/"

seed_one
run_pm fetch
t_rc "fetch with the new token: exit 0" 0
t_is "... the messages arrived" "$(maildir_count "$box")" "$seeded"
t_empty "... silently" "$T/err"
t_is "... with the cached access token (no token request)" \
	"$(oauth2_log_count 'token refresh_token')" 0
t_like "the login used XOAUTH2" "$(grep 'Login: user=<pmtest>' "$DOVECOT_LOG" | tail -n1)" \
	'method=XOAUTH2'

run_pm status test
t_rc "status: exit 0" 0
t_like "status shows the token's place and expiry" "$(cat "$T/out")" \
	'oauth2 token: +in the file; access token valid until [0-9]{4}-'
t_like "status shows the refresh token's age" "$(cat "$T/out")" \
	'refresh token: +obtained [0-9]{4}-.*, 0 day\(s\)'
t_unlike "... and no warning yet" "$(cat "$T/out")" 'warning'
run_pm_at '+70 days' status test
t_like "status 70 days on warns of the 90-day inactivity expiry" \
	"$(cat "$T/out")" 'warning: +the refresh token has not been used for 70 days.*90'

# ---- expiry -> refresh with rotation -> fetch ---------------------------
old_refresh=$(field refresh_token)
old_access=$(field access_token)
seed_one
run_pm_at '+2 hours' --debug fetch
t_rc "two hours on (faketime): fetch exit 0" 0
t_is "... the message arrived" "$(maildir_count "$box")" "$seeded"
t_is "... after one refresh" "$(oauth2_log_count 'token refresh_token -> ok')" 1
t_isnt "... which rotated the refresh token" "$(field refresh_token)" "$old_refresh"
t_isnt "... and brought a new access token" "$(field access_token)" "$old_access"
cp "$T/err" "$T/debug-refresh.txt"
t_like "the old refresh token is revoked at the server" \
	"$(curl -s -d grant_type=refresh_token --data-urlencode "refresh_token=$old_refresh" \
		-d "client_id=$OAUTH2_CLIENT_ID" --data-urlencode "client_secret=$(cat "$OAUTH2_SECRET_FILE")" \
		"$OAUTH2_URL/token")" '"error": "invalid_grant"'
seed_one
run_pm fetch
t_rc "the next fetch uses the new tokens: exit 0" 0
t_is "... the message arrived" "$(maildir_count "$box")" "$seeded"
t_is "... with no further refresh" "$(oauth2_log_count 'token refresh_token')" 2

# ---- the server refuses the cached token: refresh, log in again ---------
oauth2_control expire=all
seed_one
refreshes=$(oauth2_log_count 'token refresh_token -> ok')
log_lines=$(wc -l <"$DOVECOT_LOG")
run_pm fetch
t_rc "an access token the server no longer takes: fetch exit 0" 0
t_is "... the message arrived" "$(maildir_count "$box")" "$seeded"
t_is "... after one refresh" "$(oauth2_log_count 'token refresh_token -> ok')" \
	$((refreshes + 1))
sess=$(tail -n +$((log_lines + 1)) "$DOVECOT_LOG" |
	sed -n 's/.*oauth2(pmtest,[^,]*,<\([^>]*\)>): oauth2 failed.*/\1/p' | head -n1)
t_ok "... and a second AUTH on the same connection (Dovecot session $sess)" \
	grep -q -F "method=XOAUTH2, rip=127.0.0.1, lip=127.0.0.1, mpid=" \
	<(tail -n +$((log_lines + 1)) "$DOVECOT_LOG" | grep -F "session=<$sess>" |
		grep -F 'Login: user=<pmtest>')

# ---- a refused refresh: exit 77, one line, nothing touched --------------
cp "$store" "$T/store.before"
oauth2_control revoke=all
seed_one
before_srv=$(server_count "$POP_USER")
before_box=$(maildir_count "$box")
refused=$(oauth2_log_count 'token refresh_token -> invalid_grant')
run_pm fetch
t_rc "all tokens revoked: fetch exit 77" 77
t_is "... one line on stderr" "$(grep -c '' "$T/err")" 1
t_like "... naming the cause and 'popmuch auth test'" "$(cat "$T/err")" \
	"^popmuch: test: .*invalid_grant.*run 'popmuch auth test'"
t_is "... it tried the refresh once after Dovecot refused the cached token" \
	"$(oauth2_log_count 'token refresh_token -> invalid_grant')" \
	$((refused + 1))
t_is "... nothing delivered" "$(maildir_count "$box")" "$before_box"
t_is "... nothing deleted on the server" "$(server_count "$POP_USER")" "$before_srv"
t_ok "... the token store untouched" cmp -s "$store" "$T/store.before"
t_empty "... no prompt" "$T/out"

# ---- wrong state; PKCE mismatch ------------------------------------------
cp "$store" "$T/store.before"
auth_start auth test || t_bail "no URL"
t_is "a forged redirect (wrong state) gets an error page" \
	"$("$PM_PYTHON" "$PERSON" code "$(auth_url)" approve wrong-state)" 400
auth_wait
t_rc "wrong state: exit 77" 77
t_like "... says the state does not match" "$(cat "$T/err")" 'state does not match'
t_is "... no code was traded" "$(oauth2_log_count 'token authorization_code')" 1
t_ok "... the token store untouched" cmp -s "$store" "$T/store.before"

auth_start auth test || t_bail "no URL"
"$PM_PYTHON" "$PERSON" code "$(auth_url)" approve wrong-challenge >/dev/null
auth_wait
t_rc "a code issued for another PKCE challenge: exit 77" 77
t_is "... the server refused the verifier" \
	"$(oauth2_log_count 'token authorization_code -> invalid_grant')" 1
t_like "... and popmuch says so in one sentence" "$(cat "$T/err")" \
	'^popmuch: auth test: the provider refused the refresh token or code as expired or revoked \(invalid_grant\)$'
t_ok "... the token store untouched" cmp -s "$store" "$T/store.before"

# ---- the device flow --------------------------------------------------------
oauth2_control slow_down=1
auth_start --debug auth --device test || t_bail "no user code" "$(cat "$T/auth.err")"
code=$(sed -n 's/^    \([A-Z-]*\)$/\1/p' "$T/auth.out")
uri=$(sed -n 's/^To sign in, open \([^ ]*\) on any device.*/\1/p' "$T/auth.out")
t_like "auth --device prints the verification URI" "$uri" "^$OAUTH2_URL/device\$"
t_like "... and the user code" "$code" '^[A-Z]{4}-[A-Z]{4}$'
for _ in $(seq 1 100); do
	[ "$(oauth2_log_count 'device_code -> slow_down')" -ge 1 ] && break
	sleep 0.1
done
"$PM_PYTHON" "$PERSON" device "$uri" "$code" approve >/dev/null
auth_wait
cat "$T/out" "$T/err" >"$T/debug-device.txt"
t_rc "device flow: exit 0" 0
t_like "... --debug showed the login exchange" "$(cat "$T/debug-device.txt")" \
	'^-> AUTH XOAUTH2'
t_like "... and the refresh's transcript too" "$(cat "$T/debug-refresh.txt")" \
	'^-> AUTH XOAUTH2'
t_like "... logged in with the token" "$(cat "$T/out")" 'the token works'
polls=$(grep 'device_code' "$OAUTH2_LOG" | awk '{print $1}')
gap=$(printf '%s\n' "$polls" | awk 'NR==1{a=$1} NR==2{printf "%d", ($1-a)*10}')
t_like "after slow_down it waited interval + 5 seconds (6.0 s or more)" \
	"$gap" '^([6-9][0-9]|[1-9][0-9][0-9]+)$'
seed_one
run_pm fetch
t_rc "fetch with the device flow's token: exit 0" 0
t_is "... the message arrived" "$(maildir_count "$box")" "$seeded"

cp "$store" "$T/store.before"
oauth2_control device_lifetime=2
auth_start auth --device test || t_bail "no user code"
auth_wait
t_rc "nobody approves and the code expires: exit 77" 77
t_like "... expired_token, in one sentence" "$(cat "$T/err")" \
	'^popmuch: auth test: the code expired before the sign-in was approved \(expired_token\)$'
t_ok "... the token store untouched" cmp -s "$store" "$T/store.before"
oauth2_control device_lifetime=600
auth_start auth --device test || t_bail "no user code"
code=$(sed -n 's/^    \([A-Z-]*\)$/\1/p' "$T/auth.out")
"$PM_PYTHON" "$PERSON" device "$OAUTH2_URL/device" "$code" deny >/dev/null
auth_wait
t_rc "the person declines: exit 77" 77
t_like "... access_denied, in one sentence" "$(cat "$T/err")" \
	'the sign-in was declined \(access_denied\)'

# ---- https is verified ------------------------------------------------------
# Dovecot's implicit-TLS port serves a certificate from the test's own CA,
# which the system trust store does not hold.
pm_config test "tls on" "tls_trust_file $TLS_CA" "${OCONF[@]}" \
	"oauth2_device_url https://127.0.0.1:$POP3S_PORT/device"
run_pm auth --device test
t_rc "an https endpoint with an untrusted certificate: exit 69" 69
t_like "... the certificate was refused" "$(cat "$T/err")" \
	"^popmuch: auth test: https://127\.0\.0\.1:$POP3S_PORT/device: the server's certificate was refused"
pm_config test "tls on" "tls_trust_file $TLS_CA" "${OCONF[@]}"

# ---- no token or secret anywhere but the token store ------------------------
secrets=("$(field refresh_token)" "$(field access_token)" "$old_refresh" \
	"$old_access" "$(cat "$OAUTH2_SECRET_FILE")")
for s in "${secrets[@]}"; do
	t_is "--debug refresh and --debug auth show no secret (${s:0:3}...)" \
		"$(cat "$T/debug-refresh.txt" "$T/debug-device.txt" | grep -c -F -- "$s")" 0
	t_is "ps during auth shows no secret (${s:0:3}...)" \
		"$(grep -c -F -- "$s" "$T/ps.txt")" 0
	t_is "no file but the store holds it (${s:0:3}...)" \
		"$(grep -rlF -- "$s" "$HOME" "$T/dovecot" "$T/log" 2>/dev/null |
			grep -v -x -F -e "$store" -e "$OAUTH2_SECRET_FILE" | head -n3)" ""
done

# ---- the key ring -----------------------------------------------------------
if command -v dbus-run-session >/dev/null && command -v gnome-keyring-daemon >/dev/null; then
	rm -f "$store"
	mkdir -p "$T/run" && chmod 700 "$T/run"
	cat >"$T/keyring.sh" <<KEOF
set -u
. "$TOP_SRCDIR/tests/integration/lib.sh"
printf pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1
"$POPMUCH" auth test </dev/null >"$T/kr.out" 2>"$T/kr.err" &
pid=\$!
for _ in \$(seq 1 100); do grep -q '^http' "$T/kr.out" && break; sleep 0.1; done
"$PM_PYTHON" "$PERSON" code "\$(grep -m1 '^http' "$T/kr.out")" approve >/dev/null
wait \$pid; echo "auth=\$?"
"$POPMUCH" fetch </dev/null >/dev/null 2>"$T/kr.fetch.err"; echo "fetch=\$?"
"$POPMUCH" status test 2>&1 | grep 'oauth2 token'
secret-tool lookup popmuch-account test | grep -c refresh_token
KEOF
	seed_one
	out=$(XDG_RUNTIME_DIR=$T/run timeout 60 dbus-run-session -- bash "$T/keyring.sh" 2>>"$T/log")
	t_like "key ring: auth exit 0" "$out" 'auth=0'
	t_like "key ring: fetch exit 0" "$out" 'fetch=0'
	t_is "... the message arrived" "$(maildir_count "$box")" "$seeded"
	t_like "key ring: status says where the token is" "$out" 'in the key ring'
	t_like "key ring: the record is in the Secret Service" "$out" '^1$'
	t_ok "key ring: no token file" test ! -e "$store"
else
	t_fail "key ring" "dbus-run-session or gnome-keyring-daemon missing (contrib/install-deps)"
fi

t_done
