#!/bin/bash
# t-tui-tagging.sh: marks (v, V) and tag actions on every marked row at
# once; U undoes the last tag change exactly (messages that had the tag
# before keep it); a (and every tag action on a thread row) tags only
# the messages the thread had when the list first showed it.
. "$TOP_SRCDIR/tests/integration/lib.sh"
. "$TOP_SRCDIR/tests/tui/tuilib.sh"

command -v tmux >/dev/null || { echo "1..0 # SKIP no tmux"; exit 0; }
# threads mk-1 .. mk-4 (mk-1 newest), mk-2 with a reply; st-1 alone
tui_local_mail <<'EOF_PY'
def msg(name, mid, subj, date, parent=None):
    threadmsg.write(d, name, mid, "Mark Tester <mk@example.org>", subj,
                    date, parent)
for i in range(1, 5):
    msg("m%d" % i, "mk-%d@t" % i, "mk-%d" % i, base - i * 3600)
msg("m2r", "mk-2r@t", "Re: mk-2", base - 2 * 3600 + 60, "mk-2@t")
msg("s1", "st-1@t", "st-1", base - 10 * 3600)
for i, who in ((1, "Alice One <alice.one@example.org>"),
               (2, "Alice Two <alice.two@example.org>")):
    threadmsg.write(d, "c%d" % i, "cmp-%d@t" % i, who, "cmp-%d" % i,
                    base - 20 * 3600)
EOF_PY
notmuch tag +pmcomplete-unique +pmx-alpha -- id:cmp-1@t >>"$T/log" 2>&1
notmuch tag +pmx-beta -- id:cmp-2@t >>"$T/log" 2>&1
count_is() { [ "$(notmuch count "$1")" = "$2" ]; }

tui_start -C "$PM_CONFIG"
t_screen "the inbox opens" 'popmuch: inbox'
tui_keys /
tui_type 'subject:mk'
tui_keys Enter
t_screen "the list" 'popmuch: subject:mk +\[4 threads\]'

# ---- v marks, tag actions apply to every marked row ------------------------
tui_keys v
t_screen "v marks the row and moves down" \
	'popmuch: subject:mk +\[4 threads, 1 marked\]'
t_like "the marked row shows #" "$(tui_screen | sed -n 2p)" '^#'
tui_keys j v
t_screen "two marked" '\[4 threads, 2 marked\]'
t_like "the third row is marked" "$(tui_screen | sed -n 4p)" '^#.*mk-3'
t_like "the second is not" "$(tui_screen | sed -n 3p)" '^ .*mk-2'
tui_keys +
t_screen "+ on marks: the prompt says so" '^add tags to the marked:'
tui_type 'pmmark'
tui_keys Enter
marked_tagged() { count_is tag:pmmark 2; }
t_ok "both marked threads are tagged, in one go" tui_poll marked_tagged 10
t_is "only them" "$(notmuch search --output=messages tag:pmmark | sort | tr '\n' ' ')" \
	"id:mk-1@t id:mk-3@t "
t_screen "the status says how many" 'tagged 2 marked threads: \+pmmark'
t_screen "the marks are cleared after the change" '\[4 threads\]'
tui_keys g v v V
t_screen "V unmarks every row" '\[4 threads\]  subject:mk'
tui_keys V
t_screen "V with nothing marked says so" 'nothing is marked'

# ---- U: undo ---------------------------------------------------------------
# mk-4 had pmall before: after T +pmall and U it must keep it
notmuch tag +pmall -- id:mk-4@t >>"$T/log" 2>&1
tui_keys T
t_screen "T: the prompt" '^tag every message of the search'
tui_type '+pmall'
tui_keys Enter
all_tagged() { count_is tag:pmall 5; }
t_ok "T tagged every message" tui_poll all_tagged 10
tui_keys U
t_screen "U: undone, said so" 'undone: \+pmall'
undone_all() { count_is tag:pmall 1; }
t_ok "U removed the tag it added" tui_poll undone_all 10
t_is "and left it on the message that had it before" \
	"$(notmuch count tag:pmall and id:mk-4@t)" 1
tui_keys U
t_screen "U again: the change before (the marks' +pmmark)" \
	'undone: \+pmmark'
unmarked() { count_is tag:pmmark 0; }
t_ok "its tag is gone too" tui_poll unmarked 10
tui_keys g a
archived() { count_is 'id:mk-1@t and tag:inbox' 0; }
t_ok "a archives" tui_poll archived 10
tui_keys U
unarchived() { count_is 'id:mk-1@t and tag:inbox' 1; }
t_ok "U brings the inbox tag back" tui_poll unarchived 10
tui_keys U U U
t_screen "nothing left to undo" 'no tag change to undo'
tui_keys g Enter Enter
t_screen "a message opens (and is marked read)" '^Subject: mk-1'
read_1() { count_is 'id:mk-1@t and tag:unread' 0; }
t_ok "opening marked it read" tui_poll read_1 10
tui_keys U
t_screen "U in the message: undone" 'undone: -unread'
unread_1() { count_is 'id:mk-1@t and tag:unread' 1; }
t_ok "the message is unread again" tui_poll unread_1 10
tui_keys q q
# U while the change still waits for the write lock: undone once saved
nm_hold_lock
holder=$NM_HOLDER
tui_keys G '*'
tui_keys U
t_screen "U before the change is saved: it waits" \
	'undo: once the tag change is saved'
