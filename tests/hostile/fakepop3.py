#!/usr/bin/env python3
"""fakepop3.py: a scriptable, hostile POP3 server for popmuch's tests.

It speaks enough POP3 (RFC 1939, 2449, 2595, 5034: CAPA, STLS, USER/PASS,
AUTH PLAIN and CRAM-MD5, STAT, LIST, UIDL, RETR, TOP, DELE, RSET, NOOP,
QUIT) to be fetched from, and then misbehaves as a case in cases.py says:
faults a real server will not produce.  Python 3 standard library only.

Usage:
  fakepop3.py serve CASE --dir DIR [--port-file F] [--tls-dir D]
                         [--connections N] [--no-faults 1]
                         [--password PW] [--sasl MECHS]
      Listen on 127.0.0.1 on a random port, print it as the first line of
      stdout (and write it to F), serve N connections (default 1), exit.
      --no-faults 1: the case's mailbox, served well (no faults);
      --password PW: the password it accepts (default the case's, "p");
      --sasl MECHS: the SASL mechanisms it offers (PLAIN, CRAM-MD5).
      DIR receives:
        transcript   every line the client sent ("C: ..."), what the
                     server sent ("S: ..."), and events ("-- tls", ...)
        expect/N.eml the local form of message N (what a correct client
                     stores: CRLF turned into LF, dot-stuffing undone)
        deleted      the messages (their index in the case's msgs,
                     from 1) whose deletion a QUIT committed, one a line
                     (absent: none)
      With "sessions" in the case, connection i (from 1) is served with
      the case updated by sessions[i-1]; the mailbox (deleted messages,
      headers added on retrieval) persists across connections.
  fakepop3.py list
      One line per case: "NAME: expected behaviour".
  fakepop3.py expect CASE
      The case's expectations as shell assignments (for run.sh).

Every session ends by itself within SESSION_MAX seconds, so a client that
hangs cannot hang the test run.
"""

import base64
import hashlib
import hmac
import os
import shlex
import socket
import ssl
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cases as casesmod  # noqa: E402

SESSION_MAX = 40   # seconds any one connection may last
LINE_MAX = 8192    # longest client command line we accept


class Closed(Exception):
    """The session is over (client gone, or the case said so)."""


def esc(b, limit=300):
    """Printable form of untrusted bytes for the transcript."""
    out = []
    for c in b[:limit]:
        if 0x20 <= c < 0x7f and c != 0x5c:
            out.append(chr(c))
        elif c == 0x5c:
            out.append("\\\\")
        else:
            out.append("\\x%02x" % c)
    s = "".join(out)
    if len(b) > limit:
        s += "...(%d bytes)" % len(b)
    return s


def stuff(body):
    """Wire form of a message: dot-stuffed, ending in CRLF, then '.'."""
    if body and not body.endswith(b"\n"):
        body += b"\r\n"
    lines = body.split(b"\n")
    out = []
    for ln in lines:
        out.append(b"." + ln if ln.startswith(b".") else ln)
    return b"\n".join(out) + b".\r\n"


def local_form(body):
    """What a correct client stores for body (see doc/DEVIATIONS.md)."""
    if body and not body.endswith(b"\n"):
        body += b"\r\n"
    return body.replace(b"\r\n", b"\n")


