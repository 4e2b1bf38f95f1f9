#!/usr/bin/env python3
"""A program nobody here wrote the kernel side of: Python's socket.sendfile
(os.sendfile underneath) sending a file over loopback TCP to a receiver
thread. Prints what it sent and received as JSON, for trace_run's tests:
    sendfile_pair.py OUT.json [MiB]"""
import json
import os
import socket
import sys
import tempfile
import threading

out, mib = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 256
received = 0


def receive(conn):
    global received
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
