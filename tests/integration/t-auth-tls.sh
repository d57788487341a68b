#!/bin/bash
# t-auth-tls: every login method Dovecot offers (USER, APOP, PLAIN, LOGIN,
# CRAM-MD5, SCRAM-SHA-1, SCRAM-SHA-256, and XOAUTH2/OAUTHBEARER against a
# local token-introspection endpoint) over plain POP3, STLS and implicit
# TLS; "auth on" choosing the strongest method and never a clear-text one
# without TLS; wrong credentials; the --debug transcript never showing the
# secret; certificate pinning and refusal.
[ -n "${BASH_VERSION:-}" ] || exec /bin/bash "$0" "$@"
. "$(dirname "$0")/lib.sh"

pm_world

# ---- OAuth2: the test's authorization server (lib.sh oauth2_start), ----
# whose introspection endpoint Dovecot's oauth2 passdb asks about each
# token; here the token comes from the server directly, by passwordeval.
oauth2_start
TOKEN=$(oauth2_issue_token) || t_bail "the OAuth2 server issued no token"
oauth_port=${OAUTH2_URL##*:}
dovecot_start
box=$MAIL_ROOT/test
nseeded=0

# ---- helpers ----------------------------------------------------------------

# conf_for MODE: the config lines for plain (tls off), stls, tls (implicit).
conf_for()
{
	case $1 in
	plain) CONF=("tls off") ;;
	stls) CONF=("tls on" "tls_trust_file $TLS_CA") ;;
	tls) CONF=("tls on" "tls_starttls off" "port $POP3S_PORT"
		"tls_trust_file $TLS_CA") ;;
	esac
}

# seed_one: one new message on the server; its pristine copy is $SEED.
seed_one()
{
	seed_messages "$POP_USER" 1
	nseeded=$((nseeded + 1))
	SEED=$(seed_file "$POP_USER" "$nseeded")
}

# delivered_once FILE: FILE's message is in the Maildir once, identical.
delivered_once()
{
	local id f
	id=$(sed -n 's/^Message-ID: //p' "$1")
	f=$(maildir_find_msgid "$box" "$id")
	[ -n "$f" ] && [ "$(printf '%s\n' "$f" | grep -c '')" = 1 ] &&
		cmp -s "$1" "$f"
}

# log_mark: remember where Dovecot's log ends; new_log prints what came
# after.
log_mark()
{
	LOG_MARK=$(wc -l <"$DOVECOT_LOG")
}

new_log()
{
	tail -n +$((LOG_MARK + 1)) "$DOVECOT_LOG"
}

# wait_log ERE: wait (up to 10 s) for a new log line matching ERE (the
# log process writes asynchronously); print it.
wait_log()
{
	local l
	for _ in $(seq 1 200); do
		l=$(new_log | grep -E -m1 -- "$1")
		if [ -n "$l" ]; then
			printf '%s\n' "$l"
			return 0
		fi
		sleep 0.05
	done
	return 1
}

# login_line: the pop3-login "Login:" line of the run since log_mark.
login_line()
{
	wait_log 'pop3-login: Info: Login: user=<'
}

# leaks FILE SECRET: print how SECRET shows in FILE: in clear, as a
# base64 word that decodes to something containing it, or as the base64
# of it at any of the three alignments.  Nothing printed: no leak.
leaks()
{
	"$PM_PYTHON" - "$1" "$2" <<'EOF'
import base64, binascii, re, sys
data = open(sys.argv[1], 'rb').read()
secret = sys.argv[2].encode()
out = []
if secret in data:
    out.append('in clear')
for w in set(re.findall(rb'[A-Za-z0-9+/]{4,}={0,2}', data)):
    try:
        d = base64.b64decode(w + b'=' * (-len(w) % 4))
    except (binascii.Error, ValueError):
        continue
    if secret in d:
        out.append('base64 word ' + w.decode()[:60])
for k in range(3):
    b = base64.b64encode(b'\0' * k + secret)
    core = b[(k * 4 + 2) // 3 + 1:-4]
    if len(core) >= 8 and core in data:
        out.append('base64 at alignment %d: %s' % (k, core.decode()))
print('\n'.join(out))
EOF
}

# no_leak NAME SECRET: the last run's stdout and stderr hold no trace of
# SECRET.
no_leak()
{
	local l
	cat "$T/out" "$T/err" >"$T/both"
	l=$(leaks "$T/both" "$2")
	t_is "$1" "$l" ""
}

# method_of MECH: how Dovecot's log names the method (USER/PASS is
# logged as PLAIN).
method_of()
{
	case $1 in
	user) echo PLAIN ;;
	*) echo "$1" | tr "[:lower:]" "[:upper:]" ;;
	esac
}

