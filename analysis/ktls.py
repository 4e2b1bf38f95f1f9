# SPDX-License-Identifier: GPL-2.0-only
"""The report's kTLS section, from the VM's ledger files (the same RESULTS_DIR/nic/*.json the NIC
section reads): copies per payload byte of a2 (plain send), a6 over kTLS by sendmsg ("a6 copy")
and by sendfile ("a6 sendfile"), next to a5 (plain sendfile), and K1-K3 answered from them.
Bytes only: the VM runs under QEMU TCG, whose times are no performance data.
"""
from nicpath import NETS, fmt, load, per_msg

COLS = ("a2", "a5", "a6 copy", "a6 sendfile")
# (ledger key, label); the "of it" lines are parts of the line above them, never added again
LINES = [("user_copy_bytes", "user-space gather"), ("send_copy_bytes", "kernel send copy"),
         ("tls_copied_bytes", "of it copied into the TLS record first"),
         ("deferred_copy_bytes", "deferred copy"),
         ("tls_encrypt_bytes", "kTLS encryption"), ("tls_decrypt_bytes", "kTLS decryption"),
         ("tls_decrypt_copied_bytes", "of it decrypted then copied"),
         ("recv_copy_bytes", "kernel receive copy"),
         ("splice_bytes", "spliced by reference"), ("recv_zerocopy_bytes", "receive mapped")]
# each a copy of every byte it counts: send_copy holds tls_copied, recv_copy holds tls_decrypt_copied
COPIES = ("user_copy_bytes", "send_copy_bytes", "deferred_copy_bytes", "recv_copy_bytes",
          "tls_encrypt_bytes", "tls_decrypt_bytes")


def column(d):
    """(a2 | a5 | a6 copy | a6 sendfile | other impl, net) of one document; ValueError for an a6 without its mode"""
    if not isinstance(d.get("ledger"), dict) or not isinstance(d.get("app") or {}, dict):
        raise TypeError("no ledger object")
    impl, net = str(d["impl"]), str(d["net"])
    if impl != "a6":
        return (impl, net)
    mode = (d.get("app") or {}).get("tls_send")
    if mode not in ("copy", "sendfile"):
        raise ValueError("a6 run without its send mode")
    return ("a6 " + mode, net)


def inferred(d, key):
    """the ledger marks this line inferred (from the syscalls), not observed"""
    lg = d["ledger"]
    return bool(lg.get(key.replace("_bytes", "_inferred")) or (key.startswith("tls_") and lg.get("tls_inferred")))


def payload(d):
    """payload bytes of the run: the client's count, else messages x size; None when neither is known"""
    got = (d.get("app") or {}).get("bytes_received")
    if isinstance(got, (int, float)) and got > 0:
        return float(got)
    m, size = d["ledger"].get("messages"), d.get("size")
    if isinstance(m, (int, float)) and isinstance(size, (int, float)) and m > 0 and size > 0:
        return float(m * size)
    return None


def payload_per_msg(d):
    p, m = payload(d), d["ledger"].get("messages")
    return None if p is None or not isinstance(m, (int, float)) or m <= 0 else p / m


def per_byte(d, key):
    """(bytes of one line per payload byte or None, inferred)"""
    v, p = d["ledger"].get(key), payload(d)
    if not isinstance(v, (int, float)) or p is None:
        return None, False
    return v / p, inferred(d, key)


def copies(d):
    """(copies per payload byte or None when an input is not observable, any input inferred)"""
    vs = [per_byte(d, k) for k in COPIES]
    if any(v is None for v, _ in vs):
        return None, False
    return sum(v for v, _ in vs), any(i for _, i in vs)


def fcp(v, inf):
    return "n/a" if v is None else "%.2f%s" % (v, "*" if inf else "")


