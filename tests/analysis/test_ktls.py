#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""The report's kTLS section (analysis/ktls.py) from ledger files of the VM's
runs: bytes per message of a2, a5, a6 copy and a6 sendfile, copies per payload
byte computed from the ledger lines, K1-K3 answered or said to be unsettled,
"n/a" (never 0) for what a backend cannot observe, "*" for inferred lines.

usage: test_ktls.py --list | CASE (tests/pycases.py); run by
tests/analysis/test_ktls.sh.
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

TMP = tempfile.mkdtemp(prefix="ct-ktls-")
atexit.register(shutil.rmtree, TMP, True)
SIZE, HDR, HELLO = 65536, 32, 32
K72 = "7.2.13+deb14-amd64"


def doc(impl, net, msgs, backend="fentry", kernel=K72, mode=None, received=None, **lines):
    """a trace_run JSON document (bytes in total; None = not observable), app.bytes_received = received"""
    lg = {"user_copy_bytes": 0, "send_copy_bytes": 0, "zerocopy_bytes": 0, "deferred_copy_bytes": 0,
          "recv_copy_bytes": 0, "splice_bytes": 0, "recv_zerocopy_bytes": 0, "splice_out_bytes": 0,
          "tls_encrypt_bytes": 0, "tls_decrypt_bytes": 0, "tls_copied_bytes": 0, "tls_decrypt_copied_bytes": 0,
          "messages": msgs, "send_copy_inferred": False, "deferred_copy_inferred": False, "tls_inferred": False}
    lg.update(lines)
    return {"impl": impl, "net": net, "backend": backend, "kernel": kernel, "size": SIZE, "mode": "stream",
            "app": {"impl": impl, "net": net, "tls_send": mode, "bytes_received": received, "messages": msgs},
            "ledger": lg}