# reveals MECH: does MECH send the secret itself over the wire?
reveals()
{
	case $1 in
	user | plain | login | xoauth2 | oauthbearer) return 0 ;;
	esac
	return 1
}

# check_login NAME MODE METHOD: the login since log_mark used METHOD,
# with TLS or (plain) without.
check_login()
{
	local l want='method=[^,]*, .*, TLS,'
	l=$(login_line) || {
		t_fail "$1: Dovecot logged a login" "$(new_log | tail -n 5)"
		return 1
	}
	[ "$2" != plain ] || want=.
	t_like "$1: Dovecot logged method=$3" "$l" "method=$3, "
	[ "$2" = plain ] || t_like "$1: ... over TLS" "$l" "$want"
	[ "$2" != plain ] || t_unlike "$1: ... not over TLS" "$l" ', TLS'
}

# warn_check NAME MODE MECH: a clear-text warning exactly when MECH
# reveals the secret and there is no TLS.
warn_check()
{
	local w
	w=$(grep -E -i 'warning' "$T/err")
	if [ "$2" = plain ] && reveals "$3"; then
		t_like "$1: warns that the secret went without TLS" "$w" \
			'(without TLS|clear ?text|in (the )?clear)'
	else
		t_is "$1: no warning" "$w" ""
	fi
}

# cell MECH MODE [SECRET]: seed one message, fetch it with "auth MECH"
# over MODE (--debug), check everything.
cell()
{
	local mech=$1 mode=$2 secret=${3:-$POP_PASS} name="$1 over $2"
	local -a more=()

	conf_for "$mode"
	if [ "$secret" != "$POP_PASS" ]; then
		more=("-password" "passwordeval \"echo $secret\"")
	fi
	seed_one
	pm_config test "auth $mech" "${CONF[@]}" "${more[@]}"
	log_mark
	run_pm --debug fetch
	t_rc "$name: exit 0" 0
	t_ok "$name: the message arrived, byte-identical" delivered_once "$SEED"
	check_login "$name" "$mode" "$(method_of "$mech")"
	warn_check "$name" "$mode" "$mech"
	t_like "$name: --debug shows the login exchange" "$(cat "$T/err")" \
		'^-> (AUTH|USER|APOP) '
	no_leak "$name: --debug never shows the secret" "$secret"
	case $mech in
	user) t_like "$name: transcript has USER, PASS blanked" \
		"$(grep -E '^-> (USER|PASS)' "$T/err" | tr '\n' ' ')" \
		"^-> USER $POP_USER -> PASS \\*\\*\\* \$" ;;
	plain) t_is "$name: no PLAIN response in the transcript" \
		"$(grep -c -F -- "$PLAIN_B64" "$T/err")" 0 ;;
	login | cram-md5) t_like "$name: transcript names the mechanism" \
		"$(grep '^-> AUTH' "$T/err")" \
		"^-> AUTH $(method_of "$mech")\$" ;;
	esac
}

# The SASL PLAIN response for our credentials, as it would go on the wire.
PLAIN_B64=$(printf '\0%s\0%s' "$POP_USER" "$POP_PASS" | base64 -w0)

