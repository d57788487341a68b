#!/bin/bash
# t-tui-read.sh: read, search, save an attachment, tag, resize and quit,
# offline, by driving the real binary in tmux.
. "$TOP_SRCDIR/tests/integration/lib.sh"
. "$TOP_SRCDIR/tests/tui/tuilib.sh"

command -v tmux >/dev/null || { echo "1..0 # SKIP no tmux"; exit 0; }
tui_local_world
pm_config local

count() { notmuch count "$1" 2>/dev/null; }
# Poll notmuch until count(query) is want (tagging is asynchronous).
count_is()
{
	local name=$1 query=$2 want=$3 i=0 got
	while [ $i -lt 100 ]; do
		got=$(count "$query")
		[ "$got" = "$want" ] && break
		sleep 0.1
		i=$((i + 1))
	done
	t_is "$name" "$got" "$want"
}

tui_start -C "$PM_CONFIG"
t_screen "the inbox opens" 'popmuch: inbox .*threads'
t_screen "decoded subject in the list" 'Grüße aus Köln'
t_screen "wide subject in the list" '日本語のテスト wide'
t_screen "status bar hints" '\? help'

# wide characters do not push the columns: the subject column starts at
# the same terminal column on the CJK row and on a Latin row
w1=$(tui_screen | tui_column '日本語のテスト')
w2=$(tui_screen | tui_column 'Grüße aus Köln')
t_is "columns align after a wide author" "$w1" "$w2"

tui_keys /
t_screen "search prompt" 'search:'
tui_type 'subject:Köln'
tui_keys Enter
t_screen "search results" 'popmuch: subject:Köln +\[1 thread\]'

tui_keys Enter
t_screen "thread view" 'popmuch: thread +\[1 message\]'
t_screen "thread view shows the author" 'Jörg Müller'
tui_keys Enter
t_screen "message headers decoded" '^Subject: Grüße aus Köln'
t_screen "From decoded" '^From: Jörg Müller <joerg@example.org>'
t_screen "quoted-printable UTF-8 body decoded, soft break joined" \
	'Schöne Grüße, the body is quoted-printable UTF-8 — with a soft'
t_screen "attachment listed" 'attachment 3: data.bin \(application/octet-stream, 1287 bytes\)'
count_is "opening the message marks it read" \
	'id:qp-attach@popmuch.test and tag:unread' 0

tui_keys h
t_screen "h shows every header" '^Message-ID: <qp-attach@popmuch.test>'
tui_keys h V
t_screen "V shows the raw message" 'Content-Transfer-Encoding: base64'
tui_keys V

tui_keys v
t_screen "attachment list" 'application/octet-stream +data.bin +1287 bytes'
tui_keys s
t_screen "save prompt" 'save to: .*/data.bin'
tui_keys C-u
tui_type "$T/saved.bin"
tui_keys Enter
t_screen "saved message" "saved $T/saved.bin"
t_cmp "saved attachment has the same bytes" "$T/attach.bin" "$T/saved.bin"

tui_keys q q q
t_screen "back at the search results" 'popmuch: subject:Köln'
tui_keys +
t_screen "tag prompt" 'add tags:'
tui_type 'pmtesttag'
tui_keys Enter
t_screen "new tag shows in the list" 'Grüße aus Köln.*pmtesttag'
count_is "+ tags the thread in notmuch" 'tag:pmtesttag' 1
tui_keys -
t_screen "untag prompt" 'remove tags:'
tui_type 'pmtest'
tui_keys Tab
t_screen "Tab completes the tag" 'remove tags: pmtesttag'
tui_keys Enter
count_is "- removes it" 'tag:pmtesttag' 0
tui_keys '*'
count_is "* flags" 'tag:flagged and id:qp-attach@popmuch.test' 1
tui_keys '*'
count_is "* again unflags" 'tag:flagged and id:qp-attach@popmuch.test' 0

tui_keys q
t_screen "q goes back to the inbox" 'popmuch: inbox '
tui_keys '?'
t_screen "help lists the keys of the list" 'toggle threads / messages'
tui_keys G # the list's keys fill more than a screen
t_screen "help lists global keys" 'fetch all accounts'
tui_keys q

tui_tmux resize-window -t 0 -x 80 -y 24
t_screen "80x24 redraws" '^popmuch: inbox '
t_is "80 columns" "$(tui_screen | wc -L)" 80
# The status line is the 24th row once the redraw is complete (poll: the
# title may be drawn a moment before it).
status_on_row_24() { tui_screen | sed -n 24p | grep -q 'help'; }
t_ok "status line at the bottom of 24 rows" tui_poll status_on_row_24 10
tui_tmux resize-window -t 0 -x 50 -y 12
t_screen "narrow terminal still shows the list" 'Grüße aus K'

tui_keys q
t_ok "q quits" tui_exited 20
tui_done
