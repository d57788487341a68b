#!/usr/bin/env python3
"""mkcrypt.py DIR STRANGER_GNUPGHOME: write the PGP/MIME and S/MIME test
messages of t-tui-crypto.sh into DIR (a Maildir's new/), signed and
encrypted by the real gpg and gpgsm: the reader's keys are in the default
keyring ($HOME/.gnupg: pmtest@example.org, OpenPGP and an X.509
certificate), the stranger's in STRANGER_GNUPGHOME (its public key is not
in the reader's keyring)."""
import os
import subprocess
import sys

d, stranger = sys.argv[1], sys.argv[2]
ME = "pmtest@example.org"


def run(cmd, data):
    return subprocess.run(cmd, input=data, stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL, check=True).stdout


def gpg(args, data, home=None):
    return run(["gpg", "--batch", "--trust-model", "always"]
               + (["--homedir", home] if home else []) + args, data)


def gpgsm(args, data):
    return run(["gpgsm", "--batch"] + args, data)


def crlf(s):
    return s.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def head(mid, subject, ctype):
    return ("From: Crypto Tester <%s>\n"
            "To: %s\n"
            "Subject: %s\n"
            "Date: Wed, 03 Jan 2024 10:00:00 +0000\n"
            "Message-ID: <%s@popmuch.test>\n"
            "MIME-Version: 1.0\n"
            "Content-Type: %s\n\n" % (ME, ME, subject, mid, ctype)).encode()


def write(name, data):
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def pgp_signed(mid, subject, text, home=None, tamper=None):
    part = ("Content-Type: text/plain; charset=utf-8\n\n%s\n" % text).encode()
    # RFC 3156: the signature covers the part in CRLF form, up to the
    # line break before the boundary
    who = ME if home is None else "stranger@example.net"
    sig = gpg(["--armor", "--detach-sign", "-u", who], crlf(part), home)
    if tamper:
        part = part.replace(tamper[0].encode(), tamper[1].encode())
    write(mid, head(mid, subject,
                    'multipart/signed; micalg=pgp-sha256; '
                    'protocol="application/pgp-signature"; boundary="S"')
          + b"--S\n" + part + b"\n--S\n"
          + b'Content-Type: application/pgp-signature; name="signature.asc"\n\n'
          + sig + b"\n--S--\n")


def pgp_encrypted(mid, subject, inner, to, home=None, sign=True):
    args = ["--armor", "--encrypt", "-r", to]
    if sign:
        args += ["--sign", "-u", ME]
    enc = gpg(args, inner, home)
    write(mid, head(mid, subject,
                    'multipart/encrypted; '
                    'protocol="application/pgp-encrypted"; boundary="E"')
          + b"--E\nContent-Type: application/pgp-encrypted\n\nVersion: 1\n\n"
          + b'--E\nContent-Type: application/octet-stream; name="encrypted.asc"\n\n'
          + enc + b"\n--E--\n")


pgp_signed("pgp-good", "pgp good", "signed text: the owl flies at noon")
pgp_signed("pgp-bad", "pgp bad", "signed text: pay 10 euros",
           tamper=("10 euros", "99 euros"))
pgp_signed("pgp-unknown", "pgp unknown key", "signed by a stranger",
           home=stranger)
secret = (b'Content-Type: multipart/mixed; boundary="I"\n\n'
          b"--I\nContent-Type: text/plain; charset=utf-8\n\n"
          b"secret text: xylophone quartz\n"
          b"--I\nContent-Type: text/plain\n"
          b'Content-Disposition: attachment; filename="secret.txt"\n\n'
          b"the secret attachment\n--I--\n")
pgp_encrypted("pgp-enc", "pgp encrypted", secret, ME)
pgp_encrypted("pgp-nokey", "pgp not for me",
              b"Content-Type: text/plain\n\nnot for your eyes\n",
              "stranger@example.net", home=stranger, sign=False)

