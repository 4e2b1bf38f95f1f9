# SPDX-License-Identifier: GPL-2.0-only
"""Forks 3 TCP workers that each send a different amount to the parent
over loopback, then exits: worker w sends (w + 1) * 100000 bytes; the
parent prints the bytes it received on stderr."""
import os
import socket
import sys

s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(8)
port = s.getsockname()[1]
kids = []
for w in range(3):
    pid = os.fork()
    if pid == 0:
        c = socket.create_connection(("127.0.0.1", port))
        c.sendall(b"x" * 100000 * (w + 1))
        c.close()
        os._exit(0)
    kids.append(pid)
total = 0
for w in range(3):
    a, _ = s.accept()
    while True:
        d = a.recv(65536)
        if not d:
            break
        total += len(d)
    a.close()
for k in kids:
    os.waitpid(k, 0)
print(total, file=sys.stderr)
