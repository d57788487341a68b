#!/bin/bash
# t-index: notmuch indexing rules of the fetch path: the Maildir must lie
# inside notmuch's mail root; a duplicate Message-ID keeps both files on
# one message; new.tags, then the flag tags, then the account's tags
# (which win); maildir flag sync of files already in cur/ is left to
# notmuch; a database whose creation was killed half-way is finished.
. "$(dirname "$0")/lib.sh"

pm_world
dovecot_start

# 1. A Maildir outside the mail root is refused before anything is fetched.
seed_messages pmtest 3
pm_config test "tls on" "tls_trust_file $TLS_CA" "keep off" \
	"delivery maildir $T/elsewhere/test"
run_pm fetch
t_rc "a Maildir outside the mail root: exit 78" 78
t_like "... the error names the mail root" "$(cat "$T/err")" \
	'outside notmuch.s mail root'
t_is "... nothing fetched from the server" "$(server_count pmtest)" 3
t_is "... nothing delivered there" "$(maildir_count "$T/elsewhere/test")" 0

# 2. A Maildir given inside the mail root (not the default name) works.
pm_config test "tls on" "tls_trust_file $TLS_CA" "keep off" \
	"delivery maildir $MAIL_ROOT/sub/box"
run_pm fetch
t_rc "a Maildir elsewhere inside the mail root: exit 0" 0
t_is "... all 3 delivered" "$(maildir_count "$MAIL_ROOT/sub/box")" 3
t_is "... and indexed" "$(notmuch count 'folder:sub/box')" 3

# 3. Two messages with the same Message-ID: both files kept, one message.
dup=$T/dup
mkdir -p "$dup"
for i in 1 2; do
	cat >"$dup/$i.eml" <<EOM
From: Dup Sender <dup@example.org>
To: pmtest@example.org
Subject: duplicate copy $i
Message-ID: <same-id-4711@example.org>
Date: Tue, 24 Nov 2026 10:0$i:00 +0000

copy number $i
EOM
done
seed_corpus pmtest "$dup"
pm_config test "tls on" "tls_trust_file $TLS_CA" "keep off" "tags +dup"
run_pm fetch
t_rc "duplicate Message-ID: exit 0" 0
t_is "... both files delivered" \
	"$(maildir_find_msgid "$MAIL_ROOT/test" same-id-4711@example.org | wc -l)" 2
t_is "... one notmuch message" "$(notmuch count id:same-id-4711@example.org)" 1
t_is "... with both files" \
	"$(notmuch count --output=files id:same-id-4711@example.org)" 2
t_is "... tagged with new.tags and the account's tags" \
	"$(notmuch search --output=tags id:same-id-4711@example.org | sort | tr '\n' ' ')" \
	"dup inbox unread "

# 4. popmuch index with nothing pending is quiet and exits 0.
run_pm index
t_rc "popmuch index with nothing pending: exit 0" 0
t_empty "... silently" "$T/err"

# 5. The account's tags come after new.tags and the flag tags, and win:
# "-unread" leaves a message read though its file (in new/) has no S.
seed_messages pmtest 1
pm_config test "tls on" "tls_trust_file $TLS_CA" "keep off" \
	"delivery maildir $MAIL_ROOT/read" 'tags "+list -unread"'
run_pm fetch
t_rc "an account's tags '+list -unread': exit 0" 0
t_is "... tagged inbox and list, not unread" \
	"$(notmuch search --output=tags folder:read | sort | tr '\n' ' ')" \
	"inbox list "

# 6. A database whose creation was killed half-way: notmuch creates the
# Xapian database, then writes its version; a kill in between (seen in
# t-storm) left one that refused every message ("requires a database
# upgrade", notmuch new too).  popmuch finishes the creation.
rm -rf "$MAIL_ROOT/.notmuch"
mkdir -p "$MAIL_ROOT/.notmuch"
"$PM_PYTHON" -c 'import sys, xapian
xapian.WritableDatabase(sys.argv[1], xapian.DB_CREATE).commit()' \
	"$MAIL_ROOT/.notmuch/xapian"
t_like "an empty Xapian database: notmuch new refuses it" \
	"$(cp "$(seed_file pmtest 1)" "$MAIL_ROOT/sub/box/new/half"; \
		notmuch new 2>&1)" 'requires a database upgrade'
seed_messages pmtest 2
pm_config test "tls on" "tls_trust_file $TLS_CA" "keep off" \
	"delivery maildir $MAIL_ROOT/half"
run_pm fetch
t_rc "popmuch fetch: exit 0" 0
t_empty "... silently" "$T/err"
t_is "... both indexed" "$(notmuch count folder:half)" 2
t_ok "... and notmuch new works again" notmuch new --quiet

t_done
