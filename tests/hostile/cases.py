"""cases.py: the hostile POP3 cases, one dict each.

Server side (read by fakepop3.py):
  msgs          the mailbox: dicts with body (bytes as stored, CRLF
                lines), uidl, and optionally list_size (the size LIST
                and RETR claim; default the true size) and local (what
                a correct client stores; default body with CRLF -> LF)
  greeting      the greeting line (default "+OK fakepop3 ready")
  capa          CAPA lines (None: CAPA answers -ERR); default built from
                stls, pipelining, sasl
  stls          offer STLS (True) and do the handshake on it
  implicit_tls  TLS from the first byte; cert: good, expired, wronghost,
                selfsigned (made by tests/integration/lib.sh's tls_init)
  sasl          mechanisms for "SASL ..." (PLAIN and CRAM-MD5 work)
  pipelining    announce PIPELINING
  sasl_plus     "forever": answer AUTH (any offered mechanism) and every
                line after it with "+ "; "after": the same once PLAIN or
                CRAM-MD5 has succeeded; the client's "*" gets -ERR, and a
                client still answering after 1000 fails the case
  stat, list, uidl    replace the STAT reply / LIST lines / UIDL lines
  no_uidl       UIDL answers -ERR
  faults        {KEY: [action, ...]}: KEY is "greeting", a command
                ("RETR"), a command with argument ("RETR 2"), either with
                "#N" for its N-th use only, or "AUTH-CHALLENGE".
                Actions: bytes (sent in one write), "reply" (the normal
                reply), ("reply_then", bytes) (the normal reply and the
                bytes in one write), ("reply_cut", K) (the first K bytes
                of the normal reply, then close), "close", "stall" (say
                nothing until the client leaves), ("endless", bytes)
                (send it again and again until the client leaves),
                ("trickle", bytes, secs) (one byte every secs seconds,
                never silent long enough for a read timeout), "tls"
                (start the TLS handshake).

Client side and expectations (read by run.sh through "fakepop3.py expect"):
  about      one line of expected behaviour (listed in CASES)
  tls        "off" (default), "starttls" or "implicit": the client config
  conf       extra config lines
  rc         accepted exit codes, e.g. "75" or "75|76"
  say        ERE the "popmuch: hostile: ..." error line must match
             (case-insensitive) when rc is not 0
  delivered  how many messages must be in the Maildir (None: any number,
             but each one complete and byte-exact)
  deleted    how many deletions the server must have committed (None:
             any, but only of messages delivered intact)
  nocred     no USER/PASS/AUTH/APOP before TLS (default: tls is not off)
  no_dele    no DELE at all
  quit       QUIT must have been sent
  status     ERE that "popmuch status" must match after the run(s)
  suspect_ok a stored file may differ from every server message (the
             replies went out of step after it was stored; the journal
             forgets it and it is downloaded again)

Several sessions (the client run once for each, the mailbox kept):
  sessions   a list of dicts, one per session, each updating the case
             for that session: server knobs (faults, pipelining, show,
             ...) and the client's rc, say, silent (nothing at all on
             stderr) and conf (added config lines).  delivered, deleted
             and the other checks apply after the last run.
  show       the messages this session lists, as indexes into msgs (from
             1), in slot order: renumbering, and a message replaced under
             a reused UIDL
  x_uidl     the first RETR of a message writes "X-UIDL: <uidl>" into it
             (as GNU Mailutils does): LIST, TOP and RETR change after it
  lf_sizes   LIST sizes count LF line ends, not CRLF
  quit_keeps QUIT answers +OK but deletes nothing
  ("reply_then_later", secs, bytes)  a fault action: the normal reply,
             then bytes secs seconds later in a segment of their own
"""

CRLF = b"\r\n"


def body(i, text=b"", size=0):
    """A small well-formed message; text is appended to its body."""
    b = (b"From: Sender <sender@example.org>\r\n"
         b"To: u@example.org\r\n"
         b"Subject: hostile message %d\r\n"
         b"Message-ID: <hostile.%d@fake.example>\r\n"
         b"\r\n"
         b"Message %d.\r\n"
         b".leading dot\r\n"
         b"..two dots\r\n"
         b".\r\n"
         b"after a lone dot\r\n") % (i, i, i)
    b += text
    k = 0
    while len(b) < size:
        k += 1
        b += b"filler line %07d the quick brown fox\r\n" % k
    return b


