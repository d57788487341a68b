#!/bin/bash
# t-cli: the command line as a person and cron meet it.  Usage and help,
# one sysexits code per failure class against a real Dovecot, the worst
# of several accounts wins with one line per failing account, cron
# silence, a --debug transcript without secrets, accounts fetched in
# parallel, "popmuch status" and "popmuch index", the example config.
[ -n "${BASH_VERSION:-}" ] || exec /bin/bash "$0" "$@"
. "$(dirname "$0")/lib.sh"

pm_world

# ---- without a server: usage, help, version ---------------------------------
run_pm --version
t_rc "--version exits 0" 0
t_like "--version prints the version" "$(cat "$T/out")" '^popmuch [0-9]+\.[0-9]+'

run_pm --help
t_rc "--help exits 0" 0
t_like "--help lists the commands" "$(tr '\n' ' ' <"$T/out")" \
	'popmuch fetch .*popmuch probe .*popmuch status .*popmuch index'
t_like "--help lists the exit codes" "$(cat "$T/out")" '75 temporary'

for c in fetch probe status index demo help; do
	run_pm "$c" --help
	t_rc "popmuch $c --help exits 0" 0
	t_like "popmuch $c --help shows its usage" "$(head -n 1 "$T/out")" \
		"^Usage: popmuch .*$c"
done
run_pm help status
t_like "popmuch help status = status --help" "$(head -n 1 "$T/out")" \
	'^Usage: popmuch .*status \[ACCOUNT'

run_pm
t_rc "no command and no terminal: exit 64" 64
t_empty "... nothing on stdout" "$T/out"
t_like "... usage on stderr" "$(cat "$T/err")" '^Usage: popmuch'

run_pm frobnicate
t_rc "unknown command: exit 64" 64
t_like "... named" "$(cat "$T/err")" "unknown command 'frobnicate'"
run_pm --frobnicate fetch
t_rc "unknown option: exit 64" 64
t_like "... named" "$(cat "$T/err")" 'unknown option --frobnicate'
run_pm fetch -C
t_rc "option without its argument: exit 64" 64
run_pm probe
t_rc "probe without a target: exit 64" 64
run_pm index extra
t_rc "index with an argument: exit 64" 64
run_pm --dry-run status
t_rc "--dry-run with status: exit 64" 64
t_like "... says it does not apply" "$(cat "$T/err")" 'does not apply'
run_pm --index-timeout x fetch
t_rc "--index-timeout x: exit 64" 64
# Each option that only some commands take, given to one that does not:
# refused, naming the option and the command (or the TUI).
for o in "status --wait" "index --dry-run" "probe --syslog x" \
	"status --progress-fd 3" "auth --index-timeout 5 x" "fetch --device" \
	"--syslog"; do
	set -- $o
	run_pm "$@"
	t_rc "$o: exit 64" 64
	case $1 in
	--*) what="$1 does not apply to the TUI" ;;
	*) what="$2 does not apply to $1" ;;
	esac
	t_like "... says '$what'" "$(cat "$T/err")" "$what"
done
set --
run_pm fetch --progress-fd x
t_rc "--progress-fd x: exit 64" 64
t_like "... says it is not a number" "$(cat "$T/err")" "invalid number 'x'"

# ---- configuration errors ---------------------------------------------------
run_pm fetch
t_rc "no configuration file: exit 78" 78
t_like "... names the file" "$(cat "$T/err")" "$PM_CONFIG: no configuration"

run_pm -C "$TOP_SRCDIR/contrib/popmuch.conf.example" status
t_rc "contrib/popmuch.conf.example parses (status exits 0)" 0
t_like "... and has its three accounts" "$(grep -c '^[a-z]*:$' "$T/out")" '^3$'

dovecot_start "$POP_USER" pmtest2 pmtest3 pmtest4
tls="tls_trust_file $TLS_CA"
closed=$(_pm_free_ports | cut -d' ' -f1)

