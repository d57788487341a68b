#!/bin/bash
# t-tui-crypto.sh: PGP/MIME and S/MIME in the message view, with messages
# signed and encrypted by the real gpg and gpgsm (mkcrypt.py) and the
# reader's keys in the test HOME's keyring: a good signature (by whom), a
# bad one, an unknown key, a message decrypted (to whom, its signature,
# its parts reachable), one that cannot be; S/MIME signed and encrypted.
# And notmuch's index.decrypt honoured when popmuch indexes mail, and the
# session keys it stashes used by the reader.
. "$TOP_SRCDIR/tests/integration/lib.sh"
. "$TOP_SRCDIR/tests/tui/tuilib.sh"

command -v tmux >/dev/null || t_bail "tmux is not installed"
command -v gpgsm >/dev/null || t_bail "gpgsm is not installed (contrib/install-deps)"
tui_local_world
unset GNUPGHOME
gh=$HOME/.gnupg
mkdir -m 700 "$gh" "$T/stranger"
pm_at_exit "gpgconf --kill all; GNUPGHOME=$T/stranger gpgconf --kill all"
newkey()
{
	gpg --batch --passphrase '' --quick-gen-key "$@" >>"$T/log" 2>&1 ||
		t_bail "cannot make the key $1"
}
newkey "Popmuch Tester <pmtest@example.org>" future-default default never
GNUPGHOME=$T/stranger newkey "Stranger <stranger@example.net>" \
	future-default default never
# S/MIME: an RSA key in the agent, and a self-signed certificate for it
# that gpgsm trusts (trustlist.txt), without CRLs (offline)
newkey "S/MIME key holder" rsa2048 sign,encr never
grip=$(gpg --with-colons --with-keygrip -K "S/MIME key holder" |
	awk -F: '/^grp/ { print $10; exit }')
printf '%s\n' "Key-Type: RSA" "Key-Grip: $grip" "Key-Usage: sign, encrypt" \
	"Serial: random" "Name-DN: CN=Popmuch Tester,O=popmuch test" \
	"Name-Email: pmtest@example.org" >"$T/cert.params"
gpgsm --batch --gen-key "$T/cert.params" >"$T/cert.der" 2>>"$T/log" &&
	gpgsm --batch --import "$T/cert.der" >>"$T/log" 2>&1 ||
	t_bail "cannot make the S/MIME certificate"
fpr=$(gpgsm --with-colons --list-keys pmtest@example.org |
	awk -F: '/^fpr/ { print $10; exit }')
echo "$fpr S relax" >"$gh/trustlist.txt"
echo disable-crl-checks >"$gh/gpgsm.conf"
gpgconf --reload gpg-agent

"$PM_PYTHON" "$TOP_SRCDIR/tests/tui/mkcrypt.py" "$md/new" "$T/stranger" ||
	t_bail "cannot write the signed and encrypted messages"
mv "$md"/idx-* "$T/"
notmuch new >>"$T/log" 2>&1 || t_bail "notmuch new failed"
pm_config local

# the fixture as notmuch sees it (so that a wrong message fails here)
t_like "fixture: notmuch verifies pgp-good as good" \
	"$(notmuch show --format=json --verify=true id:pgp-good@popmuch.test)" \
	'"sigstatus": \[\{"status": "good"'
t_like "fixture: and pgp-bad as bad" \
	"$(notmuch show --format=json --verify=true id:pgp-bad@popmuch.test)" \
	'"sigstatus": \[\{"status": "bad"'

# ---- index.decrypt: popmuch indexes as notmuch new does -----------------------
as_mbox()
{
	printf 'From pmtest@example.org Wed Jan  3 10:00:00 2024\n'
	cat "$1"
	echo
}
as_mbox "$T/idx-walrus" >"$T/walrus.mbox"
as_mbox "$T/idx-narwhal" >"$T/narwhal.mbox"
notmuch config set index.decrypt false
run_pm import "$T/walrus.mbox"
t_rc "import an encrypted message, index.decrypt=false: exit 0" 0
t_is "... its body is not in the index" "$(notmuch count walrus)" 0
t_is "... the message is" "$(notmuch count id:idx-walrus@popmuch.test)" 1
notmuch config set index.decrypt true
run_pm import "$T/narwhal.mbox"
t_rc "import another, index.decrypt=true: exit 0" 0
t_is "... its decrypted body is searchable" "$(notmuch count narwhal)" 1
t_like "... and its session key stashed, as notmuch new does" \
	"$(notmuch dump id:idx-narwhal@popmuch.test)" 'session-key='
notmuch config set index.decrypt false

TUI_COLS=200 tui_start -C "$PM_CONFIG"
t_screen "the inbox opens" 'popmuch: inbox'

# ---- signatures -------------------------------------------------------------
tui_open_query 'id:pgp-good@popmuch.test'
t_screen "a good signature: by whom, with the key" \
	'^\[PGP signature: good, from Popmuch Tester <pmtest@example\.org> \(key [0-9A-F]{40}\)\]$'