class Session:
    def __init__(self, case, sock, tx, tls_ctx, state):
        self.case = case
        # slot n (from 1) shows message view[n-1] (an index into msgs)
        self.view = case.get("show") or list(range(1, len(state["msgs"]) + 1))
        self.sock = sock
        self.tx = tx
        self.tls_ctx = tls_ctx
        self.state = state          # shared across connections
        self.buf = b""
        self.authed = False
        self.user = None
        self.tls = False
        self.marked = set()
        self.deadline = time.monotonic() + SESSION_MAX
        self.faults = case.get("faults", {})
        self.used = {}              # fault key -> times used

    # ---- transport -----------------------------------------------------
    def log(self, line):
        self.tx.write(line + "\n")
        self.tx.flush()

    def send(self, data):
        self.log("S: " + esc(data))
        try:
            self.sock.sendall(data)
        except (OSError, ssl.SSLError) as e:
            self.log("-- send failed: %s" % e)
            raise Closed()

    def recv(self):
        left = self.deadline - time.monotonic()
        if left <= 0:
            self.log("-- session time limit")
            raise Closed()
        self.sock.settimeout(min(left, 1.0))
        try:
            data = self.sock.recv(65536)
        except socket.timeout:
            return None
        except (OSError, ssl.SSLError) as e:
            self.log("-- recv failed: %s" % e)
            raise Closed()
        if not data:
            self.log("-- client closed")
            raise Closed()
        return data

    def read_line(self):
        while b"\n" not in self.buf:
            if len(self.buf) > LINE_MAX:
                self.log("-- client line too long")
                raise Closed()
            data = self.recv()
            if data is not None:
                self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        line = line.rstrip(b"\r")
        self.log("C: " + esc(line))
        return line

    def stall(self):
        """Send nothing more; wait until the client gives up."""
        self.log("-- stall")
        while True:
            self.recv()

    def endless(self, chunk):
        self.log("-- endless: " + esc(chunk, 40))
        self.tx.flush()
        try:
            while time.monotonic() < self.deadline:
                self.sock.sendall(chunk)
        except (OSError, ssl.SSLError) as e:
            self.log("-- endless stopped: %s" % e)
        raise Closed()

    def trickle(self, chunk, pause):
        """Send chunk one byte every pause seconds, until the client
        gives up (never stalled long enough for a read timeout)."""
        self.log("-- trickle: %s every %.1f s" % (esc(chunk, 40), pause))
        self.tx.flush()
        try:
            while time.monotonic() < self.deadline:
                for b in chunk:
                    self.sock.sendall(bytes([b]))
                    time.sleep(pause)
        except (OSError, ssl.SSLError) as e:
            self.log("-- trickle stopped: %s" % e)
        raise Closed()

    def start_tls(self):
        if self.buf:
            self.log("-- client sent bytes before the TLS handshake: "
                     + esc(self.buf))
            self.buf = b""
        self.sock.settimeout(10)
        try:
            self.sock = self.tls_ctx.wrap_socket(self.sock, server_side=True)
        except (OSError, ssl.SSLError) as e:
            self.log("-- tls failed: %s" % e)
            raise Closed()
        self.tls = True
        self.log("-- tls " + str(self.sock.version()))

    # ---- faults --------------------------------------------------------
    def hook(self, key):
        """The action list for key ("RETR 2", "RETR", "greeting"), if any.
        A key "RETR 2#1" applies only to the first use."""
        for k in (key, key.split(" ")[0]):
            n = self.used.get(k, 0) + 1
            for kk in ("%s#%d" % (k, n), k):
                if kk in self.faults:
                    self.used[k] = n
                    return self.faults[kk]
        return None

    def act(self, actions, default):
        """Run a fault's action list; default() gives the normal reply."""
        for a in actions:
            if isinstance(a, bytes):
                self.send(a)
            elif a == "reply":
                self.send(default())
            elif a == "close":
                self.log("-- server closes")
                raise Closed()
            elif a == "stall":
                self.stall()
            elif a == "tls":
                self.start_tls()
            elif a[0] == "reply_cut":
                data = default()
                self.send(data[:a[1]])
                self.log("-- server closes mid-reply")
                raise Closed()
            elif a[0] == "reply_cut_stall":
                self.send(default()[:a[1]])
                self.stall()
            elif a[0] == "reply_nodot":
                data = default()
                self.send(data[:-3] if data.endswith(b"\n.\r\n") else data)
                self.log("-- server closes without the dot line")
                raise Closed()
            elif a[0] == "reply_then":
                self.send(default() + a[1])
            elif a[0] == "reply_then_later":
                self.send(default())
                time.sleep(a[1])
                self.send(a[2])
            elif a[0] == "endless":
                self.endless(a[1])
            elif a[0] == "trickle":
                self.trickle(a[1], a[2])
            else:
                raise ValueError("unknown action %r" % (a,))

    # ---- the mailbox ---------------------------------------------------
    def msg(self, n):
        """The message in slot n."""
        return self.state["msgs"][self.view[n - 1] - 1]

    def body(self, n):
        return self.state["bodies"].get(self.view[n - 1], self.msg(n)["body"])

    def nslots(self):
        return len(self.view)

    def live(self, n):
        return (1 <= n <= self.nslots() and n not in self.marked
                and self.view[n - 1] not in self.state["deleted"])

    def size(self, n):
        m = self.msg(n)
        if "list_size" in m:
            return m["list_size"]
        if self.case.get("lf_sizes"):
            return len(self.body(n).replace(b"\r\n", b"\n"))
        return len(self.body(n))

    def num(self, arg):
        try:
            n = int(arg)
        except ValueError:
            return None
        return n if self.live(n) else None

    def multi(self, first, lines):
        return first + b"".join(ln + b"\r\n" for ln in lines) + b".\r\n"

    # ---- commands ------------------------------------------------------
    def capa_lines(self):
        c = self.case
        if "capa" in c:
            return c["capa"]
        lines = [b"TOP", b"USER", b"UIDL", b"RESP-CODES", b"AUTH-RESP-CODE"]
        if c.get("stls") and not self.tls:
            lines.append(b"STLS")
        if c.get("pipelining"):
            lines.append(b"PIPELINING")
        if c.get("sasl"):
            lines.append(b"SASL " + c["sasl"])
        return lines

    def c_capa(self, arg):
        lines = self.capa_lines()
        if lines is None:
            return b"-ERR no CAPA here\r\n"
        return self.multi(b"+OK capability list follows\r\n", lines)

    def c_stls(self, arg):
        if not self.case.get("stls") or self.tls or self.authed:
            return b"-ERR STLS not available\r\n"
        self.after = "tls"
        return b"+OK begin TLS negotiation\r\n"

    def c_user(self, arg):
        if self.authed:
            return b"-ERR already authenticated\r\n"
        self.user = arg
        return b"+OK send PASS\r\n"

    def c_pass(self, arg):
        if self.authed or self.user is None:
            return b"-ERR send USER first\r\n"
        if (self.user, arg) != (self.case.get("user", b"u"),
                                self.case.get("password", b"p")):
            self.user = None
            return b"-ERR [AUTH] invalid user name or password\r\n"
        return self.login()

    def login(self):
        self.authed = True
        return b"+OK logged in\r\n"

    def c_auth(self, arg):
        mech = arg.split(b" ")[0].upper()
        if self.authed or mech not in (self.case.get("sasl") or b"").split():
            return b"-ERR unsupported mechanism\r\n"
        if self.case.get("sasl_plus") == "forever":
            return self.sasl_plus(b"+ \r\n")
        if mech == b"PLAIN":
            self.send(b"+ \r\n")
            want = b"\0" + self.case.get("user", b"u") + b"\0" + \
                self.case.get("password", b"p")
            resp = self.read_line()
            ok = self.b64(resp) == want
        elif mech == b"CRAM-MD5":
            chal = b"<1896.697170952@fake.example>"
            ch = self.hook("AUTH-CHALLENGE")
            self.send(ch[0] if ch else
                      b"+ " + base64.b64encode(chal) + b"\r\n")
            resp = self.b64(self.read_line()) or b""
            dig = hmac.new(self.case.get("password", b"p"), chal,
                           hashlib.md5).hexdigest().encode()
            ok = resp == self.case.get("user", b"u") + b" " + dig
        else:
            return b"-ERR mechanism not implemented\r\n"
        if not ok:
            return b"-ERR [AUTH] authentication failed\r\n"
        if self.case.get("sasl_plus") == "after":
            return self.sasl_plus(b"+ \r\n")
        return self.login()

    SASL_PLUS_MAX = 1000

    def sasl_plus(self, chal):
        """Answer every client line with chal until the client cancels
        ("*": -ERR); a client still answering after SASL_PLUS_MAX
        challenges fails the case (stderr) and is cut off."""
        for _ in range(self.SASL_PLUS_MAX):
            self.send(chal)
            if self.read_line() == b"*":
                self.log("-- client cancelled the SASL exchange")
                return b"-ERR [AUTH] authentication cancelled\r\n"
        sys.stderr.write("client answered %d SASL challenges\n"
                         % self.SASL_PLUS_MAX)
        raise Closed()

    def b64(self, s):
        if s == b"*":
            return None
        try:
            return base64.b64decode(s, validate=True)
        except ValueError:
            return None

    def need_auth(self):
        return None if self.authed else b"-ERR not authenticated\r\n"

    def c_stat(self, arg):
        if "stat" in self.case:
            return self.case["stat"]
        live = [n for n in range(1, self.nslots() + 1) if self.live(n)]
        return b"+OK %d %d\r\n" % (len(live), sum(self.size(n) for n in live))

    def listing(self, arg, key, fmt):
        if arg:
            n = self.num(arg)
            if n is None:
                return b"-ERR no such message\r\n"
            return b"+OK " + fmt(n) + b"\r\n"
        if key in self.case:
            lines = self.case[key]
        else:
            lines = [fmt(n) for n in range(1, self.nslots() + 1)
                     if self.live(n)]
        return self.multi(b"+OK listing follows\r\n", lines)

    def c_list(self, arg):
        return self.listing(arg, "list", lambda n: b"%d %d" %
                            (n, self.size(n)))

    def c_uidl(self, arg):
        if self.case.get("no_uidl"):
            return b"-ERR no UIDL\r\n"
        return self.listing(arg, "uidl", lambda n: b"%d %s" %
                            (n, self.msg(n)["uidl"]))

    def c_retr(self, arg):
        n = self.num(arg)
        if n is None:
            return b"-ERR no such message\r\n"
        reply = (b"+OK %d octets\r\n" % self.size(n)) + stuff(self.body(n))
        k = self.view[n - 1]
        if self.case.get("x_uidl") and k not in self.state["bodies"]:
            # GNU Mailutils: the first retrieval writes X-UIDL into the
            # stored message, so LIST, TOP and RETR change after it.
            self.state["bodies"][k] = (b"X-UIDL: " + self.msg(n)["uidl"] +
                                       b"\r\n" + self.body(n))
        return reply

    def c_top(self, arg):
        parts = arg.split()
        n = self.num(parts[0]) if len(parts) == 2 else None
        if n is None or not parts[1].isdigit():
            return b"-ERR bad TOP\r\n"
        head, sep, rest = self.body(n).partition(b"\r\n\r\n")
        body = b"\r\n".join(rest.split(b"\r\n")[:int(parts[1])])
        return b"+OK top follows\r\n" + stuff(head + sep + body)

    def c_dele(self, arg):
        n = self.num(arg)
        if n is None:
            return b"-ERR no such message\r\n"
        self.marked.add(n)
        return b"+OK marked\r\n"

    def c_rset(self, arg):
        self.marked = set()
        return b"+OK\r\n"

    def c_noop(self, arg):
        return b"+OK\r\n"

    def c_quit(self, arg):
        if self.authed and self.marked and self.case.get("quit_keeps"):
            self.log("-- QUIT +OK, but nothing is deleted")
        elif self.authed and self.marked:
            self.state["deleted"] |= {self.view[n - 1] for n in self.marked}
            self.log("-- committed deletions: %s" %
                     sorted(self.view[n - 1] for n in self.marked))
            self.state["commit"]()
        self.after = "close"
        return b"+OK bye\r\n"

    AUTH_FREE = (b"CAPA", b"STLS", b"USER", b"PASS", b"AUTH", b"QUIT",
                 b"NOOP")

    def reply(self, verb, arg):
        fn = getattr(self, "c_" + verb.decode("ascii", "replace").lower(),
                     None)
        if fn is None or not verb.isalpha():
            return b"-ERR unknown command\r\n"
        if verb not in self.AUTH_FREE:
            r = self.need_auth()
            if r:
                return r
        return fn(arg)

    def run(self):
        try:
            if self.case.get("implicit_tls"):
                self.start_tls()
            greet = self.case.get("greeting",
                                  b"+OK fakepop3 ready\r\n")
            hk = self.hook("greeting")
            self.act(hk if hk is not None else ["reply"], lambda: greet)
            while True:
                line = self.read_line()
                verb, _, arg = line.partition(b" ")
                verb = verb.upper()
                self.after = None
                key = verb.decode("latin-1") + \
                    (" " + arg.decode("latin-1") if arg else "")
                hk = self.hook(key)
                self.act(hk if hk is not None else ["reply"],
                         lambda: self.reply(verb, arg))
                if self.after == "tls":
                    self.start_tls()
                elif self.after == "close":
                    self.log("-- server closes after QUIT")
                    raise Closed()
        except Closed:
            pass
        finally:
            try:
                self.sock.close()
            except OSError:
                pass