pm_config test "tls on" "$tls" "bogus_keyword 1"
run_pm fetch
t_rc "unknown keyword: exit 78" 78
t_like "... with file:line and the keyword" "$(cat "$T/err")" \
	"$PM_CONFIG:[0-9]+: bogus_keyword"
t_is "... and one line" "$(grep -c '' "$T/err")" 1

# ---- success, and cron silence ----------------------------------------------
seed_messages "$POP_USER" 4
pm_config test "tls on" "$tls"
run_pm fetch
t_rc "fetch over STLS exits 0" 0
t_empty "cron: nothing on stdout" "$T/out"
t_empty "cron: nothing on stderr" "$T/err"
t_is "4 messages delivered" "$(maildir_count "$MAIL_ROOT/test")" 4

run_pm fetch nosuch
t_rc "fetch of an unknown account: exit 64" 64
t_like "... named" "$(cat "$T/err")" "no account named 'nosuch'"

seed_messages "$POP_USER" 2
run_pm fetch --dry-run
t_rc "fetch --dry-run exits 0" 0
t_is "... names the 2 messages it would fetch" \
	"$(grep -c '^test: would fetch message' "$T/out")" 2
t_is "... and fetches nothing" "$(maildir_count "$MAIL_ROOT/test")" 4

# A terminal gets a summary per account (script(1) gives a pty).
timeout -k 5 60 script -qefc "$POPMUCH fetch" "$T/tty.out" \
	</dev/null >/dev/null 2>&1
t_is "on a terminal: exit 0" "$?" 0
t_like "on a terminal: one summary line per account" \
	"$(tr -d '\r' <"$T/tty.out")" 'test: 2 new, 2 deleted'
t_is "... and the 2 messages arrived" "$(maildir_count "$MAIL_ROOT/test")" 6

# ---- one exit code per failure class ----------------------------------------
pm_config test "tls on" "$tls" "port $closed"
run_pm fetch
t_rc "connection refused: exit 75" 75
t_like "... one line naming the account and reason" "$(cat "$T/err")" \
	'^popmuch: test: .*(refused|connect)'
t_is "... exactly one line" "$(grep -c '' "$T/err")" 1
run_pm --syslog fetch
t_rc "--syslog: still exit 75" 75
t_empty "--syslog: nothing on stderr" "$T/err"

pm_config test "tls on" "$tls"
lock=$XDG_STATE_HOME/popmuch/test/lock
exec 9>>"$lock"
flock 9
run_pm fetch
t_rc "account lock held: exit 75" 75
t_like "... says it is locked" "$(cat "$T/err")" '^popmuch: test: .*lock'
flock -u 9
exec 9>&-
# --wait: the holder lets go after two seconds; popmuch waits for it.
rm -f "$T/held"
(flock 9 && : >"$T/held" && sleep 2) 9>>"$lock" &
holder=$!
for _ in $(seq 1 200); do [ -e "$T/held" ] && break; sleep 0.05; done
seed_messages "$POP_USER" 1
run_pm fetch --wait
t_rc "--wait waits for the lock, then exits 0" 0
t_is "... and fetched the new message" "$(maildir_count "$MAIL_ROOT/test")" 7
wait "$holder"

pm_config test "tls on" "$tls" "password wrong-password"
run_pm fetch
t_rc "wrong password: exit 77" 77
t_like "... one line naming the account" "$(cat "$T/err")" '^popmuch: test: '
t_is "... exactly one line" "$(grep -c '' "$T/err")" 1

pm_config test "tls on"
run_pm fetch
t_rc "certificate refused (no trust file for the test CA): exit 69" 69
t_like "... names the reason" "$(cat "$T/err")" '^popmuch: test: .*issuer'

mkdir -p "$MAIL_ROOT"
: >"$MAIL_ROOT/a-file"
pm_config test "tls on" "$tls" "delivery maildir $MAIL_ROOT/a-file/box"
run_pm fetch
t_like "Maildir under a regular file: exit 73 or 74" "$RC" '^7[34]$'
t_like "... names the account and the path" "$(cat "$T/err")" \
	"^popmuch: test: .*$MAIL_ROOT/a-file"