t_screen "and the signed text" '^signed text: the owl flies at noon$'
t_ok "the signature part is not listed as an attachment" \
	eval '! tui_screen | grep -q "^\[attachment"'
tui_keys q q
tui_open_query 'id:pgp-bad@popmuch.test'
t_screen "a changed text: BAD, naming the claimed signer" \
	'^\[PGP signature: BAD, claims to be from Popmuch Tester <pmtest@example\.org>'
t_screen "the changed text is shown" '^signed text: pay 99 euros$'
t_ok "not called good" eval '! tui_screen | grep -q "signature: good"'
tui_keys q q
tui_open_query 'id:pgp-unknown@popmuch.test'
stranger_fpr=$(GNUPGHOME=$T/stranger gpg --with-colons --fingerprint stranger@example.net |
	awk -F: '/^fpr/ { print $10; exit }')
t_screen "a key not in the keyring: unknown, with its fingerprint" \
	"^\\[PGP signature: unknown key ($stranger_fpr|${stranger_fpr: -16}) \\(not in your keyring\\): not verified\\]"
tui_keys q q

# the stranger's key imported but not certified: good, but said so
GNUPGHOME=$T/stranger gpg --armor --export stranger@example.net |
	gpg --batch --import >>"$T/log" 2>&1
tui_open_query 'id:pgp-unknown@popmuch.test'
t_screen "the key imported, not certified: good, with a warning" \
	"^\\[PGP signature: good, from Stranger <stranger@example\\.net> \\(key $stranger_fpr\\); the key is not certified\\]\$"
tui_keys q q
gpg --batch --yes --delete-keys "$stranger_fpr" >>"$T/log" 2>&1

# ---- encryption -------------------------------------------------------------
tui_open_query 'id:pgp-enc@popmuch.test'
my_sub=$(gpg --with-colons --list-keys pmtest@example.org |
	awk -F: '/^sub/ { print $5; exit }')
t_screen "decrypted, saying to whom (the key's user id) and which key" \
	"^\\[PGP encrypted to Popmuch Tester <pmtest@example\\.org> \\(key $my_sub\\): decrypted\\]\$"
t_screen "the signature inside: good" \
	'^\[PGP signature: good, from Popmuch Tester <pmtest@example\.org>'
t_screen "the clear text" '^secret text: xylophone quartz$'
t_screen "the attachment inside is listed" '^\[attachment [0-9]+: secret\.txt'
tui_keys v
t_screen "the part tree: the clear text under the encrypted part" \
	'^ +2 `-multipart/mixed +part-2\.eml +[0-9]+ bytes  decrypted$'
t_screen "its children nested below it" '^ +4 +`-text/plain +secret\.txt +21 bytes$'
tui_keys Enter
t_screen "Enter: the attachment in the pager" 'popmuch: part 4: text/plain secret\.txt'
t_screen "its text" '^the secret attachment$'
tui_keys q s C-u
tui_type "$T/secret.txt"
tui_keys Enter
t_screen "saved from the decrypted part" "saved $T/secret.txt"
t_is "with its clear bytes" "$(cat "$T/secret.txt")" "the secret attachment"
tui_keys q q q
tui_open_query 'id:pgp-nokey@popmuch.test'
t_screen "not to my key: cannot decrypt, and why" \
	'^\[PGP encrypted: cannot decrypt: .*[Ss]ecret key'
t_ok "no clear text" eval '! tui_screen | grep -q "not for your eyes"'
tui_keys q q

# ---- inline (traditional) PGP -----------------------------------------------
tui_open_query 'id:inline-enc@popmuch.test'
t_screen "inline PGP: decrypted, to whom" \
	"^\\[inline PGP encrypted to Popmuch Tester <pmtest@example\\.org> \\(key $my_sub\\): decrypted\\]\$"
t_screen "its signature" '^\[inline PGP signature: good, from Popmuch Tester <pmtest@example\.org>'
t_screen "the clear text, no armour" '^inline secret: periwinkle$'
t_ok "no armour" eval '! tui_screen | grep -q "BEGIN PGP"'
tui_keys v
t_screen "its one part" 'popmuch: attachments  \[1 part\]'
tui_keys s C-u
tui_type "$T/inline.txt"
tui_keys Enter
t_screen "saved" "saved $T/inline.txt"
t_is "saved decrypted" "$(cat "$T/inline.txt")" "inline secret: periwinkle"
tui_keys q q q
tui_open_query 'id:inline-signed@popmuch.test'
t_screen "clear-signed: good" '^\[inline PGP signature: good, from Popmuch Tester <pmtest@example\.org>'
t_screen "the signed text" '^clear-signed text$'
t_ok "no armour" eval '! tui_screen | grep -q "BEGIN PGP"'
tui_keys q q

# ---- broken structures: said so, nothing crashes ----------------------------
tui_open_query 'id:broken@popmuch.test'
t_screen "a signed part without its signature: cannot be checked" \
	'^\[PGP signature: cannot be checked: the signature part is missing\]$'