kill "$holder"
wait "$holder" 2>/dev/null
t_screen "then the change is undone" 'undone: \+flagged' 10
not_flagged() { count_is 'id:mk-4@t and tag:flagged' 0; }
t_ok "mk-4 is not flagged in the end" tui_poll not_flagged 10
tui_keys q

# ---- marks in a thread ------------------------------------------------------
tui_keys /
tui_type 'subject:mk-2'
tui_keys Enter
t_screen "mk-2's list" 'subject:mk-2 +\[1 thread\]'
tui_keys Enter
t_screen "its thread" 'popmuch: thread +\[2 messages\]'
tui_keys g v
t_screen "a marked message in the thread" 'thread +\[2 messages, 1 marked\]'
tui_keys '*'
flagged() { count_is 'id:mk-2@t and tag:flagged' 1; }
t_ok "* on the marked message flags it" tui_poll flagged 10
t_is "only it" "$(notmuch count tag:flagged)" 1
tui_keys q q

# ---- a: only the messages the thread had when the list showed it -----------
tui_keys /
tui_type 'subject:st-1'
tui_keys Enter
t_screen "st-1: one message" 'popmuch: subject:st-1 +\[1 thread\]'
t_screen "[1]" '\[1\] +Mark Tester'
# a reply arrives while the list is open; the list reloads and shows it
cat >"$md/new/s1r" <<'EOF_MSG'
From: Late Replier <late@example.org>
To: t@example.org
Subject: Re: st-1
Date: Tue, 14 Nov 2023 23:00:00 +0000
Message-ID: <st-1r@t>
In-Reply-To: <st-1@t>
References: <st-1@t>

a late reply
EOF_MSG
notmuch new >>"$T/log" 2>&1
t_screen "the reply shows in the list ([2])" '\[2\] +(Mark Tester|Late Replier)' 10
tui_keys a
first_archived() { count_is 'id:st-1@t and tag:inbox' 0; }
t_ok "a archived the message the list had loaded" tui_poll first_archived 10
sleep 1
t_is "the reply that arrived later keeps its inbox tag" \
	"$(notmuch count 'id:st-1r@t and tag:inbox')" 1
tui_keys q
tui_keys /
tui_type 'subject:st-1'
tui_keys Enter
t_screen "a new search" 'popmuch: subject:st-1 +\[1 thread\]'
tui_keys a
both_archived() { count_is 'subject:st-1 and tag:inbox' 0; }
t_ok "a on a freshly loaded list archives the reply too" \
	tui_poll both_archived 10
tui_keys q
t_screen "back on the inbox" 'popmuch: inbox'

# ---- Tab completion in the prompts ------------------------------------------
tui_keys /
tui_type 'subj'
tui_keys Tab
t_screen "a query prefix completes" '^search: subject:$'
tui_type 'cmp-1 and tag:pmcomp'
tui_keys Tab
t_screen "tag: completes a tag name" \
	'^search: subject:cmp-1 and tag:pmcomplete-unique$'
tui_keys C-u
tui_type 'from:mark'
tui_keys Tab
t_screen "from: completes an address (matched by its name)" \
	'^search: from:mk@example\.org$'
tui_keys C-u
tui_type 'from:ali'
tui_keys Tab
t_screen "two addresses: their common start" '^search: from:alice\.$'
t_screen "and both listed above the prompt" \
	'^2 completions: alice\.(one|two)@example\.org alice\.(one|two)@example\.org'
tui_type 't'
tui_keys Tab
t_screen "one more letter: the address" \
	'^search: from:alice\.two@example\.org$'
tui_keys C-u
tui_type 'to:t@'
tui_keys Tab
t_screen "to: completes a recipient" '^search: to:t@example\.org$'
tui_keys C-u
tui_type 'from:alice.two@example.org'
tui_keys Enter
t_screen "the completed query runs" 'popmuch: from:alice\.two@example\.org +\[1 thread\]'
tui_keys +
t_screen "the tag prompt" '^add tags:'
tui_type 'pmx-'
tui_keys Tab
t_screen "a tag prompt lists the tags that start so" \
	'^2 completions: pmx-alpha pmx-beta'
tui_type 'b'
tui_keys Tab
t_screen "and completes the one" '^add tags: pmx-beta$'
tui_keys Escape
tui_keys q

tui_done
