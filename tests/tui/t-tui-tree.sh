#!/bin/bash
# t-tui-tree.sh: the thread view as a reply tree (drawn as notmuch-tree
# and alot draw it), z folds and unfolds a subthread, e shows the "(not
# matching)" messages in full, J opens the next unread thread.
. "$TOP_SRCDIR/tests/integration/lib.sh"
. "$TOP_SRCDIR/tests/tui/tuilib.sh"

command -v tmux >/dev/null || { echo "1..0 # SKIP no tmux"; exit 0; }
# treetest: root <- (Alice <- Anne), root <- Bob; three more threads
# "other-N" for J, of which other-1 and other-3 are unread
tui_local_mail <<'EOF_PY'
def msg(name, mid, who, subj, date, parent=None, refs=""):
    frm = "%s <%s@example.org>" % (who, who.split()[0].lower())
    threadmsg.write(d, name, mid, frm, subj, date, parent, refs,
                    "body of %s\n" % mid)
msg("t1", "root@t", "Root Person", "treetest", base)
msg("t2", "a@t", "Alice Ay", "Re: treetest", base + 60, "root@t")
msg("t3", "a1@t", "Anne Ayone", "Re: treetest", base + 120, "a@t",
    "<root@t> ")
msg("t4", "b@t", "Bob Bee", "Re: treetest about bees", base + 180, "root@t")
for i in range(1, 4):
    msg("o%d" % i, "other-%d@t" % i, "Other Sender", "other-%d" % i,
        base - i * 3600)
EOF_PY
notmuch tag -unread -- subject:other-2 >>"$T/log" 2>&1

tui_start -C "$PM_CONFIG"
t_screen "the inbox opens" 'popmuch: inbox'
tui_keys /
tui_type 'subject:treetest'
tui_keys Enter
t_screen "the search list" 'popmuch: subject:treetest +\[1 thread\]'
tui_keys Enter
t_screen "the thread view" 'popmuch: thread +\[4 messages\]'
# the rows in tree order with their drawing
tree=$(tui_screen | sed -n '2,5p' | sed 's/^.\{13\}//; s/ *(.*//')
t_like "the root has no connector" "$(tui_screen | sed -n 2p)" \
	'^. +[^ ]+ +Root Person'
t_like "Alice: a reply with a later sibling (├─)" "$tree" \
	$'├─Alice Ay'
t_like "Anne: under Alice, whose sibling follows (│ └─)" "$tree" \
	$'│ └─Anne Ayone'
t_like "Bob: the last reply (└─)" "$tree" $'\n└─Bob Bee'

tui_keys '?'
t_screen "? lists the thread's keys: z" '^  z +fold or unfold the replies'
t_screen "e" '^  e +show the \(not matching\) messages in full'
t_screen "J" '^  J +open the next unread thread of the list'
tui_keys q
# ---- z: fold the subthread under the selection -------------------------------
tui_keys g j z
t_screen "z: Alice's subthread is folded, the count shown" \
	'Alice Ay +\[\+1\] Re: treetest'
t_ok "Anne's row is hidden" tui_gone 'Anne Ayone' 5
t_screen "the title still counts every message" 'thread +\[4 messages\]'
tui_keys j
tui_keys Enter
t_screen "j after the fold goes to Bob (the next visible row)" \
	'^Subject: Re: treetest about bees'
tui_keys q
t_screen "back in the thread, still folded" 'Alice Ay +\[\+1\]'
tui_keys k z
t_screen "z again unfolds" $'│ └─Anne Ayone'
tui_keys g z
t_screen "z on the root folds the whole thread" 'Root Person +\[\+3\]'
tui_keys z
t_screen "and unfolds it" $'└─Bob Bee'
tui_keys G z
t_screen "z on a message without replies says so" 'no replies to fold'
tui_keys q q

# ---- e: expand the (not matching) rows --------------------------------------
tui_keys /
tui_type 'from:bob'
tui_keys Enter
t_screen "from:bob: one thread" 'popmuch: from:bob +\[1 thread\]'
tui_keys Enter
t_screen "the other messages are (not matching)" \
	'Alice Ay +\(not matching\)'
tui_keys e
t_screen "e: shown in full (subject and tags)" \
	'Alice Ay +Re: treetest \(inbox'
t_ok "the tree is still drawn" eval "tui_screen | grep -q '│ └─Anne Ayone  *Re: treetest'"
tui_keys e
t_screen "e again: collapsed again" 'Anne Ayone +\(not matching\)'
tui_keys q q

# ---- J: the next unread thread of the list ----------------------------------
tui_keys /
tui_type 'subject:treetest or subject:other'
tui_keys Enter
t_screen "the list: four threads" 'popmuch: subject:treetest or subject:other +\[4 threads\]'
tui_keys Enter
t_screen "the first thread" 'popmuch: thread +\[4 messages\] +treetest'
tui_keys J
t_screen "J in a thread: the next unread thread opens" \
	'popmuch: thread +\[1 message\] +other-1'
tui_keys Enter
t_screen "its message" '^Subject: other-1'
tui_keys J
t_screen "J in a message: past the read other-2, other-3 opens" \
	'popmuch: thread +\[1 message\] +other-3'
tui_keys J
t_screen "then none: said so" 'no more unread threads'
t_screen "and other-3 stays open" 'popmuch: thread +\[1 message\] +other-3'
tui_keys q
t_screen "q: back on the list, other-3 selected" 'popmuch: subject:treetest or subject:other'
tui_keys q

tui_done
