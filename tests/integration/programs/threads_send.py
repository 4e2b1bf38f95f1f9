#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""N threads each open a TCP connection to a server thread over loopback
and send 1000 bytes on it: one process whatever N."""
import socket
import sys
import threading

n = int(sys.argv[1])
ls = socket.socket()
ls.bind(("127.0.0.1", 0))
ls.listen(n)
port = ls.getsockname()[1]


def serve():
    for _ in range(n):
        a, _ = ls.accept()
        got = 0
        while got < 1000:
            got += len(a.recv(4096))
        a.close()


def send():
    c = socket.create_connection(("127.0.0.1", port))
    c.sendall(b"t" * 1000)
    c.close()


srv = threading.Thread(target=serve)
srv.start()
ts = [threading.Thread(target=send) for _ in range(n)]
for t in ts:
    t.start()
for t in ts:
    t.join()
srv.join()