# inline (traditional) PGP in a text/plain part: encrypted and signed,
# and clear-signed
write("inline-enc", head("inline-enc", "inline encrypted", "text/plain")
      + gpg(["--armor", "--encrypt", "--sign", "-u", ME, "-r", ME],
            b"inline secret: periwinkle\n"))
write("inline-signed", head("inline-signed", "inline signed", "text/plain")
      + gpg(["--clearsign", "-u", ME], b"clear-signed text\n"))

# S/MIME (gpgsm): detached multipart/signed, and enveloped data
part = b"Content-Type: text/plain; charset=utf-8\n\nsmime signed text\n"
sig = gpgsm(["--detach-sign", "--base64", "-u", ME], crlf(part))
write("smime-signed", head("smime-signed", "smime signed",
                           'multipart/signed; micalg=sha-256; '
                           'protocol="application/pkcs7-signature"; '
                           'boundary="S"')
      + b"--S\n" + part + b"\n--S\n"
      + b"Content-Type: application/pkcs7-signature; name=smime.p7s\n"
      + b"Content-Transfer-Encoding: base64\n"
      + b"Content-Disposition: attachment; filename=smime.p7s\n\n"
      + sig + b"\n--S--\n")
opaque = gpgsm(["--sign", "--base64", "-u", ME],
               crlf(b"Content-Type: text/plain\n\nsmime opaque text\n"))
write("smime-opaque", head("smime-opaque", "smime opaque signed",
                           "application/pkcs7-mime; smime-type=signed-data; "
                           "name=smime.p7m")[:-1]
      + b"Content-Transfer-Encoding: base64\n\n" + opaque)
env = gpgsm(["--encrypt", "--base64", "-r", ME],
            crlf(b"Content-Type: text/plain\n\nsmime secret: marmalade\n"))
write("smime-enc", head("smime-enc", "smime encrypted",
                        "application/pkcs7-mime; smime-type=enveloped-data; "
                        "name=smime.p7m")[:-1]
      + b"Content-Transfer-Encoding: base64\n"
      + b"Content-Disposition: attachment; filename=smime.p7m\n\n" + env)

# broken ones: a signed multipart without its signature, garbage for
# ciphertext, a truncated S/MIME blob, an encrypted multipart of one part
write("broken", head("broken", "broken crypto",
                     'multipart/mixed; boundary="X"')
      + b'--X\nContent-Type: multipart/signed; protocol="application/pgp-signature"; boundary="S"\n\n'
      + b"--S\nContent-Type: text/plain\n\nsigned but no signature\n--S--\n"
      + b'--X\nContent-Type: multipart/encrypted; protocol="application/pgp-encrypted"; boundary="E"\n\n'
      + b"--E\nContent-Type: application/pgp-encrypted\n\nVersion: 1\n\n"
      + b"--E\nContent-Type: application/octet-stream\n\n"
      + b"-----BEGIN PGP MESSAGE-----\n\nnot really\n-----END PGP MESSAGE-----\n--E--\n"
      + b"--X\nContent-Type: application/pkcs7-mime; smime-type=enveloped-data\n"
      + b"Content-Transfer-Encoding: base64\n\nMIAGCSqGSIb3DQEH\n"
      + b'--X\nContent-Type: multipart/encrypted; protocol="application/pgp-encrypted"; boundary="F"\n\n'
      + b"--F\nContent-Type: application/pgp-encrypted\n\nVersion: 1\n--F--\n"
      + b"--X--\n")

# for the index.decrypt test: two more encrypted messages, kept out of
# DIR (written beside it) so that only popmuch import indexes them
for word in ("walrus", "narwhal"):
    d = os.path.join(sys.argv[1], "..")
    pgp_encrypted("idx-" + word, "index.decrypt test",
                  ("Content-Type: text/plain\n\nthe hidden word is %s\n"
                   % word).encode(), ME)
