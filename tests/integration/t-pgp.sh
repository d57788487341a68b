#!/bin/bash
# t-pgp: PGP/MIME signing and encryption with real gpg (a test keyring):
# per message ("PGP:" in the draft) and by default per account ("pgp");
# what the SMTP server received is verified and decrypted by the reading
# side, notmuch show --verify/--decrypt on a database of its own.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/smtp.sh"

command -v gpg >/dev/null || t_bail "gpg is not installed"
compose_world
export GNUPGHOME=$T/gnupg
mkdir -m 700 "$GNUPGHOME"
pm_at_exit "gpgconf --kill all"
for uid in "Popmuch Tester <pmtest@example.org>" "Friend <friend@example.com>"; do
	gpg --batch --passphrase '' --quick-gen-key "$uid" future-default \
		default never >>"$T/log" 2>&1 || t_bail "cannot make a test key"
done

# The reading side: the received mail in a notmuch database of its own.
cat >"$T/nm-received" <<EOM
[database]
path=$SMTP_MAILDIR
[user]
primary_email=friend@example.com
EOM
received()
{
	NOTMUCH_CONFIG=$T/nm-received notmuch new >>"$T/log" 2>&1
	NOTMUCH_CONFIG=$T/nm-received notmuch show --format=json "$@" \
		"subject:$SUBJ"
}
mime()
{
	"$PM_PYTHON" "$TOP_SRCDIR/tests/data/compose/mailcheck.py" \
		"$(smtp_msg "$(smtp_count)")" | grep -F -- "$1" | head -1
}

# 1. Signed, per message.
SUBJ=signed
EDIT_SED='s/^Subject: .*/&\nPGP: sign/;/^$/a a signed note' \
	run_pm compose --to friend@example.com --subject "$SUBJ"
t_rc "PGP: sign: exit 0" 0
t_like "... multipart/signed at the server" "$(mime 'P 0')" \
	'^P 0 multipart/signed '
t_like "... the signature part" "$(mime 'P 2')" \
	'^P 2 application/pgp-signature '
t_like "... the reading side verifies it: good" "$(received --verify=true)" \
	'"sigstatus": \[\{"status": "good"'
t_like "... signed by the From key" "$(received --verify=true)" \
	'"userid": "Popmuch Tester <pmtest@example.org>"'

# 2. Encrypted (and signed), by default per account.
pm_config test "tls off" "pgp encrypt" \
	"sendmail_command \"msmtp -C $T/msmtprc -t --read-envelope-from\""
SUBJ=secret
EDIT_SED='/^$/a the secret text' \
	run_pm compose --to friend@example.com --subject "$SUBJ"
t_rc "pgp encrypt in the account: exit 0" 0
t_is "... the draft said so" "$(grep '^PGP:' "$T/draft.in")" "PGP: encrypt"
t_like "... multipart/encrypted at the server" "$(mime 'P 0')" \
	'^P 0 multipart/encrypted '
t_unlike "... no clear text on the wire" \
	"$(grep -c 'the secret text' "$(smtp_msg "$(smtp_count)")")" '^[1-9]'
t_like "... the reading side decrypts it" \
	"$(received --decrypt=true)" 'the secret text'
t_like "... and verifies the inner signature" \
	"$(received --decrypt=true)" '"sigstatus": \[\{"status": "good"'

# 3. A recipient without a key: not sent, the draft kept, said why.
SUBJ=nokey
EDIT_SED='/^$/a x' run_pm compose --to stranger@example.net --subject "$SUBJ"
t_rc "encrypt to a recipient without a key: exit 65" 65
t_like "... names PGP and keeps the draft" "$(cat "$T/err")" \
	'PGP: cannot encrypt.*kept in'
t_is "... nothing sent" "$(grep -l "Subject: nokey" "$SMTP_MAILDIR"/new/* 2>/dev/null | wc -l)" 0

# 4. PGP: off in the draft overrides the account.
SUBJ=plain
EDIT_SED='s/^PGP: .*/PGP: off/;/^$/a in the clear' \
	run_pm compose --to friend@example.com --subject "$SUBJ"
t_rc "PGP: off: exit 0" 0
t_is "... plain text at the server" "$(mime 'P 0')" "P 0 text/plain us-ascii - -"

t_done
