#!/bin/bash
# lib.sh: the private world every integration test runs in.
#
# Sourced (bash) by tests/integration/t-*.sh, the TUI tests and
# tests/demo.sh.  It gives a test:
#   - TAP output (t_ok, t_is, ...; t_done), stdout only, nothing else on it;
#   - pm_world: a temporary HOME with XDG dirs and a notmuch config;
#   - dovecot_start: a real Dovecot on 127.0.0.1, random ports, a test CA;
#   - seeding of server mailboxes with generated or real messages;
#   - pm_config and run_pm to run the popmuch binary.
#
# Environment read: POPMUCH (the binary, default "popmuch" in PATH),
# TOP_SRCDIR, TOP_BUILDDIR (set by make check; guessed from this file's
# place otherwise), TMPDIR, KEEP_TEST_TMP (keep the temp dir), PM_TAP
# (1 = TAP test, the default; 0 = human output, as tests/demo.sh),
# PM_TIMEOUT (seconds one run_pm may take, default 120).
#
# Functions (details at each):
#   TAP      t_plan N; t_ok NAME CMD...; t_fails NAME CMD...; t_is NAME GOT
#            WANT; t_isnt; t_like NAME GOT ERE; t_unlike; t_rc NAME WANT;
#            t_empty NAME FILE; t_cmp NAME F1 F2; t_pass NAME; t_fail NAME
#            [DIAG...]; t_skip NAME WHY; t_diag MSG...; t_bail WHY; t_done
#   world    pm_world; pm_at_exit CMD; pm_cleanup (the EXIT trap: do not
#            set your own EXIT trap, use pm_at_exit)
#   server   dovecot_start [USER[:PASS]...]; dovecot_stop; dovecot_restart;
#            dovecot_running; dovecot_add_user USER [PASS];
#            dovecot_use_cert good|expired|wronghost|selfsigned;
#            tls_fingerprint FILE [sha256|sha1]
#   mail     seed_messages USER N [SIZE]; seed_corpus USER DIR; seed_file
#            USER I; server_count USER; server_maildir USER;
#            maildir_count DIR; maildir_find_msgid DIR ID
#   oauth2   oauth2_start (before dovecot_start); oauth2_conf;
#            oauth2_control K=V...; oauth2_issue_token;
#            oauth2_log_count ERE
#   notmuch  nm_hold_lock (another process holds the write lock)
#   mpop     mpop_rc FILE [LINE...] (a config for the real mpop)
#   popmuch  pm_config ACCOUNT [LINE...]; pm_config_add ACCOUNT [LINE...];
#            run_pm ARGS... (sets RC; output in $T/out, $T/err);
#            run_pm_at OFFSET ARGS... (the same under faketime)
# Variables set: T, HOME, XDG_{CONFIG,STATE,DATA,CACHE}_HOME,
# NOTMUCH_CONFIG, MAIL_ROOT, PM_CONFIG, POP_USER, POP_PASS, POP3_PORT,
# POP3S_PORT, TLS_DIR, TLS_CA, TLS_CERT, TLS_FP_SHA256, TLS_FP_SHA1,
# DOVECOT_LOG, DOVECOT_CONF, DOVECOT_CERT, PM_DATA, PM_PYTHON, RC, SEEDED,
# OAUTH2_URL, OAUTH2_LOG, OAUTH2_CLIENT_ID, OAUTH2_SECRET_FILE,
# PM_MAIL_USER/UID/GID (who owns the server mail).
#
# Nothing is printed when sourced; TAP lines appear only when a t_*
# function is called.  Works as root (mail is owned by the unprivileged
# system user "popmuchtest", created on first use) and as any other user
# (everything runs as that user).

PM_LIBDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${TOP_SRCDIR:=$(cd "$PM_LIBDIR/../.." && pwd)}"
: "${TOP_BUILDDIR:=$TOP_SRCDIR}"
: "${POPMUCH:=popmuch}"
: "${PM_TAP:=1}"
: "${PM_TIMEOUT:=120}"
: "${PM_DATA:=$TOP_SRCDIR/tests/data}"
export POPMUCH TOP_SRCDIR TOP_BUILDDIR

if [ -z "${PM_PYTHON:-}" ]; then
	if [ -x /usr/bin/python3 ]; then
		PM_PYTHON=/usr/bin/python3
	else
		PM_PYTHON=python3
	fi
fi

# Defaults for the POP3 account every test uses.
POP_USER=pmtest
POP_PASS=pm-secret-4711
: "${PM_MAIL_SYSUSER:=popmuchtest}"
export POP_USER POP_PASS

T=
_t_n=0
_t_failed=0
_t_plan=
_pm_exit_hooks=()

# ---- TAP ------------------------------------------------------------------

# t_plan N: announce the number of tests up front (optional; t_done prints
# the plan when none was given).
t_plan()
{
	_t_plan=$1
	echo "1..$1"
}

# t_diag MSG...: a TAP comment line per argument.
t_diag()
{
	local l
	for l in "$@"; do
		[ -z "$l" ] || printf '%s\n' "$l" | sed 's/^/# /'
	done
}

