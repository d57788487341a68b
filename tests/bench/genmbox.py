#!/usr/bin/env python3
"""genmbox.py: a benchmark mbox from a Maildir genmail.py wrote.

    genmbox.py MAILDIR OUT.mbox [--dup-every K]

Each file of MAILDIR/new (sorted) becomes one mboxrd message ("From "
lines, also quoted ones, get one more '>').  --dup-every K appends a
second copy of every Kth message at the end (duplicates inside the
archive).  Prints "MESSAGES DISTINCT BYTES".
"""

import argparse
import os
import re

QUOTED = re.compile(rb"^>*From ")


def write_message(out, data):
    out.write(b"From bench@example.org Mon Jan  1 00:00:00 2001\n")
    for line in data.splitlines(keepends=True):
        if QUOTED.match(line):
            out.write(b">")
        out.write(line)
    if not data.endswith(b"\n"):
        out.write(b"\n")
    out.write(b"\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("maildir")
    ap.add_argument("out")
    ap.add_argument("--dup-every", type=int, default=0)
    a = ap.parse_args()
    new = os.path.join(a.maildir, "new")
    names = sorted(os.listdir(new))
    n = 0
    with open(a.out, "wb") as out:
        for name in names:
            with open(os.path.join(new, name), "rb") as f:
                write_message(out, f.read())
            n += 1
        if a.dup_every > 0:
            for name in names[:: a.dup_every]:
                with open(os.path.join(new, name), "rb") as f:
                    write_message(out, f.read())
                n += 1
        size = out.tell()
    print(n, len(names), size)


if __name__ == "__main__":
    main()
