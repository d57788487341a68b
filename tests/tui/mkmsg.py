#!/usr/bin/env python3
"""mkmsg.py DIR: write the TUI tests' own messages into DIR (a Maildir's
new/) and the attachment's bytes to DIR/../attach.bin."""
import os
import sys

d = sys.argv[1]
data = bytes(range(256)) * 5 + b"end\x00\r\n."
with open(os.path.join(d, "..", "attach.bin"), "wb") as f:
    f.write(data)

import base64
b64 = base64.encodebytes(data).decode()

qp = (
    "From: =?UTF-8?Q?J=C3=B6rg_M=C3=BCller?= <joerg@example.org>\n"
    "To: Tester <pmtest@example.org>\n"
    "Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe_aus_K=C3=B6ln?=\n"
    "Date: Mon, 01 Jan 2024 10:00:00 +0000\n"
    "Message-ID: <qp-attach@popmuch.test>\n"
    "MIME-Version: 1.0\n"
    'Content-Type: multipart/mixed; boundary="XYZ"\n'
    "\n"
    "--XYZ\n"
    "Content-Type: text/plain; charset=utf-8\n"
    "Content-Transfer-Encoding: quoted-printable\n"
    "\n"
    "Sch=C3=B6ne Gr=C3=BC=C3=9Fe, the body is quoted-printable UTF-8 =E2=80=\n"
    "=94 with a soft line break and an attachment.\n"
    "> a quoted line\n"
    "--XYZ\n"
    'Content-Type: application/octet-stream; name="data.bin"\n'
    'Content-Disposition: attachment; filename="data.bin"\n'
    "Content-Transfer-Encoding: base64\n"
    "\n" + b64 + "--XYZ--\n"
)
wide = (
    "From: =?UTF-8?B?5bGx55Sw5aSq6YOO?= <yamada@example.org>\n"
    "To: pmtest@example.org\n"
    "Subject: =?UTF-8?B?5pel5pys6Kqe44Gu44OG44K544OI?= wide\n"
    "Date: Sun, 31 Dec 2023 09:00:00 +0000\n"
    "Message-ID: <wide@popmuch.test>\n"
    "MIME-Version: 1.0\n"
    "Content-Type: text/plain; charset=iso-8859-1\n"
    "Content-Transfer-Encoding: 8bit\n"
    "\n"
)
with open(os.path.join(d, "1.qp-attach"), "w") as f:
    f.write(qp)
with open(os.path.join(d, "2.wide"), "wb") as f:
    f.write(wide.encode() + "Latin-1 body: caf\xe9 na\xefve\n".encode("latin-1"))
