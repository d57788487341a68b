#!/bin/bash
# t-fixture: the Dovecot fixture in lib.sh is what the other tests assume.
# Checked with an independent client (tests/data/pop3probe.py) and mpop,
# never with popmuch, so a popmuch bug cannot hide a broken fixture.
[ -n "${BASH_VERSION:-}" ] || exec /bin/bash "$0" "$@"
. "$(dirname "$0")/lib.sh"

PROBE=$PM_DATA/pop3probe.py

# probe ARGS...: run the probe, output in $T/probe, status in $PRC.
probe()
{
	"$PM_PYTHON" "$PROBE" "$@" >"$T/probe" 2>&1
	PRC=$?
	cat "$T/probe" >>"$T/log"
}

probe_field()
{
	sed -n "s/^$1: //p" "$T/probe"
}

pm_world
dovecot_start

# ---- capabilities and authentication on the plain port -------------------
probe --port "$POP3_PORT" --capa --greeting
t_rc_probe() { t_is "$1" "$PRC" "$2"; }
capa=$(probe_field capa)
for c in STLS USER UIDL TOP PIPELINING RESP-CODES; do
	t_like "CAPA on the plain port has $c" "$capa" "(^| )$c( |$)"
done
for m in PLAIN LOGIN CRAM-MD5 SCRAM-SHA-1 SCRAM-SHA-256; do
	t_like "SASL offers $m" "$capa" "SASL=.*$m"
done
t_like "greeting carries an APOP timestamp" "$(probe_field greeting)" \
	'^\+OK .*<[^>]+@[^>]+>'

for mech in user apop plain login cram-md5 scram-sha-1 scram-sha-256; do
	probe --port "$POP3_PORT" --user "$POP_USER" --password "$POP_PASS" \
		--mech "$mech"
	t_rc_probe "login with $mech" 0
done
probe --port "$POP3_PORT" --user "$POP_USER" --password wrong --mech user
t_rc_probe "a wrong password is refused" 1

# ---- TLS ------------------------------------------------------------------
probe --port "$POP3_PORT" --tls stls --ca "$TLS_CA" --fingerprint \
	--user "$POP_USER" --password "$POP_PASS"
t_rc_probe "STLS on POP3_PORT, verified with TLS_CA" 0
t_is "TLS_FP_SHA256 is the served certificate's" \
	"$(probe_field fingerprint)" "$TLS_FP_SHA256"
probe --port "$POP3S_PORT" --tls implicit --ca "$TLS_CA" \
	--user "$POP_USER" --password "$POP_PASS" --mech scram-sha-256
t_rc_probe "implicit TLS on POP3S_PORT, verified with TLS_CA" 0
probe --port "$POP3S_PORT" --tls implicit --servername 127.0.0.1 \
	--ca "$TLS_CA"
t_rc_probe "the good certificate is valid for 127.0.0.1 too" 0
probe --port "$POP3S_PORT" --tls implicit
t_rc_probe "the system trust store does not trust the test CA" 2
t_like "TLS_FP_SHA1 has the SHA-1 form" "$TLS_FP_SHA1" \
	'^([0-9A-F]{2}:){19}[0-9A-F]{2}$'

good_fp=$TLS_FP_SHA256
dovecot_use_cert expired
probe --port "$POP3S_PORT" --tls implicit --ca "$TLS_CA"
t_rc_probe "expired certificate fails verification" 2
t_like "... because it expired" "$(cat "$T/probe")" 'expired'
dovecot_use_cert wronghost
probe --port "$POP3S_PORT" --tls implicit --ca "$TLS_CA"
t_rc_probe "wrong-host certificate fails for localhost" 2
probe --port "$POP3S_PORT" --tls implicit --ca "$TLS_CA" \
	--servername other.example
