#!/bin/bash
# lib-servers.sh: real POP3 servers other than Dovecot, for the tests.
#
# Sourced after lib.sh (pm_world first).  A user's server is rarely
# Dovecot, so tests/integration/t-servers.sh runs popmuch against these
# Debian 12 packages too:
#   mailutils  GNU Mailutils pop3d 3.15 (mailutils-pop3d), mbox
#   popa3d     popa3d 1.0.3, mbox in /var/mail
#   solid      Solid POP3 0.15 (solid-pop3d), Maildir
#   courier    Courier pop3d 1.0.16 (courier-pop, courier-authlib), Maildir
#   cyrus      Cyrus IMAP 3.6.1's pop3d (cyrus-pop3d), mail in by LMTP
# Their packages conflict with dovecot-pop3d (or start daemons from their
# maintainer scripts), so they are not installed: contrib/install-deps
# unpacks them into $PM_TEST_SERVERS (default
# /var/cache/popmuch-test-servers, its tree in root/), and they run from
# there.
#
# How each runs: on 127.0.0.1, on a port the kernel picks; all but Cyrus
# started per connection by tests/data/inetd.py (inetd "nowait", each
# server's inetd mode).  popa3d, Solid and Courier are built for
# fixed system paths (/etc, /var/mail, /run/courier, /usr/lib/courier):
# they run in a private mount namespace (unshare -m, so root only) in
# which the unpacked package is overlaid on /usr and /etc, /etc/passwd and
# /etc/shadow are private copies that add the test users (password
# $POP_PASS, checked by the real PAM pam_unix), /run is a private tmpfs
# and /var/mail is a test directory.  Nothing outside the namespace
# changes.  Their login stage runs as root (they need it to become the
# user; popa3d refuses otherwise), each session after login as the
# unprivileged mail user (PM_MAIL_USER, uid PM_MAIL_UID).  Cyrus has no
# inetd mode: its master listens, wholly as the mail user (in a namespace
# only for a private /etc/passwd naming the "cyrus" user).  Mailutils needs
# no namespace: a private config with the "virtdomain" passwd file, and it
# runs as the mail user with the group "mail" (it sets that group at
# start and stops if it cannot).
#
# Quirks observed (Debian 12 versions; transcripts and what popmuch does
# with them in doc/DEVIATIONS.md, "Other servers"):
#   mailutils  CAPA: TOP UIDL RESP-CODES PIPELINING AUTH-RESP-CODE
#              EXPIRENEVER USER.  UIDL is <md5>.<uidvalidity>.<n>.  The
#              first UIDL of a session adds an X-UIDL header to every
#              message that has none, so LIST sizes grow within the
#              session (518 before UIDL, 573 after), and after a RETR LIST
#              matches nothing sent (LIST 1 = 1007, LIST 2 = 786 for two
#              messages that were 573 bytes after the UIDL).  At the end of the
#              session (QUIT, or the connection closing) it rewrites the
#              mbox with X-UIDL, X-UID, Status and, on the first message,
#              X-IMAPbase; RETR serves those too, so sizes change between
#              sessions (518 -> 640 and 594; 594 -> 595 once read).  UIDLs
#              persist (they are in the mbox).  Sizes count CRLF.  A body
#              line ">From " is served as "From " (quoting taken off).
#   popa3d     no CAPA ("-ERR"), so no PIPELINING, no RESP-CODES; UIDL is
#              16 hex digits (a hash of the message), stable; TOP; LIST
#              counts CRLF and never changes; the mbox is not rewritten
#              unless something is deleted; ">From " served as stored.
#   solid      no CAPA ("-ERR unknown command"); UIDL (reply "+OK ") is
#              32 hex digits, stable; RETR says "+OK <n> octets"; sizes
#              count CRLF and do not change; at the end of a session every
#              message in new/ moves to cur/ (":2,"), read or not, and
#              messages are numbered in directory order, so numbers change
#              between sessions while UIDLs stay.
#   courier    CAPA: TOP USER LOGIN-DELAY 10 PIPELINING UIDL "UTF8 USER"
#              IMPLEMENTATION (no RESP-CODES; the LOGIN-DELAY is not
#              enforced: logins a second apart work); UIDL is UID<n>-<uidvalidity>,
#              kept in Maildir/courierpop3dsizelist, stable, not reused
#              after a DELE; sizes count CRLF and do not change; a message
#              read moves to cur/ with ":2,S".
#   cyrus      CAPA: SASL (SCRAM-*, DIGEST-MD5, CRAM-MD5, NTLM, PLAIN,
#              LOGIN) "EXPIRE NEVER" "LOGIN-DELAY 0" TOP UIDL PIPELINING
#              RESP-CODES AUTH-RESP-CODE USER IMPLEMENTATION.  UIDL is
#              <uidvalidity>.<uid>, stable, never reused; sizes count CRLF
#              (stored so) and do not change.  lmtpd adds Return-Path
#              (replacing the message's own), Received, X-Cyrus-Session-Id
#              and X-Sieve when it stores a message; RETR serves it as
#              stored.  An expunged message's file stays until later.
#
# Functions (details at each):
#   srv_usable NAME          can NAME run here? (prints why not)
#   srv_start NAME USER...   start NAME for these POP3 users; sets
#                            SRV_PORT[NAME]
#   srv_stop NAME            (pm_cleanup stops every server too)
#   srv_login NAME USER      the login name USER has on NAME
#   srv_seed NAME USER N [SIZE]  N new messages in USER's mailbox
#   srv_count NAME USER      messages in USER's mailbox
#   srv_expect NAME USER I   the file a fetch of seeded message I must equal
#   srv_strip FILE           FILE without the headers servers add
#   srv_idle NAME            wait until NAME has no session running
# Variables: PM_TEST_SERVERS, SRV_ROOT, SRV_PORT (assoc.), SRV_ADDED_HEADERS.