_t_result()
{
	local pass=$1 name=${2//#/\\#}

	_t_n=$((_t_n + 1))
	if [ "$pass" = 1 ]; then
		echo "ok $_t_n - $name"
	else
		_t_failed=$((_t_failed + 1))
		echo "not ok $_t_n - $name"
	fi
}

# The tail of a file as TAP comments, when it has something in it.
_t_tail()
{
	local title=$1 file=$2 n=${3:-15}

	[ -s "$file" ] || return 0
	echo "# --- $title (last $n lines of $file):"
	tail -n "$n" "$file" | cut -c1-300 | sed 's/^/#   /'
}

# What a failed test shows: the last popmuch run and the server log, once
# per run_pm (later failures after the same run only name it).
_t_ctx_shown=0
t_fail_context()
{
	[ -n "$T" ] || return 0
	[ -z "${RC:-}" ] || echo "# last run_pm: ${PM_LAST_RUN:-?} (exit $RC)"
	[ "$_t_ctx_shown" = 0 ] || return 0
	_t_ctx_shown=1
	_t_tail "popmuch stderr" "$T/err" 25
	_t_tail "popmuch stdout" "$T/out" 5
	_t_tail "dovecot log" "$T/dovecot/log"
}

# t_pass NAME / t_fail NAME [DIAG...]
t_pass()
{
	_t_result 1 "$1"
}

t_fail()
{
	_t_result 0 "$1"
	shift
	t_diag "$@"
	t_fail_context
}

# t_ok NAME CMD [ARGS...]: passes when CMD exits 0.  CMD's output goes to
# $T/log.  Returns CMD's success, so "t_ok ... || ..." works.
t_ok()
{
	local name=$1 rc
	shift
	"$@" >>"$(_t_logfile)" 2>&1
	rc=$?
	if [ $rc -eq 0 ]; then
		t_pass "$name"
		return 0
	fi
	t_fail "$name" "command failed (exit $rc): $*"
	return 1
}

# t_fails NAME CMD [ARGS...]: passes when CMD exits non-zero.
t_fails()
{
	local name=$1 rc
	shift
	"$@" >>"$(_t_logfile)" 2>&1
	rc=$?
	if [ $rc -ne 0 ]; then
		t_pass "$name"
		return 0
	fi
	t_fail "$name" "command unexpectedly succeeded: $*"
	return 1
}

_t_logfile()
{
	if [ -n "$T" ]; then
		echo "$T/log"
	else
		echo /dev/null
	fi
}

# t_is NAME GOT WANT: string equality.
t_is()
{
	if [ "$2" = "$3" ]; then
		t_pass "$1"
		return 0
	fi
	t_fail "$1" "     got: '$2'" "expected: '$3'"
	return 1
}

# t_isnt NAME GOT UNWANTED
t_isnt()
{
	if [ "$2" != "$3" ]; then
		t_pass "$1"
		return 0
	fi
	t_fail "$1" "got '$2', which it should not be"
	return 1
}

# t_like NAME GOT ERE: GOT matches the extended regular expression.
t_like()
{
	if printf '%s\n' "$2" | grep -Eq -- "$3"; then
		t_pass "$1"
		return 0
	fi
	t_fail "$1" "     got: '$2'" "expected to match: /$3/"
	return 1
}

# t_unlike NAME GOT ERE
t_unlike()
{
	if ! printf '%s\n' "$2" | grep -Eq -- "$3"; then
		t_pass "$1"
		return 0
	fi
	t_fail "$1" "     got: '$2'" "expected not to match: /$3/"
	return 1
}

# t_rc NAME WANT: the exit status of the last run_pm.
t_rc()
{
	t_is "$1" "${RC:-unset}" "$2"
}

# t_empty NAME FILE: FILE exists and is empty.
t_empty()
{
	if [ -e "$2" ] && [ ! -s "$2" ]; then
		t_pass "$1"
		return 0
	fi
	t_fail "$1" "$2 is not empty:" "$(head -c 2000 "$2" 2>/dev/null)"
	return 1
}

# t_cmp NAME FILE1 FILE2: byte-identical files.
t_cmp()
{
	local why
	if why=$(cmp -- "$2" "$3" 2>&1); then
		t_pass "$1"
		return 0
	fi
	t_fail "$1" "$why"
	return 1
}

# t_skip NAME REASON: a skipped test (for optional features only; a
# missing fixture is t_bail, never a skip).
t_skip()
{
	_t_n=$((_t_n + 1))
	echo "ok $_t_n - ${1//#/\\#} # SKIP $2"
}

# t_bail REASON [DIAG...]: abort the whole test file ("Bail out!", exit 99).
# In demo mode (PM_TAP=0) it prints a plain error and exits 1.
t_bail()
{
	local reason=$1
	shift
	if [ "$PM_TAP" = 0 ]; then
		echo "error: $reason" >&2
		printf '%s\n' "$@" >&2
		exit 1
	fi
	t_diag "$@"
	echo "Bail out! $reason"
	exit 99
}

# t_done: print the plan if none was given, exit 1 if anything failed.
t_done()
{
	if [ -z "$_t_plan" ]; then
		echo "1..$_t_n"
	elif [ "$_t_plan" != "$_t_n" ]; then
		echo "# planned $_t_plan tests but ran $_t_n"
		exit 1
	fi
	[ "$_t_failed" -eq 0 ] || exit 1
	exit 0
}

# ---- the private world ----------------------------------------------------

# pm_at_exit CMD: run CMD (with eval) when the test exits, before the
# temporary directory is removed.
pm_at_exit()
{
	_pm_exit_hooks+=("$1")
}

pm_cleanup()
{
	local h rc=$?

	trap - EXIT
	for h in "${_pm_exit_hooks[@]}"; do
		eval "$h" || :
	done
	dovecot_stop
	if [ -n "$T" ] && [ -d "$T" ]; then
		if [ -n "${KEEP_TEST_TMP:-}" ]; then
			echo "# kept test directory $T" >&2
		else
			rm -rf -- "$T"
		fi
	fi
	exit $rc
}

# Is every directory from / down to $1 searchable by others?
_pm_path_traversable()
{
	local p=$1
	while [ -n "$p" ] && [ "$p" != / ]; do
		[ -d "$p" ] || return 1
		[ -n "$(find "$p" -maxdepth 0 -perm -o+x)" ] || return 1
		p=$(dirname "$p")
	done
	return 0
}

# pm_world: create the temp dir $T and a fresh HOME in it; export the XDG
# directories and NOTMUCH_CONFIG; arrange cleanup on exit.
pm_world()
{
	local base=${TMPDIR:-/tmp}

	# As root the mail store is reached by another user: keep $T below
	# directories it may traverse.
	if [ "$(id -u)" = 0 ] && ! _pm_path_traversable "$base"; then
		base=/tmp
	fi
	T=$(mktemp -d "$base/popmuch-test.XXXXXX") ||
		t_bail "cannot create a temporary directory in $base"
	T=$(cd "$T" && pwd -P)
	chmod 755 "$T"
	export T
	trap pm_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM HUP

	export HOME=$T/home
	export XDG_CONFIG_HOME=$HOME/.config
	export XDG_STATE_HOME=$HOME/.local/state
	export XDG_DATA_HOME=$HOME/.local/share
	export XDG_CACHE_HOME=$HOME/.cache
	export NOTMUCH_CONFIG=$HOME/.notmuch-config
	export PM_CONFIG=$XDG_CONFIG_HOME/popmuch/config
	export MAIL_ROOT=$HOME/mail
	unset NOTMUCH_PROFILE NOTMUCH_DATABASE MAILDIR MAIL
	export TZ=UTC LC_ALL=C.UTF-8
	mkdir -p "$XDG_CONFIG_HOME" "$XDG_STATE_HOME" "$XDG_DATA_HOME" \
		"$XDG_CACHE_HOME" "$MAIL_ROOT"
	: >"$T/log"
	cat >"$NOTMUCH_CONFIG" <<EOF
[database]
path=$MAIL_ROOT

[user]
name=Popmuch Tester
primary_email=$POP_USER@example.org

[new]
tags=unread;inbox;
ignore=

[search]
exclude_tags=deleted;spam;

[maildir]
synchronize_flags=true
EOF
}

# ---- TLS material ---------------------------------------------------------

# tls_fingerprint FILE [sha256|sha1]: print the certificate's fingerprint
# as AA:BB:... (uppercase, colon-separated).
tls_fingerprint()
{
	certtool --fingerprint --hash="${2:-sha256}" --infile="$1" \
		2>/dev/null | tr -d ' \n' | tr a-f A-F | sed 's/../&:/g; s/:$//'
}

_pm_tls_template()
{
	local file=$1
	shift
	printf '%s\n' "$@" >"$file"
}

_pm_tls_signed()
{
	local out=$1 tmpl=$2
	certtool --generate-certificate --load-privkey "$TLS_DIR/server.key" \
		--load-ca-certificate "$TLS_CA" \
		--load-ca-privkey "$TLS_DIR/ca.key" \
		--template "$tmpl" --outfile "$out" >>"$T/log" 2>&1
}

# Generate (once per world) the test CA and the server certificates:
#   $TLS_DIR/good.pem        localhost + 127.0.0.1, signed by the test CA
#   $TLS_DIR/expired.pem     same names, expired in 2020
#   $TLS_DIR/wronghost.pem   other.example only, signed by the test CA
#   $TLS_DIR/selfsigned.pem  localhost + 127.0.0.1, self-signed
# all with the key $TLS_DIR/server.key; the CA is $TLS_CA.
tls_init()
{
	local d srv="dns_name = localhost" ip="ip_address = 127.0.0.1"
	local use="tls_www_server encryption_key signing_key"

	export TLS_DIR=$T/tls
	export TLS_CA=$TLS_DIR/ca.pem
	[ -s "$TLS_DIR/selfsigned.pem" ] && return 0
	d=$TLS_DIR
	mkdir -p "$d"
	{
		certtool --generate-privkey --key-type=rsa --bits=2048 \
			--outfile "$d/ca.key" &&
		certtool --generate-privkey --key-type=rsa --bits=2048 \
			--outfile "$d/server.key"
	} >>"$T/log" 2>&1 || return 1
	_pm_tls_template "$d/ca.tmpl" 'cn = "popmuch test CA"' ca \
		cert_signing_key crl_signing_key 'expiration_days = 30'
	certtool --generate-self-signed --load-privkey "$d/ca.key" \
		--template "$d/ca.tmpl" --outfile "$TLS_CA" >>"$T/log" 2>&1 ||
		return 1
	# shellcheck disable=SC2086
	_pm_tls_template "$d/good.tmpl" 'cn = "localhost"' "$srv" "$ip" \
		$use 'expiration_days = 30'
	# shellcheck disable=SC2086
	_pm_tls_template "$d/expired.tmpl" 'cn = "localhost"' "$srv" "$ip" \
		$use 'activation_date = "2019-01-01 00:00:00"' \
		'expiration_date = "2020-01-01 00:00:00"'
	# shellcheck disable=SC2086
	_pm_tls_template "$d/wronghost.tmpl" 'cn = "other.example"' \
		'dns_name = other.example' $use 'expiration_days = 30'
	# shellcheck disable=SC2086
	_pm_tls_template "$d/selfsigned.tmpl" 'cn = "localhost"' "$srv" "$ip" \
		$use 'expiration_days = 30'
	_pm_tls_signed "$d/good.pem" "$d/good.tmpl" &&
	_pm_tls_signed "$d/expired.pem" "$d/expired.tmpl" &&
	_pm_tls_signed "$d/wronghost.pem" "$d/wronghost.tmpl" &&
	certtool --generate-self-signed --load-privkey "$d/server.key" \
		--template "$d/selfsigned.tmpl" --outfile "$d/selfsigned.pem" \
		>>"$T/log" 2>&1
}

# ---- Dovecot --------------------------------------------------------------

# Who owns the mail store: an unprivileged user when we are root (Dovecot
# refuses uid 0 for mail), else ourselves.
_pm_mail_owner()
{
	local i

	if [ "$(id -u)" != 0 ]; then
		PM_MAIL_USER=$(id -un)
		PM_MAIL_UID=$(id -u)
		PM_MAIL_GID=$(id -g)
		PM_LOGIN_USER=$PM_MAIL_USER
		PM_INTERNAL_USER=$PM_MAIL_USER
		return 0
	fi
	# Parallel tests may race to create the user: retry briefly.
	for i in 1 2 3 4 5 6 7 8 9 10; do
		getent passwd "$PM_MAIL_SYSUSER" >/dev/null && break
		useradd --system --no-create-home --shell /usr/sbin/nologin \
			"$PM_MAIL_SYSUSER" >>"$T/log" 2>&1 || sleep 0.2
	done
	getent passwd "$PM_MAIL_SYSUSER" >/dev/null || return 1
	PM_MAIL_USER=$PM_MAIL_SYSUSER
	PM_MAIL_UID=$(id -u "$PM_MAIL_USER")
	PM_MAIL_GID=$(id -g "$PM_MAIL_USER")
	PM_LOGIN_USER=dovenull
	PM_INTERNAL_USER=dovecot
}

# Give the mail store to the mail user (as root).
_pm_chown_mail()
{
	[ "$(id -u)" = 0 ] || return 0
	chown -R "$PM_MAIL_UID:$PM_MAIL_GID" "$@"
}

# Pick two free loopback ports.
_pm_free_ports()
{
	"$PM_PYTHON" -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s:
    x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])