t_screen "its text is still shown" '^signed but no signature$'
t_screen "garbage for ciphertext: cannot decrypt" '^\[PGP encrypted: cannot decrypt: '
t_screen "a truncated S/MIME blob: cannot decrypt" '^\[S/MIME encrypted: cannot decrypt: '
t_screen "an encrypted multipart of one part: cannot decrypt" \
	'^\[PGP encrypted: cannot decrypt: the encrypted part is missing\]$'
tui_keys v
t_screen "the tree lists them all" 'popmuch: attachments  \[[0-9]+ parts\]'
tui_keys q q q

# ---- S/MIME (gpgsm) -----------------------------------------------------------
tui_open_query 'id:smime-signed@popmuch.test'
t_screen "S/MIME: a good signature, by the certificate's owner" \
	'^\[S/MIME signature: good, from .*(Popmuch Tester|pmtest@example\.org)'
t_screen "and its text" '^smime signed text$'
tui_keys q q
tui_open_query 'id:smime-opaque@popmuch.test'
t_screen "S/MIME opaque signed data: verified" \
	'^\[S/MIME signature: good, from .*(Popmuch Tester|pmtest@example\.org)'
t_screen "the text inside it" '^smime opaque text$'
tui_keys q q
tui_open_query 'id:smime-enc@popmuch.test'
t_screen "S/MIME: decrypted, to the certificate's owner" \
	'^\[S/MIME encrypted to .*(CN=Popmuch Tester|pmtest@example\.org).*: decrypted\]'
t_screen "the clear text" '^smime secret: marmalade$'
tui_keys q q

# ---- the session key notmuch stashed (index.decrypt=true, above) --------------
my_fpr=$(gpg --with-colons --list-secret-keys pmtest@example.org |
	awk -F: '/^fpr/ { print $10; exit }')
gpg --batch --yes --delete-secret-keys "$my_fpr" >>"$T/log" 2>&1
t_ok "the reader's secret key is gone" \
	eval '! gpg --list-secret-keys pmtest@example.org >/dev/null 2>&1'
tui_open_query 'id:idx-narwhal@popmuch.test'
t_screen "decrypted with the stashed session key, as notmuch show does" \
	'^\[PGP encrypted to .*: decrypted with the session key notmuch stashed\]$'
t_screen "the clear text" '^the hidden word is narwhal$'
tui_keys q q
tui_open_query 'id:idx-walrus@popmuch.test'
t_screen "no session key stashed, no secret key: cannot decrypt" \
	'^\[PGP encrypted: cannot decrypt: '
t_ok "no clear text" eval '! tui_screen | grep -q "hidden word"'
tui_keys q q

# ---- a key with a passphrase: pinentry-curses on the TUI's terminal ----------
# (the least s2k count: protecting and unlocking the key take no time)
printf '%s\n' "pinentry-program /usr/bin/pinentry-curses" "s2k-count 65536" \
	>"$gh/gpg-agent.conf"
gpgconf --kill gpg-agent
gpg --batch --pinentry-mode loopback --passphrase sesame \
	--quick-gen-key "Locked <locked@example.org>" future-default default never \
	>>"$T/log" 2>&1 || t_bail "cannot make the locked key"
printf 'Content-Type: text/plain\n\nbehind the passphrase\n' |
	gpg --batch --trust-model always --armor --encrypt -r locked@example.org \
	>"$T/locked.asc" 2>>"$T/log"
{
	printf '%s\n' "From: Crypto Tester <pmtest@example.org>" \
		"To: locked@example.org" "Subject: locked" \
		"Message-ID: <locked@popmuch.test>" "MIME-Version: 1.0" \
		'Content-Type: multipart/encrypted; protocol="application/pgp-encrypted"; boundary="E"' \
		"" "--E" "Content-Type: application/pgp-encrypted" "" "Version: 1" "" \
		"--E" "Content-Type: application/octet-stream" ""
	cat "$T/locked.asc"
	printf '%s\n' "--E--"
} >"$md/new/locked"
notmuch new >>"$T/log" 2>&1
# (tui_open_query would wait for headers that pinentry hides)
tui_keys /
tui_wait 'search:' 5
tui_type 'id:locked@popmuch.test'
tui_keys Enter
tui_wait 'popmuch: id:locked@popmuch\.test +\[1 thread\]' 10
tui_keys Enter
tui_wait 'popmuch: thread' 10
tui_keys Enter
t_screen "pinentry asks for the passphrase on the terminal" 'Passphrase:' 20
tui_type sesame
tui_keys Enter
t_screen "then the message is decrypted" '^behind the passphrase$'
sleep 0.5
before=$(tui_screen | head -n -1)
tui_keys C-l
sleep 0.5
t_is "and the screen is whole again (what C-l draws, the status line aside)" \
	"$before" "$(tui_screen | head -n -1)"
tui_keys q q

tui_done