: "${PM_TEST_SERVERS:=${POPMUCH_TEST_SERVERS:-/var/cache/popmuch-test-servers}}"
SRV_ROOT=$PM_TEST_SERVERS/root
SRV_LIBS=$SRV_ROOT/usr/lib/x86_64-linux-gnu:$SRV_ROOT/usr/lib
# Headers a server adds to a message it serves (never in what we seed).
SRV_ADDED_HEADERS='X-UIDL|X-UID|X-IMAPbase|Status|X-Status|X-Keywords'
declare -A SRV_PORT=() SRV_PID=()

# The files each server needs from the unpacked packages.
_srv_bin()
{
	case $1 in
	mailutils) echo "$SRV_ROOT/usr/sbin/pop3d" ;;
	popa3d) echo "$SRV_ROOT/usr/sbin/popa3d" ;;
	solid) echo "$SRV_ROOT/usr/sbin/solid-pop3d" ;;
	courier) echo "$SRV_ROOT/usr/lib/courier/courier/courierpop3login" ;;
	cyrus) echo "$SRV_ROOT/usr/lib/cyrus/bin/master" ;;
	*) return 1 ;;
	esac
}

# srv_usable NAME: 0 when server NAME can run here; otherwise prints the
# reason and returns 1.
srv_usable()
{
	local bin
	bin=$(_srv_bin "$1") || {
		echo "no such test server '$1'"
		return 1
	}
	if [ ! -x "$bin" ]; then
		echo "$bin is missing (run contrib/install-deps)"
		return 1
	fi
	if [ "$(id -u)" != 0 ]; then
		echo "needs root (a private mount namespace, the mail user)"
		return 1
	fi
	command -v unshare >/dev/null || {
		echo "no unshare (util-linux)"
		return 1
	}
	command -v openssl >/dev/null || {
		echo "no openssl (for the password hashes)"
		return 1
	}
	return 0
}

# srv_login NAME USER: the name USER logs in with (Mailutils' virtual
# domains take user@domain).
srv_login()
{
	case $1 in
	mailutils) echo "$2@example.org" ;;
	*) echo "$2" ;;
	esac
}

_srv_dir()
{
	echo "$T/servers/$1"
}

# The mailbox file of USER on an mbox server.
_srv_mbox()
{
	case $1 in
	mailutils) echo "$T/srv/$2/INBOX" ;;
	popa3d) echo "$(_srv_dir popa3d)/mail/$2" ;;
	*) return 1 ;;
	esac
}

_srv_is_mbox()
{
	case $1 in
	mailutils | popa3d) return 0 ;;
	esac
	return 1
}

