#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""The profiler's data in the analysis: folded stacks classified into pinning
and completion samples, the time ledger's columns, CPU-per-byte crossovers
(lower is better) and the report's settled / not settled verdicts.

usage: test_profiler.py --list | CASE (tests/pycases.py); run by
tests/analysis/test_profiler.sh.
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

TMP = tempfile.mkdtemp(prefix="ct-prof-")
atexit.register(shutil.rmtree, TMP, True)

FOLDED = """sender;start_thread;worker_main;a3_send;sendmsg;__sys_sendmsg_[k];skb_zerocopy_iter_stream_[k];gup_fast_fallback_[k] 7
sender;start_thread;worker_main;a3_send;recvmsg;___sys_recvmsg_[k];ip_recv_error_[k] 5
sender;start_thread;worker_main;a4_send;io_uring_enter_[k];__do_sys_io_uring_enter_[k];io_cqring_wait_[k] 3
sender;start_thread;worker_main;a4_send;__do_sys_io_uring_enter_[k];__sys_sendmsg_sock_[k];tcp_sendmsg_[k] 11
sender;start_thread;worker_main;a4_send;__do_sys_io_uring_enter_[k];__sys_sendmsg_sock_[k];io_sg_from_iter_[k] 2
receiver;start_thread;reader;recv;___sys_recvmsg_[k];skb_copy_datagram_iter_[k] 13
sender;start_thread;worker_main;a1_send;ct_gather;memcpy 17
"""


def case_folded_classes():
    """sender stacks under pinning frames and under completion handling are counted apart; receiver stacks never"""
    import collect
    p = os.path.join(TMP, "x.folded")
    open(p, "w").write(FOLDED)
    pin, comp = collect.classify_folded(p)
    # pinning: 7 (gup under skb_zerocopy_iter_stream) + 2 (io_sg_from_iter); completion: 5 (error queue)
    # + 3 (io_uring_enter without a send under it); the receiver's 13 and the other sender stacks: neither
    if (pin, comp) != (9, 8):
        print("pin, completion = %s, want (9, 8)" % ((pin, comp),))
        return False
    if collect.classify_folded(os.path.join(TMP, "missing.folded")) != (None, None):
        print("a missing folded file must give (None, None), not zeros")
        return False
    return True


def sweep_dir(name, impls, cpu, samples, reps=3):
    """A results folder with one traced run per impl x size x rep: cpu[impl][size] = CPU ns per byte of the
    untraced run (constant over reps but for a +-1 % wobble), samples[impl][size] = copy samples per run."""
    d = os.path.join(TMP, name)
    raw = os.path.join(d, "raw")
    os.makedirs(raw)
    open(os.path.join(d, "sweep.env"), "w").write("impls=%s\nsizes=256 65536\nthreads=1\nnets=veth\nreps=%d\n"
                                                  "traced=1\nperf=0\n" % (" ".join(impls), reps))
    open(os.path.join(d, "sweep.status"), "w").write("status=complete\npoints_total=%d\n" % (len(impls) * 2 * reps))
    for i in impls:
        for s in (256, 65536):
            for r in range(1, reps + 1):
                n = "%s_s%d_t1_veth_r%d" % (i, s, r)
                msgs = 1000
                b = msgs * s
                cpu_s = cpu[i][s] * (1 + 0.01 * (r - 2)) * b / 1e9
                side = {"ok": 1, "messages_sent": msgs, "messages_received": msgs, "bytes_sent": b,
                        "send_calls": msgs, "cpu_user_s": cpu_s / 4, "cpu_sys_s": cpu_s / 4}
                app = {"throughput_gbps": 1.0, "messages": msgs, "bytes_received": b, "duration_s": 1,
                       "server": side, "client": dict(side, bytes_sent=24)}
                json.dump(app, open(os.path.join(raw, n + ".stream.json"), "w"))
                json.dump(dict(app, latency_us={"p50": 10, "p99": 20}), open(os.path.join(raw, n + ".rr.json"), "w"))
                k = samples[i][s]
                tl = {"period_ns": 1000000, "samples": 4 * k,
                      "rows": [{"key": "recv_copy", "copy": True, "samples": k},
                               {"key": "zerocopy_pin", "copy": False, "samples": 1}]}
                json.dump({"backend": "tracepoint", "app": app, "functions": [],
                           "ledger": {"sent_bytes": b, "recv_copy_bytes": b}, "time_ledger": tl},
                          open(os.path.join(raw, n + ".trace.json"), "w"))
                open(os.path.join(raw, n + ".folded"), "w").write(FOLDED)
    return d


