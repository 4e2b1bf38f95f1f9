#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Nested function rows must not be summed.

The tracer's time rows nest: sys_sendto/sendmsg contains tcp_sendmsg, which
contains _copy_from_iter / skb_zerocopy_iter_stream; on receive
sys_recvfrom/recvmsg contains tcp_recvmsg, which contains
skb_copy_datagram_iter. Per-message kernel time is the time of the
outermost calls, not the sum of every row.

usage: test_kernel_time.py --list | CASE (tests/pycases.py); run by
tests/analysis/test_kernel_time.sh.
"""
import atexit
import json
import os
import shutil
import sys
import tempfile

import matplotlib
matplotlib.use("Agg")

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "analysis"))
sys.path.insert(0, os.path.join(ROOT, "tests"))
import pycases  # noqa: E402

SENT = RECV = 10  # messages: every ns figure below is per run, /10 per message


def row(side, name, ns, hook="fentry"):
    return {"side": side, "name": name, "hook": hook, "calls": 10, "bytes": 40960, "ns": ns}


# a2, fentry: sender 1000 ns/msg in sendto/sendmsg, receiver 900 ns/msg in recvfrom/recvmsg
A2 = [row("sender", "sys_sendto/sendmsg", 10000, "tp_btf/sys_enter+sys_exit (sendto,sendmsg)"),
      row("sender", "tcp_sendmsg", 8000),
      row("sender", "_copy_from_iter", 5000),
      row("receiver", "sys_recvfrom/recvmsg", 9000, "tp_btf/sys_enter+sys_exit (recvfrom,recvmsg)"),
      row("receiver", "tcp_recvmsg", 7000),
      row("receiver", "skb_copy_datagram_iter", 4000)]
A2_OUTER = 1000 + 900
# a3: also the error-queue syscall (its own call) and two rows that run in
# softirq context (callback, deferred copy): not part of the syscalls' sum
A3 = [row("sender", "sys_sendto/sendmsg", 10000),
      row("sender", "tcp_sendmsg", 8000),
      row("sender", "skb_zerocopy_iter_stream", 3000),
      row("sender", "__msg_zerocopy_callback", 500),
      row("sender", "skb_copy_ubufs", 4000),
      row("sender", "sys_recvmsg(MSG_ERRQUEUE)", 1000),
      row("receiver", "sys_recvfrom/recvmsg", 9000),
      row("receiver", "tcp_recvmsg", 7000),
      row("receiver", "skb_copy_datagram_iter", 4000)]
A3_OUTER = 1000 + 100 + 900
# a1 on the tracepoint backend: tcp_sendmsg untimed (ns 0), the copy rows
# untimed; ct_gather is user space, outside every syscall
A1 = [row("sender", "ct_gather", 3000, "uprobe"),
      row("sender", "sys_sendto/sendmsg", 10000),
      row("sender", "tcp_sendmsg", 0, "tp_btf/sock_send_length"),
      row("sender", "_copy_from_iter", 0, "inferred"),
      row("receiver", "sys_recvfrom/recvmsg", 9000),
      row("receiver", "tcp_recvmsg", 0, "tp_btf/sock_recv_length"),
      row("receiver", "skb_copy_datagram_iter", 0, "tp_btf/skb_copy_datagram_iovec")]
A1_OUTER = 300 + 1000 + 900


def sweep(runs):
    """A sweep folder with one traced run per (impl, functions) -> path."""
    d = tempfile.mkdtemp(prefix="ct-kt-")
    atexit.register(shutil.rmtree, d, True)
    os.makedirs(os.path.join(d, "raw"))
    with open(os.path.join(d, "sweep.env"), "w") as f:
        f.write("traced=1\nperf=0\nstream_duration_s=1\nrr_duration_s=1\ntrace_duration_s=1\n")
    for impl, funcs in runs:
        base = os.path.join(d, "raw", "%s_s4096_t1_veth_r1" % impl)
        app = {"impl": impl, "throughput_gbps": 1.0, "messages": RECV,
               "server": {"ok": 1, "messages_sent": SENT}, "client": {"ok": 1, "messages_received": RECV}}
        for kind in ("stream", "rr"):
            json.dump(app, open(base + ".%s.json" % kind, "w"))
        json.dump({"backend": "fentry", "app": app, "functions": funcs,
                   "ledger": {"recv_copy_bytes": 40960}}, open(base + ".trace.json", "w"))
    return d


def collected(runs):
    import collect
    d = sweep(runs)
    collect.collect(d)
    return d


def results(d):
    from common import read_csv
    return {r["impl"]: r for r in read_csv(os.path.join(d, "results.csv"))}


def close(a, b):
    return a is not None and abs(a - b) < 1e-6


def expect(what, got, want):
    if not close(got, want):
        print("%s: got %s, want %s" % (what, got, want))
        return False
    return True


# --- cases -------------------------------------------------------------------

def case_collect_a2_outermost():
    """collect.py: a2 kernel_ns_per_msg = outermost syscalls, not the sum of nested rows"""
    r = results(collected([("a2", A2)]))["a2"]
    return expect("a2 kernel_ns_per_msg", r["kernel_ns_per_msg"], A2_OUTER)


def case_collect_a3_errqueue_softirq():
    """collect.py: a3 adds the error-queue syscall, not the softirq callback/deferred copy"""
    r = results(collected([("a3", A3)]))["a3"]
    return expect("a3 kernel_ns_per_msg", r["kernel_ns_per_msg"], A3_OUTER)


def case_collect_a1_untimed_middle():
    """collect.py: untimed middle rows (tracepoint backend) and the user-space gather"""
    r = results(collected([("a1", A1)]))["a1"]
    return expect("a1 kernel_ns_per_msg", r["kernel_ns_per_msg"], A1_OUTER)


def case_collect_no_syscall_rows():
    """collect.py: without syscall rows (--no-syscall-time) tcp_sendmsg/tcp_recvmsg are outermost"""
    funcs = [f for f in A2 if not f["name"].startswith("sys_")]
    r = results(collected([("a2", funcs)]))["a2"]
    return expect("kernel_ns_per_msg", r["kernel_ns_per_msg"], 800 + 700)


def case_common_self_times():
    """common.self_ns: each row minus the rows nested in it, per side"""
    from common import self_ns
    got = self_ns(A3)
    want = [1000 * 10 - 8000, 8000 - 3000, 3000, 500, 4000, 1000, 9000 - 7000, 7000 - 4000, 4000]
    ok = True
    for f, g, w in zip(A3, got, want):
        ok &= expect("self %s %s" % (f["side"], f["name"]), g, w)
    return ok


def case_functions_csv_self():
    """functions.csv: self_ns_per_msg per row, summing to kernel_ns_per_msg over in-thread rows"""
    from common import read_csv, in_thread
    d = collected([("a3", A3)])
    rows = read_csv(os.path.join(d, "functions.csv"))
    s = sum(r["self_ns_per_msg"] for r in rows if r.get("self_ns_per_msg") is not None and in_thread(r["name"]))
    ok = expect("sum of in-thread self_ns_per_msg", s, A3_OUTER)
    byname = {r["name"]: r for r in rows}
    ok &= expect("tcp_sendmsg self_ns_per_msg", byname["tcp_sendmsg"]["self_ns_per_msg"], 500)
    ok &= expect("tcp_sendmsg ns_per_msg (inclusive)", byname["tcp_sendmsg"]["ns_per_msg"], 800)
    return ok


def case_columns_md_says_self():
    """columns.md: kernel_ns_per_msg and self_ns_per_msg say self time / outermost"""
    d = collected([("a2", A2)])
    doc = open(os.path.join(d, "columns.md")).read()
    ok = True
    for col in ("kernel_ns_per_msg", "self_ns_per_msg"):
        line = [l for l in doc.splitlines() if l.startswith("| `%s` |" % col)]
        if not line or "self time" not in line[0]:
            print("columns.md: %s line does not say 'self time': %s" % (col, line))
            ok = False
    return ok


def _bars(d, plot):
    """Runs plots.<plot> for the sweep in d, recording every Axes.bar call."""
    import matplotlib.axes
    import plots
    from common import Sweep
    rec = []
    orig = matplotlib.axes.Axes.bar

    def bar(ax, x, height, *a, **kw):
        xs = list(x) if hasattr(x, "__iter__") else [x]
        hs = list(height) if hasattr(height, "__iter__") else [height] * len(xs)
        rec.append((ax, xs, hs, kw.get("label")))
        return orig(ax, x, height, *a, **kw)
    matplotlib.axes.Axes.bar = bar
    try:
        getattr(plots, plot)(Sweep(d), "veth", os.path.join(d, "p.png"))
    finally:
        matplotlib.axes.Axes.bar = orig
    return rec


def case_plot_kernel_time_stack():
    """plots.py kernel_time: the stacked bar of an impl is the outermost time, not the sum of rows"""
    d = collected([("a3", A3)])
    rec = _bars(d, "plot_kernel_time")
    stack = sum(h for _, xs, hs, _ in rec for x, h in zip(xs, hs) if x == 0)
    ok = expect("height of the a3 stack", stack, A3_OUTER)
    ylabels = {ax.get_ylabel() for ax, _, _, _ in rec}
    if not any("self" in y for y in ylabels):
        print("kernel_time y label does not say self time: %s" % ylabels)
        ok = False
    return ok


def case_plot_time_per_kib_label():
    """plots.py cache panel: the time-per-KiB proxy says it is outermost (self-time) time"""
    import matplotlib.pyplot as plt
    import plots
    from common import Sweep
    d = collected([("a2", A2)])
    labels = []
    orig = plt.Axes.set_ylabel

    def set_ylabel(ax, s, *a, **kw):
        labels.append(s)
        return orig(ax, s, *a, **kw)
    plt.Axes.set_ylabel = set_ylabel
    try:
        plots.plot_cache(Sweep(d), "veth", os.path.join(d, "c.png"))
    finally:
        plt.Axes.set_ylabel = orig
    if not any("per KiB" in l and "self" in l for l in labels):
        print("no 'per KiB' y label mentioning self time: %s" % labels)
        return False
    return True


if __name__ == "__main__":
    sys.exit(pycases.main(globals()))
