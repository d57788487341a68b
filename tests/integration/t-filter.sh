#!/bin/bash
# t-filter: mpop's "filter" run as mpop runs it, before each download,
# against a real Dovecot: exit 0 fetches, 1 deletes unread, 2 leaves the
# message on the server; %S is the LIST size; a failing filter fetches.
[ -n "${BASH_VERSION:-}" ] || exec /bin/bash "$0" "$@"
. "$(dirname "$0")/lib.sh"

pm_world
dovecot_start
seed_messages "$POP_USER" 3
box=$MAIL_ROOT/test

# The filter reads the header on stdin and decides by its Subject; it
# logs what it was given.
cat >"$T/filter.sh" <<'FEOF'
h=$(cat)
printf '%s %s\n' "$1" "$(printf '%s\n' "$h" | sed -n 's/^Subject: //p')" \
	>>"${0%/*}/filter.log"
case $h in
*"Subject: Test message 2"*) exit 1 ;;
*"Subject: Test message 3"*) exit 2 ;;
*"Subject: Test message 4"*) exit 7 ;;
esac
exit 0
FEOF
pm_config test "tls on" "tls_trust_file $TLS_CA" "keep off" \
	"filter \"sh $T/filter.sh %S\""

run_pm fetch
t_rc "fetch with a filter: exit 0" 0
t_empty "... silently" "$T/err"
t_is "... the filter saw the three headers" \
	"$(cut -d' ' -f2- "$T/filter.log" | tr '\n' ,)" \
	"Test message 1,Test message 2,Test message 3,"
t_like "... with %S the LIST size" "$(head -n 1 "$T/filter.log")" \
	'^[0-9][0-9]* Test message 1$'
t_is "... only message 1 downloaded" "$(maildir_count "$box")" 1
t_ok "... and it is message 1" test -n \
	"$(maildir_find_msgid "$box" "$(sed -n 's/^Message-ID: //p' \
		"$(seed_file "$POP_USER" 1)")")"
t_is "... 2 deleted unread (exit 1), 3 left (exit 2)" \
	"$(server_count "$POP_USER")" 1

# A filter that fails (exit 7) fetches the message: nothing is lost.
seed_messages "$POP_USER" 1
: >"$T/filter.log"
run_pm fetch
t_rc "a failing filter: exit 0" 0
t_like "... says so" "$(cat "$T/err")" 'filter.*status 7.*fetched as usual'
t_is "... message 4 downloaded anyway, 3 still left" \
	"$(maildir_count "$box") $(server_count "$POP_USER")" "2 1"
t_is "... the one left is 3 (2 was the one deleted)" \
	"$(cut -d' ' -f2- "$T/filter.log" | tr '\n' ,)" \
	"Test message 3,Test message 4,"
t_done