'
}

_pm_dovecot_conf()
{
	local d=$T/dovecot dh=/usr/share/dovecot/dh.pem
	local nonroot='' anvil='' delay='auth_failure_delay = 0'

	[ -r "$dh" ] || dh=$TLS_DIR/dh.pem
	if [ "$(id -u)" != 0 ]; then
		# Everything runs as us: no chroot, no setuid, our own group.
		anvil='chroot ='
		nonroot="
default_internal_group = $(id -gn)
service pop3-login {
  chroot =
}
service auth-worker {
  user = \$default_internal_user
}"
	fi
	# A wrong password costs the next logins from 127.0.0.1 2-15 seconds
	# (auth penalty) and 2 seconds itself; tests want neither unless
	# DOVECOT_AUTH_PENALTY=1.
	if [ "${DOVECOT_AUTH_PENALTY:-0}" = 0 ]; then
		anvil="$anvil
  unix_listener anvil-auth-penalty {
    mode = 0
  }"
	else
		delay=
	fi
	cat >"$d/dovecot.conf" <<EOF
# Generated by tests/integration/lib.sh for one test.
instance_name = popmuch-test
base_dir = $d/run
state_dir = $d/state
log_path = $d/log
protocols = pop3
listen = 127.0.0.1
shutdown_clients = yes

default_login_user = $PM_LOGIN_USER
default_internal_user = $PM_INTERNAL_USER
first_valid_uid = $PM_MAIL_UID
last_valid_uid = $PM_MAIL_UID
first_valid_gid = 0

ssl = yes
ssl_cert = <$d/cert.pem
ssl_key = <$d/key.pem
ssl_dh = <$dh

disable_plaintext_auth = no
auth_mechanisms = plain login cram-md5 scram-sha-1 scram-sha-256 apop
auth_verbose = yes
$delay
passdb {
  driver = passwd-file
  args = scheme=PLAIN $d/passwd.d/%u
}
userdb {
  driver = static
  args = uid=$PM_MAIL_UID gid=$PM_MAIL_GID home=$T/srv/%u
}
mail_location = maildir:$T/srv/%u/Maildir
pop3_uidl_format = %08Xu%08Xv

service pop3-login {
  inet_listener pop3 {
    address = 127.0.0.1
    port = $POP3_PORT
  }
  inet_listener pop3s {
    address = 127.0.0.1
    port = $POP3S_PORT
    ssl = yes
  }
}
service anvil {
  $anvil
}$nonroot
${DOVECOT_EXTRA_CONF:-}
EOF
}

