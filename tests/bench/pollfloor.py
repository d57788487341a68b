#!/usr/bin/env python3
"""pollfloor.py: the server's floor for a no-new-mail poll (bench case c).

The least a POP3 client can do to learn what a mailbox holds: read the
greeting, send "USER u, PASS p, STAT, UIDL, QUIT" in one write (pipelined),
and read every byte to EOF into one reused buffer.  What a real poll costs
beyond this is the client's own work; what this costs is the server's
(Dovecot's mailbox initialisation after login, the UIDL listing) and the
loopback.  See tests/bench/README.md.

Checks what it read, cheaply: a +OK for USER, PASS, STAT, UIDL and QUIT, a
UIDL listing of exactly the STAT count of lines (and of --expect, when
given), ended by ".".  Lines are counted with bytes.count(b"\\n") on each
chunk; the listing's CRLFs are checked only in its last bytes.  Anything
else is a failure with a message on stderr naming what was wrong (exit 1).

The password comes from the environment variable POLLFLOOR_PASS, else the
first line of stdin; never from argv (it would show in ps).

On success prints one line: the messages listed, the bytes read, and the
seconds from connect to EOF (the interpreter's start-up not included).
Stdlib only.
"""

import argparse
import os
import socket
import sys
import time

TAIL = 512


class Fail(Exception):
    pass


def password():
    p = os.environ.get("POLLFLOOR_PASS")
    if p is None:
        p = sys.stdin.readline().rstrip("\r\n")
    if not p:
        raise Fail("no password: set POLLFLOOR_PASS or give it on stdin")
    return p


def shown(line):
    return line.decode("utf-8", "replace").rstrip("\r\n")[:120]


class Reader:
    """Reads the socket into one buffer; hands out whole lines at the start
    (the status lines) and then counts what is left without keeping it."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = bytearray(1 << 20)
        self.view = memoryview(self.buf)
        self.pending = b""  # read but not yet handed out as a line
        self.total = 0

    def recv(self):
        n = self.sock.recv_into(self.buf)
        self.total += n
        return n

    def line(self, what):
        while b"\n" not in self.pending:
            n = self.recv()
            if n == 0:
                raise Fail("connection closed before the %s reply%s" % (
                    what, (" (read: %r)" % shown(self.pending))
                    if self.pending else ""))
            self.pending += self.view[:n]
        i = self.pending.index(b"\n") + 1
        line, self.pending = self.pending[:i], self.pending[i:]
        return line

    def count_to_eof(self):
        """Newlines in everything left, and the last TAIL bytes of it."""
        lines = self.pending.count(b"\n")
        tail = self.pending[-TAIL:]
        self.pending = b""
        while True:
            n = self.recv()
            if n == 0:
                return lines, tail
            lines += self.buf.count(b"\n", 0, n)
            if n >= TAIL:
                tail = bytes(self.view[n - TAIL:n])
            else:
                tail = (tail + self.view[:n])[-TAIL:]


def status(r, what):
    line = r.line(what)
    if not line.startswith(b"+OK"):
        raise Fail("%s: the server answered %r" % (what, shown(line)))
    return line


def poll(host, port, user, pw, expect, timeout):
    t0 = time.monotonic()
    with socket.create_connection((host, port), timeout=timeout) as s:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        r = Reader(s)
        status(r, "greeting")
        s.sendall(("USER %s\r\nPASS %s\r\nSTAT\r\nUIDL\r\nQUIT\r\n"
                   % (user, pw)).encode("utf-8"))
        status(r, "USER")
        status(r, "PASS")
        st = status(r, "STAT").split()
        try:
            n = int(st[1])
        except (IndexError, ValueError):
            raise Fail("STAT: no message count in %r" % shown(b" ".join(st)))
        if expect is not None and n != expect:
            raise Fail("STAT: %d messages on the server, expected %d"
                       % (n, expect))
        status(r, "UIDL")
        lines, tail = r.count_to_eof()
    t1 = time.monotonic()
    # What is left: n listing lines, ".", the QUIT reply.
    last = tail.split(b"\r\n")
    if len(last) < 3 or last[-1] != b"":
        raise Fail("the reply does not end with CRLF (last bytes: %r)"
                   % shown(tail[-80:]))
    if not last[-2].startswith(b"+OK"):
        raise Fail("QUIT: the server answered %r (or the listing was cut)"
                   % shown(last[-2]))
    if last[-3] != b".":
        raise Fail("UIDL: the listing does not end with '.' (last line "
                   "%r)" % shown(last[-3]))
    listed = lines - 2
    if listed != n:
        raise Fail("UIDL: %d lines listed, STAT said %d" % (listed, n))
    return listed, r.total, t1 - t0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--user", required=True)
    ap.add_argument("--expect", type=int, default=None,
                    help="the number of messages the mailbox must hold")
    ap.add_argument("--timeout", type=float, default=600)
    a = ap.parse_args()
    try:
        listed, nbytes, secs = poll(a.host, a.port, a.user, password(),
                                    a.expect, a.timeout)
    except Fail as e:
        print("pollfloor.py: %s" % e, file=sys.stderr)
        return 1
    except OSError as e:
        print("pollfloor.py: %s:%d: %s" % (a.host, a.port, e),
              file=sys.stderr)
        return 1
    print("listed %d messages, read %d bytes, %.3f s from connect to EOF"
          % (listed, nbytes, secs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
