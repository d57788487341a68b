#!/bin/bash
# t-compose: reply, reply --all, forward and compose through $EDITOR, real
# msmtp and a real SMTP server (aiosmtpd); the message the server
# received checked header by header and part by part.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/smtp.sh"

pm_world
smtp_start
compose_world_config
D=$TOP_SRCDIR/tests/data/compose
md=$MAIL_ROOT/test
mkdir -p "$md/cur" "$md/new" "$md/tmp"
for f in latin1 html-only list-mft list-munged koi8; do
	cp "$D/$f.eml" "$md/cur/$f:2,S"
done
notmuch new >>"$T/log" 2>&1 || t_bail "notmuch new failed"
export EDITOR=$D/editor.sh T
unset VISUAL
CHECK="$PM_PYTHON $D/mailcheck.py"

# last: the facts of the newest message the server received
last()
{
	$CHECK "$(smtp_msg "$(smtp_count)")"
}
fact()
{
	last | grep -F -- "$1" | head -1
}

# 1. reply to a list message: Reply-To munged by the list (its address
# is in To), so the author gets it; From is the address it was sent to.
EDIT_SED='/^$/a Thanks, applied.' run_pm reply id:mft-4711@example.net
t_rc "reply: exit 0" 0
t_is "... one message at the server" "$(smtp_count)" 1
t_is "... envelope: to the author only" "$(fact 'RAW X-Test-Rcpt-To')" \
	"RAW X-Test-Rcpt-To: alice@example.net"
t_is "... From: the person's address the original was sent to" \
	"$(fact 'H From:')" "H From: Popmuch Tester <pmtest@example.org>"
t_is "... one Re:" "$(fact 'H Subject:')" \
	"H Subject: Re: [notmuch] [PATCH] reply: honour Mail-Followup-To"
t_is "... In-Reply-To" "$(fact 'H In-Reply-To:')" \
	"H In-Reply-To: <mft-4711@example.net>"
t_is "... References: the original's and its id" "$(fact 'H References:')" \
	"H References: <root-0001@example.net> <parent-0815@example.net> <mft-4711@example.net>"
t_like "... Message-ID generated" "$(fact 'H Message-I')" \
	'^H Message-I[dD]: <[^@ ]+@example\.org>$'
t_like "... Date generated" "$(fact 'H Date:')" '^H Date: .*20[0-9][0-9]'
t_is "... the person's text" "$(fact 'T 0 | Thanks')" "T 0 | Thanks, applied."
t_is "... attribution line" "$(fact 'wrote:')" \
	"T 0 | On Tue, 17 Nov 2009 21:28:38 +0600, Alice Author wrote:"
t_is "... quoted body" "$(fact 'T 0 | > Here')" \
	"T 0 | > Here is the patch, as discussed."
t_is "... a quote in the quote" "$(fact 'T 0 | >> an')" \
	"T 0 | >> an older quote"
t_is "... plain ASCII goes 7bit (no Content-Transfer-Encoding)" "$(fact 'P 0')" "P 0 text/plain us-ascii - -"
t_is "... the sent copy is indexed with tag sent" \
	"$(notmuch count tag:sent)" 1
t_is "... the original is tagged replied" \
	"$(notmuch count id:mft-4711@example.net and tag:replied)" 1
t_ok "... and its file has maildir flag R" test -e "$md/cur/list-mft:2,RS"
t_is "... the sent copy is in the sent Maildir" \
	"$(ls "$MAIL_ROOT/sent/cur" | wc -l)" 1
t_is "... the outbox is empty" "$(ls "$MAIL_ROOT/outbox/new" | wc -l)" 0

# 2. reply --all: Mail-Followup-To decides, own address dropped.
EDIT_SED='/^$/a All of you.' run_pm reply --all id:mft-4711@example.net
t_rc "reply --all: exit 0" 0
t_is "... To: Mail-Followup-To" "$(fact 'H To:')" \
	"H To: notmuch@notmuchmail.org, alice@example.net"
t_is "... no Cc (Mail-Followup-To replaces To and Cc)" "$(fact 'H Cc:')" ""
t_is "... envelope: the list and the author" "$(fact 'RAW X-Test-Rcpt-To')" \
	"RAW X-Test-Rcpt-To: notmuch@notmuchmail.org, alice@example.net"

# 3. reply --all without Mail-Followup-To: sender, To, Cc minus own.
EDIT_SED='/^$/a ok' run_pm reply --all id:munged-1@example.org
t_rc "reply --all (munged Reply-To, no Mail-Followup-To): exit 0" 0
t_is "... To: the author and the list once" "$(fact 'H To:')" \
	"H To: Carl Worth <cworth@example.org>, notmuch@notmuchmail.org"
