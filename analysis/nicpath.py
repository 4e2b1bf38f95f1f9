# SPDX-License-Identifier: GPL-2.0-only
"""The report's "over a NIC" section, from ledger files of the VM's NIC runs.

RESULTS_DIR/nic/*.json: trace_run --format json documents (the VM test keeps
them as build/vm/VERSION/ledger-BACKEND-IMPL-SIZE-NET.json; copy them in).
Bytes only: the VM runs under QEMU TCG, whose times are no performance data,
so nothing here is a time.
"""
import glob
import json
import os

# (ledger key, label); copies the CPU makes first, then what goes by reference
LINES = [("user_copy_bytes", "user-space gather"), ("send_copy_bytes", "kernel send copy"),
         ("deferred_copy_bytes", "deferred copy"), ("recv_copy_bytes", "kernel receive copy"),
         ("zerocopy_bytes", "zerocopy pinned"), ("splice_bytes", "spliced by reference"),
         ("recv_zerocopy_bytes", "receive mapped")]
COPIES = ("user_copy_bytes", "send_copy_bytes", "deferred_copy_bytes", "recv_copy_bytes")
NETS = ("loopback", "veth", "nic")


def impl_net(d):
    return (str(d["impl"]), str(d["net"]))


def load(outdir, column=impl_net):
    """{(kernel, backend): {column(doc): doc}} of the readable ledger files; [] of unreadable names.

    column names a document's run within its kernel and backend, (impl, net) unless given; it raises
    KeyError, TypeError or ValueError for a document it cannot place, which is then unreadable."""
    runs, bad = {}, []
    for p in sorted(glob.glob(os.path.join(outdir, "nic", "*.json"))):
        try:
            d = json.load(open(p))
            key = (str(d["kernel"]), str(d["backend"]))
            runs.setdefault(key, {})[column(d)] = d
        except (OSError, ValueError, KeyError, TypeError):
            bad.append(os.path.basename(p))
    return runs, bad


def per_msg(d, key):
    """bytes per message of one ledger line; None when not observable (null) or no messages"""
    lg = d.get("ledger") or {}
    m, v = lg.get("messages") or 0, lg.get(key)
    return None if v is None or not m else v / m


def fmt(v, inferred=False):
    return "n/a" if v is None else "%.0f%s" % (v, "*" if inferred else "")


def copied(d):
    """bytes the CPU copied per message (user + send + deferred + receive), None if any line is not observable"""
    vs = [per_msg(d, k) for k in COPIES]
    return None if any(v is None for v in vs) else sum(vs)


def section(outdir):
    """Lines of the section, or [] when RESULTS_DIR/nic/ holds no ledger."""
    runs, bad = load(outdir)
    if not runs and not bad:
        return []
    out = ["## Over a NIC (the VM's bytes, no timings)", ""]
    if bad:
        out += ["Unreadable ledger files, left out: %s." % ", ".join(bad), ""]
    if not runs:
        return out + ["No ledger of a NIC run could be read: nothing to say about the NIC path.", ""]
    out += ["Each column is one `trace_run --format json` run in the stock-kernel VM (QEMU TCG: bytes only, "
            "its times are not performance data): two virtio-net NICs with scatter-gather and checksum offload "
            "(`--net nic`), next to the same guest's loopback and veth where those runs are present. "
            "Bytes per message; * = inferred by the tracer, n/a = not observable with that backend and kernel.", ""]
    for (kernel, backend), docs in sorted(runs.items()):
        cols = [(i, n) for n in NETS for i in ("a1", "a2", "a3", "a4", "a5") if (i, n) in docs]
        if not any(n == "nic" for _, n in cols):
            continue
        out.append("Kernel %s, backend %s:" % (kernel, backend))
        out.append("")
        out.append("| bytes per message | " + " | ".join("%s %s" % c for c in cols) + " |")
        out.append("|---|" + "---:|" * len(cols))
        for key, label in LINES:
            cells = []
            for c in cols:
                lg = docs[c].get("ledger") or {}
                inf = bool(lg.get(key.replace("_bytes", "_inferred")))
                cells.append(fmt(per_msg(docs[c], key), inf))
            out.append("| %s | %s |" % (label, " | ".join(cells)))
        out.append("| completions (COPIED) | " + " | ".join(
            "%s (%s)" % ((docs[c].get("app") or {}).get("zc_completions", "n/a"),
                         (docs[c].get("app") or {}).get("zc_copied", "n/a")) if c[0] in ("a3", "a4") else "-"
            for c in cols) + " |")
        out.append("")
        out += answers(docs)
        out.append("")
    return out


def answers(docs):
    """E1/E5/E6 in bytes, from this kernel's and backend's runs; a claim the runs cannot support is not made."""
    out = []
    zc = [i for i in ("a3", "a4") if (i, "nic") in docs]
    for i in zc:
        nic, veth = docs[(i, "nic")], docs.get((i, "veth"))
        dn, pn = per_msg(nic, "deferred_copy_bytes"), per_msg(nic, "zerocopy_bytes")
        dv = per_msg(veth, "deferred_copy_bytes") if veth else None
        if dn is None or pn is None:
            out.append("- E1 (%s): the deferred copy or the pinned bytes are not observable here." % i)
            continue
        out.append("- E1 (%s): over the NIC %.0f B per message were pinned and %.0f B copied later; %s" % (
            i, pn, dn, "over veth the same send was copied later at %.0f B per message (skb_copy_ubufs): "
            "zero-copy is a copy moved, not removed, except over a NIC." % dv if dv is not None else
            "no veth run of it is here to compare."))
    a1 = docs.get(("a1", "nic"))
    c1 = copied(a1) if a1 else None
    for i in zc + ([("a5")] if ("a5", "nic") in docs else []):
        ci = copied(docs[(i, "nic")])
        if c1 is None or ci is None:
            out.append("- E5 (%s vs a1): not answerable from these runs (a line not observable, or no a1 run)." % i)
        else:
            how = "fewer" if ci < c1 else "more" if ci > c1 else "as many"
            out.append("- E5 (%s vs a1): over the NIC the CPU copied %.0f B per message for %s against %.0f B for "
                       "a1 (two-copy): %s bytes copied, which says nothing of speed: no timing comes from this "
                       "VM." % (i, ci, i, c1, how))
    a5n, a5l = docs.get(("a5", "nic")), docs.get(("a5", "loopback"))
    if a5n:
        mn, rn = per_msg(a5n, "recv_zerocopy_bytes"), per_msg(a5n, "recv_copy_bytes")
        ml = per_msg(a5l, "recv_zerocopy_bytes") if a5l else None
        if mn is None or rn is None:
            out.append("- E6: the receive side of a5 is not observable here.")
        else:
            out.append("- E6: the receiver mapped %.0f B and copied %.0f B per message of a5 over the NIC%s." % (
                mn, rn, "" if ml is None else " (%.0f B mapped on loopback)" % ml))
    return out
