# tuilib.sh: driving popmuch in tmux for the TUI tests (sourced after
# tests/integration/lib.sh, which gives pm_world, T and the TAP helpers).
#
#   tui_start [ARGS...]     start popmuch ARGS in a detached 100x30 pane
#                           (TUI_ENV="NAME=VALUE ..." adds to its environment)
#   tui_keys KEY...         tmux send-keys (names as tmux knows them)
#   tui_type TEXT           send TEXT literally
#   tui_wait ERE [SECONDS]  poll the screen until it matches (default 20 s)
#   tui_gone ERE [SECONDS]  poll until the screen no longer matches
#   t_screen NAME ERE [S]   TAP test: the screen comes to match ERE
#   tui_screen              print the screen
#   tui_exited [SECONDS]    wait until popmuch has exited
#   tui_stop                kill the tmux server
#   tui_done [STATUS]       end of a TUI test: stop popmuch if it still
#                           runs (SIGTERM, a clean quit), check its exit
#                           status (default 0) and that no crash or
#                           sanitizer report happened; then t_done
#
# Every TUI test ends with tui_done: a crash, a signal, a sanitizer
# report (ASan/UBSan/LSan, in its log_path files, in tui.err or in
# $XDG_STATE_HOME/popmuch/tui.log, where stderr goes while curses runs)
# fails the test loudly, with the report shown.

TUI_SOCK=popmuchtest-$$

tui_tmux()
{
	tmux -L "$TUI_SOCK" -f /dev/null "$@"
}

tui_start()
{
	local cmd q a
	local -a extra=()

	command -v tmux >/dev/null || t_bail "tmux is not installed"
	# a fresh server each time: one just killed may still hold its
	# socket for a moment (seen on a loaded machine)
	tui_stop
	_tui_n=$((${_tui_n:-0} + 1))
	TUI_SOCK=popmuchtest-$$-$_tui_n
	# TUI_ENV through env(1): tmux's -e does not reach the pane's
	# command reliably (PATH, for one, came out as the server's)
	cmd="cd '$T' && env"
	for a in ${TUI_ENV:-}; do
		q=$(printf '%s' "$a" | sed "s/'/'\\\\''/g")
		cmd="$cmd '$q'"
	done
	cmd="$cmd /bin/sh -c 'echo \$\$ >tui.pid; exec \"\$0\" \"\$@\"'"
	for a in "$POPMUCH" "$@"; do
		q=$(printf '%s' "$a" | sed "s/'/'\\\\''/g")
		cmd="$cmd '$q'"
	done
	cmd="$cmd 2>'$T/tui.err'; echo \"popmuch exited \$?\" >'$T/tui.exit'; exec sleep 600"
	rm -f "$T/tui.exit" "$T/tui.pid"
	_tui_started=1
	for a in ${TUI_ENV:-}; do
		extra+=(-e "$a")
	done
	tui_tmux new-session -d -x "${TUI_COLS:-100}" -y "${TUI_ROWS:-30}" \
		-e "HOME=$HOME" -e "XDG_CONFIG_HOME=$XDG_CONFIG_HOME" \
		-e "XDG_STATE_HOME=$XDG_STATE_HOME" \
		-e "NOTMUCH_CONFIG=$NOTMUCH_CONFIG" -e "TZ=UTC" \
		-e "LANG=C.UTF-8" -e "LC_ALL=C.UTF-8" -e "TERM=screen-256color" \
		-e "ASAN_OPTIONS=${ASAN_OPTIONS:-}:log_path=$T/asan" \
		-e "UBSAN_OPTIONS=${UBSAN_OPTIONS:-}:print_stacktrace=1:log_path=$T/ubsan" \
		"${extra[@]}" "$cmd"
	[ "$_tui_n" = 1 ] && pm_at_exit tui_stop
}

tui_stop()
{
	tui_tmux kill-server 2>/dev/null
	return 0
}

tui_keys()
{
	tui_tmux send-keys -t 0 "$@"
}

tui_type()
{
	tui_tmux send-keys -t 0 -l "$1"
}

tui_screen()
{
	tui_tmux capture-pane -p -t 0
}

# The screen with its attributes as escape sequences.
tui_screen_escapes()
{
	tui_tmux capture-pane -p -e -t 0
}

