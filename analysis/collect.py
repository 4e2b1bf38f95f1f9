#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Turn one sweep folder's raw files into tidy CSVs.

usage: collect.py RESULTS_DIR

Reads RESULTS_DIR/raw/<impl>_s<size>_t<threads>_<net>_r<rep>.{perf.txt,
stream.json,rr.json,trace.json} and writes
  RESULTS_DIR/results.csv    one row per run (point x repetition), header in COLUMNS
  RESULTS_DIR/functions.csv  one row per run x traced kernel/user function (long form)
  RESULTS_DIR/columns.md     the documented header of both files
Values that were not measured or not supported are written as NA, never 0;
the reason is in the *_na_reason / status columns.
"""
import csv
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import SELF_TIME_DOC, in_thread, read_kv, self_ns  # noqa: E402

NA = "NA"
NAME_RE = re.compile(r"^(a\d+)_s(\d+)_t(\d+)_([a-z]+)_r(\d+)$")

# perf event -> CSV column
PERF_EVENTS = [
    ("cycles", "cycles"),
    ("instructions", "instructions"),
    ("L1-dcache-load-misses", "l1_misses"),
    ("LLC-load-misses", "llc_misses"),
    ("cache-misses", "cache_misses"),
    ("context-switches", "ctx_switches"),
    ("cpu-migrations", "cpu_migrations"),
    ("task-clock", "task_clock_ms"),
]
LEDGER_KINDS = ["user_copy", "send_copy", "zerocopy", "deferred_copy", "recv_copy", "splice", "recv_zerocopy",
                "splice_out"]
LEDGER_COPIED = ("user_copy", "send_copy", "deferred_copy", "recv_copy")  # bytes the CPU copies
# trace_run's time ledger rows (JSON time_ledger.rows[].key), in its order
TL_KEYS = ["user_gather", "user_copy_other", "send_copy", "zerocopy_pin", "deferred_copy", "recv_copy",
           "kernel_copy_other"]
# Profiler samples (NAME.folded, the sender's stacks) classified by the frames
# they contain: page pinning / buffer import of a zero-copy send, and
# completion handling (error-queue reads and polls, zerocopy callbacks,
# io_uring notifications and the io_uring_enter calls that carry no send).
PIN_FRAMES = ("skb_zerocopy_iter_stream", "__zerocopy_sg_from_iter", "zerocopy_fill_skb_from_iter", "gup_",
              "get_user_pages", "pin_user_pages", "io_sg_from_iter", "io_import_reg", "io_import_fixed",
              "msg_zerocopy_realloc", "msg_zerocopy_alloc")
COMPLETION_FRAMES = ("__msg_zerocopy_callback", "ip_recv_error", "ipv6_recv_error", "sock_recv_errqueue",
                     "___sys_recvmsg", "do_sys_poll", "io_notif", "io_tx_ubuf", "io_cqring", "__io_cq",
                     "io_req_task_complete", "io_uring_cqe")

# (column, description). kns_<side>_<function> columns are appended per sweep.
COLUMNS = [
    ("impl", "implementation: a1 two-copy send()/recv() with user gather, a2 one-copy sendmsg() iovec, a3 MSG_ZEROCOPY, a4 io_uring SENDMSG_ZC (registered buffers), a5 memfd pages by reference (splice) with a mapping receiver"),
    ("size", "message size in bytes (8 fields + header)"),
    ("threads", "client threads = TCP connections (the server runs one thread per client)"),
    ("net", "topology: veth (two network namespaces joined by a veth pair) or loopback"),
    ("rep", "repetition number, 1-based"),
    ("status", "ok, or the runs that are missing/failed for this point (e.g. 'no_trace')"),
    ("throughput_gbps", "untraced stream run: application throughput in Gbit/s (client bytes received / window)"),
    ("stream_lat_p50_us", "untraced stream run: one-way delivery latency p50 in us (sender timestamp, same host clock)"),
    ("stream_lat_p99_us", "untraced stream run: one-way delivery latency p99 in us"),
    ("rr_lat_p50_us", "untraced rr run: round-trip latency p50 in us"),
    ("rr_lat_p99_us", "untraced rr run: round-trip latency p99 in us"),
    ("rr_lat_p999_us", "untraced rr run: round-trip latency p99.9 in us"),
    ("rr_lat_max_us", "untraced rr run: largest round-trip latency in us"),
    ("rr_msgs_per_s", "untraced rr run: completed request/response pairs per second, all threads"),
    ("messages", "untraced stream run: messages received by the client"),
    ("bytes_received", "untraced stream run: bytes received by the client"),
    ("verify_errors", "verify errors over the stream and rr runs (only meaningful with --verify)"),
    ("zc_completions", "untraced stream run, a3: zerocopy send ids completed; a4: notifications"),
    ("zc_copied", "untraced stream run, a3: completed ids the kernel flagged SO_EE_CODE_ZEROCOPY_COPIED; a4: notifications flagged IORING_NOTIF_USAGE_ZC_COPIED"),
    ("zc_notifications", "untraced stream run, a3: error-queue notifications the sender read (completions coalesce into fewer notifications); a4: notification CQEs"),
    ("rr_zc_backoffs", "untraced rr run, a3/a4: times the zero-copy send returned ENOBUFS/EAGAIN (a4: also ENOMEM) and the sender waited for completions"),
    ("zc_mode", "untraced stream run, a4: registered-buffers, or pinned-per-send (why); NA for the other impls"),
    ("send_calls_per_msg", "untraced stream run: the server's send calls per message sent (a1-a3: send/sendmsg syscalls; a4: SENDMSG_ZC requests, which io_uring_enter submits)"),
    ("zc_notifications_per_msg", "untraced stream run, a3/a4: completion notifications the sender handled per message sent (a3: error-queue reads that returned one; a4: notification CQEs)"),
    ("server_cpu_ns_per_byte", "untraced stream run: the sender's user + system CPU (getrusage) in ns / bytes it sent: the sender's cost per byte, pinning and completions included"),
    ("cycles", "perf stat over the stream run (server+client+runner), counting only the window sweep.env perf_window names (client_window: the client's measuring window, from the start of its connections' windows to the end of the last one, via ctrun --perf-ctl; whole_run: the whole ctrun run, namespace setup and drain included; the same line ends every raw perf.txt): CPU cycles; NA if unsupported"),
    ("instructions", "perf stat: instructions; NA if unsupported"),
    ("l1_misses", "perf stat: L1-dcache-load-misses; NA if unsupported"),
    ("llc_misses", "perf stat: LLC-load-misses; NA if unsupported"),
    ("cache_misses", "perf stat: cache-misses; NA if unsupported"),
    ("ctx_switches", "perf stat: context-switches (software event)"),
    ("cpu_migrations", "perf stat: cpu-migrations (software event)"),
    ("task_clock_ms", "perf stat: task-clock in ms (software event: CPU time of server+client+runner in the counted window)"),
    ("counters_na_reason", "why counters are NA, e.g. 'cycles,instructions: <not supported> by perf on this machine'; empty when all counted"),
    ("cpu_user_s", "getrusage user CPU seconds, server + client, stream run"),
    ("cpu_sys_s", "getrusage system CPU seconds, server + client, stream run"),
    ("cpu_s", "cpu_user_s + cpu_sys_s"),
    ("ctx_voluntary", "getrusage voluntary context switches, server + client, stream run"),
    ("ctx_involuntary", "getrusage involuntary context switches, server + client, stream run"),
    ("perf_window_bytes", "bytes the client received in the window perf counted: its measuring window's bytes (client window_bytes) when perf_window=client_window, bytes_received when whole_run"),
    ("cycles_per_byte", "cycles / perf_window_bytes; NA when cycles are unsupported"),
    ("cpu_ns_per_byte", "cpu_s (rusage, server + client) in ns / bytes_received: the CPU-cost-per-byte measure used when cycles are unavailable"),
    ("traced_throughput_gbps", "traced stream run: application throughput in Gbit/s"),
    ("tracing_overhead_pct", "100 * (1 - traced_throughput_gbps / throughput_gbps)"),
    ("trace_messages", "traced run: messages the sender sent (denominator of the send-side per-message figures)"),
] + [
    ("ledger_%s_bpm" % k, "traced run: ledger %s bytes per message (whole-run bytes / messages; send-side kinds per message sent, recv_copy per message received)" % k)
    for k in LEDGER_KINDS
] + [
    ("ledger_copied_bpm", "ledger bytes the CPU copied per message: user_copy + send_copy + deferred_copy + recv_copy"),
    ("trace_bytes_sent", "traced run: ledger sent_bytes, the denominator of the profiler's CPU ns per byte"),
    ("trace_syscalls_per_msg", "traced run: the sender's calls of the syscalls the tracer hooks (sys_* rows: send*/recv* family, recvmsg(MSG_ERRQUEUE), io_uring_enter) per message sent; poll is not hooked (a3's polls: zc_waits_per_msg)"),
    ("trace_notifications_per_msg", "traced run: zero-copy completions the tracer saw per message sent (a3: __msg_zerocopy_callback calls; a4: io_uring notification CQEs)"),
    ("zc_waits_per_msg", "untraced stream run, a3/a4: the sender's blocking waits for completions per message sent (a3: poll() calls before reading the error queue, each a syscall; a4: io_uring_wait_cqe_timeout calls, a syscall only when no CQE is ready)"),
    ("zc_wait_share", "untraced stream run, a3/a4: the sender's time blocked waiting for completions over its elapsed time"),
    ("trace_zc_latency_p50_ns", "traced run: zero-copy completion latency (send call's start -> kernel's completion), median, upper edge of its log2 bucket"),
    ("trace_zc_latency_p99_ns", "traced run: the same, 99th percentile"),
    ("tl_period_ns", "traced run, profiler: CPU time one cpu-clock sample stands for (time_ledger.period_ns); NA when the profiler was off"),
    ("tl_samples", "traced run, profiler: samples kept (server and client tasks)"),
] + [
    ("tl_%s_samples" % k, "traced run, profiler: samples of the time ledger's %s row (ns = samples x tl_period_ns; relative error 1/sqrt(samples))" % k)
    for k in TL_KEYS
] + [
    ("tl_copy_samples", "traced run, profiler: samples of all time-ledger rows that are copies (copy: true), i.e. the CPU time spent copying payload"),
    ("prof_pin_samples", "traced run, profiler: sender samples whose stack holds a pinning / buffer-import frame (" + ", ".join(PIN_FRAMES) + ")"),
    ("prof_completion_samples", "traced run, profiler: sender samples whose stack holds completion handling (" + ", ".join(COMPLETION_FRAMES) + ", or io_uring_enter with no sendmsg under it), and none of the pinning frames"),
    ("kernel_ns_per_msg", "traced run: time per message in the application's traced calls, the sum of the self time of every in-thread row (sender rows per message sent, receiver rows per message received) = the time of the outermost calls (syscalls, sys_recvmsg(MSG_ERRQUEUE), uprobe ct_gather), nested rows not counted again; " + SELF_TIME_DOC + ". Rows that run in softirq context (__msg_zerocopy_callback, skb_copy_ubufs) are left out: they may have run inside a syscall, whose time already holds them"),
    ("bg_runnable", "other runnable tasks on the machine just before this point's runs (mean of 5 samples of /proc/stat procs_running); > 0 means the machine was not idle"),
    ("backend", "tracer backend that ran (fentry, kprobe, tracepoint)"),
    ("kernel", "kernel release"),
    ("cpu_model", "CPU model name (lscpu)"),
    ("stream_duration_s", "requested duration of the stream run"),
    ("rr_duration_s", "requested duration of the rr run"),
    ("trace_duration_s", "requested duration of the traced run"),
]
KNS_DESC = ("kns_<side>_<function>", "traced run: kernel (or user, for uprobe rows) ns per message spent in <function> on <side>, inclusive: it contains the time of the rows nested in it, so these columns must not be summed (kernel_ns_per_msg is the total; functions.csv has each row's self time); one column per function row the tracer reported; NA when that row reports no time")

FUNC_COLUMNS = [
    ("impl", ""), ("size", ""), ("threads", ""), ("net", ""), ("rep", ""),
    ("side", "sender or receiver"), ("name", "function (or tracepoint) the row attributes to"),
    ("hook", "hook that produced the row (fentry/kprobe/tracepoint/uprobe/inferred ...)"),
    ("calls", "calls/events over the traced run"), ("bytes", "bytes over the traced run"),
    ("ns", "time over the traced run, ns, inclusive of the rows nested in it (NA when the hook cannot time)"),
    ("messages", "messages used as denominator (sent for sender rows, received for receiver rows)"),
    ("calls_per_msg", ""), ("bytes_per_msg", ""),
    ("ns_per_msg", "ns / messages: inclusive time per message"),
    ("self_ns_per_msg", "self time per message: " + SELF_TIME_DOC + "; can be slightly negative when calls of the outer row went untimed. Rows in softirq context (__msg_zerocopy_callback, skb_copy_ubufs) have self = own time and are not part of kernel_ns_per_msg"),
    ("note", "any extra note the tracer attached to the row (e.g. inferred)"),
]


def load_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def num(v):
    if v is None or isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return v
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def fmt(v):
    if v is None:
        return NA
    if isinstance(v, float):
        if v != v:  # NaN
            return NA
        if v == int(v) and abs(v) < 1e15:
            return str(int(v))
        return "%.6g" % v
    return str(v)


def parse_perf(path):
    """-> (values {column: number or None}, reason str or None if file missing)."""
    vals = {col: None for _, col in PERF_EVENTS}
    try:
        lines = open(path).read().splitlines()
    except OSError:
        return vals, "no perf run"
    unsupported = {}
    for line in lines:
        if not line or line.startswith("#"):
            continue
        parts = line.split(",")
        if len(parts) < 3:
            continue
        value, event = parts[0].strip(), parts[2].strip()
        ev = event.split(":")[0]
        m = re.match(r"^[a-z_]+/(.+)/$", ev)  # cpu_core/cycles/ on hybrid CPUs
        if m:
            ev = m.group(1)
        col = dict(PERF_EVENTS).get(ev)
        if not col:
            continue
        if value.startswith("<"):
            unsupported.setdefault(value, []).append(ev)
            continue
        v = num(value)
        if v is not None:
            vals[col] = (vals[col] or 0) + v
    missing = [ev for ev, col in PERF_EVENTS if vals[col] is None
               and not any(ev in evs for evs in unsupported.values())]
    reasons = ["%s: %s by perf on this machine" % (",".join(evs), why)
               for why, evs in unsupported.items()]
    if missing:
        reasons.append("%s: absent from perf output" % ",".join(missing))
    return vals, "; ".join(reasons)


def lat(app, key):
    return num(((app or {}).get("latency_us") or {}).get(key))


def side(app, name, key):
    return num(((app or {}).get(name) or {}).get(key))


def side_sum(app, key):
    a, b = side(app, "server", key), side(app, "client", key)
    if a is None and b is None:
        return None
    return (a or 0) + (b or 0)


def safe_div(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def sanitize(s):
    return re.sub(r"[^A-Za-z0-9]+", "_", str(s)).strip("_").lower()


def classify_folded(path):
    """-> (pinning samples, completion samples) of the sender's folded stacks,
    or (None, None) without a folded file."""
    try:
        lines = open(path).read().splitlines()
    except OSError:
        return None, None
    pin = comp = 0
    for line in lines:
        stack, _, cnt = line.rpartition(" ")
        frames = stack.split(";")
        if not frames or frames[0] != "sender" or not cnt.isdigit():
            continue
        names = [f[:-4] if f.endswith("_[k]") else f for f in frames[1:]]
        if any(n.startswith(PIN_FRAMES) for n in names):
            pin += int(cnt)
        elif any(n.startswith(COMPLETION_FRAMES) for n in names) or (
                any("io_uring_enter" in n for n in names) and not any("sendmsg" in n for n in names)):
            comp += int(cnt)
    return pin, comp


def cpu_model_of(outdir):
    try:
        for line in open(os.path.join(outdir, "system.txt")):
            if line.startswith("Model name:"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def collect(outdir):
    raw = os.path.join(outdir, "raw")
    names = set()
    for fn in os.listdir(raw) if os.path.isdir(raw) else []:
        if fn.endswith(".part"):
            continue
        base = fn.split(".", 1)[0]
        if NAME_RE.match(base) and fn.endswith((".json", ".perf.txt")):
            names.add(base)
    env = read_kv(os.path.join(outdir, "sweep.env"))
    traced_expected = env.get("traced", "1") == "1"
    cpu_model = cpu_model_of(outdir)
    uname = os.uname().release
    rows, frows, kns_cols = [], [], []

    def key(n):
        m = NAME_RE.match(n)
        return (m.group(1), int(m.group(2)), int(m.group(3)), m.group(4), int(m.group(5)))

    for name in sorted(names, key=key):
        impl, size, threads, net, rep = key(name)
        p = os.path.join(raw, name)
        stream = load_json(p + ".stream.json")
        rr = load_json(p + ".rr.json")
        trace = load_json(p + ".trace.json")
        tapp = (trace or {}).get("app")
        perf, na_reason = parse_perf(p + ".perf.txt")
        if stream is None and rr is None and trace is None:
            continue  # only a perf file from an interrupted run
        r = {"impl": impl, "size": size, "threads": threads, "net": net, "rep": rep}
        miss = []
        for what, doc in (("stream", stream), ("rr", rr)):
            if doc is None:
                miss.append("no_" + what)
            elif ((doc.get("server") or {}).get("ok") == 0 or (doc.get("client") or {}).get("ok") == 0):
                miss.append(what + "_error")
        if trace is None and traced_expected:
            miss.append("no_trace")
        if na_reason == "no perf run" and env.get("perf", "1") == "1" and stream is not None:
            miss.append("no_perf")
        r["status"] = "ok" if not miss else "+".join(miss)
        r["throughput_gbps"] = num((stream or {}).get("throughput_gbps"))
        r["stream_lat_p50_us"] = lat(stream, "p50")
        r["stream_lat_p99_us"] = lat(stream, "p99")
        r["rr_lat_p50_us"] = lat(rr, "p50")
        r["rr_lat_p99_us"] = lat(rr, "p99")
        r["rr_lat_p999_us"] = lat(rr, "p999")
        r["rr_lat_max_us"] = lat(rr, "max")
        rr_count = lat(rr, "count")
        if rr_count is None and rr is not None:
            rr_count = num(rr.get("messages"))
        r["rr_msgs_per_s"] = (num((rr or {}).get("messages_per_s"))
                              or safe_div(rr_count, num((rr or {}).get("duration_s"))))
        r["messages"] = num((stream or {}).get("messages"))
        r["bytes_received"] = num((stream or {}).get("bytes_received"))
        ve = [num(d.get("verify_errors")) for d in (stream, rr) if d is not None]
        ve = [v for v in ve if v is not None]
        r["verify_errors"] = sum(ve) if ve else None
        r["zc_completions"] = num((stream or {}).get("zc_completions"))
        r["zc_copied"] = num((stream or {}).get("zc_copied"))
        r["zc_notifications"] = side(stream, "server", "zc_notifications")
        r["rr_zc_backoffs"] = side(rr, "server", "zc_backoffs")
        r["zc_mode"] = ((stream or {}).get("server") or {}).get("zc_mode") or None
        msent_u = side(stream, "server", "messages_sent")
        r["send_calls_per_msg"] = safe_div(side(stream, "server", "send_calls"), msent_u)
        r["zc_notifications_per_msg"] = (safe_div(r["zc_notifications"], msent_u)
                                         if side(stream, "server", "zc_sends") else None)
        scpu = [side(stream, "server", k) for k in ("cpu_user_s", "cpu_sys_s")]
        r["server_cpu_ns_per_byte"] = (None if None in scpu else
                                       safe_div((scpu[0] + scpu[1]) * 1e9, side(stream, "server", "bytes_sent")))
        r.update(perf)
        if stream is None:
            r.update({c: None for _, c in PERF_EVENTS})
        r["counters_na_reason"] = na_reason or ""
        r["cpu_user_s"] = side_sum(stream, "cpu_user_s")
        r["cpu_sys_s"] = side_sum(stream, "cpu_sys_s")
        r["cpu_s"] = (None if r["cpu_user_s"] is None and r["cpu_sys_s"] is None
                      else (r["cpu_user_s"] or 0) + (r["cpu_sys_s"] or 0))
        r["ctx_voluntary"] = side_sum(stream, "ctx_voluntary")
        r["ctx_involuntary"] = side_sum(stream, "ctx_involuntary")
        r["perf_window_bytes"] = (side(stream, "client", "window_bytes")
                                  if env.get("perf_window", "whole_run") == "client_window" else r["bytes_received"])
        r["cycles_per_byte"] = safe_div(r["cycles"], r["perf_window_bytes"])
        r["cpu_ns_per_byte"] = safe_div(None if r["cpu_s"] is None else r["cpu_s"] * 1e9, r["bytes_received"])
        r["traced_throughput_gbps"] = num((tapp or {}).get("throughput_gbps"))
        ratio = safe_div(r["traced_throughput_gbps"], r["throughput_gbps"])
        r["tracing_overhead_pct"] = None if ratio is None else 100.0 * (1 - ratio)
        # denominators for per-message figures of the traced run
        msent = side(tapp, "server", "messages_sent") or num((tapp or {}).get("messages"))
        mrecv = side(tapp, "client", "messages_received") or num((tapp or {}).get("messages"))
        r["trace_messages"] = msent
        ledger = (trace or {}).get("ledger") or {}
        copied = None
        for k in LEDGER_KINDS:
            v = num(ledger.get(k + "_bytes"))
            bpm = safe_div(v, mrecv if k == "recv_copy" else msent)
            r["ledger_%s_bpm" % k] = bpm
            if k in LEDGER_COPIED and bpm is not None:
                copied = (copied or 0) + bpm
        r["ledger_copied_bpm"] = copied if trace is not None else None
        r["trace_bytes_sent"] = num(ledger.get("sent_bytes"))
        sys_calls = notif = None
        for fr in (trace or {}).get("functions") or []:
            if fr.get("side") != "sender":
                continue
            nm = fr.get("name") or ""
            if nm.startswith("sys_"):
                sys_calls = (sys_calls or 0) + (num(fr.get("calls")) or 0)
            if nm == "__msg_zerocopy_callback" or "notification" in nm:
                notif = (notif or 0) + (num(fr.get("calls")) or 0)
        r["trace_syscalls_per_msg"] = safe_div(sys_calls, msent)
        r["trace_notifications_per_msg"] = safe_div(notif, msent)
        zsent = side(stream, "server", "zc_sends")
        r["zc_waits_per_msg"] = safe_div(side(stream, "server", "zc_waits"), msent_u) if zsent else None
        r["zc_wait_share"] = (safe_div(side(stream, "server", "zc_wait_ns"),
                                       (side(stream, "server", "elapsed_s") or 0) * 1e9) if zsent else None)
        zlat = ((trace or {}).get("zerocopy_completions") or {}).get("latency") or {}
        r["trace_zc_latency_p50_ns"] = num(zlat.get("p50_ns_below"))
        r["trace_zc_latency_p99_ns"] = num(zlat.get("p99_ns_below"))
        tl = (trace or {}).get("time_ledger") or {}
        r["tl_period_ns"] = num(tl.get("period_ns"))
        r["tl_samples"] = num(tl.get("samples"))
        have_tl = bool(tl)
        tlrows = {x.get("key"): x for x in tl.get("rows") or []}
        for k in TL_KEYS:
            r["tl_%s_samples" % k] = num((tlrows.get(k) or {}).get("samples")) if have_tl else None
        r["tl_copy_samples"] = (sum(num(x.get("samples")) or 0 for x in tlrows.values() if x.get("copy"))
                                if have_tl else None)
        r["prof_pin_samples"], r["prof_completion_samples"] = (
            classify_folded(p + ".folded") if have_tl else (None, None))
        total_ns = None
        funcs = (trace or {}).get("functions") or []
        for fr, fself in zip(funcs, self_ns([dict(f, ns=num(f.get("ns"))) for f in funcs])):
            sd = fr.get("side") or "?"
            fname = fr.get("name") or "?"
            denom = mrecv if str(sd).startswith("recv") else msent
            ns = num(fr.get("ns"))
            col = "kns_%s_%s" % (sanitize(sd), sanitize(fname))
            if col not in kns_cols:
                kns_cols.append(col)
            nspm = safe_div(ns, denom) if ns else None
            selfpm = safe_div(fself, denom)
            if nspm is not None:
                prev = r.get(col)
                r[col] = nspm + (prev or 0)
                if selfpm is not None and in_thread(fname):
                    total_ns = (total_ns or 0) + selfpm
            else:
                r.setdefault(col, None)
            note = fr.get("note") or fr.get("inferred") or ""
            frows.append({
                "impl": impl, "size": size, "threads": threads, "net": net, "rep": rep,
                "side": sd, "name": fname, "hook": fr.get("hook") or "",
                "calls": num(fr.get("calls")), "bytes": num(fr.get("bytes")),
                "ns": ns if ns else None, "messages": denom,
                "calls_per_msg": safe_div(num(fr.get("calls")), denom),
                "bytes_per_msg": safe_div(num(fr.get("bytes")), denom),
                "ns_per_msg": nspm,
                "self_ns_per_msg": selfpm,
                "note": "inferred" if note is True else str(note),
            })
        r["kernel_ns_per_msg"] = total_ns
        r["bg_runnable"] = None
        try:
            for kv in open(p + ".load").read().split():
                if kv.startswith("runnable="):
                    r["bg_runnable"] = num(kv.split("=", 1)[1])
        except OSError:
            pass
        r["backend"] = (trace or {}).get("backend")
        r["kernel"] = (trace or {}).get("kernel") or uname
        r["cpu_model"] = cpu_model
        r["stream_duration_s"] = num((stream or {}).get("duration_s")) or num(env.get("stream_duration_s"))
        r["rr_duration_s"] = num((rr or {}).get("duration_s")) or num(env.get("rr_duration_s"))
        r["trace_duration_s"] = num(env.get("trace_duration_s")) if trace is not None else None
        rows.append(r)

    cols = [c for c, _ in COLUMNS]
    # kns columns sit before backend/kernel/cpu_model so the fixed tail stays last
    at = cols.index("bg_runnable")
    cols = cols[:at] + sorted(kns_cols) + cols[at:]
    with open(os.path.join(outdir, "results.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(cols)
        for r in rows:
            w.writerow([fmt(r.get(c)) if c != "counters_na_reason" else r.get(c, "") for c in cols])
    fcols = [c for c, _ in FUNC_COLUMNS]
    with open(os.path.join(outdir, "functions.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(fcols)
        for r in frows:
            w.writerow([fmt(r.get(c)) if c != "note" and c != "hook" else r.get(c, "") for c in fcols])
    with open(os.path.join(outdir, "columns.md"), "w") as f:
        f.write("# results.csv columns (one row per run = point x repetition)\n\n")
        f.write("NA = not measured or not supported on this machine (never written as 0); "
                "counters_na_reason says why.\n\n| column | meaning |\n|---|---|\n")
        split = [c for c, _ in COLUMNS].index("bg_runnable")
        for c, d in COLUMNS[:split]:
            f.write("| `%s` | %s |\n" % (c, d))
        f.write("| `%s` | %s |\n" % KNS_DESC)
        for c, d in COLUMNS[split:]:
            f.write("| `%s` | %s |\n" % (c, d))
        f.write("\n# functions.csv columns (one row per run x traced function)\n\n| column | meaning |\n|---|---|\n")
        for c, d in FUNC_COLUMNS:
            f.write("| `%s` | %s |\n" % (c, d or c.replace("_", " ")))
    return rows


def main(argv):
    if len(argv) != 2 or argv[1] in ("-h", "--help"):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    outdir = argv[1]
    if not os.path.isdir(outdir):
        print("collect.py: %s is not a directory" % outdir, file=sys.stderr)
        return 2
    rows = collect(outdir)
    bad = sum(1 for r in rows if r["status"] != "ok")
    print("collect.py: %d runs -> %s (%d incomplete)" % (len(rows), os.path.join(outdir, "results.csv"), bad),
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
