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