# a fentry set as the 7.2 guest gives it (its KTLS-LEDGER lines): a2 with its send copy inferred (as
# the VM's ledgers have it), a5 spliced and partly mapped, a6 copy encrypted from the user's pages (72 B
# of handshake copied), a6 sendfile copying its 32-byte headers into the record and encrypting the
# file's pages; on veth everything decrypted in place, on the NIC a quarter decrypted then copied
M, CTL = 500, 72
FENTRY = {
    "a2": dict(msgs=M, received=M * SIZE, send_copy_bytes=M * SIZE + HELLO, recv_copy_bytes=M * SIZE + HELLO,
               send_copy_inferred=True),
    "a5": dict(msgs=M, received=M * (SIZE + HDR), send_copy_bytes=M * HDR + CTL, splice_bytes=M * SIZE,
               recv_copy_bytes=M * 18875, recv_zerocopy_bytes=M * (SIZE + HDR - 18875) + CTL,
               send_copy_inferred=True),
    "a6 copy": dict(msgs=M, mode="copy", received=M * SIZE, send_copy_bytes=CTL, tls_copied_bytes=0,
                    tls_encrypt_bytes=M * SIZE, tls_decrypt_bytes=M * SIZE, tls_decrypt_copied_bytes=0,
                    recv_copy_bytes=CTL),
    "a6 sendfile": dict(msgs=M, mode="sendfile", received=M * SIZE, send_copy_bytes=M * HDR + CTL,
                        tls_copied_bytes=M * HDR, tls_encrypt_bytes=M * SIZE, tls_decrypt_bytes=M * SIZE,
                        tls_decrypt_copied_bytes=0, recv_copy_bytes=CTL, splice_bytes=0),
}
FENTRY_NIC = dict(FENTRY, **{"a6 copy": dict(FENTRY["a6 copy"], tls_decrypt_copied_bytes=M * SIZE // 4,
                                              recv_copy_bytes=CTL + M * SIZE // 4)})
# the tracepoint backend: kTLS lines inferred from the syscalls, no split, no deferred copy
TP = {
    "a2": dict(msgs=M, received=M * SIZE, send_copy_bytes=M * SIZE + HELLO, recv_copy_bytes=M * SIZE + HELLO,
               deferred_copy_bytes=None, tls_copied_bytes=None, tls_decrypt_copied_bytes=None,
               send_copy_inferred=True, tls_inferred=True),
    "a6 copy": dict(msgs=M, mode="copy", received=M * SIZE, send_copy_bytes=CTL,
                    deferred_copy_bytes=None, tls_copied_bytes=None, tls_encrypt_bytes=M * SIZE,
                    tls_decrypt_bytes=M * SIZE, tls_decrypt_copied_bytes=None, recv_copy_bytes=CTL,
                    send_copy_inferred=True, tls_inferred=True),
}
COPY_KEYS = ("user_copy_bytes", "send_copy_bytes", "deferred_copy_bytes", "recv_copy_bytes",
             "tls_encrypt_bytes", "tls_decrypt_bytes")


def expect_copies(spec):
    """copies per payload byte from the fixture's own numbers, as the section must print it"""
    return "%.2f" % (sum(spec.get(k, 0) for k in COPY_KEYS) / spec["received"])


def make(name, runs, junk=()):
    """RESULTS_DIR with nic/ holding one document per (column, net, backend) of runs; junk: (file, text)"""
    d = os.path.join(TMP, name)
    os.makedirs(os.path.join(d, "nic"))
    for k, (col, net, backend, spec) in enumerate(runs):
        spec = dict(spec)
        impl = col.split()[0]
        json.dump(doc(impl, net, spec.pop("msgs"), backend=backend, **spec),
                  open(os.path.join(d, "nic", "ledger-%d.json" % k), "w"))
    for f, text in junk:
        open(os.path.join(d, "nic", f), "w").write(text)
    return d


def text_of(d):
    import ktls
    return "\n".join(ktls.section(d))


def row(t, label):
    """the table row of that label (the first one)"""
    for line in t.splitlines():
        if line.startswith("| %s |" % label):
            return line
    return None


def check(t, want, banned=()):
    miss = [w for w in want if w not in t]
    bad = [b for b in banned if b in t]
    if miss or bad:
        print("missing %s / present %s in:\n%s" % (miss, bad, t))
        return False
    return True


def case_no_a6_no_section():
    """without a6 ledgers (no nic/ at all, or only plain runs) the report gains nothing"""
    import ktls
    e = os.path.join(TMP, "empty")
    os.makedirs(e)
    plain = make("plain", [("a2", "nic", "fentry", FENTRY["a2"]), ("a5", "nic", "fentry", FENTRY["a5"])])
    got = ktls.section(e) + ktls.section(plain)
    if got:
        print("section without a6 ledgers: %s" % got)
        return False
    return True


def case_fentry_figures():
    """bytes per message and copies per payload byte come from the ledger lines; K1 gives the difference, K2 contrasts a5's references with a6 sendfile's encryption, K3 the in-place share"""
    d = make("fentry", [(c, "veth", "fentry", s) for c, s in FENTRY.items()] +
             [(c, "nic", "fentry", s) for c, s in FENTRY_NIC.items()])
    t = text_of(d)
    c2, c5 = expect_copies(FENTRY["a2"]), expect_copies(FENTRY["a5"])
    c6, cs, c6n = [expect_copies(x["a6 " + m]) for x, m in ((FENTRY, "copy"), (FENTRY, "sendfile"),
                                                             (FENTRY_NIC, "copy"))]
    enc_sf = "%.2f" % (FENTRY["a6 sendfile"]["tls_encrypt_bytes"] / FENTRY["a6 sendfile"]["received"])
    cols = " | ".join("%s %s" % (c, n) for n in ("veth", "nic") for c in ("a2", "a5", "a6 copy", "a6 sendfile"))
    want = ["## kTLS (the VM's bytes, no timings)", "Kernel %s, backend fentry:" % K72,
            "| bytes per message | %s |" % cols,
            # a2's send copy is inferred in the fixture: its figure carries the mark, a6's do not
            "| **copies per payload byte** | %s* | %s* | %s | %s | %s* | %s* | %s | %s |" % (
                c2, c5, c6, cs, c2, c5, c6n, cs),
            "| of it copied into the TLS record first | 0 | 0 | 0 | %d | 0 | 0 | 0 | %d |" % (HDR, HDR),
            "| of it decrypted then copied | 0 | 0 | 0 | 0 | 0 | 0 | %d | 0 |" % (SIZE // 4),
            "| payload per message | %d | %d | %d | %d |" % (SIZE, SIZE + HDR, SIZE, SIZE),
            "- K1, does kTLS add a copy? (veth) a6 copy made %s copies per payload byte against a2's %s*: as many "
            "(a6 copy's kTLS encryption 1.00 and decryption 1.00 copies per payload byte)" % (c6, c2),
            "- K1, does kTLS add a copy? (nic) a6 copy made %s copies per payload byte against a2's %s*: %.2f more "
            "copies per payload byte" % (c6n, c2, float(c6n) - float(c2)),
            "Plain sendfile (a5) made %s* copies per payload byte and referenced %d B per message" % (c5, SIZE),
            "a6 sendfile made %s copies per payload byte: the kernel encrypted %s bytes per payload byte" % (
                cs, enc_sf),
            "referenced 0 B per message, so it is not zero-copy",
            "(a6 copy, nic) 75.0 % of the 65536 B per message decrypted went straight into the user's buffer, "
            "16384 B per message were decrypted in the kernel's buffer then copied",
            "(a6 copy, veth) 100.0 % of the 65536 B per message", "32-byte header", "QEMU TCG"]
    return check(t, want, banned=["n/a |", "Not settled", "not settled"])


def case_parts_not_counted_twice():
    """bytes copied into the record first are in the send copy, bytes decrypted then copied in the receive copy: each counts once in copies per payload byte"""
    first = dict(FENTRY["a6 copy"], send_copy_bytes=M * SIZE + CTL, tls_copied_bytes=M * SIZE,
                 tls_decrypt_copied_bytes=M * SIZE, recv_copy_bytes=M * SIZE + CTL)
    t = text_of(make("first", [("a2", "loopback", "kprobe", FENTRY["a2"]),
                               ("a6 copy", "loopback", "kprobe", first)]))
    # send copy + encryption + decryption + receive copy, once each: four copies of every byte
    return check(t, ["| **copies per payload byte** | %s* | %s |" % (expect_copies(FENTRY["a2"]),
                                                                    expect_copies(first)),
                     "| **copies per payload byte** | 2.00* | 4.00 |", "against a2's 2.00*: 2.00 more copies",
                     "0.0 % of the 65536 B per message decrypted went straight into the user's buffer"])


def case_tracepoint_inferred_and_na():
    """on the tracepoint backend the kTLS lines are marked inferred, the splits are n/a (never 0), copies per payload byte with a null deferred copy are n/a, and K1/K3 say so"""
    d = make("tp", [(c, "veth", "tracepoint", s) for c, s in TP.items()])
    t = text_of(d)
    rows = {lab: row(t, lab) for lab in ("of it copied into the TLS record first", "of it decrypted then copied",
                                         "deferred copy", "kTLS encryption", "**copies per payload byte**")}
    want_rows = {"of it copied into the TLS record first": "| n/a | n/a |",
                 "of it decrypted then copied": "| n/a | n/a |", "deferred copy": "| n/a | n/a |",
                 "kTLS encryption": "| 0* | %d* |" % SIZE, "**copies per payload byte**": "| n/a | n/a |"}
    bad = [(lab, rows[lab]) for lab, w in want_rows.items() if not rows[lab] or not rows[lab].endswith(w)]
    if bad:
        print("rows not as expected: %s in:\n%s" % (bad, t))
        return False
    return check(t, ["Kernel %s, backend tracepoint:" % K72,
                     "K1, does kTLS add a copy? (veth) Not settled here: a line of a6 copy is not observable",
                     "Not split by this backend (the tracepoint backend infers the kTLS lines): 65536 B per "
                     "message decrypted (* inferred from the syscalls"])


def case_missing_a5_and_a2():
    """without an a5 run K2 still gives a6 sendfile's figures and says there is nothing to compare; without a2 K1 says so; an a5 over another net is compared and that net named"""
    runs = [("a6 copy", "nic", "kprobe", FENTRY["a6 copy"]), ("a6 sendfile", "nic", "kprobe", FENTRY["a6 sendfile"])]
    t = text_of(make("noa5", runs))
    cs, c6 = expect_copies(FENTRY["a6 sendfile"]), expect_copies(FENTRY["a6 copy"])
    if not check(t, ["| bytes per message | a6 copy nic | a6 sendfile nic |",
                     "(nic) No a5 run here to compare. a6 sendfile made %s copies per payload byte" % cs,
                     "a6 copy made %s copies per payload byte (a6 copy's kTLS encryption 1.00 and decryption "
                     "1.00 copies per payload byte); no a2 run here to compare." % c6], banned=["against a2"]):
        return False
    # the VM keeps a5 over the NIC only, a6 over loopback
    t = text_of(make("a5nic", [("a5", "nic", "fentry", FENTRY["a5"]),
                               ("a6 sendfile", "loopback", "fentry", FENTRY["a6 sendfile"])]))
    return check(t, ["(loopback) Plain sendfile (a5) over nic (no a5 run over loopback) made %s* copies per "
                     "payload byte" % expect_copies(FENTRY["a5"])])


def case_unreadable_listed():
    """broken JSON, an a6 run without its send mode and a ledger that is no object are named and left out; the rest is still reported"""
    bad = doc("a6", "veth", 3)
    nol = doc("a2", "veth", 3)
    nol["ledger"] = [1, 2]
    # a run with no message counted: per message n/a, no crash
    empty = dict(FENTRY["a6 sendfile"], msgs=0)
    d = make("bad", [("a6 copy", "veth", "fentry", FENTRY["a6 copy"]), ("a6 sendfile", "veth", "fentry", empty)],
             junk=[("broken.json", "{not json"), ("nomode.json", json.dumps(bad)),
                   ("nolist.json", json.dumps(nol))])
    t = text_of(d)
    if not check(t, ["broken.json, nolist.json, nomode.json", "a6 copy veth",
                     "(a6 sendfile, veth) 100.0 % of the"]):
        return False
    only_bad = make("onlybad", [], junk=[("broken.json", "[")])
    return check(text_of(only_bad), ["broken.json", "No kTLS (a6) ledger among the readable files"])


def case_suspicious_ledgers_not_claimed():
    """a6 sendfile's pages reported as referenced, or kTLS runs with no encryption seen, are said to be unsettled, never read as zero-copy or as no extra copy"""
    spliced = dict(FENTRY["a6 sendfile"], splice_bytes=M * SIZE)
    silent = dict(FENTRY["a6 copy"], tls_encrypt_bytes=0, tls_decrypt_bytes=0, tls_copied_bytes=0,
                  tls_decrypt_copied_bytes=0)
    t = text_of(make("odd", [("a2", "veth", "fentry", FENTRY["a2"]), ("a6 copy", "veth", "fentry", silent),
                             ("a6 sendfile", "veth", "fentry", spliced)]))
    return check(t, ["a6 sendfile's ledger says %d B per message went by reference" % SIZE,
                     "this ledger is wrong there, not settled",
                     "Not settled here: a6 copy shows no kTLS encryption or decryption at all",
                     "(a6 copy, veth) No decryption seen: nothing to split, not settled."],
                 banned=["so it is not zero-copy", "against a2's"])


if __name__ == "__main__":
    sys.exit(pycases.main(globals()))
