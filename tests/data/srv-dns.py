#!/usr/bin/python3
"""srv-dns.py READY-FILE NAME PORT TARGET: a one-record DNS server on
127.0.0.1 (UDP, a free port) for the tests of popmuch setup's RFC 6186
lookup.  It answers an SRV query for NAME with "0 0 PORT TARGET" and
every other query with NXDOMAIN; it writes "127.0.0.1:PORT" (its own
port) to READY-FILE once it listens, and serves until killed.
Hand-written: the query and answer formats are RFC 1035's, and no
Debian-packaged DNS server is this small."""
import socket
import struct
import sys


def qname(data, off):
    labels = []
    while data[off] != 0:
        n = data[off]
        labels.append(data[off + 1:off + 1 + n].decode("ascii").lower())
        off += n + 1
    return ".".join(labels), off + 1


def encode(name):
    out = b""
    for label in name.rstrip(".").split("."):
        out += bytes([len(label)]) + label.encode("ascii")
    return out + b"\0"


def answer(data, want, port, target):
    tid, _flags, qd = struct.unpack("!HHH", data[:6])
    name, end = qname(data, 12)
    qtype, _qclass = struct.unpack("!HH", data[end:end + 4])
    question = data[12:end + 4]
    if qd != 1 or name != want.lower() or qtype != 33:
        return struct.pack("!HHHHHH", tid, 0x8183, 1, 0, 0, 0) + question
    rdata = struct.pack("!HHH", 0, 0, port) + encode(target)
    rr = b"\xc0\x0c" + struct.pack("!HHIH", 33, 1, 60, len(rdata)) + rdata
    return struct.pack("!HHHHHH", tid, 0x8180, 1, 1, 0, 0) + question + rr


def main():
    ready, want, port, target = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    with open(ready + ".tmp", "w") as f:
        f.write("127.0.0.1:%d\n" % s.getsockname()[1])
    import os
    os.rename(ready + ".tmp", ready)
    while True:
        data, peer = s.recvfrom(4096)
        try:
            s.sendto(answer(data, want, port, target), peer)
        except (IndexError, struct.error, UnicodeDecodeError):
            pass


main()
