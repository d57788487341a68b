#!/usr/bin/python3
"""smtpd.py: a real SMTP server (aiosmtpd) on loopback for the tests.

Usage: smtpd.py MAILDIR PORTFILE [PORT]

Every message it accepts is written to MAILDIR/new/ as received, with
two lines put in front: X-Test-Mail-From: and X-Test-Rcpt-To: (the
envelope).  A recipient whose local part starts with "reject" is refused
with 550 (a permanent failure).  The port it listens on (PORT, else a
free one) is written to PORTFILE once it accepts connections.
"""
import os
import socket
import sys
import time

from aiosmtpd.controller import Controller


class Handler:
    def __init__(self, maildir):
        self.maildir = maildir
        self.n = 0

    async def handle_RCPT(self, server, session, envelope, address, opts):
        if address.split("@")[0].startswith("reject"):
            return "550 5.1.1 <%s>: no such user here" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.n += 1
        # ordered by arrival, also across restarts of the server
        name = "%020d.%d.%d.smtpd" % (time.time_ns(), os.getpid(), self.n)
        head = "X-Test-Mail-From: %s\nX-Test-Rcpt-To: %s\n" % (
            envelope.mail_from, ", ".join(envelope.rcpt_tos))
        data = envelope.original_content.replace(b"\r\n", b"\n")
        tmp = os.path.join(self.maildir, "tmp", name)
        with open(tmp, "wb") as f:
            f.write(head.encode() + data)
            f.flush()
            os.fsync(f.fileno())
        os.rename(tmp, os.path.join(self.maildir, "new", name))
        return "250 2.0.0 queued as %s" % name


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def main():
    maildir, portfile = sys.argv[1], sys.argv[2]
    port = int(sys.argv[3]) if len(sys.argv) > 3 else free_port()
    for d in ("tmp", "new", "cur"):
        os.makedirs(os.path.join(maildir, d), exist_ok=True)
    ctl = Controller(Handler(maildir), hostname="127.0.0.1", port=port,
                     decode_data=False)
    ctl.start()
    with open(portfile + ".tmp", "w") as f:
        f.write("%d\n" % port)
    os.rename(portfile + ".tmp", portfile)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        ctl.stop()


if __name__ == "__main__":
    main()
