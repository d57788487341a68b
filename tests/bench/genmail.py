#!/usr/bin/env python3
"""genmail.py: deterministic benchmark mailboxes, written into a Maildir.

    genmail.py --maildir DIR --count N [--seed S] [--first I]
               [--attach-rate R] [--big BYTES]

Writes N messages into DIR/new (DIR/cur and DIR/tmp are created), the
same bytes for the same arguments on every machine:

  - sizes uniform in 2-30 KB (text/plain, UTF-8, 8bit);
  - a fraction R (default 0.03) multipart/mixed with one base64
    attachment of 100 KB - 1 MB (encoded size);
  - about a third have lines that need dot-stuffing on the wire ("." alone,
    "..", ".leading"), and lines starting with "From ";
  - --big BYTES: instead, one message of about BYTES bytes (a base64
    attachment), for the peak-memory case.

File names are Maildir unique names with a correct ",S=<size>" so Dovecot
does not stat every file twice.  Prints "N BYTES" (messages, total size).
"""

import argparse
import base64
import os
import random
import sys

WORDS = (
    "the of and to in is that for it as with was on be by at this from or "
    "an are not have which but all were when we there can more if out so "
    "said what up its about into than them only other new some could time "
    "these two may first then do any like my now over such our man me even "
    "most made after also did many before must through back years where "
    "much your way well down should because each just those people how too "
    "little state good very make world still own see men work long get here "
    "between both life being under never day same another know while last "
    "mail server fetch index notmuch maildir pop3 retention journal uidl "
    "größe naïve café déjà señor über façade smörgåsbord"
).split()


def text_block(rng, nbytes):
    """Lines of words up to about nbytes bytes (UTF-8), LF line ends."""
    out = []
    size = 0
    while size < nbytes:
        n = rng.randint(4, 14)
        line = " ".join(rng.choice(WORDS) for _ in range(n))
        if rng.random() < 0.08:
            line = line.capitalize() + "."
        out.append(line)
        size += len(line.encode()) + 1
    return "\n".join(out) + "\n"


def dot_lines(i):
    return (
        ".\n"
        "..two leading dots\n"
        ".leading dot (dot-stuffed on the wire), message %d\n"
        "From the start of a line, like an mbox separator\n"
        ". \n"
        "...\n" % i
    )


def headers(i, ctype):
    day = 1 + (i // 86400) % 28
    return (
        "Return-Path: <sender%d@example.org>\n"
        "From: Bench Sender %d <sender%d@example.org>\n"
        "To: bench@example.org\n"
        "Subject: Benchmark message %d\n"
        "Date: %02d Jan 2024 %02d:%02d:%02d +0000\n"
        "Message-ID: <bench.%d@popmuch.test>\n"
        "MIME-Version: 1.0\n"
        "%s\n"
        % (i % 97, i % 97, i % 97, i, day, (i // 3600) % 24,
           (i // 60) % 60, i % 60, i, ctype)
    )


def b64_lines(raw):
    enc = base64.b64encode(raw)
    return b"\n".join(enc[k:k + 76] for k in range(0, len(enc), 76)) + b"\n"


def attachment_msg(rng, i, enc_size, body_size):
    raw = rng.randbytes(enc_size * 3 // 4)
    bnd = "=_bench_%d_boundary" % i
    head = headers(i, 'Content-Type: multipart/mixed; boundary="%s"\n' % bnd)
    text = text_block(rng, body_size)
    if i % 3 == 0:
        text += dot_lines(i)
    return (
        head.encode()
        + ("This is a multi-part message in MIME format.\n\n"
           "--%s\nContent-Type: text/plain; charset=utf-8\n"
           "Content-Transfer-Encoding: 8bit\n\n%s\n"
           "--%s\nContent-Type: application/octet-stream; "
           "name=\"data-%d.bin\"\nContent-Transfer-Encoding: base64\n"
           "Content-Disposition: attachment; filename=\"data-%d.bin\"\n\n"
           % (bnd, text, bnd, i, i)).encode()
        + b64_lines(raw)
        + ("\n--%s--\n" % bnd).encode()
    )


def plain_msg(rng, i, size):
    head = headers(i, "Content-Type: text/plain; charset=utf-8\n"
                   "Content-Transfer-Encoding: 8bit\n")
    body = "Message %d of the popmuch benchmark.\n\n" % i
    if i % 3 == 0:
        body += dot_lines(i)
    rest = size - len(head.encode()) - len(body.encode()) - 20
    body += text_block(rng, max(rest, 64))
    body += "-- \nend of message %d\n" % i
    return (head + body).encode()


def write_msg(maildir, i, data, tag):
    name = "%d.M%dP%s.bench,S=%d" % (1700000000 + i, i, tag, len(data))
    tmp = os.path.join(maildir, "tmp", name)
    with open(tmp, "wb") as f:
        f.write(data)
    os.rename(tmp, os.path.join(maildir, "new", name))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--maildir", required=True)
    ap.add_argument("--count", type=int, default=0)
    ap.add_argument("--seed", type=int, default=4711)
    ap.add_argument("--first", type=int, default=1)
    ap.add_argument("--attach-rate", type=float, default=0.03)
    ap.add_argument("--big", type=int, default=0)
    a = ap.parse_args()
    for sub in ("new", "cur", "tmp"):
        os.makedirs(os.path.join(a.maildir, sub), exist_ok=True)
    total = 0
    n = 0
    if a.big:
        rng = random.Random(a.seed)
        data = attachment_msg(rng, a.first, a.big - 4096, 2048)
        write_msg(a.maildir, a.first, data, "s%d" % a.seed)
        n, total = 1, len(data)
    for i in range(a.first, a.first + a.count):
        # One generator per message: message i is the same whatever the
        # count, so a 1,000 box is the start of a 10,000 box.
        rng = random.Random(a.seed * 1000003 + i)
        if rng.random() < a.attach_rate:
            data = attachment_msg(rng, i, rng.randint(100 << 10, 1 << 20),
                                  rng.randint(1 << 10, 8 << 10))
        else:
            data = plain_msg(rng, i, rng.randint(2 << 10, 30 << 10))
        write_msg(a.maildir, i, data, "s%d" % a.seed)
        n += 1
        total += len(data)
    print(n, total)
    return 0


if __name__ == "__main__":
    sys.exit(main())
