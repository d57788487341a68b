#!/usr/bin/env python3
"""inetd.py: a minimal inetd for the test suite's POP3 servers.

    inetd.py PORTFILE COMMAND [ARG...]

Listens on 127.0.0.1 on a port the kernel picks, writes the port number
to PORTFILE (atomically: PORTFILE.tmp, then a rename), and for each
connection forks and execs COMMAND with the connection as its stdin and
stdout (stderr stays ours: the server's log), as inetd does for a "nowait"
service.  The environment gets what ucspi-tcp's tcpserver and Courier's
couriertcpd set (PROTO, TCPLOCALIP, TCPLOCALPORT, TCPREMOTEIP,
TCPREMOTEPORT), which some servers read.  Runs until SIGTERM; children are
reaped as they end.  Standard library only.
"""
import os
import signal
import socket
import sys


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: inetd.py PORTFILE COMMAND [ARG...]")
    portfile, argv = sys.argv[1], sys.argv[2:]
    lsn = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsn.bind(("127.0.0.1", 0))
    lsn.listen(16)
    port = lsn.getsockname()[1]
    with open(portfile + ".tmp", "w") as f:
        f.write("%d\n" % port)
    os.rename(portfile + ".tmp", portfile)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children reap themselves
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    while True:
        try:
            conn, peer = lsn.accept()
        except InterruptedError:
            continue
        if os.fork() == 0:
            lsn.close()
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            fd = conn.fileno()
            os.dup2(fd, 0)
            os.dup2(fd, 1)
            conn.close()
            env = dict(os.environ, PROTO="TCP", TCPLOCALIP="127.0.0.1",
                       TCPLOCALPORT=str(port), TCPREMOTEIP=peer[0],
                       TCPREMOTEPORT=str(peer[1]))
            try:
                os.execvpe(argv[0], argv, env)
            except OSError as e:
                sys.stderr.write("inetd.py: cannot run %s: %s\n" % (argv[0], e))
                os._exit(127)
        conn.close()


if __name__ == "__main__":
    main()
