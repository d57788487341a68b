#!/bin/bash
# t-tui-nav.sh: G and g on a list longer than what is loaded: the end is
# shown at once (loaded from the end, not row by row on the way), in
# notmuch's order, and the top and the end join into the right list.
. "$TOP_SRCDIR/tests/integration/lib.sh"
. "$TOP_SRCDIR/tests/tui/tuilib.sh"

command -v tmux >/dev/null || { echo "1..0 # SKIP no tmux"; exit 0; }
# 300 threads "nav-NNN", thread i started at hour i; every 10th has a
# reply newer than every start, so it sorts to the top (newest first)
tui_local_mail <<'EOF_PY'
def msg(name, mid, subj, date, parent=None):
    threadmsg.write(d, name, mid, "Nav Tester <nav@example.org>", subj,
                    date, parent)
for i in range(300):
    msg("r%03d" % i, "nav-%03d@t" % i, "nav-%03d" % i, base + i * 3600)
    if i % 10 == 0:
        msg("a%03d" % i, "re-%03d@t" % i, "Re: nav-%03d" % i,
            base + (300 + i) * 3600, "nav-%03d@t" % i)
EOF_PY

# the nav numbers in notmuch's order (newest first), one a line
notmuch search --sort=newest-first --output=summary subject:nav |
	grep -o 'nav-[0-9]*' | sed 's/nav-//' >"$T/want.threads"
notmuch search --sort=newest-first --output=messages subject:nav |
	sed 's/^id://; s/@t$//; s/^[a-z]*-//' >"$T/want.messages"
# the nav numbers on the screen, top to bottom
shown() { tui_screen | sed -n '2,$p' | grep -o 'nav-[0-9]*' | sed 's/nav-//'; }
# is the screen's sequence (at least 20 rows) a run of the wanted list?
is_run()
{
	local got all
	got=$(shown | tr '\n' ' ')
	all=" $(tr '\n' ' ' <"$1")"
	[ "$(shown | wc -l)" -ge 20 ] || return 1
	case $all in
	*" $got"*) return 0 ;;
	esac
	return 1
}
ends_list() { [ "$(shown | tail -1)" = "$(tail -1 "$1")" ]; }
ends_threads() { ends_list "$T/want.threads"; }
ends_messages() { ends_list "$T/want.messages"; }

tui_start -C "$PM_CONFIG"
t_screen "the inbox opens" 'popmuch: inbox'
tui_keys /
tui_type 'subject:nav'
# G with Enter: it must reach a list still loading (a fast build loads
# all 300 threads in the background before a G sent later arrives)
tui_keys Enter G
t_screen "the search list opens" 'popmuch: subject:nav +\[[0-9]+\+ threads\]'
t_ok "G: the last row is the last of notmuch's list" \
	tui_poll ends_threads 10
t_like "G did not load every row on the way (the count is still open)" \
	"$(tui_screen | head -1)" 'popmuch: subject:nav +\[[0-9]+\+ threads\]'

t_ok "G: the screen is the end of notmuch's list, in order" \
	is_run "$T/want.threads"
tui_keys PageUp PageUp PageUp PageUp
sleep 0.5
t_ok "four pages up: still a run of notmuch's list (the end grew)" \
	is_run "$T/want.threads"
t_ok "no placeholder row" eval '! tui_screen | grep -q "^  \.\.\."'
tui_keys g
starts_threads() { [ "$(shown | head -1)" = "$(head -1 "$T/want.threads")" ]; }
t_ok "g: the first row is notmuch's first" tui_poll starts_threads 10
# the top loads on in the background until it meets the end
t_screen "the top met the end: the exact count" \
	'popmuch: subject:nav +\[300 threads\]' 20
tui_keys G
t_ok "G again: the last row" tui_poll ends_threads 10
tui_keys PageUp PageUp
sleep 0.3
t_ok "the joined list is notmuch's" is_run "$T/want.threads"

tui_keys t
t_screen "messages" 'popmuch: subject:nav +\[[0-9]+\+? messages\]'
tui_keys G
t_ok "messages, G: the last row is the oldest message" \
	tui_poll ends_messages 10
t_screen "the message count is exact at once" \
	'popmuch: subject:nav +\[330 messages\]'
tui_keys PageUp
sleep 0.3
t_ok "a page up: a run of notmuch's messages" is_run "$T/want.messages"
tui_keys q
t_screen "back on the inbox" 'popmuch: inbox'
tui_stop

# ---- Tab: the next unread thread / message ----------------------------------
notmuch tag -unread -- subject:nav and not subject:nav-285 and \
	not subject:nav-150 >>"$T/log" 2>&1
t_is "the search history is kept in \$XDG_STATE_HOME" \
	"$(cat "$XDG_STATE_HOME/popmuch/history")" "subject:nav"
t_is "mode 0600" "$(stat -c %a "$XDG_STATE_HOME/popmuch/history")" 600
tui_start -C "$PM_CONFIG"
t_screen "the inbox opens" 'popmuch: inbox'
tui_keys / Up
t_screen "Up in a new run: the last run's query" '^search: subject:nav'
tui_keys Enter
t_screen "the search list" 'popmuch: subject:nav'
tui_keys Tab Enter
t_screen "Tab: the first unread thread (replied: near the top)" \
	'popmuch: thread +\[2 messages\] +nav-150'
tui_keys q Tab Enter
t_screen "Tab again: the next one, past the read threads" \
	'popmuch: thread +\[1 message\] +nav-285'
tui_keys q Tab
t_screen "then none" 'no more unread threads'

# ---- T: tag every message of the search --------------------------------------
notmuch tag +deleted -- id:nav-001@t >>"$T/log" 2>&1
tui_keys T
t_screen "T: the prompt" '^tag every message of the search'
tui_type '+pmall -pmnone'
tui_keys Enter
count_is() { [ "$(notmuch count "$1")" = "$2" ]; }
pmall_329() { count_is tag:pmall 329; }
t_ok "every message the search shows is tagged (329: not the deleted one)" \
	tui_poll pmall_329 20
t_is "the excluded (deleted) message is left alone" \
	"$(notmuch count tag:pmall and id:nav-001@t)" 0
tui_done
