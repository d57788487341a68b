#!/usr/bin/env python3
"""mkmime.py DIR: write the MIME test messages of t-tui-mime.sh into DIR
(a Maildir's new/)."""
import os
import sys

d = sys.argv[1]


def write(name, text):
    with open(os.path.join(d, name), "wb") as f:
        f.write(text.encode("utf-8") if isinstance(text, str) else text)


def head(mid, subject, extra=""):
    return ("From: Mime Tester <mime@example.org>\n"
            "To: pmtest@example.org\n"
            "Subject: %s\n"
            "Date: Tue, 02 Jan 2024 10:00:00 +0000\n"
            "Message-ID: <%s@popmuch.test>\n"
            "MIME-Version: 1.0\n%s" % (subject, mid, extra))


write("empty-mp", head("empty-mp", "empty multipart part",
                       'Content-Type: multipart/mixed; boundary="B"\n')
      + "\n--B\nContent-Type: text/plain\n\n--B--\n")

# hostile attachments for the mailcap tests
def attach(mid, subject, ctype, fname, body):
    return (head(mid, subject, 'Content-Type: multipart/mixed; boundary="B"\n')
            + "\n--B\nContent-Type: text/plain\n\nsee the attachment\n"
            + "--B\nContent-Type: %s\n" % ctype
            + 'Content-Disposition: attachment; filename="%s"\n\n' % fname
            + body + "\n--B--\n")


write("evil-name", attach("evil-name", "evil file name", "text/plain",
                          "x$(touch PWNED).txt", "evil name body"))
write("evil-type", attach("evil-type", "evil type",
                          "application/x`touch${IFS}PWNED2`", "t.bin",
                          "evil type body"))
write("evil-dq", attach("evil-dq", "evil quoted type",
                        "application/y`touch${IFS}PWNED3`", "t.bin",
                        "evil dq body"))

# message/rfc822 nested twice; the outer attached message's bytes go to
# DIR/../fwd-outer.eml for the save test
inner = ("From: Inner Author <inner@example.org>\n"
         "To: someone@example.org\n"
         "Subject: the innermost message\n"
         "Date: Mon, 01 Jan 2024 08:00:00 +0000\n"
         "Message-ID: <inner@popmuch.test>\n"
         "\n"
         "innermost body text\n")
middle = ("From: Middle Author <middle@example.org>\n"
          "To: someone@example.org\n"
          "Subject: the middle message\n"
          "Date: Mon, 01 Jan 2024 09:00:00 +0000\n"
          "Message-ID: <middle@popmuch.test>\n"
          "MIME-Version: 1.0\n"
          'Content-Type: multipart/mixed; boundary="M"\n'
          "\n"
          "--M\nContent-Type: text/plain\n\nmiddle body text\n"
          "--M\nContent-Type: message/rfc822\n\n" + inner +
          "--M--\n")
write("fwd2", head("fwd2", "forwarded twice",
                   'Content-Type: multipart/mixed; boundary="O"\n')
      + "\n--O\nContent-Type: text/plain\n\nouter body text\n"
      + "--O\nContent-Type: message/rfc822\n\n" + middle + "--O--\n")
with open(os.path.join(d, "..", "fwd-outer.eml"), "w") as f:
    f.write(middle)

# controls, bidi overrides and emoji sequences in headers, names, body
import base64 as _b64


def enc(s):
    return "=?UTF-8?B?%s?=" % _b64.b64encode(s.encode()).decode()


zwj = "\U0001F468\u200D\U0001F469\u200D\U0001F467"   # family
thumb = "\U0001F44D\U0001F3FD"                       # thumbs up, skin tone
body = "".join("line %02d %s and %s here\n" % (i, zwj, thumb)
               for i in range(80))
write("hostile", head("hostile", enc("bidi \u202eevil\u202c \x1b[31mred " + zwj),
                      'Content-Type: multipart/mixed; boundary="H"\n')
      + "\n--H\nContent-Type: text/plain; charset=utf-8\n"
      + "Content-Transfer-Encoding: 8bit\n\n" + body
      + "--H\nContent-Type: text/plain; charset=utf-8\n"
      + "Content-Disposition: attachment; filename*=UTF-8''"
      + "%E6%97%A5%E6%9C%AC%1B%5B2J%07%E2%80%AEtxt.exe\n\nwide\n"
      + "--H\nContent-Type: text/plain\n"
      + 'Content-Disposition: attachment; filename="plain.txt"\n\nascii\n'
      + "--H--\n")

# format=flowed (RFC 3676): one paragraph in three soft-broken lines
write("flowed", head("flowed", "flowed text",
                     "Content-Type: text/plain; charset=utf-8; "
                     "format=flowed\n")
      + "\nThis paragraph was sent \r\nas three lines that a \r\n"
      + "flowed reader joins.\r\n> and a quoted \r\n> one\r\n")

# every kind of part, for the part tree (t-tui-parts.sh): HTML and KOI8-R
# attachments, the twice-nested forward above, a binary part
write("parts", (head("parts", "every part",
                     'Content-Type: multipart/mixed; boundary="P"\n')
                + "\n--P\nContent-Type: text/plain\n\nthe parts body\n"
                + "--P\nContent-Type: text/html\n"
                + 'Content-Disposition: attachment; filename="page.html"\n\n'
                + "<p>an html attachment</p>\n"
                + "--P\nContent-Type: text/plain; charset=koi8-r\n"
                + "Content-Transfer-Encoding: 8bit\n"
                + 'Content-Disposition: attachment; filename="russian.txt"\n\n'
                ).encode()
      + "Привет, мир\n".encode("koi8-r")
      + ("--P\nContent-Type: message/rfc822\n\n" + middle
         + "--P\nContent-Type: application/octet-stream\n"
         + "Content-Transfer-Encoding: base64\n"
         + 'Content-Disposition: attachment; filename="blob.bin"\n\n'
         + "AAECAwQ=\n--P--\n").encode())
