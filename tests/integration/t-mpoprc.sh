#!/bin/bash
# t-mpoprc: a user of mpop switches: popmuch reads ~/.mpoprc when it has
# no configuration of its own (and says so once), accepts mpop's
# keywords with notes, reports every error of a file in one run, refuses
# to fetch before connecting when notmuch has no configuration, and
# gives the key-ring line when no password is set.
[ -n "${BASH_VERSION:-}" ] || exec /bin/bash "$0" "$@"
. "$(dirname "$0")/lib.sh"

pm_world
dovecot_start
seed_messages "$POP_USER" 3

# ---- ~/.mpoprc without a popmuch config ------------------------------------
(umask 077 && cat >"$HOME/.mpoprc" <<EOF
defaults
tls on
delivery mbox ~/Mail/inbox
account test
host 127.0.0.1
port $POP3_PORT
tls_trust_file $TLS_CA
user $POP_USER
password $POP_PASS
keep on
filter if [ "\`grep "^X-Spam-Status: Yes"\`" ]; then exit 1; else exit 0; fi
account default : test
EOF
)
run_pm fetch
t_rc "fetch with only ~/.mpoprc: exit 0" 0
t_is "all 3 messages in <mail_root>/test" "$(maildir_count "$MAIL_ROOT/test")" 3
t_like "says it reads mpop's file" "$(cat "$T/err")" \
	"reading mpop's $HOME/.mpoprc, as there is no popmuch configuration"
t_like "notes the mbox delivery with file and line" "$(cat "$T/err")" \
	"$HOME/.mpoprc:3: delivery: popmuch delivers into a Maildir"
t_is "no note for the filter: it is run (no spam: all 3 pass)" \
	"$(grep -c 'filter' "$T/err")" 0
seed_messages "$POP_USER" 1
run_pm fetch
t_rc "second fetch: exit 0" 0
t_empty "... and silent: the notes were said once" "$T/err"
t_is "... and only the new message fetched" \
	"$(maildir_count "$MAIL_ROOT/test")" 4
run_pm fetch default
t_rc "fetch default (mpop's default account): exit 0" 0

# ---- every error in one run, one line each ---------------------------------
(umask 077 && cat >"$T/bad" <<EOF
defaults
hots x
account a
host h
port 0
account b : nope
keep maybe
EOF
)
run_pm -C "$T/bad" fetch
t_rc "bad config: exit 78" 78
t_is "four errors, four lines" "$(grep -c '^popmuch: ' "$T/err")" 4
t_like "each names its line" "$(tr "\n" " " <"$T/err")" \
	"bad:2: hots.*bad:5: port.*bad:6: account.*bad:7: keep"

# ---- no password: the key-ring line ----------------------------------------
pm_config nopw "host 127.0.0.1" "port $POP3_PORT" "tls_trust_file $TLS_CA" \
	"user $POP_USER" "-password"
sed -i '/^password /d' "$PM_CONFIG"
run_pm fetch
t_rc "no password: exit 77" 77
t_like "gives the secret-tool line" "$(cat "$T/err")" \
	"passwordeval \"secret-tool lookup host 127.0.0.1 service pop3 user $POP_USER\""

# ---- no notmuch configuration: refused before connecting ------------------
rm -f "$NOTMUCH_CONFIG"
logins=$(grep -c 'Login: ' "$DOVECOT_LOG")
seed_messages "$POP_USER" 1
run_pm -C "$HOME/.mpoprc" fetch
t_rc "no notmuch config: exit 78" 78
t_like "names popmuch setup" "$(cat "$T/err")" \
	"no notmuch configuration.*run 'popmuch setup'"
t_is "... before connecting (no login at Dovecot)" \
	"$(grep -c 'Login: ' "$DOVECOT_LOG")" "$logins"
t_is "... and nothing delivered" "$(maildir_count "$MAIL_ROOT/test")" 4
t_done