# ---- every mechanism over plain, STLS and implicit TLS ----------------------
for mode in plain stls tls; do
	for mech in user apop plain login cram-md5 scram-sha-1 scram-sha-256; do
		cell "$mech" "$mode"
	done
done

# ---- OAuth2 bearer tokens (from passwordeval) -------------------------------
if [ -n "$oauth_port" ]; then
	for mode in stls tls plain; do
		for mech in xoauth2 oauthbearer; do
			cell "$mech" "$mode" "$TOKEN"
		done
	done
	t_like "the introspection endpoint was asked" \
		"$(cat "$T/oauth2/server.log")" 'POST /introspect'
else
	t_skip "XOAUTH2 and OAUTHBEARER" \
		"the token-introspection server did not start"
fi

# ---- OAUTHBEARER without a 'port' line -------------------------------------
# The payload names the port the client connected to (RFC 7628 3.1): 110
# when the config has no 'port' line, never 0.  Dovecot listens on a
# random port, so the fetch runs in a network namespace where port 110
# is relayed to it; the relay decodes the payload and reports its fields
# except the token.
if [ -n "$oauth_port" ]; then
	seed_one
	pm_config test "auth oauthbearer" "-port" "-password" \
		"passwordeval \"echo $TOKEN\""
	PM_LAST_RUN="popmuch fetch (port 110 relayed to $POP3_PORT)"
	timeout -k 10 "$PM_TIMEOUT" "$PM_PYTHON" \
		"$TOP_SRCDIR/tests/data/netns-relay.py" "$POP3_PORT" 110 \
		"$T/gs2" -- "$POPMUCH" fetch </dev/null >"$T/out" 2>"$T/err"
	RC=$?
	t_rc "oauthbearer, no port line: exit 0 (Dovecot took the token)" 0
	t_ok "... the message arrived" delivered_once "$SEED"
	t_like "... the payload says port=110, not 0" "$(cat "$T/gs2")" \
		'^port=110$'
	t_like "... and host=127.0.0.1" "$(cat "$T/gs2")" '^host=127\.0\.0\.1$'
	t_is "... the report holds no token" "$(grep -c -F -- "$TOKEN" "$T/gs2")" 0
	no_leak "... nothing printed holds the token" "$TOKEN"
else
	t_skip "OAUTHBEARER without a port line" \
		"the token-introspection server did not start"
fi

# ---- auth on: the strongest offered, never clear text without TLS -----------
for mode in plain stls tls; do
	conf_for "$mode"
	seed_one
	pm_config test "auth on" "${CONF[@]}"
	log_mark
	run_pm fetch
	t_rc "auth on over $mode: exit 0" 0
	t_ok "auth on over $mode: delivered" delivered_once "$SEED"
	check_login "auth on over $mode" "$mode" SCRAM-SHA-256
	t_empty "auth on over $mode: silent" "$T/err"
done

# ---- wrong credentials ------------------------------------------------------
# wrong MECH MODE [WRONG]: fetching with a wrong secret exits 77, says so,
# delivers nothing, and the transcript does not show the wrong secret.
wrong()
{
	local mech=$1 mode=$2 bad=${3:-wrong-$POP_PASS} name
	local before_srv before_box
	name="wrong secret, $1 over $2"
	conf_for "$mode"
	before_srv=$(server_count "$POP_USER")
	before_box=$(maildir_count "$box")
	pm_config test "auth $mech" "${CONF[@]}" "-password" \
		"passwordeval \"echo $bad\""
	log_mark
	run_pm --debug fetch
	t_rc "$name: exit 77" 77
	t_like "$name: says the login failed" \
		"$(grep -v -E '^(<-|->) ' "$T/err")" \
		'[Aa]uthentication (failed|refused)|refused'
	t_is "$name: nothing delivered" "$(maildir_count "$box")" "$before_box"
	t_is "$name: nothing deleted" "$(server_count "$POP_USER")" \
		"$before_srv"
	t_ok "$name: Dovecot saw the failed attempt" \
		wait_log "auth failed, 1 attempts.*method=$(method_of "$mech")"
	no_leak "$name: --debug never shows the wrong secret" "$bad"
}