# Poll (every 0.1 s) until the screen matches ERE; on timeout print the
# screen as a TAP comment and fail.
tui_wait()
{
	local ere=$1 secs=${2:-20} i=0

	while [ $i -lt $((secs * 10)) ]; do
		tui_screen | grep -Eq -- "$ere" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# tui_poll CMD [SECONDS]: poll (every 0.1 s) until CMD succeeds.
tui_poll()
{
	local cmd=$1 secs=${2:-20} i=0

	while [ $i -lt $((secs * 10)) ]; do
		"$cmd" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# t_screen NAME ERE [SECONDS]: a TAP test that the screen comes to match
# ERE; on failure the screen is shown as TAP comments.
t_screen()
{
	if tui_wait "$2" "${3:-20}"; then
		t_pass "$1"
		return 0
	fi
	t_fail "$1" "screen did not show /$2/:" "$(tui_screen | sed 's/^/|/')"
	[ -s "$T/tui.err" ] && sed 's/^/# stderr: /' "$T/tui.err"
	return 1
}

tui_gone()
{
	local ere=$1 secs=${2:-20} i=0

	while [ $i -lt $((secs * 10)) ]; do
		tui_screen | grep -Eq -- "$ere" || return 0
		sleep 0.1
		i=$((i + 1))
	done
	echo "# screen still shows /$ere/ after $secs s"
	return 1
}

tui_exited()
{
	local secs=${1:-20} i=0

	while [ $i -lt $((secs * 10)) ]; do
		[ -s "$T/tui.exit" ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# tui_column TEXT: the terminal column (0-based, wide characters count
# two) where TEXT starts on the first line of stdin that holds it.
tui_column()
{
	"${PM_PYTHON:-python3}" -c '
import sys, unicodedata
t = sys.argv[1]
for line in sys.stdin:
    i = line.find(t)
    if i >= 0:
        print(sum(2 if unicodedata.east_asian_width(c) in "WF" else
                  0 if unicodedata.combining(c) else 1 for c in line[:i]))
        break
' "$1"
}

# The files a sanitizer or a crash may have written to.
_tui_report_files()
{
	ls "$T"/asan* "$T"/ubsan* "$T/tui.err" \
		"$XDG_STATE_HOME/popmuch/tui.log" 2>/dev/null
}

_TUI_REPORT_ERE='Sanitizer|-CRITICAL \*\*|runtime error:|^==[0-9]+==|SEGV|Segmentation fault|core dumped|fatal signal'

# No sanitizer or crash report was written by any popmuch process.
tui_sanitizers_clean()
{
	local f

	for f in $(_tui_report_files); do
		case $f in
		"$T"/asan* | "$T"/ubsan*) return 1 ;;
		esac
		grep -Eq -- "$_TUI_REPORT_ERE" "$f" && return 1
	done
	return 0
}

# Print the reports as TAP comments.
_tui_show_reports()
{
	local f

	for f in $(_tui_report_files); do
		[ -s "$f" ] || continue
		echo "# --- $f:"
		sed -n '1,60s/^/#   /p' "$f"
	done
}

# tui_done [STATUS]: see the top of this file.
tui_done()
{
	local want=${1:-0} pid got

	if [ -n "${_tui_started:-}" ]; then
		if [ ! -s "$T/tui.exit" ]; then
			pid=$(cat "$T/tui.pid" 2>/dev/null)
			[ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null
			tui_exited 20
		fi
		got=$(cat "$T/tui.exit" 2>/dev/null)
		if [ "$got" = "popmuch exited $want" ]; then
			t_pass "popmuch exited with status $want"
		else
			t_fail "popmuch exited with status $want" \
				"got: ${got:-still running} (128+N: signal N)"
			_tui_show_reports
		fi
	fi
	if tui_sanitizers_clean; then
		t_pass "no crash or sanitizer report"
	else
		t_fail "no crash or sanitizer report"
		_tui_show_reports
	fi
	t_done
}

# tui_open_query QUERY: search for QUERY (one thread) and open its first
# message (the screen shows its headers).
tui_open_query()
{
	tui_keys /
	tui_wait 'search:' 5
	local ere

	ere=$(printf '%s' "$1" | sed 's/[][\.*^$+?(){}|/]/\\&/g')
	tui_type "$1"
	tui_keys Enter
	tui_wait "popmuch: $ere +\\[1 thread\\]" 10
	tui_keys Enter
	tui_wait 'popmuch: thread' 10
	tui_keys Enter
	tui_wait '^(Subject|From):' 10
}

# tui_local_world: a private world (pm_world) whose notmuch database holds
# a local Maildir $md ($MAIL_ROOT/local) with the default corpus and the
# messages of mkmsg.py; the attachment's original bytes are $T/attach.bin.
tui_local_world()
{
	local f i=0

	pm_world
	md=$MAIL_ROOT/local
	mkdir -p "$md/cur" "$md/new" "$md/tmp"
	for f in "$PM_DATA"/corpus/default/*.eml; do
		i=$((i + 1))
		cp "$f" "$md/new/corpus.$i"
	done
	"$PM_PYTHON" "$TOP_SRCDIR/tests/tui/mkmsg.py" "$md/new" ||
		t_bail "cannot write the test messages"
	mv "$md/attach.bin" "$T/attach.bin"
	notmuch new >>"$T/log" 2>&1 || t_bail "notmuch new failed"
}

# tui_local_mail: a world (pm_world) whose account "local" has the
# Maildir $md ($MAIL_ROOT/local) holding what the Python on stdin
# writes, indexed by notmuch.  The Python runs with d (the Maildir's
# new/), base (1700000000) and threadmsg (tests/tui/threadmsg.py).
tui_local_mail()
{
	pm_world
	md=$MAIL_ROOT/local
	mkdir -p "$md/cur" "$md/new" "$md/tmp"
	{
		printf '%s\n' 'import sys' 'sys.path.insert(0, sys.argv[2])' \
			'import threadmsg' 'd = sys.argv[1]' 'base = 1700000000'
		cat
	} | "$PM_PYTHON" - "$md/new" "$TOP_SRCDIR/tests/tui" >>"$T/log" 2>&1 ||
		t_bail "writing the test messages failed" "$(tail -n 5 "$T/log")"
	notmuch new >>"$T/log" 2>&1 || t_bail "notmuch new failed"
	pm_config local
}
