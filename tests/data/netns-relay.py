#!/usr/bin/env python3
"""netns-relay.py: run a command where a POP3 server answers on a fixed port.

    netns-relay.py UPSTREAM_PORT LISTEN_PORT REPORT -- COMMAND...

Connects to 127.0.0.1:UPSTREAM_PORT (the test's Dovecot, on a random
port), then, in a new network namespace (unshare -rn: nothing else of
the machine is touched), listens on 127.0.0.1:LISTEN_PORT, runs COMMAND
and relays its one connection to the upstream one.  So a config without
a 'port' line (110 or 995) reaches the test server.  Where no namespace
can be made (a container that forbids it), it listens on LISTEN_PORT in
the current one, which needs root or a container's own network.

The initial response of an AUTH OAUTHBEARER or XOAUTH2 line the client
sends is decoded, and its fields other than the secret (auth=) are
written to REPORT, one per line ("host=...", "port=..."): the test sees
what the client claimed without the token being printed anywhere.
Exits with COMMAND's status (99 when the relay itself fails)."""
import base64
import binascii
import os
import select
import socket
import subprocess
import sys


def fields(payload):
    """The gs2 key=value fields of an OAUTHBEARER/XOAUTH2 response."""
    try:
        raw = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        return ["undecodable"]
    out = []
    for part in raw.split(b"\x01"):
        for kv in part.split(b","):
            if b"=" not in kv or kv.startswith(b"auth="):
                continue
            key = kv.split(b"=", 1)[0]
            if key in (b"host", b"port", b"a", b"user"):
                out.append(kv.decode("latin-1"))
    return out


def inspect(buf, report):
    """Report and drop the complete lines in buf; return the rest."""
    while b"\r\n" in buf:
        line, buf = buf.split(b"\r\n", 1)
        words = line.split(b" ")
        if (len(words) == 3 and words[0].upper() == b"AUTH" and
                words[1].upper() in (b"OAUTHBEARER", b"XOAUTH2")):
            with open(report, "a") as f:
                for kv in fields(words[2]):
                    f.write(kv + "\n")
    return buf


def relay(a, b, report):
    pending = b""
    socks = [a, b]
    while socks:
        r, _, _ = select.select(socks, [], [], 60)
        if not r:
            return
        for s in r:
            data = s.recv(65536)
            other = b if s is a else a
            if not data:
                return
            if s is a:
                pending = inspect(pending + data, report)
            other.sendall(data)


def inside(up, port, report, cmd, lo_up=True):
    if lo_up:
        subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.bind(("127.0.0.1", port))
    ls.listen(1)
    ls.settimeout(30)
    child = subprocess.Popen(cmd)
    try:
        conn, _ = ls.accept()
        relay(conn, up, report)
        conn.close()
    except socket.timeout:
        pass
    up.close()
    return child.wait()


def main():
    args = sys.argv[1:]
    if args[:1] == ["--inside"]:
        sep = args.index("--")
        sys.exit(inside(socket.socket(fileno=int(args[1])), int(args[2]),
                        args[3], args[sep + 1:]))
    if len(args) < 5 or args[3] != "--":
        sys.stderr.write(__doc__)
        sys.exit(64)
    up = socket.create_connection(("127.0.0.1", int(args[0])), timeout=20)
    up.settimeout(None)
    fd = up.fileno()
    os.set_inheritable(fd, True)
    open(args[2], "w").close()
    if subprocess.call(["unshare", "-rn", "true"],
                       stderr=subprocess.DEVNULL) != 0:
        # No namespaces here (a container without them): a private
        # network already, or root; listen in this one.
        sys.stderr.write("netns-relay: no network namespace, "
                         "listening on port %s here\n" % args[1])
        sys.exit(inside(up, int(args[1]), args[2], args[4:], lo_up=False))
    rc = subprocess.call(["unshare", "-rn", sys.executable,
                          os.path.abspath(__file__), "--inside", str(fd),
                          args[1], args[2], "--"] + args[4:], pass_fds=[fd])
    sys.exit(rc)


if __name__ == "__main__":
    main()