seed_one
for mech in user apop plain login cram-md5 scram-sha-1 scram-sha-256; do
	wrong "$mech" plain
done
wrong scram-sha-256 tls
if [ -n "$oauth_port" ]; then
	wrong xoauth2 stls "not-$TOKEN"
	wrong oauthbearer tls "not-$TOKEN"
fi
# A line break inside the password would smuggle a second command onto
# the wire ("PASS x<CR>DELE 1"): refused before anything is sent.
printf '%s\n' "printf 'x\\rDELE 1\\n'" >"$T/crpass.sh"
pm_config test "auth user" "-password" "passwordeval \"sh $T/crpass.sh\""
log_mark
run_pm --debug fetch
t_rc "a password with a CR in it: exit 78" 78
t_like "... says why" "$(grep -v -E '^(<-|->) ' "$T/err")" 'line break'
t_unlike "... sends no credential" "$(grep '^-> ' "$T/err")" \
	'^-> (AUTH|USER|PASS|APOP)'
t_is "... deletes nothing" "$(server_count "$POP_USER")" 1
pm_config test "auth scram-sha-256"
run_pm fetch
t_rc "the right password again: exit 0" 0
t_ok "... and the waiting message arrives" delivered_once "$SEED"

# ---- certificates: pinning and refusal --------------------------------------
# tls_run NAME MODE LINE...: fetch over MODE (stls|tls) with "auth
# scram-sha-256" and exactly the TLS lines given (no trust file unless
# given), with --debug.
tls_run()
{
	local name=$1 mode=$2
	shift 2
	if [ "$mode" = tls ]; then
		set -- "tls_starttls off" "port $POP3S_PORT" "$@"
	fi
	pm_config test "auth scram-sha-256" "tls on" "$@"
	log_mark
	run_pm --debug fetch
}

# refused NAME ERE: the last run refused the certificate (exit 69, a
# message matching ERE and naming the served SHA-256 fingerprint) before
# any credential was sent.
refused()
{
	local msg
	msg=$(grep -v -E '^(<-|->) ' "$T/err")
	t_rc "$1: exit 69" 69
	t_like "$1: says why" "$msg" "$2"
	t_like "$1: prints the served SHA-256 fingerprint" "$msg" \
		"$TLS_FP_SHA256"
	t_unlike "$1: no credential was sent" "$(grep '^-> ' "$T/err")" \
		'^-> (AUTH|USER|PASS|APOP)'
	t_ok "$1: Dovecot saw no login attempt" \
		wait_log 'Disconnected: .*no auth attempts'
}

FP_WRONG=$(printf '%s' "$TLS_FP_SHA256" | tr 0-9A-F 1-9A-F0)
for mode in stls tls; do
	seed_one
	tls_run "pin" "$mode" "tls_fingerprint $TLS_FP_SHA256"
	t_rc "pinned SHA-256 over $mode, no trust file: exit 0" 0
	t_ok "... delivered" delivered_once "$SEED"
	tls_run "pin" "$mode" "tls_fingerprint $TLS_FP_SHA1"
	t_rc "pinned SHA-1 over $mode: exit 0" 0
	tls_run "pin" "$mode" "tls_fingerprint $FP_WRONG"
	refused "wrong pin over $mode" 'fingerprint'
	t_like "wrong pin over $mode: names the pin" "$(cat "$T/err")" \
		'(pin|does not match)'
	tls_run "pin" "$mode" "tls_fingerprint $FP_WRONG" \
		"tls_trust_file $TLS_CA"
	refused "wrong pin with a good CA over $mode" 'fingerprint'