t_is "... own address not in Cc" "$(fact 'H Cc:')" ""
t_is "... one Re: added" "$(fact 'H Subject:')" "H Subject: Re: [notmuch] Welcome"

# 4. latin-1 quoted-printable original: decoded, re-encoded as UTF-8.
EDIT_SED='s/^To: .*/To: someone@example.com/;/^$/a Très bien.' \
	run_pm reply id:877h1wv7mg.fsf@inf-8657.int-evry.fr
t_rc "reply to a latin-1 message: exit 0" 0
t_is "... quoted text decoded from iso-8859-1" "$(fact 'T 0 | > Du')" \
	"T 0 | > Du texte accentué pour ça ..."
t_is "... UTF-8 body quoted-printable" "$(fact 'P 0')" \
	"P 0 text/plain utf-8 quoted-printable -"
t_is "... Subject decoded" "$(fact 'H Subject:')" "H Subject: Re: Essai accentué"
t_like "... Subject RFC 2047-encoded on the wire" "$(fact 'RAW Subject:')" \
	'=\?(UTF|utf)-8\?'
t_unlike "... no 8-bit byte in the raw message" \
	"$(LC_ALL=C grep -c -P '[\x80-\xff]' "$(smtp_msg "$(smtp_count)")")" '^[1-9]'

# 5. KOI8-R 8bit original.
EDIT_SED='/^$/a Спасибо' run_pm reply id:koi8-1@example.ru
t_rc "reply to a koi8-r message: exit 0" 0
t_is "... quoted text decoded from koi8-r" "$(fact 'T 0 | > П')" \
	"T 0 | > Привет, мир!"
t_is "... attribution with the decoded name" "$(fact 'wrote:')" \
	"T 0 | On Thu, 19 Nov 2009 10:00:00 +0300, Лев Толстой wrote:"
t_is "... To: the sender, name encoded" "$(fact 'H To:')" \
	"H To: Лев Толстой <lev@example.ru>"

# 6. HTML-only original: through html_command, no tags in the quote.
EDIT_SED='s/^To: .*/To: someone@example.com/;/^$/a seen' \
	run_pm reply id:87d1dajhgf.fsf@example.net
t_rc "reply to an HTML-only message: exit 0" 0
t_like "... its text quoted" "$(fact 'hunter2')" '^T 0 \| > .*hunter2$'
t_unlike "... no markup quoted" "$(last | grep '^T 0 | >')" '<(html|body|input)'

# 7. forward inline.
EDIT_SED='/^$/a FYI' run_pm forward --to fwd@example.com id:koi8-1@example.ru
t_rc "forward: exit 0" 0
t_is "... To from --to" "$(fact 'H To:')" "H To: fwd@example.com"
t_is "... one Fwd:" "$(fact 'H Subject:')" "H Subject: Fwd: Привет"
t_is "... the forwarded header block" "$(fact 'Forwarded message')" \
	"T 0 | -------- Forwarded message --------"
t_is "... the original's From, decoded" "$(fact 'T 0 | From:')" \
	"T 0 | From: Лев Толстой <lev@example.ru>"
t_is "... the original's text, unquoted" "$(fact 'T 0 | Привет')" \
	"T 0 | Привет, мир!"
t_is "... no In-Reply-To" "$(fact 'H In-Reply-To')" ""

# 8. forward --attach: the original as message/rfc822.
EDIT_SED='/^$/a see attached' run_pm forward --attach --to fwd@example.com \
	id:mft-4711@example.net
t_rc "forward --attach: exit 0" 0
t_is "... multipart/mixed" "$(fact 'P 0')" "P 0 multipart/mixed - - -"
t_is "... the text first" "$(fact 'P 1')" "P 1 text/plain us-ascii - -"
t_like "... then message/rfc822" "$(fact 'P 2')" '^P 2 message/rfc822 '
t_is "... holding the original" "$(fact 'M 2')" "M 2 <mft-4711@example.net>"
t_is "... Subject with one Fwd:" "$(fact 'H Subject:')" \
	"H Subject: Fwd: Re: RE: [notmuch] [PATCH] reply: honour Mail-Followup-To"

# 9. compose: attachments typed and named (RFC 2231), a long line.
printf '\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\1\0\0\0\1\10\2\0\0\0\220wS\336' \
	>"$T/bild-ä.png"
long=$(printf 'x%.0s' $(seq 1200))
EDIT_SED="/^\$/a $long" run_pm compose --to "Zoë <zoe@example.com>" \
	--subject "Grüße" --attach "$T/bild-ä.png"