# ---- several accounts: the worst wins, one line per failing account --------
seed_messages "$POP_USER" 2
pm_config good "tls on" "$tls" "delivery maildir $MAIL_ROOT/test"
pm_config_add badpass "tls on" "$tls" "user pmtest2" "password nope"
pm_config_add down "tls on" "$tls" "user pmtest3" "port $closed"
run_pm fetch
t_rc "good + wrong password (77) + refused (75): exit 77" 77
t_is "one line for badpass" "$(grep -c '^popmuch: badpass: ' "$T/err")" 1
t_is "one line for down" "$(grep -c '^popmuch: down: ' "$T/err")" 1
t_is "no line for good, nothing else" "$(grep -c '' "$T/err")" 2
t_is "the good account was fetched" "$(maildir_count "$MAIL_ROOT/test")" 9

# ---- --debug: the transcript, never a secret -------------------------------
b64()
{
	printf "$1" | base64 -w0
}
secret_absent()
{
	local what=$1 f=$2
	t_unlike "$what: no password" "$(cat "$f")" "$POP_PASS"
	t_unlike "$what: no base64 of user+password" "$(cat "$f")" \
		"$(b64 "\\0$POP_USER\\0$POP_PASS" | cut -c1-20)"
	t_unlike "$what: no base64 of the password" "$(cat "$f")" \
		"$(b64 "$POP_PASS" | cut -c1-12)"
}

seed_messages "$POP_USER" 1
pm_config test "tls on" "$tls" "auth user"
run_pm --debug fetch
t_rc "--debug fetch (auth user) exits 0" 0
t_like "transcript has '-> USER'" "$(cat "$T/err")" "^-> USER $POP_USER"
t_like "transcript has '<- +OK'" "$(cat "$T/err")" '^<- \+OK'
t_like "transcript blanks PASS" "$(cat "$T/err")" '^-> PASS \*\*\*$'
secret_absent "auth user" "$T/err"

for mech in plain login; do
	pm_config test "tls on" "$tls" "auth $mech"
	run_pm --debug fetch
	t_rc "--debug fetch (auth $mech) exits 0" 0
	# PLAIN: "AUTH PLAIN ***" (initial response); LOGIN: "AUTH LOGIN",
	# then the continuation lines blanked.
	t_like "auth $mech: the SASL payload, blanked" "$(cat "$T/err")" \
		'^-> (AUTH PLAIN )?\*\*\*$'
	t_like "auth $mech: the server's +OK to it" "$(cat "$T/err")" \
		'^<- \+OK Logged in'
	secret_absent "auth $mech" "$T/err"
done

printf '%s\nsecond-line-SECRET\n' "$POP_PASS" >"$T/passfile"
pm_config test "tls on" "$tls" "auth plain" "-password" \
	"passwordeval \"cat $T/passfile\""
run_pm --debug -vv fetch
t_rc "--debug fetch with passwordeval exits 0" 0
secret_absent "passwordeval" "$T/err"
t_unlike "passwordeval: no line of its output" "$(cat "$T/err" "$T/out")" \
	'second-line-SECRET'

# ---- parallel accounts -------------------------------------------------------
# Each account's passwordeval waits until all four have started: they
# can only finish if popmuch runs the four logins at the same time.
mkdir -p "$T/barrier"
cat >"$T/barrier.sh" <<EOF
: >"$T/barrier/\$1"
i=0
while [ "\$(ls "$T/barrier" | wc -l)" -lt 4 ]; do
	i=\$((i + 1))
	[ \$i -lt 400 ] || { : >"$T/barrier-timeout"; break; }
	sleep 0.05
done
echo "$POP_PASS"
EOF
rm -f "$PM_CONFIG"
for u in "$POP_USER" pmtest2 pmtest3 pmtest4; do
	seed_messages "$u" 3
	pm_config_add "p-$u" "tls on" "$tls" "user $u" "-password" \
		"passwordeval \"sh $T/barrier.sh $u\""