t_rc_probe "... and is valid for other.example" 0
dovecot_use_cert selfsigned
probe --port "$POP3_PORT" --tls stls --ca "$TLS_CA"
t_rc_probe "self-signed certificate fails verification (STLS)" 2
probe --port "$POP3S_PORT" --tls implicit --insecure --fingerprint
t_is "TLS_FP_SHA256 follows the served certificate" \
	"$(probe_field fingerprint)" "$TLS_FP_SHA256"
t_isnt "... which differs from the good one" "$TLS_FP_SHA256" "$good_fp"
dovecot_use_cert good
probe --port "$POP3S_PORT" --tls implicit --ca "$TLS_CA" --fingerprint
t_rc_probe "back to the good certificate" 0
t_is "... with the good fingerprint" "$(probe_field fingerprint)" "$good_fp"

# ---- seeding --------------------------------------------------------------
seed_messages "$POP_USER" 7 3000
t_is "server_count after seeding 7" "$(server_count "$POP_USER")" 7
t_ok "seeded messages are at least SIZE bytes" \
	test "$(wc -c <"$(seed_file "$POP_USER" 7)")" -ge 3000
t_ok "seeded messages have dot lines to stuff" \
	grep -qx '\.' "$(seed_file "$POP_USER" 1)"
mkdir -p "$T/retr"
probe --port "$POP3_PORT" --user "$POP_USER" --password "$POP_PASS" \
	--retr-dir "$T/retr"
t_is "the probe retrieves 7" "$(probe_field retrieved)" 7
same=0
for i in 1 2 3 4 5 6 7; do
	s=$(seed_file "$POP_USER" "$i")
	id=$(sed -n 's/^Message-ID: //p' "$s")
	f=$(grep -l -F -x "Message-ID: $id" "$T"/retr/*)
	[ -n "$f" ] && cmp -s "$s" "$f" && same=$((same + 1))
done
t_is "retrieved messages equal the seeded files byte for byte" "$same" 7

seed_corpus "$POP_USER" .
t_is "seed_corpus copies the whole corpus" "$SEEDED" 58
t_is "server_count after the corpus" "$(server_count "$POP_USER")" 65
rm -rf "$T/retr" && mkdir -p "$T/retr"
probe --port "$POP3_PORT" --user "$POP_USER" --password "$POP_PASS" \
	--retr-dir "$T/retr" --dele
t_is "the probe retrieves and deletes 65" "$(probe_field retrieved)" 65
sums()
{
	(cd "$1" && find . -type f ! -name .count -exec sha256sum {} + |
		cut -d' ' -f1 | sort)
}
t_is "the corpus survives POP3 byte for byte" "$(sums "$T/retr")" \
	"$(sums "$T/seed/$POP_USER")"
t_is "DELE + QUIT empties the server mailbox" "$(server_count "$POP_USER")" 0

# ---- a second user, added while Dovecot runs ------------------------------
dovecot_add_user other other-pass
seed_messages other 2
probe --port "$POP3_PORT" --user other --password other-pass --stat
t_like "a user added at run time can log in" "$(probe_field stat)" '^\+OK 2 '

# ---- mpop, a real client, fetches through STLS ----------------------------
if command -v mpop >/dev/null; then
	seed_messages "$POP_USER" 5
	mkdir -p "$T/mpopbox/new" "$T/mpopbox/cur" "$T/mpopbox/tmp"
	(umask 077 && cat >"$T/mpoprc" <<EOF
account test
host 127.0.0.1
port $POP3_PORT
tls on
tls_starttls on
tls_trust_file $TLS_CA
auth scram-sha-256
user $POP_USER
password $POP_PASS
delivery maildir $T/mpopbox
uidls_file $T/mpop-uidls
keep on
EOF
	)
	t_ok "mpop fetches over STLS with SCRAM-SHA-256" \
		mpop --file="$T/mpoprc" -q test
	t_is "mpop delivered 5" "$(maildir_count "$T/mpopbox")" 5
else
	t_skip "mpop fetches over STLS" "mpop not installed"
fi

dovecot_stop
t_fails "dovecot_stop stops the server" _pm_pop3_greets "$POP3_PORT"
t_done
