#!/usr/bin/env python3
"""tui-bench-gen.py MAILDIR COUNT

Write COUNT small messages into MAILDIR/new for the TUI benchmark, fast
(one open/write per file, no fsync: the data set is a cache, not mail).
Deterministic (seeded).  About 60% of the messages start a thread; the
rest reply to a recent message, so threads of 1 to ~15 messages form.
One thread of exactly 200 messages has the subject "bench-thread-200".
Authors and subjects mix ASCII, accented Latin and CJK; dates spread
over three years before 2024-06-01."""
import email.utils
import os
import random
import sys

FIRST = ["Anna", "Jörg", "Zoë", "Łukasz", "Émile", "Sven", "Maria", "Chen",
         "田中", "Ørjan", "Nuno", "Priya", "Olu", "Sam", "Kim", "Ines"]
LAST = ["Müller", "Smith", "García", "Nowak", "Dubois", "太郎", "Rossi",
        "Hansen", "Silva", "Khan", "Okafor", "Lee", "Park", "Novák"]
WORDS = ("report meeting budget release patch review Köln déjà-vu 日本語 "
         "server backup invoice travel lunch schedule draft notes update "
         "question urgent weekly kernel build test failure fix plan").split()
END = 1717200000  # 2024-06-01
SPAN = 3 * 365 * 86400


def header_value(s):
    """RFC 2047 encode s when it is not ASCII."""
    try:
        s.encode("ascii")
        return s
    except UnicodeEncodeError:
        from email.header import Header
        return Header(s, "utf-8").encode()


def message(i, mid, subject, author, date, parent):
    name, addr = author
    lines = [
        "From: %s <%s>" % (header_value(name), addr),
        "To: Bench <bench@example.org>",
        "Subject: %s" % header_value(subject),
        "Date: %s" % email.utils.formatdate(date, localtime=False),
        "Message-ID: <%s>" % mid,
    ]
    if parent:
        lines.append("In-Reply-To: <%s>" % parent)
        lines.append("References: <%s>" % parent)
    lines += ["MIME-Version: 1.0",
              "Content-Type: text/plain; charset=utf-8",
              "Content-Transfer-Encoding: 8bit", "",
              "Message %d of the TUI benchmark." % i,
              "Some text so that the message is not empty.", ""]
    return "\n".join(lines).encode()


def main():
    if len(sys.argv) != 3:
        sys.stderr.write(__doc__)
        return 64
    top, count = sys.argv[1], int(sys.argv[2])
    for d in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(top, d), exist_ok=True)
    rnd = random.Random(4711)
    people = [("%s %s" % (rnd.choice(FIRST), rnd.choice(LAST)),
               "p%d@example.org" % k) for k in range(500)]
    recent = []  # (mid, subject) of recent messages to reply to
    big = count // 2  # the 200-message thread starts here
    big_mids = []
    dates = sorted(END - rnd.randrange(SPAN) for _ in range(count))
    newdir = os.path.join(top, "new")
    for i in range(count):
        mid = "b%d@bench.popmuch" % i
        parent = None
        if big <= i < big + 200:
            subject = "bench-thread-200"
            parent = rnd.choice(big_mids) if big_mids else None
            big_mids.append(mid)
        elif recent and rnd.random() < 0.4:
            parent, subject = rnd.choice(recent)
            if not subject.startswith("Re: "):
                subject = "Re: " + subject
        else:
            subject = " ".join(rnd.choice(WORDS) for _ in range(
                rnd.randrange(2, 7)))
        if not subject.startswith("bench-thread"):
            recent.append((mid, subject))
            if len(recent) > 200:
                recent.pop(0)
        data = message(i, mid, subject, rnd.choice(people), dates[i],
                       parent)
        with open(os.path.join(newdir, "%d.bench" % i), "wb") as f:
            f.write(data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
