#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Opens, uses and closes N TCP connections over loopback, one at a time:
the client sends 100..106 bytes, the server end reads them. With a second
argument, first renames itself to it (prctl PR_SET_NAME, bytes as given)."""
import ctypes
import os
import socket
import sys

n = int(sys.argv[1])
if len(sys.argv) > 2:
    ctypes.CDLL(None).prctl(15, os.fsencode(sys.argv[2]), 0, 0, 0)
ls = socket.socket(); ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", 0)); ls.listen(128)
port = ls.getsockname()[1]
for i in range(n):
    c = socket.create_connection(("127.0.0.1", port))
    a, _ = ls.accept()
    c.sendall(b"x" * (100 + i % 7)); a.recv(4096)
    c.close(); a.close()