# Private /etc/passwd, /etc/shadow: the host's plus one line per test
# user (home $T/srv/USER, uid/gid of the mail user) and the server's own
# system users.  Written into the /etc overlay's upper directory before
# the namespace mounts it.
_srv_etc()
{
	local d=$1 u hash
	shift
	mkdir -p "$d/etc-up" "$d/etc-work"
	cp -p /etc/passwd /etc/shadow /etc/group "$d/etc-up/"
	hash=$(openssl passwd -6 "$POP_PASS") || return 1
	for u in "$@"; do
		case $u in
		@*) # a system user the server itself needs
			echo "${u#@}:x:65534:65534::/nonexistent:/usr/sbin/nologin" \
				>>"$d/etc-up/passwd"
			echo "${u#@}:*:19000:0:99999:7:::" >>"$d/etc-up/shadow"
			;;
		*)
			echo "$u:x:$PM_MAIL_UID:$PM_MAIL_GID::$T/srv/$u:/usr/sbin/nologin" \
				>>"$d/etc-up/passwd"
			echo "$u:$hash:19000:0:99999:7:::" >>"$d/etc-up/shadow"
			;;
		esac
	done
}

# Each test user's mailbox: a Maildir (also the seeding area of the
# mbox servers) and, on mbox servers, an empty mbox.
_srv_mailboxes()
{
	local name=$1 u f
	shift
	mkdir -p "$T/srv"
	chmod 755 "$T/srv"
	for u in "$@"; do
		mkdir -p "$T/srv/$u/Maildir/new" "$T/srv/$u/Maildir/cur" \
			"$T/srv/$u/Maildir/tmp"
		if _srv_is_mbox "$name"; then
			f=$(_srv_mbox "$name" "$u")
			mkdir -p "$(dirname "$f")"
			: >"$f"
			chmod 600 "$f"
			_pm_chown_mail "$f"
		fi
		_pm_chown_mail "$T/srv/$u"
	done
}

# The namespace script: overlays, then PRE (shell lines), then exec
# COMMAND.
_srv_ns_script()
{
	local d=$1 pre=$2
	shift 2
	mkdir -p "$d/varlib-up" "$d/varlib-work"
	{
		echo "set -e"
		echo "mount -t overlay overlay -o 'lowerdir=$SRV_ROOT/usr:/usr' /usr"
		echo "mount -t overlay overlay -o 'lowerdir=$SRV_ROOT/etc:/etc,upperdir=$d/etc-up,workdir=$d/etc-work' /etc"
		echo "mount -t overlay overlay -o 'lowerdir=/var/lib,upperdir=$d/varlib-up,workdir=$d/varlib-work' /var/lib"
		echo "mount -t tmpfs -o mode=755 tmpfs /run"
		if [ -d "$d/mail" ]; then
			echo "mount --bind '$d/mail' /var/mail"
		fi
		echo "export LD_LIBRARY_PATH='$SRV_LIBS'"
		printf '%s\n' "$pre"
		printf 'exec'
		printf ' %q' "$@"
		echo
	} >"$d/ns.sh"
}

_srv_start_mailutils()
{
	local d=$1 u mailgid
	shift
	mailgid=$(getent group mail | cut -d: -f3)
	[ -n "$mailgid" ] || return 1
	mkdir -p "$d/vd"
	: >"$d/vd/example.org"
	for u in "$@"; do
		echo "$u:$(openssl passwd -1 "$POP_PASS"):$PM_MAIL_UID:$PM_MAIL_GID::$T/srv/$u:/usr/sbin/nologin" \
			>>"$d/vd/example.org"
	done
	cat >"$d/pop3d.conf" <<EOF
# GNU Mailutils pop3d for one test (tests/integration/lib-servers.sh).
mode inetd;
logging { syslog no; };
auth { authentication generic; authorization virtdomain; };
virtdomain { passwd-dir "$d/vd"; };
mailbox { mailbox-type mbox; };
locking { type dotlock; };
EOF
	chmod 755 "$d" "$d/vd"
	chmod 644 "$d/vd/example.org" "$d/pop3d.conf"
	_pm_chown_mail "$d"
	setpriv --reuid="$PM_MAIL_UID" --regid="$mailgid" --clear-groups \
		env LD_LIBRARY_PATH="$SRV_LIBS" \
		"$PM_PYTHON" "$PM_DATA/inetd.py" "$d/port" \
		"$SRV_ROOT/usr/sbin/pop3d" --inetd --config-file="$d/pop3d.conf" \
		>>"$d/log" 2>&1 &
	SRV_PID[mailutils]=$!
}

