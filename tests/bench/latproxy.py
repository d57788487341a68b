#!/usr/bin/env python3
"""latproxy.py: a TCP proxy on loopback that adds a fixed one-way delay.

    latproxy.py --target-port P [--delay-ms D] [--listen-port L]
                [--port-file FILE]

Every byte read from one side is written to the other side D ms after it
was read (default 25, so 50 ms round trip), in order; both directions are
delayed independently, and bandwidth is not limited, so a client that
pipelines pays the round trip once per window, not once per command, as
on a real long link.  TCP_NODELAY on every socket (no Nagle batching).
The listening port (random unless --listen-port) is written to
--port-file, or printed on stdout, once the proxy accepts connections.
Loopback only.  Runs until killed (SIGTERM/SIGINT).
"""

import argparse
import asyncio
import collections
import os
import signal
import socket
import sys


class Pipe:
    """One direction: read, stamp, and write each chunk at stamp + delay."""

    def __init__(self, reader, writer, delay):
        self.reader = reader
        self.writer = writer
        self.delay = delay
        self.queue = collections.deque()
        self.ready = asyncio.Event()
        self.eof = False

    async def pump_in(self):
        loop = asyncio.get_running_loop()
        try:
            while True:
                data = await self.reader.read(256 * 1024)
                if not data:
                    break
                self.queue.append((loop.time() + self.delay, data))
                self.ready.set()
        except (ConnectionError, OSError):
            pass
        self.eof = True
        self.ready.set()

    async def pump_out(self):
        loop = asyncio.get_running_loop()
        try:
            while True:
                if not self.queue:
                    if self.eof:
                        break
                    self.ready.clear()
                    await self.ready.wait()
                    continue
                due, data = self.queue[0]
                wait = due - loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                self.queue.popleft()
                self.writer.write(data)
                await self.writer.drain()
            if self.writer.can_write_eof():
                self.writer.write_eof()
        except (ConnectionError, OSError):
            pass


def nodelay(writer):
    sock = writer.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


async def handle(creader, cwriter, port, delay):
    try:
        sreader, swriter = await asyncio.open_connection("127.0.0.1", port)
    except OSError:
        cwriter.close()
        return
    nodelay(cwriter)
    nodelay(swriter)
    up = Pipe(creader, swriter, delay)
    down = Pipe(sreader, cwriter, delay)
    await asyncio.gather(up.pump_in(), up.pump_out(),
                         down.pump_in(), down.pump_out())
    for w in (cwriter, swriter):
        try:
            w.close()
            await w.wait_closed()
        except (ConnectionError, OSError):
            pass


async def main_async(a):
    delay = a.delay_ms / 1000.0
    server = await asyncio.start_server(
        lambda r, w: handle(r, w, a.target_port, delay),
        "127.0.0.1", a.listen_port)
    port = server.sockets[0].getsockname()[1]
    if a.port_file:
        with open(a.port_file + ".tmp", "w") as f:
            f.write("%d\n" % port)
        os.rename(a.port_file + ".tmp", a.port_file)
    else:
        print(port, flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with server:
        await stop.wait()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--target-port", type=int, required=True)
    ap.add_argument("--listen-port", type=int, default=0)
    ap.add_argument("--delay-ms", type=float, default=25.0)
    ap.add_argument("--port-file")
    a = ap.parse_args()
    asyncio.run(main_async(a))
    return 0


if __name__ == "__main__":
    sys.exit(main())
