#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""A foreign program for the profiler tests: copies a buffer in user space
(bytes(bytearray): libc's memcpy) and sends it over TCP loopback to a
receiving thread of its own, for SECONDS (default 2)."""
import socket
import sys
import threading
import time

secs = float(sys.argv[1]) if len(sys.argv) > 1 else 2.0
ls = socket.socket()
ls.bind(("127.0.0.1", 0))
ls.listen(1)
c = socket.create_connection(ls.getsockname())
s, _ = ls.accept()


def drain():
    while s.recv(1 << 20):
        pass


t = threading.Thread(target=drain)
t.start()
buf = bytearray(1 << 20)
end = time.time() + secs
while time.time() < end:
    msg = bytes(buf)  # the user-space copy
    c.sendall(msg[:64 << 10])
c.close()
t.join()