def write_expect(case, d):
    os.makedirs(os.path.join(d, "expect"), exist_ok=True)
    for i, m in enumerate(case["msgs"], 1):
        with open(os.path.join(d, "expect", "%d.eml" % i), "wb") as f:
            f.write(m.get("local", local_form(m["body"])))


def serve(args):
    name = args[0]
    opts = dict(zip(args[1::2], args[2::2]))
    case = dict(casesmod.get(name))
    if opts.get("--no-faults") == "1":
        case.pop("faults", None)
        case.pop("sasl_plus", None)
    if "--password" in opts:
        case["password"] = opts["--password"].encode()
    if "--sasl" in opts:
        case["sasl"] = opts["--sasl"].encode()
    d = opts["--dir"]
    os.makedirs(d, exist_ok=True)
    write_expect(case, d)
    tls_ctx = None
    if case.get("implicit_tls") or case.get("stls"):
        tls_dir = opts["--tls-dir"]
        tls_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls_ctx.load_cert_chain(
            os.path.join(tls_dir, case.get("cert", "good") + ".pem"),
            os.path.join(tls_dir, "server.key"))
    state = {"msgs": case["msgs"], "deleted": set(), "bodies": {}}

    def commit():
        with open(os.path.join(d, "deleted.new"), "w") as f:
            for n in sorted(state["deleted"]):
                f.write("%d\n" % n)
        os.rename(os.path.join(d, "deleted.new"), os.path.join(d, "deleted"))
    state["commit"] = commit

    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.bind(("127.0.0.1", 0))
    ls.listen(4)
    port = ls.getsockname()[1]
    print(port, flush=True)
    if "--port-file" in opts:
        pf = opts["--port-file"]
        with open(pf + ".new", "w") as f:
            f.write("%d\n" % port)
        os.rename(pf + ".new", pf)
    ls.settimeout(SESSION_MAX)
    with open(os.path.join(d, "transcript"), "a") as tx:
        for i in range(int(opts.get("--connections", "1"))):
            try:
                sock, _ = ls.accept()
            except socket.timeout:
                tx.write("-- nobody connected\n")
                break
            tx.write("-- connection %d\n" % (i + 1))
            Session(casesmod.session(case, i + 1), sock, tx, tls_ctx,
                    state).run()
    ls.close()


def main():
    if len(sys.argv) >= 2 and sys.argv[1] == "list":
        for c in casesmod.CASES:
            print("%s: %s" % (c["name"], c["about"]))
    elif len(sys.argv) == 3 and sys.argv[1] == "expect":
        for k, v in casesmod.expect(sys.argv[2]).items():
            print("%s=%s" % (k, shlex.quote(str(v))))
    elif len(sys.argv) >= 3 and sys.argv[1] == "serve":
        serve(sys.argv[2:])
    else:
        sys.stderr.write(__doc__)
        sys.exit(64)


if __name__ == "__main__":
    main()