_srv_start_popa3d()
{
	local d=$1
	shift
	_srv_etc "$d" "$@" @popa3d || return 1
	mkdir -p "$d/varlib-up/popa3d" "$d/mail"
	chmod 1777 "$d/mail"
	_srv_ns_script "$d" "" "$PM_PYTHON" "$PM_DATA/inetd.py" "$d/port" \
		"$SRV_ROOT/usr/sbin/popa3d"
	unshare -m sh "$d/ns.sh" >>"$d/log" 2>&1 &
	SRV_PID[popa3d]=$!
}

_srv_start_solid()
{
	local d=$1
	shift
	_srv_etc "$d" "$@" @spop3d || return 1
	cat >"$d/spop3d.conf" <<'EOF'
/* Solid POP3 for one test (tests/integration/lib-servers.sh) */
<Global>
	MailDropName	"Maildir"
	MailDropType	maildir
	LogStatistics	no
	AddBulletins	no
	UserOverride	no
</Global>
EOF
	_srv_ns_script "$d" "" "$PM_PYTHON" "$PM_DATA/inetd.py" "$d/port" \
		"$SRV_ROOT/usr/sbin/solid-pop3d" -f "$d/spop3d.conf"
	unshare -m sh "$d/ns.sh" >>"$d/log" 2>&1 &
	SRV_PID[solid]=$!
}

# Courier: authdaemond (PAM) in the namespace, its socket in the private
# /run; courierpop3login checks the password there and runs courierpop3d
# on ~/Maildir as the user.  No SASL (POP3AUTH empty), no TLS.
_srv_start_courier()
{
	local d=$1 pre
	shift
	_srv_etc "$d" "$@" || return 1
	pre="mkdir -p /run/courier/authdaemon
/usr/lib/courier/courier-authlib/authdaemond >>'$d/authdaemond.log' 2>&1 &
echo \$! >'$d/authdaemond.pid'
export POP3AUTH= POP3AUTH_TLS= MAILDIRPATH=Maildir
for i in \$(seq 1 100); do
	[ -S /run/courier/authdaemon/socket ] && break
	sleep 0.05
done"
	_srv_ns_script "$d" "$pre" "$PM_PYTHON" "$PM_DATA/inetd.py" "$d/port" \
		/usr/lib/courier/courier/courierpop3login \
		/usr/lib/courier/courier/courierpop3d Maildir
	unshare -m sh "$d/ns.sh" >>"$d/log" 2>&1 &
	SRV_PID[courier]=$!
}

# Cyrus: its master process (Cyrus has no inetd mode) as the mail user,
# whom the private /etc/passwd also names "cyrus" (master looks that user
# up).  Passwords in a private sasldb (saslpasswd2), checked by Cyrus
# SASL's auxprop; mail arrives over LMTP on a socket, as on a real Cyrus.
# The port is picked before master binds it.
_srv_start_cyrus()
{
	local d=$1 u bin=$SRV_ROOT/usr/lib/cyrus/bin port
	shift
	_srv_etc "$d" || return 1
	echo "cyrus:x:$PM_MAIL_UID:$PM_MAIL_GID::$d:/usr/sbin/nologin" \
		>>"$d/etc-up/passwd"
	mkdir -p "$d/conf" "$d/spool" "$d/socket" "$d/lock" "$d/proc"
	_pm_chown_mail "$d"
	for u in "$@"; do
		printf '%s' "$POP_PASS" | _srv_as_mail \
			"$SRV_ROOT/usr/sbin/saslpasswd2" -p -c -f "$d/sasldb2" \
			"$u" || return 1
	done
	port=$(_pm_free_ports) || return 1
	port=${port% *}
	cat >"$d/imapd.conf" <<EOF
# Cyrus for one test (tests/integration/lib-servers.sh).
configdirectory: $d/conf
partition-default: $d/spool
mailbox_legacy_dirs: yes
admins: cyrusadm
sasl_pwcheck_method: auxprop
sasl_auxprop_plugin: sasldb
sasl_sasldb_path: $d/sasldb2
allowplaintext: yes
autocreate_post: 1
autocreate_quota: 0
lmtpsocket: $d/socket/lmtp
idlesocket: $d/socket/idle
notifysocket: $d/socket/notify
mboxname_lockpath: $d/lock
proc_path: $d/proc
duplicate_db_path: $d/conf/deliver.db
EOF
	cat >"$d/cyrus.conf" <<EOF
START {
  recover cmd="$bin/ctl_cyrusdb -C $d/imapd.conf -r"
}
SERVICES {
  pop3 cmd="$bin/pop3d -C $d/imapd.conf" listen="127.0.0.1:$port" prefork=0
  lmtp cmd="$bin/lmtpd -C $d/imapd.conf" listen="$d/socket/lmtp" prefork=0
}
EOF
	_pm_chown_mail "$d"
	_srv_ns_script "$d" "" setpriv --reuid="$PM_MAIL_UID" \
		--regid="$PM_MAIL_GID" --clear-groups "$bin/master" \
		-C "$d/imapd.conf" -M "$d/cyrus.conf" -p "$d/master.pid" -D
	unshare -m sh "$d/ns.sh" >>"$d/log" 2>&1 &
	SRV_PID[cyrus]=$!
	echo "$port" >"$d/port"
}

