#!/usr/bin/python3
"""pop3probe: a small independent POP3 client for checking the test fixture.

Used by the integration tests to prove the Dovecot fixture does what the
tests assume (it is not popmuch, so a bug in popmuch cannot hide a broken
fixture).  Standard library only.

  pop3probe.py --port P [--tls none|stls|implicit] [--ca FILE] [--insecure]
               [--servername NAME] [--user U --password P]
               [--mech user|apop|plain|login|cram-md5|scram-sha-1|scram-sha-256]
               [--capa] [--greeting] [--stat] [--fingerprint]
               [--retr-dir DIR] [--dele]

Prints one "key: value" line per thing asked for; exit 0 on success,
1 on a protocol or authentication failure, 2 on a TLS failure.
"""
import argparse
import base64
import hashlib
import hmac
import os
import re
import socket
import ssl
import sys


class Pop3Error(Exception):
    pass


class Conn:
    def __init__(self, sock):
        self.sock = sock
        self.f = sock.makefile("rb")

    def starttls(self, ctx, name):
        self.f.close()
        self.sock = ctx.wrap_socket(self.sock, server_hostname=name)
        self.f = self.sock.makefile("rb")

    def send(self, line):
        self.sock.sendall(line.encode() + b"\r\n")

    def line(self):
        s = self.f.readline(4096)
        if not s.endswith(b"\r\n"):
            raise Pop3Error("short or unterminated line: %r" % s)
        return s[:-2].decode("utf-8", "replace")

    def status(self):
        s = self.line()
        if s.startswith("+OK"):
            return s
        if s.startswith("+ ") or s == "+":
            return s
        raise Pop3Error(s)

    def cmd(self, line):
        self.send(line)
        return self.status()

    def multi(self):
        """Read a multi-line body; undo dot-stuffing, CRLF -> LF."""
        out = bytearray()
        while True:
            s = self.f.readline()
            if not s.endswith(b"\r\n"):
                raise Pop3Error("unterminated body line")
            s = s[:-2]
            if s == b".":
                return bytes(out)
            if s.startswith(b"."):
                s = s[1:]
            out += s + b"\n"


def b64(b):
    return base64.b64encode(b).decode()


def scram(c, user, password, hname):
    h = getattr(hashlib, hname)
    nonce = b64(os.urandom(18))
    first_bare = "n=%s,r=%s" % (user, nonce)
    r = c.cmd("AUTH SCRAM-%s %s" % (hname.upper().replace("SHA", "SHA-"),
                                      b64(("n,," + first_bare).encode())))
    server_first = base64.b64decode(r[2:]).decode()
    attrs = dict(kv.split("=", 1) for kv in server_first.split(","))
    if not attrs["r"].startswith(nonce):
        raise Pop3Error("bad server nonce")
    salt = base64.b64decode(attrs["s"])
    salted = hashlib.pbkdf2_hmac(hname, password.encode(), salt,
                                 int(attrs["i"]))
    ckey = hmac.new(salted, b"Client Key", h).digest()
    skey = hmac.new(salted, b"Server Key", h).digest()
    final_wo = "c=biws,r=" + attrs["r"]
    auth_msg = ",".join([first_bare, server_first, final_wo]).encode()
    sig = hmac.new(h(ckey).digest(), auth_msg, h).digest()
    proof = bytes(a ^ b for a, b in zip(ckey, sig))
    r = c.cmd(b64((final_wo + ",p=" + b64(proof)).encode()))
    if r.startswith("+ "):
        v = base64.b64decode(r[2:]).decode()
        want = hmac.new(skey, auth_msg, h).digest()
        if v != "v=" + b64(want):
            raise Pop3Error("server signature mismatch")
        r = c.cmd("")
    return r


def login(c, mech, user, password, greeting):
    if mech == "user":
        c.cmd("USER " + user)
        return c.cmd("PASS " + password)
    if mech == "apop":
        m = re.search(r"<[^>]*>", greeting)
        if not m:
            raise Pop3Error("no APOP timestamp in greeting")
        d = hashlib.md5((m.group(0) + password).encode()).hexdigest()
        return c.cmd("APOP %s %s" % (user, d))
    if mech == "plain":
        return c.cmd("AUTH PLAIN " +
                     b64(("\0%s\0%s" % (user, password)).encode()))
    if mech == "login":
        c.cmd("AUTH LOGIN")
        c.cmd(b64(user.encode()))
        return c.cmd(b64(password.encode()))
    if mech == "cram-md5":
        r = c.cmd("AUTH CRAM-MD5")
        chal = base64.b64decode(r[2:])
        d = hmac.new(password.encode(), chal, hashlib.md5).hexdigest()
        return c.cmd(b64(("%s %s" % (user, d)).encode()))
    if mech in ("scram-sha-1", "scram-sha-256"):
        return scram(c, user, password, mech[6:].replace("-", ""))
    raise Pop3Error("unknown mechanism " + mech)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--tls", choices=["none", "stls", "implicit"],
                    default="none")
    ap.add_argument("--ca")
    ap.add_argument("--insecure", action="store_true",
                    help="no certificate check (to read a fingerprint)")
    ap.add_argument("--servername", default="localhost")
    ap.add_argument("--user")
    ap.add_argument("--password")
    ap.add_argument("--mech", default="user")
    ap.add_argument("--greeting", action="store_true")
    ap.add_argument("--capa", action="store_true")
    ap.add_argument("--stat", action="store_true")
    ap.add_argument("--fingerprint", action="store_true")
    ap.add_argument("--retr-dir")
    ap.add_argument("--dele", action="store_true")
    a = ap.parse_args()

    ctx = ssl.create_default_context(cafile=a.ca)
    if a.insecure:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    try:
        sock = socket.create_connection((a.host, a.port), timeout=20)
        c = Conn(sock)
        if a.tls == "implicit":
            c.starttls(ctx, a.servername)
        greeting = c.status()
        if a.greeting:
            print("greeting: " + greeting)
        if a.tls == "stls":
            c.cmd("STLS")
            c.starttls(ctx, a.servername)
        if a.fingerprint and a.tls != "none":
            d = hashlib.sha256(c.sock.getpeercert(True)).hexdigest()
            print("fingerprint: " + ":".join(
                d[i:i + 2] for i in range(0, len(d), 2)).upper())
        if a.capa:
            c.cmd("CAPA")
            caps = c.multi().decode().split("\n")
            print("capa: " + " ".join(x.replace(" ", "=")
                                      for x in caps if x))
        if a.user:
            print("auth: " + login(c, a.mech, a.user, a.password, greeting))
        if a.stat:
            print("stat: " + c.cmd("STAT"))
        if a.retr_dir:
            c.cmd("UIDL")
            uidls = [x.split() for x in c.multi().decode().split("\n") if x]
            for num, uidl in uidls:
                c.cmd("RETR " + num)
                with open(os.path.join(a.retr_dir, uidl), "wb") as f:
                    f.write(c.multi())
                if a.dele:
                    c.cmd("DELE " + num)
            print("retrieved: %d" % len(uidls))
        c.cmd("QUIT")
    except ssl.SSLError as e:
        print("tls-error: %s" % e)
        return 2
    except (Pop3Error, OSError) as e:
        print("error: %s" % e)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