def mbox(n):
    return [{"body": body(i), "uidl": b"uid-%04d" % i} for i in
            range(1, n + 1)]


ODD = (b"lone CR\rinside\r\n"
       b"bare LF line\n"
       b".dot after bare LF\n"
       b"NUL \x00 byte and 8-bit \xff\xfe\xc3\xa9\r\n"
       b"CR CR LF\r\r\n"
       b". space after dot\r\n"
       b".\r\n"
       b"..\r\n")

ERR_RETR = "RETR|message|retriev|protocol|server"
NET = "clos|connection|network|eof|end of|reset|broken|unexpected"

CASES = [
    # ---- sanity: the fake server is a working POP3 server ----------------
    dict(name="plain-ok", msgs=mbox(2),
         about="two messages, keep off: exit 0, both delivered exactly, "
               "DELE both, QUIT committed",
         rc="0", delivered=2, deleted=2, quit=True),
    dict(name="keep-on", msgs=mbox(2), conf=["keep on"],
         about="keep on: exit 0, both delivered, no DELE, QUIT sent",
         rc="0", delivered=2, deleted=0, no_dele=True, quit=True),
    dict(name="odd-bodies",
         msgs=[{"body": body(1, ODD), "uidl": b"odd-1"},
               {"body": body(2, b"x" * 300000 + CRLF), "uidl": b"odd-2"},
               {"body": body(3, b"\x00" * 1000 + CRLF), "uidl": b"odd-3"}],
         about="dot lines, lone CR, bare LF, NUL, 8-bit, a 300 KB line: "
               "exit 0, byte-exact",
         rc="0", delivered=3, deleted=3),
    dict(name="pipelined-ok", msgs=mbox(5), pipelining=True,
         about="PIPELINING offered, five messages: exit 0, all exact",
         rc="0", delivered=5, deleted=5, quit=True),
    dict(name="size-lie-small",
         msgs=[{"body": body(1, size=200000), "uidl": b"a",
                "list_size": 1}],
         about="LIST says 1 octet, the message is 200 KB: sizes are "
               "advisory, exit 0, delivered exactly",
         rc="0", delivered=1),
    dict(name="size-lie-large",
         msgs=[{"body": body(1), "uidl": b"a", "list_size": 1 << 40}],
         about="LIST says 1 TB, the message is small: exit 0, delivered",
         rc="0", delivered=1),
    dict(name="implicit-tls-ok", msgs=mbox(1), implicit_tls=True,
         tls="implicit",
         about="implicit TLS with a good certificate: exit 0, delivered",
         rc="0", delivered=1, deleted=1),
    dict(name="stls-ok", msgs=mbox(1), stls=True, tls="starttls",
         about="STLS then USER/PASS inside TLS: exit 0, delivered",
         rc="0", delivered=1, deleted=1),

    # ---- greeting --------------------------------------------------------
    dict(name="greet-close", msgs=mbox(1), faults={"greeting": ["close"]},
         about="connection closed before the greeting: exit 75",
         rc="75", say=NET + "|greeting", delivered=0),
    dict(name="greet-stall", msgs=mbox(1), faults={"greeting": ["stall"]},
         about="no greeting ever (timeout 2): exit 75 within the timeout",
         rc="75", say="time", delivered=0, conf=["timeout 2"]),
    dict(name="greet-err", msgs=mbox(1),
         greeting=b"-ERR go away\r\n",
         about="-ERR greeting: non-zero exit, no credentials sent",
         rc="69|75|76", say="greeting|go away|server|protocol",
         delivered=0, nocred=True),
    dict(name="greet-sys-temp", msgs=mbox(1),
         greeting=b"-ERR [SYS/TEMP] maintenance, come back later\r\n",
         about="-ERR [SYS/TEMP] greeting: exit 75 (temporary)",
         rc="75", say="SYS/TEMP|maintenance|temporar", delivered=0,
         nocred=True),
    dict(name="greet-garbage", msgs=mbox(1),
         greeting=b"SSH-2.0-OpenSSH_9.2\r\n",
         about="not a POP3 greeting: exit 76, no credentials sent",
         rc="76", say="greeting|protocol|SSH", delivered=0, nocred=True),
    dict(name="greet-oversized", msgs=mbox(1),
         greeting=b"+OK " + b"A" * 100000 + CRLF,
         about="a 100 KB greeting line: exit 76 (status line over 512), "
               "no credentials sent",
         rc="76", say="long|line|512|protocol", delivered=0, nocred=True),
    dict(name="greet-endless", msgs=mbox(1),
         faults={"greeting": [("endless", b"+OK" + b"B" * 4093)]},
         about="endless bytes without LF: exit 76 quickly, bounded memory",
         rc="76", say="long|line|512|protocol", delivered=0, nocred=True),

    # ---- login -----------------------------------------------------------
    dict(name="pass-in-use", msgs=mbox(1),
         faults={"PASS": [b"-ERR [IN-USE] mailbox locked\r\n"]},
         about="-ERR [IN-USE] on PASS: exit 75, nothing fetched",
         rc="75", say="IN-USE|in use|locked", delivered=0, no_dele=True),
    dict(name="pass-login-delay", msgs=mbox(1),
         faults={"PASS": [b"-ERR [LOGIN-DELAY] wait 5 minutes\r\n"]},
         about="-ERR [LOGIN-DELAY] on PASS: exit 75",
         rc="75", say="LOGIN-DELAY|delay|wait", delivered=0),
    dict(name="pass-sys-temp", msgs=mbox(1),
         faults={"PASS": [b"-ERR [SYS/TEMP] backend down\r\n"]},
         about="-ERR [SYS/TEMP] on PASS: exit 75",
         rc="75", say="SYS/TEMP|backend|temporar", delivered=0),
    dict(name="pass-sys-perm", msgs=mbox(1),
         faults={"PASS": [b"-ERR [SYS/PERM] account disabled\r\n"]},
         about="-ERR [SYS/PERM] on PASS: exit 69 (unavailable)",
         rc="69", say="SYS/PERM|disabled|unavailable", delivered=0),
    dict(name="pass-auth", msgs=mbox(1),
         faults={"PASS": [b"-ERR [AUTH] wrong password\r\n"]},
         about="-ERR [AUTH] on PASS: exit 77",
         rc="77", say="AUTH|auth|password", delivered=0),
    dict(name="pass-err-plain", msgs=mbox(1), password=b"other",
         about="-ERR on PASS without a code (wrong password): exit 77",
         rc="77", say="auth|password|login", delivered=0),
    dict(name="user-err", msgs=mbox(1),
         faults={"USER": [b"-ERR no such user\r\n"]},
         about="-ERR on USER: exit 77, PASS never sent",
         rc="77", say="auth|user|login", delivered=0),
    dict(name="sasl-bad-base64", msgs=mbox(1), sasl=b"CRAM-MD5",
         conf=["auth cram-md5"],
         faults={"AUTH-CHALLENGE": [b"+ !!not*base64@@\r\n"]},
         about="CRAM-MD5 challenge that is not base64: exit 76 or 77, "
               "no crash",
         rc="76|77", say="base64|challenge|SASL|auth|protocol",
         delivered=0),
    dict(name="sasl-cram-ok", msgs=mbox(1), sasl=b"CRAM-MD5 PLAIN",
         conf=["auth cram-md5"],
         about="CRAM-MD5 (control for sasl-bad-base64): exit 0",
         rc="0", delivered=1),

    # ---- TLS -------------------------------------------------------------
    dict(name="stls-missing", msgs=mbox(1), tls="starttls",
         about="TLS wanted, no STLS in CAPA: exit 69 or 76, "
               "no credentials sent",
         rc="69|76", say="STLS|TLS|STARTTLS", delivered=0),
    dict(name="stls-refused", msgs=mbox(1), stls=True, tls="starttls",
         faults={"STLS": [b"-ERR not today\r\n"]},
         about="STLS answered -ERR: exit 69 or 76, no credentials sent",
         rc="69|76", say="STLS|TLS|STARTTLS", delivered=0),
    dict(name="stls-injected", msgs=mbox(1), stls=True, tls="starttls",
         faults={"STLS": [b"+OK begin TLS\r\n+OK injected\r\n", "tls"]},
         about="bytes after STLS +OK before the handshake (injection): "
               "exit 76, no credentials sent",
         rc="76", say="STLS|TLS|inject|unexpected|protocol", delivered=0),
    dict(name="stls-selfsigned", msgs=mbox(1), stls=True, tls="starttls",
         cert="selfsigned",
         about="STLS with a self-signed certificate: exit 69, "
               "no credentials sent",
         rc="69", say="certificate|issuer|trust", delivered=0),
    dict(name="tls-expired", msgs=mbox(1), implicit_tls=True,
         tls="implicit", cert="expired",
         about="implicit TLS, expired certificate: exit 69 naming "
               "\"expired\"",
         rc="69", say="expired", delivered=0),
    dict(name="tls-wronghost", msgs=mbox(1), implicit_tls=True,
         tls="implicit", cert="wronghost",
         about="implicit TLS, certificate for another host: exit 69",
         rc="69", say="host|name|match", delivered=0),
    dict(name="tls-selfsigned", msgs=mbox(1), implicit_tls=True,
         tls="implicit", cert="selfsigned",
         about="implicit TLS, self-signed certificate: exit 69",
         rc="69", say="certificate|issuer|trust", delivered=0),
    dict(name="tls-plaintext-server", msgs=mbox(1), tls="implicit",
         about="implicit TLS wanted, server speaks plain POP3: exit 76 "
               "(handshake failure), no credentials sent",
         rc="76", say="TLS|handshake", delivered=0),

    # ---- listings --------------------------------------------------------
    dict(name="list-malformed", msgs=mbox(2), list=[b"1 abc", b"2 100"],
         about="LIST line \"1 abc\": exit 76, no DELE",
         rc="76", say="LIST|protocol|malformed", no_dele=True),
    dict(name="list-size-2e64", msgs=mbox(1),
         list=[b"1 18446744073709551616"],
         about="LIST size 2^64 (overflows): exit 76, no DELE",
         rc="76", say="LIST|protocol|size|range", no_dele=True),
    dict(name="list-size-negative", msgs=mbox(1), list=[b"1 -5"],
         about="LIST size -5: exit 76, no DELE",
         rc="76", say="LIST|protocol|size|malformed", no_dele=True),
    dict(name="list-num-huge", msgs=mbox(1),
         list=[b"1000000000000 100"],
         about="LIST message number 10^12: exit 76, no DELE",
         rc="76", say="LIST|protocol|number|range", no_dele=True),
    dict(name="list-num-repeated", msgs=mbox(2),
         list=[b"1 100", b"1 100"],
         about="LIST repeats a message number: exit 76, no DELE",
         rc="76", say="LIST|protocol|repeat|duplicate", no_dele=True),
    dict(name="list-size-max64", msgs=mbox(1),
         list=[b"1 18446744073709551615"],
         about="LIST size 2^64-1: no crash or overflow; exit 0 (advisory) "
               "or 76",
         rc="0|76", say="LIST|protocol|size|range"),
    dict(name="stat-absurd", msgs=mbox(1),
         stat=b"+OK 1000000000000 18446744073709551616\r\n",
         about="STAT claims 10^12 messages and 2^64 octets: no crash; "
               "exit 0 (STAT unused) or 76",
         rc="0|76", say="STAT|protocol|range"),
    dict(name="uidl-malformed", msgs=mbox(2), uidl=[b"1", b"2 uid-0002"],
         about="UIDL line without a UID: exit 76, no DELE",
         rc="76", say="UIDL|protocol|malformed", no_dele=True),
    dict(name="uidl-duplicate", msgs=mbox(2),
         uidl=[b"1 same", b"2 same"],
         about="two messages with the same UIDL: exit 76, no DELE",
         rc="76", say="UIDL|protocol|repeat|duplicate", no_dele=True),
    dict(name="uidl-duplicate-known", msgs=mbox(2),
         sessions=[dict(rc="0", conf=["keep on"]),
                   dict(rc="76", say="same unique id",
                        conf=["keep off"],
                        uidl=[b"1 uid-0001", b"2 uid-0001"])],
         delivered=2, no_dele=True,
         about="a poll: two messages listed with the same UIDL, one the "
               "journal holds (the listing borrows the journal's copy): "
               "exit 76, no DELE"),
    dict(name="uidl-71-chars", msgs=mbox(1), uidl=[b"1 " + b"u" * 71],
         about="a 71-character UIDL (RFC max 70): exit 76, no DELE",
         rc="76", say="UIDL|protocol|long", no_dele=True),
    dict(name="uidl-70-chars", msgs=[{"body": body(1),
                                      "uidl": b"v" * 70}],
         about="a 70-character UIDL (the maximum): exit 0, delivered",
         rc="0", delivered=1, deleted=1),
    dict(name="uidl-control-chars", msgs=mbox(1), uidl=[b"1 ab\x01\x7fc"],
         about="UIDL with control bytes: exit 76, no DELE",
         rc="76", say="UIDL|protocol|invalid|character", no_dele=True),
    dict(name="uidl-path", msgs=[
        {"body": body(1), "uidl": b"../../../../../../tmp/pm-hostile-pwn"},
        {"body": body(2), "uidl": b"a/b/c"}],
         about="UIDLs with slashes and ../: exit 0, delivered, nothing "
               "created outside the Maildir/state dir",
         rc="0", delivered=2, deleted=2, check_pwn=True),
    dict(name="no-uidl-keep", msgs=mbox(2), no_uidl=True,
         about="no UIDL with keep on: exit 69 naming UIDL, nothing "
               "fetched, nothing deleted",
         rc="69", say="UIDL", conf=["keep on"], delivered=0, no_dele=True),
    dict(name="no-uidl-keep-off", msgs=mbox(2), no_uidl=True,
         about="no UIDL with keep off: exit 0, both delivered, both "
               "deleted",
         rc="0", delivered=2, deleted=2),
    dict(name="no-uidl-fingerprint", msgs=mbox(3), no_uidl=True,
         about="no UIDL, keep on, uidl_fallback top: headers fetched with "
               "TOP n 0, exit 0, all delivered, none deleted",
         rc="0", conf=["keep on", "uidl_fallback top"], delivered=3,
         no_dele=True),
    dict(name="capa-endless", msgs=mbox(1),
         faults={"CAPA": [b"+OK here\r\n",
                          ("endless", b"X-FILLER " + b"f" * 70 + CRLF)]},
         about="CAPA reply that never ends: exit 75 or 76, not a hang",
         rc="75|76", say="CAPA|protocol|long|many|time", delivered=0),

    # ---- RETR ------------------------------------------------------------
    dict(name="retr-close-mid", msgs=[
        {"body": body(1), "uidl": b"m1"},
        {"body": body(2, size=50000), "uidl": b"m2"}],
         faults={"RETR 2": [("reply_cut", 3000)]},
         about="connection closed 3000 bytes into RETR 2: exit 75 or 76, "
               "message 1 stored, 2 not, tmp/ empty, nothing deleted",
         rc="75|76", say=NET + "|" + ERR_RETR, delivered=1, deleted=0),
    dict(name="retr-stall-mid", msgs=[
        {"body": body(1, size=50000), "uidl": b"s1"}],
         faults={"RETR": [("reply_cut_stall", 2000)]},
         about="server stops sending mid-RETR (timeout 2): exit 75, "
               "nothing in new/, nothing deleted",
         rc="75", say="time", delivered=0, deleted=0, conf=["timeout 2"]),
    dict(name="retr-err", msgs=mbox(2),
         faults={"RETR 1": [b"-ERR message vanished\r\n"]},
         about="-ERR on RETR 1: message 1 skipped with a warning naming "
               "it and kept, message 2 delivered and deleted, exit 75",
         rc="75", say="message 1.*uid-0001.*vanished", delivered=1,
         deleted=1),
    dict(name="retr-endless-body", msgs=mbox(1),
         faults={"RETR": [b"+OK here it comes\r\n",
                          ("endless", b"x" * 70 + CRLF)]},
         about="a body that never ends: cut off past 2 x its LIST size "
               "+ 64 MB, exit 76, nothing in new/, tmp/ empty, no DELE",
         rc="76", say="far beyond", delivered=0, no_dele=True,
         conf=["keep off"]),
    dict(name="retr-trickle", msgs=mbox(1),
         faults={"RETR": [b"+OK slowly\r\n",
                          ("trickle", b"x" * 70 + CRLF, 0.5)]},
         about="a body that trickles in a byte at a time (timeout 2): cut "
               "off as too slow, exit 75, nothing in new/, no DELE",
         rc="75", say="too slowly", delivered=0, no_dele=True,
         conf=["keep off", "timeout 2"]),
    dict(name="retr-no-dot", msgs=mbox(1),
         faults={"RETR": [("reply_nodot",)]},
         about="whole body but no terminating dot line, then close: "
               "exit 75 or 76, nothing in new/",
         rc="75|76", say=NET + "|" + ERR_RETR, delivered=0, deleted=0),
    dict(name="retr-status-endless", msgs=mbox(1),
         faults={"RETR": [("endless", b"+OK" + b"C" * 1000)]},
         about="RETR status line without LF, forever: exit 76",
         rc="76", say="long|line|protocol", delivered=0, deleted=0),
    dict(name="retr-garbage-status", msgs=mbox(2), pipelining=True,
         faults={"RETR 2": [b"what?\r\n"]},
         about="pipelined RETR 2 answered with a non-status line: "
               "exit 76, message 1 stored, 2 not, none deleted",
         rc="76", say="protocol|status|RETR", delivered=1, deleted=0),
    dict(name="desync-extra-ok", msgs=mbox(2),
         faults={"RETR 1": [("reply_then", b"+OK unsolicited\r\n")]},
         about="an extra +OK line after RETR 1's body (desync): exit 76, "
               "nothing corrupted stored, nothing deleted",
         rc="76", say="protocol|unexpected|unsolicited|desync",
         deleted=0),
    dict(name="desync-pipelined", msgs=mbox(3), pipelining=True,
         faults={"RETR 1": [("reply_then", b"+OK stray\r\n.\r\n")]},
         about="PIPELINING, a stray empty reply after RETR 1 shifts the "
               "stream: caught at RETR 1's fence, exit 76 naming it, no "
               "DELE, nothing stored that is not proven in step",
         rc="76", say="out of step", conf=["keep off"], no_dele=True,
         delivered=0, deleted=0),
    dict(name="dele-err", msgs=mbox(2),
         faults={"DELE 1": [b"-ERR cannot delete\r\n"]},
         about="-ERR on DELE: both delivered, non-zero exit, "
               "nothing lost",
         rc="75|76", say="DELE|delete", delivered=2),
    dict(name="quit-err", msgs=mbox(2),
         faults={"QUIT": [b"-ERR [SYS/TEMP] commit failed\r\n", "close"]},
         about="-ERR on QUIT: both delivered, deletions not committed, "
               "non-zero exit",
         rc="75|76", say="QUIT|commit|SYS/TEMP", delivered=2, deleted=0,
         quit=True),
    dict(name="quit-close", msgs=mbox(2), faults={"QUIT": ["close"]},
         about="connection closed instead of QUIT +OK: both delivered, "
               "deletions not committed, no crash",
         rc="0|75|76", delivered=2, deleted=0, quit=True),
    # ---- trust before delete (issue 10) --------------------------------
    dict(name="mailutils-x-uidl", msgs=mbox(5), x_uidl=True,
         pipelining=True, conf=["keep off"], delivered=5, deleted=5,
         sessions=[dict(rc="0"), dict(rc="0", silent=True)],
         about="the server writes X-UIDL into each message it sends (GNU "
               "Mailutils), so LIST sizes grow after RETR: keep off, two "
               "runs: exit 0, each message stored once and deleted"),
    dict(name="mailutils-keep-on", msgs=mbox(4), x_uidl=True,
         conf=["keep on"],
         sessions=[dict(rc="0"), dict(rc="0", silent=True)],
         delivered=4, deleted=0,
         about="X-UIDL written on retrieval, keep on, two runs: the "
               "changed sizes are verified by header (TOP), nothing "
               "stored twice"),
    dict(name="lf-sizes", msgs=mbox(3), lf_sizes=True, pipelining=True,
         conf=["keep off"], rc="0", delivered=3, deleted=3,
         about="LIST sizes count LF, not CRLF: sizes are advisory, "
               "exit 0, all stored once and deleted"),
    dict(name="renumber", msgs=mbox(4), conf=["keep on"],
         sessions=[dict(rc="0", show=[1, 2, 3]),
                   dict(rc="0", show=[4, 3, 2, 1], silent=True)],
         delivered=4, deleted=0,
         about="the server renumbers messages between sessions, keeping "
               "UIDLs (Solid POP3), and adds one: only the new one "
               "fetched, nothing stored twice"),
    dict(name="stray-ok-pipelined", msgs=mbox(3), pipelining=True,
         conf=["keep off"],
         sessions=[dict(rc="76", say="out of step",
                        faults={"RETR 1": [("reply_then",
                                            b"+OK message follows\r\n")]}),
                   dict(rc="0")],
         delivered=3, deleted=3, status="pipelining: +off: replies out "
                                         "of step",
         about="PIPELINING, a stray +OK line after RETR 1's body: exit 76, "
               "nothing deleted, no file with a status line stored; the "
               "next run (without pipelining) stores and deletes each once"),
    dict(name="stray-ok-later", msgs=mbox(3), conf=["keep off"],
         sessions=[dict(rc="76", say="out of step",
                        faults={"RETR 1": [("reply_then_later", 0.3,
                                            b"+OK message follows\r\n")]}),
                   dict(rc="0")],
         delivered=3, deleted=3,
         about="no pipelining, a stray +OK line 0.3 s after RETR 1's body, "
               "in a segment of its own: caught, exit 76, nothing deleted; "
               "the next run stores and deletes each once"),
    dict(name="stray-plus-missing", msgs=mbox(4), pipelining=True,
         conf=["keep off"],
         sessions=[dict(rc="75|76", say="out of step|time",
                        faults={"RETR 1": [("reply_then",
                                            b"+OK\r\n.\r\n")],
                                "RETR 3": []}),
                   dict(rc="0")],
         delivered=4, deleted=4,
         about="PIPELINING, a stray empty reply after RETR 1 and no reply "
               "to RETR 3: nothing deleted that was not stored intact; the "
               "next run stores and deletes each once"),
    dict(name="retr-err-perm", msgs=mbox(3), pipelining=True,
         conf=["keep off"],
         faults={"RETR 2": [b"-ERR [SYS/PERM] message unreadable\r\n"]},
         sessions=[dict(rc="75", say="message 2.*uid-0002.*unreadable"),
                   dict(rc="75", silent=True)],
         delivered=2, deleted=2,
         status="not retrieved: +1 message.*failing since",
         about="RETR 2 answered -ERR [SYS/PERM] every run: 1 and 3 stored "
               "and deleted, 2 kept; exit 75 each run, the warning once "
               "(then once a day), silent in between"),
    dict(name="quit-keeps", msgs=mbox(3), quit_keeps=True,
         conf=["keep off"],
         sessions=[dict(rc="0"), dict(rc="0", silent=True)],
         delivered=3, deleted=0,
         about="QUIT +OK but the server deleted nothing: the next run "
               "finds them (header verified), deletes again, downloads "
               "nothing twice"),
    dict(name="uidl-reuse-same-size",
         msgs=mbox(3) + [{"body": body(1).replace(b"message 1",
                                                  b"message X"),
                          "uidl": b"uid-0001"}],
         sessions=[dict(rc="0", show=[1, 2, 3], conf=["keep on"]),
                   dict(rc="0", show=[4, 2, 3], conf=["keep off"])],
         delivered=4,
         about="a new message reuses a known UIDL with the same size: its "
               "header differs from the stored one, so it is fetched as "
               "new, never deleted unread"),
    dict(name="uidl-reuse-other-size-keep-on",
         msgs=mbox(3) + [{"body": body(1).replace(b"message 1",
                                                  b"message X, longer"),
                          "uidl": b"uid-0001"}],
         conf=["keep on"],
         sessions=[dict(rc="0", show=[1, 2, 3]),
                   dict(rc="0", show=[4, 2, 3])],
         delivered=4, deleted=0,
         about="keep on, a new message reuses a known UIDL with another "
               "size: the poll lists no sizes it does not need (STAT and "
               "UIDL), but STAT's total differs from the journal's, so "
               "LIST and the header show a new message, fetched"),
    dict(name="size-change-known", msgs=mbox(3), conf=["keep on"],
         sessions=[dict(rc="0"), dict(rc="0", lf_sizes=True, silent=True)],
         delivered=3, deleted=0,
         about="every known message is listed with another size in the "
               "next session: verified by header, nothing downloaded again"),
    dict(name="not-mail", msgs=mbox(1) + [
             {"body": b"just some text, no header\r\nline two\r\n",
              "uidl": b"uid-text"}],
         conf=["keep off"], rc="0", say="", delivered=2, deleted=1,
         status="not email: +1 stored file",
         about="a message notmuch refuses as not email: stored, named in "
               "a warning with its UIDL, kept on the server"),

    # ---- bounds on SASL (issue 10, item 8) -------------------------------
    dict(name="sasl-plain-plus-forever", msgs=mbox(1), sasl=b"PLAIN",
         conf=["auth plain"], sasl_plus="forever",
         about="every line after AUTH PLAIN answered \"+ \": the "
               "credentials go at most twice (once more for a server "
               "that did not take the initial response), the next "
               "challenge is cancelled (\"*\"), exit 76",
         rc="76", say="SASL PLAIN.*challenge.*cancelled", delivered=0),
    dict(name="sasl-xoauth2-plus-forever", msgs=mbox(1), sasl=b"XOAUTH2",
         conf=["auth xoauth2"], sasl_plus="forever",
         about="every line after AUTH XOAUTH2 answered \"+ \": one "
               "AQ== to the error challenge, then \"*\", exit 76",
         rc="76", say="SASL XOAUTH2.*OAuth2 error.*cancelled",
         delivered=0),
    dict(name="sasl-cram-plus-after", msgs=mbox(1), sasl=b"CRAM-MD5",
         conf=["auth cram-md5"], sasl_plus="after",
         about="a \"+ \" challenge after CRAM-MD5 is complete: "
               "answered \"*\", exit 76",
         rc="76", say="SASL CRAM-MD5.*after the exchange was "
                      "complete.*cancelled", delivered=0),

    # ---- an interrupted batch (issue 10, item 10; t-secrets.sh signals
    # ---- popmuch while it waits here) ------------------------------------
    dict(name="retr-stall-third", msgs=mbox(3),
         faults={"RETR 3": [("reply_cut_stall", 150)]},
         about="RETR 3 stops mid-body (timeout 2): exit 75, messages 1 "
               "and 2 delivered, 3 not, tmp/ empty, nothing deleted",
         rc="75", say="time", delivered=2, deleted=0,
         conf=["timeout 2"]),
]