t_rc "compose with an attachment: exit 0" 0
t_is "... To with a UTF-8 name" "$(fact 'H To:')" "H To: Zoë <zoe@example.com>"
t_is "... Subject" "$(fact 'H Subject:')" "H Subject: Grüße"
t_like "... image/png, base64, its name" "$(fact 'P 2')" \
	'^P 2 image/png - base64 bild-ä.png$'
t_like "... the name RFC 2231-encoded" \
	"$(grep -a 'filename' "$(smtp_msg "$(smtp_count)")")" \
	"filename\\*=(utf-8''bild-%C3%A4|iso-8859-1''bild-%E4)\\.png"
t_is "... the attachment's bytes" "$(fact 'D 2')" \
	"D 2 $(sha256sum "$T/bild-ä.png" | cut -d' ' -f1)"
t_is "... the 1200-octet line arrives whole" \
	"$(last | grep -c "^T 1 | $long\$")" 1
t_unlike "... no line over 998 octets on the wire" "$(fact MAXLINE)" \
	'^MAXLINE (99[89]|9[0-9]{3}|[0-9]{4,})'

# 10. unchanged and emptied drafts are not sent.
n=$(smtp_count)
EDIT_SED= run_pm compose --to a@example.com --subject x
t_rc "an unchanged draft: exit 0" 0
t_like "... says it was not sent" "$(cat "$T/err")" 'not sent: the draft was left unchanged'
EDIT_SED=EMPTY run_pm reply id:koi8-1@example.ru
t_like "an emptied draft: not sent, and says so" "$(cat "$T/err")" \
	'not sent: the draft was emptied'
t_is "... nothing reached the server" "$(smtp_count)" "$n"
t_is "... no draft left behind" "$(ls "$XDG_STATE_HOME/popmuch/.drafts" | wc -l)" 0

# 11. a broken draft is kept, and --draft takes it up again.
EDIT_SED='s/^To: .*/To: nobody/;/^$/a text' run_pm compose --subject broken
t_rc "a recipient without @: exit 65" 65
t_like "... names the header and keeps the draft" "$(cat "$T/err")" \
	'To: "nobody" is not a mail address.*kept in'
draft=$(ls "$XDG_STATE_HOME"/popmuch/.drafts/*.eml)
t_is "... nothing sent" "$(smtp_count)" "$n"
EDIT_SED='s/^To: .*/To: fixed@example.com/' run_pm compose --draft "$draft"
t_rc "compose --draft: exit 0" 0
t_is "... sent" "$(fact 'H To:')" "H To: fixed@example.com"
t_is "... with the text kept" "$(fact 'T 0 | text')" "T 0 | text"
t_ok "... the draft is gone" test ! -e "$draft"

# 12. the person's identity: per-account from.
pm_config test "tls off" "from \"Work Me <me@work.example>\"" \
	"sendmail_command \"msmtp -C $T/msmtprc -t --read-envelope-from\""
EDIT_SED='/^$/a hi' run_pm compose --to x@example.com --subject s
t_is "from: the account's address is the default From" "$(fact 'H From:')" \
	"H From: Work Me <me@work.example>"
t_is "... and the envelope sender" "$(fact 'RAW X-Test-Mail-From')" \
	"RAW X-Test-Mail-From: me@work.example"
t_is "... the reply to mail sent to pmtest@ still comes from there" \
	"$(EDIT_SED='/^$/a x' run_pm reply id:munged-1@example.org; fact 'H From:')" \
	"H From: Popmuch Tester <pmtest@example.org>"

# 13. Bcc: in the envelope, not in the message the server got; kept in
# the sent copy.
pm_config test "tls off" \
	"sendmail_command \"msmtp -C $T/msmtprc -t --read-envelope-from\""
EDIT_SED='s/^Bcc: .*/Bcc: hidden@example.com/;/^$/a secret copy' \
	run_pm compose --to open@example.com --subject bcc-test
t_rc "compose with Bcc: exit 0" 0
t_is "... the envelope has both" "$(fact 'RAW X-Test-Rcpt-To')" \
	"RAW X-Test-Rcpt-To: open@example.com, hidden@example.com"
t_is "... no Bcc header reached the server" "$(fact 'RAW Bcc')" ""
t_like "... the sent copy keeps it" \
	"$(grep -h '^Bcc:' "$(notmuch search --output=files subject:bcc-test)")" \
	'^Bcc: hidden@example.com$'

# 14. a query that names no single message.
run_pm reply tag:inbox
t_rc "reply to a query matching several: exit 64" 64
t_like "... says how many" "$(cat "$T/err")" 'matches [0-9]+ messages'

t_done
