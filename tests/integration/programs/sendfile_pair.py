#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""A program nobody here wrote the kernel side of: Python's socket.sendfile
(os.sendfile underneath) sending a file over loopback TCP to a receiver
thread, which reads with recv() or, with --splice, splices the socket into
a pipe (os.splice) and the pipe into /dev/null. Prints what it sent and
received as JSON, for trace_run's tests:
    sendfile_pair.py OUT.json [MiB] [--splice]"""
import json
import os
import socket
import sys
import tempfile
import threading

args = [a for a in sys.argv[1:] if a != "--splice"]
splice = "--splice" in sys.argv
out, mib = args[0], int(args[1]) if len(args) > 1 else 256
received = 0


def receive(conn):
    global received
    if splice:
        r, w = os.pipe()
        null = os.open(os.devnull, os.O_WRONLY)
        while True:
            n = os.splice(conn.fileno(), w, 1 << 16)
            if not n:
                break
            received += n
            while n:
                n -= os.splice(r, null, n)
        return
    while True:
        b = conn.recv(1 << 16)
        if not b:
            break
        received += len(b)


with tempfile.TemporaryFile() as f:
    f.write(os.urandom(1 << 20) * 16)  # 16 MiB, sent mib/16 times
    f.flush()
    lst = socket.create_server(("127.0.0.1", 0))
    cli = socket.create_connection(lst.getsockname())
    srv, _ = lst.accept()
    t = threading.Thread(target=receive, args=(srv,))
    t.start()
    sent = 0
    for _ in range(max(1, mib // 16)):
        f.seek(0)
        sent += cli.sendfile(f)
    cli.close()
    t.join()
    srv.close()
    lst.close()
json.dump({"sent": sent, "received": received}, open(out, "w"))