def case_time_ledger_columns():
    """results.csv carries the time ledger's samples, the copy samples (copy rows only) and the folded classes"""
    import collect
    d = sweep_dir("cols", ["a1", "a2"], {"a1": {256: 2, 65536: 1}, "a2": {256: 2, 65536: 1}},
                  {"a1": {256: 50, 65536: 400}, "a2": {256: 50, 65536: 400}}, reps=1)
    rows = collect.collect(d)
    r = rows[0]
    want = {"tl_period_ns": 1000000, "tl_recv_copy_samples": r["tl_copy_samples"], "tl_zerocopy_pin_samples": 1,
            "prof_pin_samples": 9, "prof_completion_samples": 8}
    bad = {k: r.get(k) for k, v in want.items() if r.get(k) != v}
    if bad or r["tl_copy_samples"] not in (50, 400) or r["tl_user_gather_samples"] is not None:
        print("columns %s, tl_copy_samples %s, tl_user_gather_samples %s (a row the run lacks must be NA)" % (
            bad, r["tl_copy_samples"], r["tl_user_gather_samples"]))
        return False
    return True


def case_cpu_crossover_lower_is_better():
    """a crossover on CPU ns per byte treats the lower cost as the better one"""
    import collect
    from common import Sweep, crossover
    d = sweep_dir("cpu", ["a1", "a2"], {"a1": {256: 1.0, 65536: 1.0}, "a2": {256: 1.5, 65536: 0.5}},
                  {"a1": {256: 100, 65536: 100}, "a2": {256: 100, 65536: 100}})
    collect.collect(d)
    c = crossover(Sweep(d), "a2", "a1", col="cpu_ns_per_byte", lower_better=True, threads=1)
    if c["kind"] != "cross" or not 256 < c["size"] < 65536:
        print("a2 costs 1.5x at 256 B and 0.5x at 64 KiB: want a crossover between them, got %s" % c)
        return False
    c = crossover(Sweep(d), "a2", "a1", col="cpu_ns_per_byte", threads=1)
    if c["kind"] == "cross":
        print("higher-is-better on a cost must not find the same crossover: %s" % c)
        return False
    return True


def report_text(d):
    import importlib.machinery
    import importlib.util
    loader = importlib.machinery.SourceFileLoader("ct_report", os.path.join(ROOT, "analysis", "report"))
    spec = importlib.util.spec_from_loader("ct_report", loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    mod.Report(d).write()
    return open(os.path.join(d, "REPORT.md")).read()


def case_time_ledger_verdicts():
    """the report settles a copy-time difference only when the intervals are disjoint"""
    import collect
    # a2 copies at 64 KiB in far fewer samples than a1 (settled); at 256 B the counts are equal (not settled)
    d = sweep_dir("verdict", ["a1", "a2"], {"a1": {256: 1.0, 65536: 1.0}, "a2": {256: 1.0, 65536: 0.9}},
                  {"a1": {256: 100, 65536: 900}, "a2": {256: 100, 65536: 300}})
    collect.collect(d)
    t = report_text(d)
    e4 = t[t.index("### E4"):t.index("### E5")]
    ok = True
    if "| 256 B |" not in e4 or "not settled (overlap)" not in e4.split("| 256 B |")[1].split("\n")[0]:
        print("256 B with equal samples must be 'not settled (overlap)'")
        ok = False
    if "A2 one-copy less" not in e4.split("| 64 KiB |")[1].split("\n")[0]:
        print("64 KiB with 300 vs 900 samples per run must be settled: A2 less")
        ok = False
    if "**Verdict (time ledger):** settled from 64 KiB up" not in e4:
        print("want the time-ledger verdict 'settled from 64 KiB up'; got %s" % [
            l for l in e4.splitlines() if "Verdict (time ledger)" in l])
        ok = False
    if "**Verdict (CPU time per byte):**" not in e4:
        print("no CPU-time-per-byte verdict in E4")
        ok = False
    return ok


if __name__ == "__main__":
    sys.exit(pycases.main(globals()))
