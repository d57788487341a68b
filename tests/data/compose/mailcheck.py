#!/usr/bin/python3
"""mailcheck.py FILE: what a received message holds, one fact a line.

  H NAME: VALUE        each header, RFC 2047-decoded, unfolded
  RAW NAME: VALUE      each header as it came (not decoded)
  P N TYPE CHARSET CTE FILENAME   each MIME part (depth-first)
  T N | LINE           the decoded text of text parts
  D N SHA256           the sha256 of each non-text leaf's decoded body
  MAXLINE N            the longest line of the raw message, in octets
"""
import email
import email.policy
import hashlib
import sys

raw = open(sys.argv[1], "rb").read()
print("MAXLINE %d" % max(len(l) for l in raw.split(b"\n")))
msg = email.message_from_bytes(raw, policy=email.policy.default)
compat = email.message_from_bytes(raw)
for k, v in compat.items():
    print("RAW %s: %s" % (k, " ".join(v.split())))
for k in msg.keys():
    print("H %s: %s" % (k, " ".join(str(msg[k]).split())))
for n, part in enumerate(msg.walk()):
    ct = part.get_content_type()
    print("P %d %s %s %s %s" % (n, ct, part.get_content_charset() or "-",
                                part.get("Content-Transfer-Encoding", "-"),
                                part.get_filename() or "-"))
    if part.is_multipart() or ct == "message/rfc822":
        if ct == "message/rfc822":
            inner = part.get_payload(0)
            print("M %d %s" % (n, inner.get("Message-ID", "-")))
        continue
    if part.get_content_maintype() == "text":
        for line in part.get_content().split("\n"):
            print("T %d | %s" % (n, line))
    else:
        print("D %d %s" % (n, hashlib.sha256(
            part.get_payload(decode=True)).hexdigest()))
