#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Changes one byte of an ELF file's GNU build id in place: the same code,
layout and symbols, but no longer the build that was mapped."""
import struct
import sys

path = sys.argv[1]
with open(path, "r+b") as f:
    d = f.read()
    # the note: namesz 4, descsz, type 3 (NT_GNU_BUILD_ID), "GNU\0", id
    k = d.index(struct.pack("<III", 4, 20, 3) + b"GNU\0") + 16
    f.seek(k)
    f.write(bytes([d[k] ^ 0xFF]))