# _srv_as_mail CMD...: CMD as the mail user, with the servers' libraries.
_srv_as_mail()
{
	setpriv --reuid="$PM_MAIL_UID" --regid="$PM_MAIL_GID" --clear-groups \
		env LD_LIBRARY_PATH="$SRV_LIBS" "$@"
}

# Cyrus: deliver the N messages just seeded for U over LMTP; what a fetch
# must give back is each as lmtpd stored it (with the Return-Path,
# Received, X-Cyrus-Session-Id and X-Sieve it adds), CRLF made LF.
_srv_seed_cyrus()
{
	local u=$1 n=$2 i f id last
	local -a files
	mapfile -t files < <(find "$T/srv/$u/Maildir/new" -type f |
		LC_ALL=C sort)
	"$PM_PYTHON" - "$(_srv_dir cyrus)/socket/lmtp" "$u" "${files[@]}" \
		>>"$T/log" 2>&1 <<'EOF' ||
import smtplib, sys
sock, user, files = sys.argv[1], sys.argv[2], sys.argv[3:]
lmtp = smtplib.LMTP(sock)
for f in files:
    with open(f, "rb") as fh:
        lmtp.sendmail("sender@example.org", [user],
                      fh.read().replace(b"\n", b"\r\n"))
lmtp.quit()
EOF
		t_bail "srv_seed: LMTP delivery to Cyrus failed" \
			"$(tail -n 5 "$T/log")"
	rm -f -- "${files[@]}"
	last=$(_pm_seed_next "$u")
	for i in $(seq $((last - n + 1)) "$last"); do
		id=$(grep -i -m1 '^Message-ID:' "$(seed_file "$u" "$i")")
		f=$(grep -l -F -- "$id" "$(_srv_dir cyrus)/spool/user/$u/"*.) ||
			t_bail "srv_seed: Cyrus did not store message $i"
		sed 's/\r$//' "$f" >"$T/seed/$u/$i.cyrus"
	done
}