# Does the POP3 port greet us with +OK?
_pm_pop3_greets()
{
	local fd line

	exec {fd}<>"/dev/tcp/127.0.0.1/$1" || return 1
	IFS= read -r -t 5 line <&"$fd"
	{ printf 'QUIT\r\n' >&"$fd"; } 2>/dev/null
	exec {fd}>&-
	case $line in
	'+OK'*) return 0 ;;
	esac
	return 1
}

# Start the master (in the foreground, as our child, so that stopping it
# can wait for it); wait until POP3 answers.
_pm_dovecot_launch()
{
	local d=$T/dovecot i

	: >"$d/start.err"
	dovecot -F -c "$d/dovecot.conf" >>"$d/start.err" 2>&1 &
	PM_DOVECOT_PID=$!
	for i in $(seq 1 200); do
		kill -0 "$PM_DOVECOT_PID" 2>/dev/null || break
		_pm_pop3_greets "$POP3_PORT" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

_pm_dovecot_fail()
{
	t_bail "Dovecot did not start: $(tail -n 1 "$T/dovecot/start.err")" \
		"$(tail -n 20 "$T/dovecot/start.err" 2>/dev/null)" \
		"$(tail -n 20 "$T/dovecot/log" 2>/dev/null)"
}

# dovecot_add_user USER [PASSWORD]: a POP3 user with an empty Maildir
# (password default $POP_PASS), or a new password for an existing user.
# Works while Dovecot runs.
dovecot_add_user()
{
	local u=$1 p=${2:-$POP_PASS} m=$T/srv/$1/Maildir

	mkdir -p "$m/new" "$m/cur" "$m/tmp"
	chmod 755 "$T/srv"
	_pm_chown_mail "$T/srv/$u"
	# One passwd-file per user: Dovecot reads a new user's file at once,
	# where it would re-read a shared file only a second later.
	printf '%s:{PLAIN}%s\n' "$u" "$p" >"$T/dovecot/passwd.d/$u"
	chmod 644 "$T/dovecot/passwd.d/$u"
}

# dovecot_start [USER[:PASSWORD]...]: start a private Dovecot (POP3 only)
# on 127.0.0.1 with users (default: $POP_USER); exports POP3_PORT (plain,
# STLS offered) and POP3S_PORT (implicit TLS), TLS_CA, TLS_DIR, TLS_CERT,
# TLS_FP_SHA256, TLS_FP_SHA1, DOVECOT_LOG, DOVECOT_CONF.  DOVECOT_EXTRA_CONF
# (if set) is appended to the generated config; DOVECOT_AUTH_PENALTY=1
# keeps Dovecot's delays after a failed login (off by default).  Bails out
# when it cannot start.
dovecot_start()
{
	local d u ports

	[ -n "$T" ] || t_bail "dovecot_start called before pm_world"
	command -v dovecot >/dev/null ||
		t_bail "dovecot is not installed (see contrib/install-deps)"
	d=$T/dovecot
	mkdir -p "$d/run" "$d/state" "$T/srv"
	chmod 755 "$d" "$d/run"
	mkdir -p "$d/passwd.d"
	chmod 755 "$d/passwd.d"
	export DOVECOT_LOG=$d/log DOVECOT_CONF=$d/dovecot.conf
	_pm_mail_owner || t_bail "cannot create the mail user $PM_MAIL_SYSUSER"
	tls_init || t_bail "cannot generate test certificates" \
		"$(tail -n 20 "$T/log")"
	[ -r /usr/share/dovecot/dh.pem ] || [ -s "$TLS_DIR/dh.pem" ] ||
		certtool --generate-dh-params --sec-param=medium \
			--outfile "$TLS_DIR/dh.pem" >>"$T/log" 2>&1
	[ $# -gt 0 ] || set -- "$POP_USER"
	for u in "$@"; do
		case $u in
		*:*) dovecot_add_user "${u%%:*}" "${u#*:}" ;;
		*) dovecot_add_user "$u" ;;
		esac
	done
	_pm_set_cert "${DOVECOT_CERT:-good}" || t_bail "unknown certificate"
	for _ in 1 2 3 4 5; do
		ports=$(_pm_free_ports) || t_bail "cannot pick free ports"
		export POP3_PORT=${ports% *} POP3S_PORT=${ports#* }
		_pm_dovecot_conf
		_pm_dovecot_launch && return 0
		dovecot_stop
		grep -q 'in use' "$d/start.err" "$d/log" 2>/dev/null || break
	done
	_pm_dovecot_fail
}

# Serve certificate KIND (good|expired|wronghost|selfsigned); sets
# TLS_CERT and the fingerprints.
_pm_set_cert()
{
	case $1 in
	good | expired | wronghost | selfsigned) ;;
	*) return 1 ;;
	esac
	export DOVECOT_CERT=$1
	export TLS_CERT=$TLS_DIR/$1.pem
	cp "$TLS_CERT" "$T/dovecot/cert.pem"
	cp "$TLS_DIR/server.key" "$T/dovecot/key.pem"
	chmod 600 "$T/dovecot/key.pem"
	TLS_FP_SHA256=$(tls_fingerprint "$TLS_CERT" sha256)
	TLS_FP_SHA1=$(tls_fingerprint "$TLS_CERT" sha1)
	export TLS_FP_SHA256 TLS_FP_SHA1
}

