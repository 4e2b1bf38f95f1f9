#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""The report's section over a NIC (analysis/nicpath.py) from ledger files of
the VM's NIC runs: bytes per message next to veth, E1/E5/E6 in bytes, "n/a"
for what a backend cannot observe, nothing at all without the files.

usage: test_nicpath.py --list | CASE (tests/pycases.py); run by
tests/analysis/test_nicpath.sh.
"""
import atexit
import json
import os
import shutil
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "analysis"))
sys.path.insert(0, os.path.join(ROOT, "tests"))
import pycases  # noqa: E402

TMP = tempfile.mkdtemp(prefix="ct-nic-")
atexit.register(shutil.rmtree, TMP, True)


def ledger(impl, net, msgs, **lines):
    """a trace_run JSON document with the ledger lines given (bytes in total; None = not observable)"""
    lg = {"user_copy_bytes": 0, "send_copy_bytes": 0, "zerocopy_bytes": 0, "deferred_copy_bytes": 0,
          "recv_copy_bytes": 0, "splice_bytes": 0, "recv_zerocopy_bytes": 0, "messages": msgs}
    lg.update(lines)
    return {"impl": impl, "net": net, "backend": "fentry", "kernel": "7.2.13", "size": 65536,
            "app": {"zc_completions": msgs if impl in ("a3", "a4") else 0,
                    "zc_copied": msgs if net != "nic" and impl in ("a3", "a4") else 0}, "ledger": lg}


def make(name, docs, junk=False):
    d = os.path.join(TMP, name)
    os.makedirs(os.path.join(d, "nic"))
    for k, doc in enumerate(docs):
        json.dump(doc, open(os.path.join(d, "nic", "ledger-%d.json" % k), "w"))
    if junk:
        open(os.path.join(d, "nic", "broken.json"), "w").write("{not json")
    return d


def case_no_files_no_section():
    """without RESULTS_DIR/nic/ the report gains nothing (its other output stays as it was)"""
    import nicpath
    d = os.path.join(TMP, "empty")
    os.makedirs(d)
    s = nicpath.section(d)
    if s:
        print("section without files: %s" % s)
        return False
    return True


def case_bytes_and_answers():
    """the table holds bytes per message per impl and net; E1 contrasts the NIC's deferred copy with veth's, E5 counts copies against a1"""
    import nicpath
    m, size = 1000, 65536
    d = make("full", [ledger("a1", "nic", m, user_copy_bytes=m * size, send_copy_bytes=m * size,
                             recv_copy_bytes=m * size),
                      ledger("a3", "nic", m, send_copy_bytes=8, zerocopy_bytes=m * size, recv_copy_bytes=m * size),
                      ledger("a3", "veth", m, zerocopy_bytes=m * size, deferred_copy_bytes=m * size,
                             recv_copy_bytes=m * size)])
    t = "\n".join(nicpath.section(d))
    want = ["## Over a NIC (the VM's bytes, no timings)", "| bytes per message | a3 veth | a1 nic | a3 nic |",
            "over the NIC %d B per message were pinned and 0 B copied later" % size,
            "over veth the same send was copied later at %d B per message" % size,
            "the CPU copied %d B per message for a3 against %d B for a1" % (size, 3 * size),
            "fewer bytes copied", "no timing comes from this VM"]
    miss = [w for w in want if w not in t]
    if miss:
        print("missing %s in:\n%s" % (miss, t))
        return False
    return True


def case_unobservable_is_na():
    """a null ledger line is printed n/a and the answers that need it are not given; an unreadable file is named"""
    import nicpath
    m = 10
    d = make("na", [ledger("a1", "nic", m, user_copy_bytes=m, send_copy_bytes=m, recv_copy_bytes=m),
                    ledger("a4", "nic", m, zerocopy_bytes=None, deferred_copy_bytes=None, recv_copy_bytes=m)],
             junk=True)
    t = "\n".join(nicpath.section(d))
    want = ["n/a", "E1 (a4): the deferred copy or the pinned bytes are not observable here",
            "E5 (a4 vs a1): not answerable", "broken.json"]
    miss = [w for w in want if w not in t]
    if miss or "0 B copied later" in t:
        print("missing %s (or a 0 claimed) in:\n%s" % (miss, t))
        return False
    return True


if __name__ == "__main__":
    sys.exit(pycases.main(globals()))