def session(case, i):
    """The case as connection i (from 1) sees it."""
    more = case.get("sessions")
    if not more:
        return case
    c = dict(case)
    c.update(more[min(i, len(more)) - 1])
    return c


def get(name):
    for c in CASES:
        if c["name"] == name:
            return c
    raise KeyError("no case %r" % name)


def expect(name):
    """Shell variables for run.sh."""
    c = get(name)
    tls = c.get("tls", "off")
    conf = ["timeout 3", "received_header off"]
    if tls == "off":
        conf += ["tls off"]
    else:
        conf += ["tls on", "tls_trust_file @TLS_CA@",
                 "tls_starttls " + ("on" if tls == "starttls" else "off")]
    runs = {}
    for i in range(1, len(c.get("sessions") or [None]) + 1):
        s = session(c, i)
        runs["RC_%d" % i] = s["rc"]
        runs["SAY_%d" % i] = s.get("say", "")
        runs["SILENT_%d" % i] = int(s.get("silent", False))
        runs["CONF_%d" % i] = "\n".join(conf + s.get("conf", []))
    return dict(runs, **{
        "RUNS": len(c.get("sessions") or [None]),
        "RC_WANT": runs["RC_%d" % len(c.get("sessions") or [None])],
        "SAY": c.get("say", ""),
        "CONF": "\n".join(conf + c.get("conf", [])),
        "DELIVERED": "" if c.get("delivered") is None else c["delivered"],
        "DELETED": "" if c.get("deleted") is None else c["deleted"],
        "NOCRED": int(c.get("nocred", tls != "off")),
        "NO_DELE": int(c.get("no_dele", False)),
        "QUIT": int(c.get("quit", False)),
        "CHECK_PWN": int(c.get("check_pwn", False)),
        "SUSPECT_OK": int(c.get("suspect_ok", False)),
        "STATUS": c.get("status", ""),
        "ABOUT": c["about"],
    })