# _srv_pop3_stat PORT USER: the message count STAT gives USER.
_srv_pop3_stat()
{
	local fd line
	exec {fd}<>"/dev/tcp/127.0.0.1/$1" || return 1
	IFS= read -r -t 5 line <&"$fd"
	printf 'USER %s\r\nPASS %s\r\nSTAT\r\nQUIT\r\n' "$2" "$POP_PASS" >&"$fd"
	for _ in 1 2 3; do
		IFS= read -r -t 5 line <&"$fd"
	done
	exec {fd}>&-
	line=${line#+OK }
	echo "${line%% *}"
}

# srv_start NAME USER...: start server NAME for POP3 users USER... (their
# password is $POP_PASS; each has an empty mailbox).  Sets
# SRV_PORT[NAME].  Bails out when the server does not answer.
srv_start()
{
	local name=$1 d why i
	shift
	why=$(srv_usable "$name") || t_bail "test server $name: $why"
	_pm_mail_owner || t_bail "cannot create the mail user $PM_MAIL_SYSUSER"
	d=$(_srv_dir "$name")
	mkdir -p "$d"
	chmod 755 "$T/servers" "$d"
	rm -f "$d/port"
	: >>"$d/log"
	_srv_mailboxes "$name" "$@"
	"_srv_start_$name" "$d" "$@" ||
		t_bail "test server $name: cannot set it up" "$(tail -n 5 "$d/log")"
	pm_at_exit "srv_stop $name"
	for i in $(seq 1 200); do
		if [ -s "$d/port" ] &&
			_pm_pop3_greets "$(cat "$d/port")" 2>/dev/null; then
			SRV_PORT[$name]=$(cat "$d/port")
			return 0
		fi
		kill -0 "${SRV_PID[$name]}" 2>/dev/null || break
		sleep 0.05
	done
	t_bail "test server $name did not start (or greet with +OK)" \
		"$(tail -n 20 "$d/log")"
}

# srv_stop NAME: stop the server's listener (and Courier's authdaemond);
# sessions end with their connections.
srv_stop()
{
	local name=$1 pid d a
	pid=${SRV_PID[$name]:-}
	[ -n "$pid" ] || return 0
	SRV_PID[$name]=
	d=$(_srv_dir "$name")
	# authdaemond first, and gone, while its parent (the listener) can
	# still reap it.
	if [ -s "$d/authdaemond.pid" ]; then
		a=$(cat "$d/authdaemond.pid")
		kill "$a" 2>/dev/null
		for _ in $(seq 1 40); do
			kill -0 "$a" 2>/dev/null || break
			sleep 0.05
		done
	fi
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

# srv_idle NAME: wait (up to 5 s) until no session of NAME is running, so
# that the mailbox is not being rewritten (Mailutils rewrites its mbox at
# the end of a session).
srv_idle()
{
	local pid=${SRV_PID[$1]:-} i keep=none d
	[ -n "$pid" ] || return 0
	# Cyrus keeps its service processes for the next connection, and
	# locks its mailboxes itself.
	[ "$1" = cyrus ] && return 0
	d=$(_srv_dir "$1")
	# Courier's authdaemond is a child of the listener too.
	[ -s "$d/authdaemond.pid" ] && keep=$(cat "$d/authdaemond.pid")
	for i in $(seq 1 100); do
		pgrep -P "$pid" | grep -qvx -- "$keep" || return 0
		sleep 0.05
	done
	return 1
}

# srv_seed NAME USER N [SIZE]: N new messages for USER on server NAME,
# made by seed_messages (lib.sh: Subject "Test message I", unique
# Message-IDs, dot lines, a body line starting "From ").  Maildir
# servers get them as seed_messages writes them; mbox servers get each
# appended to the mbox after a "From " separator line, with body lines
# starting "From " quoted as ">From " (as every mbox delivery agent does)
# and a blank line after it.  The message as seeded is seed_file USER I;
# what a fetch must give back is srv_expect NAME USER I.
srv_seed()
{
	local name=$1 u=$2 n=$3 size=${4:-0} md f i m
	md=$T/srv/$u/Maildir
	srv_idle "$name" || t_bail "srv_seed: $name still has a session"
	seed_messages "$u" "$n" "$size"
	if [ "$name" = cyrus ]; then
		_srv_seed_cyrus "$u" "$n"
		return
	fi
	_srv_is_mbox "$name" || return 0
	f=$(_srv_mbox "$name" "$u")
	i=$(($(_pm_seed_next "$u") - n))
	while IFS= read -r m; do
		i=$((i + 1))
		{
			echo "From sender@example.org Mon Jan  1 00:00:00 2024"
			sed 's/^From />From /' "$m"
			echo
		} >>"$f"
		sed 's/^From />From /' "$m" >"$T/seed/$u/$i.mbox"
		rm -f -- "$m"
	done < <(find "$md/new" -type f | LC_ALL=C sort)
	_pm_chown_mail "$f"
}

# srv_expect NAME USER I: print the path of what fetching seeded message
# I from NAME must give, once srv_strip has removed the headers the
# server adds: the message as seeded, except that popa3d serves its mbox
# as stored, with the ">From " quoting (Mailutils takes it off again).
srv_expect()
{
	if [ "$1" = popa3d ]; then
		echo "$T/seed/$2/$3.mbox"
	elif [ "$1" = cyrus ]; then
		echo "$T/seed/$2/$3.cyrus"
	else
		seed_file "$2" "$3"
	fi
}

# srv_count NAME USER: how many messages USER has on server NAME.
srv_count()
{
	local f
	srv_idle "$1"
	if [ "$1" = cyrus ]; then
		# Cyrus unlinks expunged files later: ask it.
		_srv_pop3_stat "${SRV_PORT[cyrus]}" "$2"
	elif _srv_is_mbox "$1"; then
		f=$(_srv_mbox "$1" "$2")
		grep -c '^From ' "$f"
	else
		server_count "$2"
	fi
}

# srv_strip FILE: print FILE without the headers servers add (in the
# header block only; SRV_ADDED_HEADERS).
srv_strip()
{
	awk -v re="^($SRV_ADDED_HEADERS):" '
	!body && /^$/ { body = 1 }
	!body && tolower($0) ~ tolower(re) { next }
	{ print }
	' "$1"
}