def section(outdir):
    """Lines of the section, or [] when RESULTS_DIR/nic/ holds no a6 ledger (and no unreadable file)."""
    runs, bad = load(outdir, column)
    groups = {k: docs for k, docs in runs.items() if any(c[0].startswith("a6 ") for c in docs)}
    if not groups and not bad:
        return []
    out = ["## kTLS (the VM's bytes, no timings)", ""]
    if bad:
        out += ["Unreadable ledger files (or a6 runs without their send mode), left out: %s." % ", ".join(bad), ""]
    if not groups:
        return out + ["No kTLS (a6) ledger among the readable files: nothing to say about kTLS.", ""]
    out += ["Each column is one `trace_run --format json` run in the stock-kernel VM (QEMU TCG: bytes only, its "
            "times are not performance data): a2 (one plain send), a5 (plain sendfile), and a6 over kernel TLS "
            "(software AES-GCM-128) by sendmsg (\"a6 copy\") or by sendfile from a memfd (\"a6 sendfile\"). "
            "Bytes per message; * = inferred from the syscalls, n/a = not observable with that backend and "
            "kernel. **Copies per payload byte** = (user-space gather + kernel send copy + deferred copy + "
            "kernel receive copy + kTLS encryption + kTLS decryption) / payload bytes, each encryption and "
            "decryption being a copy of every byte it counts; the \"of it\" lines are already in the send and "
            "receive copies and are not added again. Payload bytes are the client's count (messages x size when "
            "missing); for a5 and a6 sendfile they include the 32-byte header sent before each message's "
            "fields.", ""]
    for (kernel, backend), docs in sorted(groups.items()):
        cols = [(i, n) for n in NETS for i in COLS if (i, n) in docs]
        out.append("Kernel %s, backend %s:" % (kernel, backend))
        out.append("")
        out.append("| bytes per message | " + " | ".join("%s %s" % c for c in cols) + " |")
        out.append("|---|" + "---:|" * len(cols))
        for key, label in LINES:
            out.append("| %s | %s |" % (label, " | ".join(fmt(per_msg(docs[c], key), inferred(docs[c], key))
                                                       for c in cols)))
        out.append("| payload per message | %s |" % " | ".join(fmt(payload_per_msg(docs[c])) for c in cols))
        out.append("| **copies per payload byte** | %s |" % " | ".join(fcp(*copies(docs[c])) for c in cols))
        out.append("")
        out += answers(docs)
        out.append("")
    return out


def star(inf):
    return " (* inferred from the syscalls, not observed in tls.ko)" if inf else ""


def answers(docs):
    """K1-K3 per net from this kernel's and backend's runs; what the runs cannot settle is said, not claimed."""
    out = []
    for net in NETS:
        cp, sf = docs.get(("a6 copy", net)), docs.get(("a6 sendfile", net))
        if cp:
            out.append("- K1, does kTLS add a copy? (%s) %s" % (net, k1(*plain_run(docs, "a2", net), cp)))
        if sf:
            out.append("- K2, is sendfile over kTLS still zero-copy? (%s) %s" % (net, k2(*plain_run(docs, "a5", net),
                                                                                          sf)))
        for mode, d in (("copy", cp), ("sendfile", sf)):
            if d:
                out.append("- K3, receive: decrypted in place or then copied? (a6 %s, %s) %s" % (mode, net, k3(d)))
    return out


def plain_run(docs, impl, net):
    """(the plain run to compare with over this net, else over another one (the VM keeps a5 only over the NIC),
    else None; words saying which net it ran over when not this one)"""
    if (impl, net) in docs:
        return docs[(impl, net)], ""
    for other in NETS:
        if (impl, other) in docs:
            return docs[(impl, other)], " over %s (no %s run over %s)" % (other, impl, net)
    return None, ""