done
run_pm fetch
t_rc "4 accounts in parallel: exit 0" 0
t_empty "... silently" "$T/err"
t_ok "... the four logins overlapped (no barrier timeout)" \
	test ! -e "$T/barrier-timeout"
for u in "$POP_USER" pmtest2 pmtest3 pmtest4; do
	t_is "p-$u: its 3 messages in its own Maildir" \
		"$(grep -l "^Message-ID: <pmseed\.[0-9]*\.$u\." \
			"$MAIL_ROOT/p-$u"/new/* 2>/dev/null | wc -l)" 3
done
t_is "12 messages in all" "$(cat "$MAIL_ROOT"/p-*/new/* | grep -c '^Message-ID:')" 12

# ---- shell completion --------------------------------------------------------
# complete WORD...: what contrib's bash completion offers for the last word.
complete_words()
{
	bash -c '. "$1/contrib/completion/popmuch"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		_popmuch; printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' \
		_ "$TOP_SRCDIR" "$@"
}
t_is "bash completion: commands" "$(complete_words popmuch st)" "status "
t_is "bash completion: account names from the config" \
	"$(complete_words popmuch fetch p-pmtest)" \
	"p-pmtest p-pmtest2 p-pmtest3 p-pmtest4 "
t_is "bash completion: accounts of -C FILE" \
	"$(complete_words popmuch -C "$TOP_SRCDIR/contrib/popmuch.conf.example" \
		probe '')" "gmail home isp "
t_like "bash completion: fetch options" \
	"$(complete_words popmuch fetch --d)" '--debug --dry-run'
# bash splits "--config=FILE" at "=" (COMP_WORDBREAKS)
t_is "bash completion: accounts after --config=FILE" \
	"$(complete_words popmuch --config = \
		"$TOP_SRCDIR/contrib/popmuch.conf.example" fetch '')" \
	"gmail home isp "
t_is "bash completion: the command after --config=FILE" \
	"$(complete_words popmuch --config = \
		"$TOP_SRCDIR/contrib/popmuch.conf.example" st)" "status "
t_like "bash completion: files after --config=" \
	"$(cd "$TOP_SRCDIR/contrib" && complete_words popmuch --config = popmuch.co)" \
	'popmuch.conf.example'
if command -v zsh >/dev/null; then
	t_ok "zsh completion parses" zsh -n "$TOP_SRCDIR/contrib/completion/_popmuch"
	zcomp() {
		timeout 10 zsh -f "$PM_DATA/zsh-complete.zsh" \
			"$TOP_SRCDIR/contrib/completion" "$1" "$2" 2>/dev/null
	}
	t_is "zsh completion: options after the command" \
		"$(zcomp 'popmuch fetch --d' '--dry-run')" "found --dry-run"
	t_is "zsh completion: accounts of -C FILE" \
		"$(zcomp "popmuch -C $TOP_SRCDIR/contrib/popmuch.conf.example fetch " isp)" \
		"found isp"
else
	t_skip "zsh completion parses" "zsh is not installed"
fi

# ---- status and index --------------------------------------------------------
run_pm status
t_rc "popmuch status exits 0" 0
t_is "status: every account's last run OK" \
	"$(grep -c '^  last run: .*, OK$' "$T/out")" 4
t_is "status: every account fetched 3" \
	"$(grep -c '^  last fetch: *3 new, 3 deleted' "$T/out")" 4
t_is "status: 3 delivered per account" \
	"$(grep -c '^  delivered: *3 in ' "$T/out")" 4
t_is "status: nothing pending" \
	"$(grep -c '^  index pending: *0$' "$T/out")" 4
run_pm status "p-pmtest2"
t_is "status ACCOUNT shows only that account" "$(grep -c ':$' "$T/out")" 1
run_pm status nosuch
t_rc "status of an unknown account: exit 64" 64

run_pm index
t_rc "popmuch index exits 0" 0
t_empty "... silently" "$T/err"

t_done