# dovecot_running: is our Dovecot master alive?
dovecot_running()
{
	[ -n "${PM_DOVECOT_PID:-}" ] && kill -0 "$PM_DOVECOT_PID" 2>/dev/null
}

# dovecot_stop: stop our Dovecot (if running) and wait until it is gone.
dovecot_stop()
{
	local pid=${PM_DOVECOT_PID:-} i

	[ -n "$pid" ] || return 0
	PM_DOVECOT_PID=
	kill -TERM "$pid" 2>/dev/null
	for i in $(seq 1 200); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

# dovecot_restart: stop and start again on the same ports.
dovecot_restart()
{
	local i
	dovecot_stop
	for i in 1 2 3 4 5 6 7 8 9 10; do
		_pm_dovecot_launch && return 0
		dovecot_stop
		sleep 0.2
	done
	_pm_dovecot_fail
}

# The fingerprint the implicit-TLS port serves now (empty on failure).
_pm_served_fp()
{
	"$PM_PYTHON" "$PM_DATA/pop3probe.py" --port "$POP3S_PORT" \
		--tls implicit --insecure --fingerprint 2>/dev/null |
		sed -n 's/^fingerprint: //p'
}

# dovecot_use_cert good|expired|wronghost|selfsigned: serve that
# certificate from now on, on both ports; updates TLS_CERT, TLS_FP_SHA256
# and TLS_FP_SHA1.  A running Dovecot reloads (SIGHUP) and is polled until
# it serves the new certificate; it is restarted if that does not happen.
dovecot_use_cert()
{
	local i

	_pm_set_cert "$1" || t_bail "dovecot_use_cert: unknown kind '$1'"
	dovecot_running || return 0
	kill -HUP "$PM_DOVECOT_PID"
	for i in $(seq 1 100); do
		[ "$(_pm_served_fp)" = "$TLS_FP_SHA256" ] && return 0
		sleep 0.05
	done
	dovecot_restart
}

# ---- server mailboxes -----------------------------------------------------

# server_maildir USER: print the path of USER's Maildir on the server.
server_maildir()
{
	echo "$T/srv/$1/Maildir"
}

# server_count USER: print how many messages USER has on the server.
server_count()
{
	local m=$T/srv/$1/Maildir
	find "$m/new" "$m/cur" -maxdepth 1 -type f 2>/dev/null | wc -l
}

_pm_seed_next()
{
	local f=$T/seed/$1/.count n=0
	[ -s "$f" ] && n=$(cat "$f")
	echo "$n"
}

# seed_messages USER N [SIZE]: put N new, distinct messages into USER's
# server Maildir (new/).  Each is about SIZE bytes (default ~600) and
# has "Subject: Test message I" (I counts on across calls), a unique
# Message-ID "<pmseed.I.USER.RANDOM@popmuch.test>" and body lines that
# start with dots (".", "..", ".leading") to exercise dot-stuffing.  A
# pristine copy of message I is $T/seed/USER/I.eml (seed_file USER I).
seed_messages()
{
	local u=$1 n=$2 size=${3:-0} first m tok
	m=$(server_maildir "$u")
	[ -d "$m/new" ] || t_bail "seed_messages: no server user $u"
	mkdir -p "$T/seed/$u"
	first=$(_pm_seed_next "$u")
	tok=$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
	awk -v u="$u" -v first="$first" -v n="$n" -v size="$size" \
		-v tok="$tok" -v seed="$T/seed/$u" -v new="$m/new" '
	function msg(i,   h, b, k, s, name) {
		h = "Return-Path: <sender@example.org>\n" \
		    "From: Seed Sender <sender@example.org>\n" \
		    "To: " u "@example.org\n" \
		    "Subject: Test message " i "\n" \
		    sprintf("Date: %d Jan 2024 %02d:%02d:%02d +0000\n", \
			    1 + int(i / 86400) % 28, int(i / 3600) % 24, \
			    int(i / 60) % 60, i % 60) \
		    "Message-ID: <pmseed." i "." u "." tok "@popmuch.test>\n" \
		    "MIME-Version: 1.0\n" \
		    "Content-Type: text/plain; charset=us-ascii\n\n"
		b = "This is test message " i " for " u ".\n" \
		    ".leading dot line (dot-stuffed on the wire)\n" \
		    "..two leading dots\n" \
		    ".\n" \
		    "The line above is a lone dot; the message goes on.\n" \
		    "From the seeder, a line starting with From.\n"
		s = length(h) + length(b)
		for (k = 1; s < size; k++) {
			line = sprintf("filler %06d %d the quick brown fox " \
				       "jumps over the lazy dog\n", k, i)
			b = b line
			s += length(line)
		}
		b = b "-- \nend of message " i "\n"
		name = seed "/" i ".eml"
		printf "%s%s", h, b > name
		close(name)
		name = new "/" (1700000000 + i) ".M" i "P" tok ".pmseed"
		printf "%s%s", h, b > name
		close(name)
	}
	BEGIN { for (i = first + 1; i <= first + n; i++) msg(i) }
	' || t_bail "seed_messages: cannot write messages"
	echo $((first + n)) >"$T/seed/$u/.count"
	SEEDED=$n
	_pm_chown_mail "$m"
}

# seed_file USER I: print the path of the pristine copy of seeded message I
# (seed_messages numbering, or seed_corpus's order).
seed_file()
{
	echo "$T/seed/$1/$2.eml"
}

# seed_corpus USER DIR: copy every file below DIR (absolute, or relative to
# tests/data/corpus, e.g. "default" or "." for all) into USER's server
# Maildir, in sorted order; sets SEEDED to the number copied.  Pristine
# copies are numbered on from seed_messages (seed_file USER I).
seed_corpus()
{
	local u=$1 dir=$2 m i f tok
	case $dir in
	/*) ;;
	*) dir=$PM_DATA/corpus/$dir ;;
	esac
	[ -d "$dir" ] || t_bail "seed_corpus: no directory $dir"
	m=$(server_maildir "$u")
	[ -d "$m/new" ] || t_bail "seed_corpus: no server user $u"
	mkdir -p "$T/seed/$u"
	i=$(_pm_seed_next "$u")
	tok=$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
	SEEDED=0
	while IFS= read -r f; do
		i=$((i + 1))
		if ! cp -- "$f" "$T/seed/$u/$i.eml" ||
			! cp -- "$f" "$m/new/$((1700000000 + i)).M${i}P$tok.pmcorpus"
		then
			t_bail "seed_corpus: cannot copy $f"
		fi
		SEEDED=$((SEEDED + 1))
	done < <(find "$dir" -type f ! -name README ! -name '.*' | LC_ALL=C sort)
	echo "$i" >"$T/seed/$u/.count"
	_pm_chown_mail "$m"
}

# ---- OAuth2 -----------------------------------------------------------------

# oauth2_start: start the authlib authorization server
# (tests/data/oauth2server.py) on 127.0.0.1 and make the next
# dovecot_start check XOAUTH2/OAUTHBEARER tokens against its
# introspection endpoint (an oauth2 passdb).  Sets OAUTH2_URL (its base
# URL), OAUTH2_LOG (one line per token answer and introspection),
# OAUTH2_CLIENT_ID and OAUTH2_SECRET_FILE (the client secret, 0600).
oauth2_start()
{
	local d=$T/oauth2 port='' isecret
	mkdir -p "$d"
	OAUTH2_CLIENT_ID=popmuch-test-client
	OAUTH2_SECRET_FILE=$d/client-secret
	OAUTH2_LOG=$d/events
	isecret=dovecot-$RANDOM$RANDOM
	(umask 077 && echo "cs-$RANDOM$RANDOM$RANDOM" >"$OAUTH2_SECRET_FILE" &&
		echo "$isecret" >"$d/introspect-secret")
	: >"$OAUTH2_LOG"
	"$PM_PYTHON" "$PM_DATA/oauth2server.py" "$POP_USER" \
		"$OAUTH2_CLIENT_ID" "$OAUTH2_SECRET_FILE" "$d/introspect-secret" \
		"$OAUTH2_LOG" >"$d/port" 2>"$d/server.log" &
	_pm_oauth2_pid=$!
	pm_at_exit "kill $_pm_oauth2_pid 2>/dev/null; wait $_pm_oauth2_pid 2>/dev/null"
	for _ in $(seq 1 100); do
		port=$(head -n1 "$d/port" 2>/dev/null)
		[ -n "$port" ] && break
		sleep 0.1
	done
	[ -n "$port" ] || t_bail "the OAuth2 server did not start" \
		"$(tail -n 20 "$d/server.log")"
	export OAUTH2_URL=http://127.0.0.1:$port OAUTH2_LOG OAUTH2_CLIENT_ID \
		OAUTH2_SECRET_FILE
	cat >"$d/dovecot-oauth2.conf.ext" <<EOF
introspection_url = http://dovecot:$isecret@127.0.0.1:$port/introspect
introspection_mode = post
username_attribute = username
active_attribute = active
active_value = true
EOF
	DOVECOT_EXTRA_CONF="${DOVECOT_EXTRA_CONF:-}
auth_mechanisms = plain login cram-md5 scram-sha-1 scram-sha-256 apop \
xoauth2 oauthbearer
passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = $d/dovecot-oauth2.conf.ext
}"
}

# oauth2_conf: the config lines of an account that signs in at the
# test's OAuth2 server (for pm_config's LINE arguments), one per line.
oauth2_conf()
{
	printf '%s\n' "-password" "-auth" "oauth2_provider custom" \
		"oauth2_client_id $OAUTH2_CLIENT_ID" \
		"oauth2_client_secret_eval \"cat $OAUTH2_SECRET_FILE\"" \
		"oauth2_auth_url $OAUTH2_URL/authorize" \
		"oauth2_token_url $OAUTH2_URL/token" \
		"oauth2_device_url $OAUTH2_URL/device_authorization" \
		"oauth2_scope mail"
}

# oauth2_control K=V...: change the server's behaviour (revoke=all,
# slow_down=N, device_lifetime=S; see oauth2server.py).
oauth2_control()
{
	local a=() kv
	for kv in "$@"; do
		a+=(--data-urlencode "$kv")
	done
	curl -fsS "${a[@]}" "$OAUTH2_URL/control" >/dev/null
}

# oauth2_issue_token: print a fresh access token for $POP_USER that
# Dovecot accepts (for tests that give popmuch a token by passwordeval).
oauth2_issue_token()
{
	curl -fsS -d issue=1 "$OAUTH2_URL/control"
}

# oauth2_log_count ERE: how many lines of the server's event log match.
oauth2_log_count()
{
	grep -cE -- "$1" "$OAUTH2_LOG"
}

# ---- the local side -------------------------------------------------------

# maildir_count DIR: messages in DIR/new and DIR/cur.
maildir_count()
{
	find "$1/new" "$1/cur" -maxdepth 1 -type f 2>/dev/null | wc -l
}

# maildir_find_msgid DIR MESSAGE-ID: print the files in DIR/new and DIR/cur
# whose Message-ID header is MESSAGE-ID (with or without <>).
maildir_find_msgid()
{
	local id=${2#<}
	id=${id%>}
	grep -l -i -F -x -- "Message-ID: <$id>" "$1"/new/* "$1"/cur/* \
		2>/dev/null
}

# pm_config_add ACCOUNT [LINE...]: append an account block to $PM_CONFIG:
#     account ACCOUNT
#     host 127.0.0.1
#     port $POP3_PORT
#     tls off
#     auth user
#     user $POP_USER
#     password $POP_PASS
#     delivery maildir $MAIL_ROOT/ACCOUNT
# A LINE whose keyword is one of these replaces that line ("tls on",
# "port $POP3S_PORT"); "-KEYWORD" drops it ("-password" for a test of
# passwordeval); other lines are appended in order.
pm_config_add()
{
	local name=$1 l k i
	local -a base=("host 127.0.0.1" "port ${POP3_PORT:-110}" "tls off"
		"auth user" "user $POP_USER" "password $POP_PASS"
		"delivery maildir $MAIL_ROOT/$name")
	local -a more=()
	shift

	for l in "$@"; do
		k=${l%%[[:space:]]*}
		for i in "${!base[@]}"; do
			if [ "${base[$i]%% *}" = "$k" ]; then
				base[i]=$l
				continue 2
			elif [ "-${base[$i]%% *}" = "$k" ]; then
				base[i]=
				continue 2
			fi
		done
		more+=("$l")
	done
	mkdir -p "$(dirname "$PM_CONFIG")"
	(
		umask 077
		{
			[ -s "$PM_CONFIG" ] && echo
			echo "account $name"
			for l in "${base[@]}" "${more[@]}"; do
				[ -z "$l" ] || echo "$l"
			done
		} >>"$PM_CONFIG"
	)
	chmod 600 "$PM_CONFIG"
}

# pm_config ACCOUNT [LINE...]: write a new $PM_CONFIG with just that
# account (mode 0600).
pm_config()
{
	mkdir -p "$(dirname "$PM_CONFIG")"
	rm -f "$PM_CONFIG"
	pm_config_add "$@"
}

# run_pm ARGS...: run "$POPMUCH" ARGS with stdin from /dev/null, stdout to
# $T/out, stderr to $T/err (bounded by PM_TIMEOUT seconds); the exit
# status is in $RC.  Never fails itself.
run_pm()
{
	PM_LAST_RUN="popmuch $*"
	timeout -k 10 "$PM_TIMEOUT" "$POPMUCH" "$@" \
		</dev/null >"$T/out" 2>"$T/err"
	RC=$?
	_t_ctx_shown=0
	echo "run_pm: $PM_LAST_RUN -> exit $RC" >>"$T/log"
	return 0
}

# run_pm_at OFFSET ARGS...: run_pm with the clock moved by OFFSET
# (faketime syntax, e.g. '+2 days').  ASan must accept libfaketime's
# LD_PRELOAD; the monotonic clock (timeouts) stays real.
run_pm_at()
{
	local off=$1
	shift
	PM_LAST_RUN="faketime '$off' popmuch $*"
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
	FAKETIME_DONT_FAKE_MONOTONIC=1 \
		timeout -k 10 "$PM_TIMEOUT" faketime "$off" "$POPMUCH" "$@" \
		</dev/null >"$T/out" 2>"$T/err"
	RC=$?
	_t_ctx_shown=0
	echo "run_pm_at: $PM_LAST_RUN -> exit $RC" >>"$T/log"
}

# pm_notmuch ARGS...: the notmuch CLI in this world (output as is).
pm_notmuch()
{
	notmuch "$@"
}

# nm_hold_lock: another process takes the notmuch write lock, as a TUI
# tagging or "notmuch new" would (tests/data/notmuch-hold-lock.py, 60 s
# at most); its pid in NM_HOLDER (kill -TERM it to let go: it exits 0
# after closing the database).  Bails out when the lock cannot be taken.
nm_hold_lock()
{
	local ready=$T/nm-locked.$$.$RANDOM

	"$PM_PYTHON" "$PM_DATA/notmuch-hold-lock.py" "$ready" 60 \
		2>>"$T/log" &
	NM_HOLDER=$!
	pm_at_exit "kill $NM_HOLDER 2>/dev/null; wait $NM_HOLDER 2>/dev/null"
	for _ in $(seq 1 200); do
		[ -e "$ready" ] && break
		kill -0 "$NM_HOLDER" 2>/dev/null || break
		sleep 0.05
	done
	[ -e "$ready" ] || t_bail "could not take the notmuch write lock" \
		"$(tail -n 5 "$T/log")"
}

# fault_points [ERE]: the names of the FAULT() crash points (those
# matching ERE), sorted, one a line, as the test binary lists them
# (FAULT_POINTS in fault.h; a FAULT() of a name not listed there does
# not compile): the tests that kill popmuch check that they cover every
# one.
fault_points()
{
	local all
	if ! all=$("${POPMUCH_FAULT:?}" --fault-points) || [ -z "$all" ]; then
		# a name no test covers, so that every coverage check fails
		echo "$POPMUCH_FAULT --fault-points gave no list" >&2
		echo no-list-from-popmuch-fault
		return
	fi
	printf '%s\n' "$all" | grep -E "${1:-.}" | LC_ALL=C sort -u
}

# mpop_rc FILE [LINE...]: write a configuration for the real mpop (0600)
# that fetches the test mailbox over STARTTLS with the test CA: account
# "test" with the LINEs (e.g. "keep on", "delivery maildir DIR"), and
# "account default : test" (plain mpop fetches the default account).
mpop_rc()
{
	local f=$1
	shift
	(
		umask 077
		printf '%s\n' defaults "tls on" "tls_starttls on" \
			"account test" "host 127.0.0.1" "port $POP3_PORT" \
			"tls_trust_file $TLS_CA" "user $POP_USER" \
			"password $POP_PASS" "$@" "account default : test" >"$f"
	)
}
