#!/usr/bin/env python3
"""notmuch-hold-lock.py READY_FILE [MAX_SECONDS]

Hold the notmuch database's write lock, as another notmuch client (a TUI
tagging, "notmuch new") would, until SIGTERM or MAX_SECONDS (default 60).
READY_FILE is created once the database is open read-write, so a test can
wait for that condition instead of sleeping.

Uses libnotmuch directly through ctypes (no python3-notmuch2 needed); the
database is found as the notmuch CLI finds it ($NOTMUCH_CONFIG, ...).
Exits 0 after closing the database, 2 when it cannot open it."""
import ctypes
import ctypes.util
import signal
import sys
import time

NOTMUCH_DATABASE_MODE_READ_WRITE = 1


def main():
    if len(sys.argv) not in (2, 3):
        sys.stderr.write(__doc__)
        return 64
    ready = sys.argv[1]
    limit = float(sys.argv[2]) if len(sys.argv) == 3 else 60.0
    name = ctypes.util.find_library("notmuch") or "libnotmuch.so.5"
    lib = ctypes.CDLL(name)
    lib.notmuch_database_open_with_config.restype = ctypes.c_int
    lib.notmuch_database_open_with_config.argtypes = [
        ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_char_p,
        ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(ctypes.c_char_p)]
    lib.notmuch_database_destroy.argtypes = [ctypes.c_void_p]
    db = ctypes.c_void_p()
    msg = ctypes.c_char_p()
    st = lib.notmuch_database_open_with_config(
        None, NOTMUCH_DATABASE_MODE_READ_WRITE, None, None,
        ctypes.byref(db), ctypes.byref(msg))
    if st != 0:
        why = msg.value.decode(errors="replace") if msg.value else ""
        sys.stderr.write("cannot open the notmuch database read-write "
                         "(status %d): %s\n" % (st, why))
        return 2
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    with open(ready, "w") as f:
        f.write("locked\n")
    end = time.monotonic() + limit
    while not stop and time.monotonic() < end:
        time.sleep(0.05)
    lib.notmuch_database_destroy(db)
    return 0


if __name__ == "__main__":
    sys.exit(main())
