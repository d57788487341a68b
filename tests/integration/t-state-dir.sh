#!/bin/bash
# t-state-dir: fetch, status and the TUI agree on the state directory.
# A relative XDG_STATE_HOME is invalid and ignored (XDG base directory
# spec): all three use ~/.local/state/popmuch/ACCOUNT, and none reads a
# last-run planted under the relative path.
[ -n "${BASH_VERSION:-}" ] || exec /bin/bash "$0" "$@"
. "$(dirname "$0")/lib.sh"
. "$TOP_SRCDIR/tests/tui/tuilib.sh"

pm_world
dovecot_start
seed_messages "$POP_USER" 3
pm_config home
mkdir -p "$MAIL_ROOT/home"
notmuch new >>"$T/log" 2>&1
state=$HOME/.local/state/popmuch/home

# The TUI runs in $T (tui_start), so run the CLI there too: a relative
# path would name $T/rel-state for all three.
cd "$T" || t_bail "cannot cd to $T"
export XDG_STATE_HOME=rel-state
decoy=$T/rel-state/popmuch/home/last-run
mkdir -p "$(dirname "$decoy")"
printf 'time 1\nstatus DECOY\nfetched 99\n' >"$decoy"

run_pm -C "$PM_CONFIG" fetch
t_rc "fetch with a relative XDG_STATE_HOME: exit 0" 0
t_ok "fetch: journal under ~/.local/state" test -s "$state/journal"
t_like "fetch: last-run under ~/.local/state" "$(cat "$state/last-run")" \
	'status OK'
t_is "fetch: the planted last-run untouched" "$(sed -n 2p "$decoy")" \
	"status DECOY"
t_ok "fetch: nothing else under the relative path" \
	test "$(ls "$T/rel-state/popmuch/home")" = last-run
t_is "last-run is mode 0600" "$(stat -c %a "$state/last-run")" 600

run_pm -C "$PM_CONFIG" status home
t_rc "status: exit 0" 0
t_like "status reads the same last-run" "$(cat "$T/out")" \
	'last run: .*, OK'
t_like "status: the same journal" "$(cat "$T/out")" 'delivered: *3 in '
t_unlike "status: not the planted one" "$(cat "$T/out")" 'DECOY'

tui_start -C "$PM_CONFIG"
t_screen "the TUI opens" 'popmuch: inbox'
tui_keys A
t_screen "the TUI reads the same last-run" \
	'last fetch [0-9-]+ [0-9:]+: OK, 3 fetched, 3 deleted'
t_unlike "the TUI: not the planted one" "$(tui_screen)" DECOY
tui_keys q q
t_ok "q quits" tui_exited 20
t_ok "no sanitizer reports" tui_sanitizers_clean
t_done
