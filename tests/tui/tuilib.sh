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

TUI_SOCK=popmuchtest-$$

tui_tmux()
{
	"${TUI_TMUX:-tmux}" -L "$TUI_SOCK" -f /dev/null "$@"
}

tui_start()
{
	local cmd q a path=$PATH
	local -a extra=()

	TUI_TMUX=$(command -v tmux) || t_bail "tmux is not installed"
	cmd="cd '$T' &&"
	for a in "$POPMUCH" "$@"; do
		q=$(printf '%s' "$a" | sed "s/'/'\\\\''/g")
		cmd="$cmd '$q'"
	done
	cmd="$cmd 2>'$T/tui.err'; echo \"popmuch exited \$?\" >'$T/tui.exit'; exec sleep 600"
	rm -f "$T/tui.exit"
	for a in ${TUI_ENV:-}; do
		extra+=(-e "$a")
		# tmux 3.3 gives a session that a client starts the client's
		# PATH, whatever -e says: so PATH goes to the client
		case $a in PATH=*) path=${a#PATH=} ;; esac
	done
	PATH=$path tui_tmux new-session -d -x "${TUI_COLS:-100}" -y "${TUI_ROWS:-30}" \
		-e "HOME=$HOME" -e "XDG_CONFIG_HOME=$XDG_CONFIG_HOME" \
		-e "XDG_STATE_HOME=$XDG_STATE_HOME" \
		-e "NOTMUCH_CONFIG=$NOTMUCH_CONFIG" -e "TZ=UTC" \
		-e "LANG=C.UTF-8" -e "LC_ALL=C.UTF-8" -e "TERM=screen-256color" \
		-e "ASAN_OPTIONS=${ASAN_OPTIONS:-}:log_path=$T/asan" \
		-e "UBSAN_OPTIONS=${UBSAN_OPTIONS:-}:log_path=$T/ubsan" \
		"${extra[@]}" "$cmd"
	pm_at_exit tui_stop
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

# No sanitizer report was written by the TUI process.
tui_sanitizers_clean()
{
	! ls "$T"/asan* "$T"/ubsan* >/dev/null 2>&1
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