def k1(a2, where, cp):
    c6, i6 = copies(cp)
    if c6 is None:
        return "Not settled here: a line of a6 copy is not observable with this backend and kernel (n/a)."
    enc, ie = per_byte(cp, "tls_encrypt_bytes")
    dec, idc = per_byte(cp, "tls_decrypt_bytes")
    lines = "a6 copy's kTLS encryption %s and decryption %s copies per payload byte%s" % (
        fcp(enc, ie), fcp(dec, idc), star(ie or idc))
    if not (enc or 0) and not (dec or 0):
        return ("Not settled here: a6 copy shows no kTLS encryption or decryption at all, so the tracer did not "
                "see its kTLS work (%s copies per payload byte counted)." % fcp(c6, i6))
    if a2 is None:
        return "a6 copy made %s copies per payload byte (%s); no a2 run here to compare." % (fcp(c6, i6), lines)
    c2, i2 = copies(a2)
    if c2 is None:
        return ("a6 copy made %s copies per payload byte (%s); a2's%s are not observable with this backend and "
                "kernel (n/a): not settled here." % (fcp(c6, i6), lines, where))
    diff = c6 - c2
    verdict = "as many" if abs(diff) < 0.005 else "%.2f %s copies per payload byte" % (
        abs(diff), "more" if diff > 0 else "fewer")
    return "a6 copy made %s copies per payload byte against a2's %s%s: %s (%s)." % (
        fcp(c6, i6), fcp(c2, i2), where, verdict, lines)


def k2(a5, where, sf):
    c6, i6 = copies(sf)
    sp = per_msg(sf, "splice_bytes")
    enc, ie = per_byte(sf, "tls_encrypt_bytes")
    if a5 is None:
        plain = "No a5 run here to compare."
    else:
        c5, i5 = copies(a5)
        ref, mapped = per_msg(a5, "splice_bytes"), per_msg(a5, "recv_zerocopy_bytes")
        plain = "Plain sendfile (a5)%s made %s copies per payload byte and referenced %s B per message " \
                "(spliced), %s B mapped on receive." % (where, fcp(c5, i5), fmt(ref), fmt(mapped))
    if enc is None:
        return plain + " a6 sendfile's encryption is not observable with this backend and kernel (n/a): not settled."
    if sp:
        return plain + (" a6 sendfile's ledger says %.0f B per message went by reference, yet kTLS encrypts the "
                        "file's pages into new buffers: this ledger is wrong there, not settled." % sp)
    if not enc:
        return plain + (" a6 sendfile shows no kTLS encryption (%s B per message referenced): the tracer did not "
                        "see its kTLS work, not settled." % fmt(sp))
    return plain + (" a6 sendfile made %s copies per payload byte: the kernel encrypted %s bytes per payload byte "
                    "of the file's pages into new buffers and referenced %s B per message%s, so it is not "
                    "zero-copy%s." % (fcp(c6, i6), fcp(enc, ie), fmt(sp), "" if sp is not None else
                                      " (the referenced line is not observable here)", star(ie)))


def k3(d):
    lg = d["ledger"]
    dec, cop = lg.get("tls_decrypt_bytes"), lg.get("tls_decrypt_copied_bytes")
    idc = inferred(d, "tls_decrypt_bytes")
    dmsg = fmt(per_msg(d, "tls_decrypt_bytes"))
    if not isinstance(dec, (int, float)):
        return "Decryption is not observable with this backend and kernel (n/a): not settled."
    if not dec:
        return "No decryption seen: nothing to split, not settled."
    if "tls_decrypt_copied_bytes" not in lg:
        return "Not split in this ledger (written by a trace_run without the split): %s B per message " \
               "decrypted%s." % (dmsg, star(idc))
    if not isinstance(cop, (int, float)):
        why = (" (the tracepoint backend infers the kTLS lines)" if d.get("backend") == "tracepoint" else
               " (the kTLS lines are inferred from the syscalls here)" if idc else " on this kernel")
        return "Not split by this backend%s: %s B per message decrypted%s." % (why, dmsg, star(idc))
    share = max(0.0, (dec - cop) / dec)
    return "%.1f %% of the %s B per message decrypted went straight into the user's buffer, %s B per message " \
           "were decrypted in the kernel's buffer then copied (also in the receive copy)%s." % (
               100 * share, dmsg, fmt(per_msg(d, "tls_decrypt_copied_bytes")),
               star(idc or inferred(d, "tls_decrypt_copied_bytes")))
