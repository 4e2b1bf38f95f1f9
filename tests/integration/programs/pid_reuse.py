# SPDX-License-Identifier: GPL-2.0-only
"""Two processes under one pid, one after the other: a child sends 1000
bytes to PORT and exits, then (as root) /proc/sys/kernel/ns_last_pid is
set so that the next child gets the same pid, and it sends 2000 bytes.
Retried while another process of the host takes the pid first. Prints
the pid on stdout; exit 1 when the pid could not be had again."""
import os
import socket
import sys

port = int(sys.argv[1])


def child(n):
    pid = os.fork()
    if pid == 0:
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(b"a" * n)
        s.close()
        os._exit(0)
    return pid


first = child(1000)
os.waitpid(first, 0)
for attempt in range(50):
    with open("/proc/sys/kernel/ns_last_pid", "w") as f:
        f.write(str(first - 1))
    second = child(2000)
    os.waitpid(second, 0)
    if second == first:
        print(first)
        sys.exit(0)
sys.exit(1)
