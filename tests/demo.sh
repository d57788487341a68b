#!/bin/bash
# demo.sh: popmuch end to end on this machine, touching nothing of yours.
#
# Behind "popmuch demo" and the README's quick start.  Starts a private
# Dovecot on 127.0.0.1 (random ports, a throwaway test CA) in a temporary
# HOME, puts some real mailing-list mail in it, writes a popmuch config,
# runs "popmuch fetch", shows what arrived through notmuch, and opens the
# interface when there is a terminal.  Everything is removed on exit.
#
# Environment: POPMUCH (the binary; default: the one built next to this
# script, else "popmuch" in PATH), DEMO_KEEP=1 (keep the temporary
# directory), DEMO_TLS=0 (plain POP3 instead of STLS).
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [ -z "${POPMUCH:-}" ]; then
	if [ -x "$here/../src/popmuch" ]; then
		POPMUCH=$here/../src/popmuch
	else
		POPMUCH=$(command -v popmuch) || {
			echo "demo: no popmuch binary (set POPMUCH=...)" >&2
			exit 69
		}
	fi
fi
export POPMUCH

# Source tree (tests/demo.sh, tests/integration/lib.sh, tests/data/) or
# installed (demo.sh, lib.sh, corpus/ side by side).
if [ -r "$here/integration/lib.sh" ]; then
	lib=$here/integration/lib.sh
	PM_DATA=$here/data
else
	lib=$here/lib.sh
	PM_DATA=$here
fi
export PM_DATA
export PM_TAP=0
[ "${DEMO_KEEP:-0}" = 0 ] || export KEEP_TEST_TMP=1

missing=
for tool in dovecot notmuch certtool python3 timeout; do
	command -v "$tool" >/dev/null || missing="$missing $tool"
done
if [ -n "$missing" ]; then
	echo "demo: missing:$missing (contrib/install-deps installs them)" >&2
	exit 69
fi

# shellcheck source=integration/lib.sh
. "$lib"

say()
{
	printf '\n==> %s\n' "$*"
}

pm_world
say "A private world in $T (HOME=$HOME)"

say "Starting a private Dovecot on 127.0.0.1"
dovecot_start
echo "    POP3 with STLS on port $POP3_PORT, POP3 over TLS on port $POP3S_PORT"
echo "    user $POP_USER, certificates from a test CA made just now"
seed_corpus "$POP_USER" .
echo "    $SEEDED messages from the notmuch project's test corpus are waiting"

if [ "${DEMO_TLS:-1}" = 0 ]; then
	pm_config demo
else
	pm_config demo "tls on" "tls_starttls on" "tls_trust_file $TLS_CA"
fi
say "popmuch's config ($PM_CONFIG, mpop syntax)"
sed 's/^password .*/password ********/; s/^/    /' "$PM_CONFIG"

say "popmuch fetch"
"$POPMUCH" -v fetch </dev/null
rc=$?
if [ $rc -ne 0 ]; then
	echo "demo: popmuch fetch failed (exit $rc); the server says:" >&2
	tail -n 10 "$DOVECOT_LOG" | sed 's/^/    /' >&2
	exit 1
fi
echo "    exit $rc; $(maildir_count "$MAIL_ROOT/demo") files in" \
	"$MAIL_ROOT/demo, $(server_count "$POP_USER") left on the server"

say "What notmuch sees: notmuch search '*' (first 40 threads)"
notmuch search '*' | head -n 40 | cut -c1-"${COLUMNS:-100}"
echo "    $(notmuch count '*') messages in $(notmuch count --output=threads '*')" \
	"threads, $(notmuch count tag:unread) unread"

if [ -t 0 ] && [ -t 1 ] && "$POPMUCH" --help 2>&1 | grep -q TUI; then
	say "Opening popmuch (q quits; the demo then cleans up)"
	"$POPMUCH"
else
	echo
	echo "Run \"popmuch demo\" in a terminal to open the interface."
fi
[ "${DEMO_KEEP:-0}" = 0 ] || echo "Kept $T (Dovecot is stopped)."