done
tls_run "pin" tls "tls_fingerprint $(printf '%s' "$TLS_FP_SHA256" |
	tr A-F a-f)"
t_rc "a pin in lower case matches too" 0
tls_run "md5" stls "tls_fingerprint $(tls_fingerprint "$TLS_CERT" md5)"
t_rc "an MD5 pin is refused as a configuration error" 78
t_like "... naming MD5" "$(cat "$T/err")" 'MD5'
tls_run "pin+nocheck" stls "tls_fingerprint $TLS_FP_SHA256" \
	"tls_certcheck off"
t_rc "a pin with tls_certcheck off is a configuration error" 78
tls_run "external" stls "tls_trust_file $TLS_CA" "auth external"
t_rc "auth external without a client certificate: exit 78" 78
t_like "... says what is missing" "$(cat "$T/err")" 'tls_cert_file'
t_unlike "... sends no AUTH" "$(grep '^-> ' "$T/err")" '^-> AUTH'
tls_run "override" stls "tls_trust_file $TLS_CA" "tls_host_override localhost"
t_rc "tls_host_override localhost (a name in the certificate): exit 0" 0

dovecot_use_cert expired
for mode in stls tls; do
	tls_run "expired" "$mode" "tls_trust_file $TLS_CA"
	refused "expired certificate over $mode" 'expired'
done
dovecot_use_cert wronghost
for mode in stls tls; do
	tls_run "wronghost" "$mode" "tls_trust_file $TLS_CA"
	refused "certificate for another host over $mode" \
		'(host ?name|does not match the host)'
done
seed_one
tls_run "override" tls "tls_trust_file $TLS_CA" \
	"tls_host_override other.example"
t_rc "tls_host_override other.example accepts that certificate" 0
t_ok "... delivered" delivered_once "$SEED"
dovecot_use_cert selfsigned
for mode in stls tls; do
	tls_run "selfsigned" "$mode" "tls_trust_file $TLS_CA"
	refused "self-signed certificate over $mode" \
		'(self-signed|issuer|not trusted)'
	tls_run "selfsigned" "$mode"
	refused "self-signed certificate, system CAs, over $mode" \
		'(self-signed|issuer|not trusted)'
done
for mode in stls tls; do
	seed_one
	tls_run "certcheck off" "$mode" "tls_certcheck off"
	t_rc "tls_certcheck off accepts a self-signed certificate ($mode)" 0
	t_ok "... delivered" delivered_once "$SEED"
	seed_one
	tls_run "pin selfsigned" "$mode" "tls_fingerprint $TLS_FP_SHA256"
	t_rc "a pinned self-signed certificate is accepted ($mode)" 0
	t_ok "... delivered" delivered_once "$SEED"
done
dovecot_use_cert good

# ---- a server offering only clear-text methods -----------------------------
# "auth on" without TLS must refuse to log in rather than reveal the
# password; with TLS it uses them.
dovecot_stop
# shellcheck disable=SC2034 # read by dovecot_start
DOVECOT_EXTRA_CONF="auth_mechanisms = plain login"
dovecot_start
seed_one
pm_config test "auth on"
log_mark
run_pm --debug fetch
t_rc "auth on, tls off, only PLAIN/LOGIN/USER offered: exit 69" 69
t_like "... says why" "$(grep -v -E '^(<-|->) ' "$T/err")" \
	'(without TLS|keeps the password secret)'
t_unlike "... sends no credential" "$(grep '^-> ' "$T/err")" \
	'^-> (AUTH|USER|PASS|APOP)'
no_leak "... and shows no secret" "$POP_PASS"
t_is "... delivers nothing" "$(server_count "$POP_USER")" 1
conf_for stls
pm_config test "auth on" "${CONF[@]}"
log_mark
run_pm fetch
t_rc "auth on with STLS then uses PLAIN: exit 0" 0
t_ok "... delivered" delivered_once "$SEED"
check_login "auth on with STLS, only clear-text methods" stls PLAIN

t_done
