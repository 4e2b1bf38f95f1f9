# SPDX-License-Identifier: GPL-2.0-only
"""Shared helpers for the copytrace analysis: read the sweep's CSVs and
metadata, group repetitions, summary statistics. Python 3 standard library only."""
import csv
import math
import os
import random

NA = "NA"
# The implementations, in sweep order: one table, so a new data path is one
# row here (and one word in run_experiments.sh's default list).
# zc: no CPU copy of the payload at send time (E5 asks when it beats A1);
# notif: pins pages and gets completion notifications (the "Zero-copy sends
# compared" section compares the first two of these the sweep measured).
IMPL_TABLE = [
    # key, label, short, color, zc, notif
    ("a1", "A1 two-copy (gather + send)", "A1 two-copy", "#1f77b4", False, False),
    ("a2", "A2 one-copy (sendmsg iovec)", "A2 one-copy", "#2ca02c", False, False),
    ("a3", "A3 MSG_ZEROCOPY", "A3 zerocopy", "#d62728", True, True),
    ("a4", "A4 io_uring SENDMSG_ZC", "A4 io_uring zc", "#8c564b", True, True),
    ("a5", "A5 memfd pages by reference (splice) + mapping receiver", "A5 by reference", "#ff7f0e", True, False),
]
IMPLS = [t[0] for t in IMPL_TABLE]
IMPL_LABEL = {t[0]: t[1] for t in IMPL_TABLE}
IMPL_SHORT = {t[0]: t[2] for t in IMPL_TABLE}
IMPL_COLOR = {t[0]: t[3] for t in IMPL_TABLE}
ZC_IMPLS = [t[0] for t in IMPL_TABLE if t[4]]
NOTIF_IMPLS = [t[0] for t in IMPL_TABLE if t[5]]
INT_COLS = {"size", "threads", "rep"}
TEXT_COLS = {"impl", "net", "status", "counters_na_reason", "backend", "kernel", "cpu_model", "zc_mode",
             "side", "name", "hook", "note"}


# Nesting of the tracer's function rows (names as in user/trace/hooks.c row_names).
# Row -> the rows that contain it, nearest first. Rows nest only within one
# side (one process). A row's parent is the nearest of these that reports
# time in the same run, so an untimed middle row (the tracepoint backend's
# tcp_sendmsg) is skipped.
_SEND_COPY_IN = ("tcp_sendmsg_locked", "tcp_sendmsg", "sys_sendto/sendmsg")
_RECV_COPY_IN = ("tcp_recvmsg", "sys_recvfrom/recvmsg")
NESTED_IN = {
    "tcp_sendmsg": ("sys_sendto/sendmsg",),
    "tcp_sendmsg_locked": ("tcp_sendmsg", "sys_sendto/sendmsg"),
    "_copy_from_iter": _SEND_COPY_IN,
    "_copy_from_iter_nocache": _SEND_COPY_IN,
    "csum_and_copy_from_iter_full": _SEND_COPY_IN,
    "_copy_from_iter_full": _SEND_COPY_IN,
    "copy_from_iter": _SEND_COPY_IN,
    "skb_zerocopy_iter_stream": _SEND_COPY_IN,
    "tcp_recvmsg": ("sys_recvfrom/recvmsg",),
    "skb_copy_datagram_iter": _RECV_COPY_IN,
}
# Rows that run in another context (mostly softirq), and sometimes inside a
# syscall of either side: they are neither subtracted from a syscall nor
# added to the per-message total, which would count them twice whenever
# they ran inside one.
OTHER_CONTEXT = {"__msg_zerocopy_callback", "skb_copy_ubufs", "tcp_retransmit_skb"}
# Every other row (the syscalls, sys_recvmsg(MSG_ERRQUEUE) - a call of its
# own -, the user-space ct_gather) is outermost: the application's threads
# spend its time in nothing else that is traced.
SELF_TIME_DOC = ("self time = a row's time minus the time of the traced rows nested in it "
                 "(syscall > tcp_sendmsg > copy/pin; syscall > tcp_recvmsg > skb_copy_datagram_iter); "
                 "the self times of a side's in-thread rows add up to the time of its outermost calls")


def in_thread(name):
    """True for rows that run in the application's threads (syscalls, the
    functions they call, the user-space gather); False for softirq-context rows."""
    return name not in OTHER_CONTEXT


def self_ns(rows):
    """rows: one run's function rows, dicts with side, name and ns (0 or None:
    the row reports no time). -> the self time of every row, same order
    (None where the row reports no time). Not clamped: summed over a side's
    in-thread rows it is exactly the time of the outermost calls."""
    timed = {}
    for r in rows:
        if r.get("ns"):
            key = (r.get("side"), r.get("name"))
            timed[key] = timed.get(key, 0) + r["ns"]
    inner = {}
    for (sd, nm), ns in timed.items():
        parent = next((p for p in NESTED_IN.get(nm, ()) if (sd, p) in timed), None)
        if parent:
            inner[(sd, parent)] = inner.get((sd, parent), 0) + ns
    out, seen = [], set()
    for r in rows:
        key = (r.get("side"), r.get("name"))
        if not r.get("ns"):
            out.append(None)
        elif key in seen:  # a repeated row: its time went into the first one
            out.append(0)
        else:
            seen.add(key)
            out.append(timed[key] - inner.get(key, 0))
    return out


def _val(col, s):
    if col in TEXT_COLS:
        return None if s == NA and col != "counters_na_reason" else s
    if s == NA or s == "":
        return None
    try:
        return int(s) if col in INT_COLS else float(s)
    except ValueError:
        return s


def read_csv(path):
    with open(path, newline="") as f:
        r = csv.DictReader(f)
        return [{k: _val(k, v) for k, v in row.items()} for row in r]


def read_kv(path):
    d = {}
    try:
        for line in open(path):
            if "=" in line:
                k, v = line.rstrip("\n").split("=", 1)
                d[k] = v
    except OSError:
        pass
    return d


def read_system(outdir):
    """-> dict with kernel, distro, cpu, cores, mem from system.txt."""
    info = {}
    try:
        lines = open(os.path.join(outdir, "system.txt")).read().splitlines()
    except OSError:
        return info
    for i, line in enumerate(lines):
        if line.startswith("Model name:"):
            info["cpu"] = line.split(":", 1)[1].strip()
        elif line.startswith("cores (nproc):"):
            info["cores"] = line.split(":", 1)[1].strip()
        elif line.startswith("PRETTY_NAME="):
            info["distro"] = line.split("=", 1)[1].strip('"')
        elif line.startswith("Hypervisor vendor:"):
            info["hypervisor"] = line.split(":", 1)[1].strip()
        elif line.startswith("hypervisor flag: yes"):
            info.setdefault("hypervisor", "yes")
        elif line.startswith("hardware PMU:"):
            info["pmu_line"] = line.split(":", 1)[1].strip()
        elif line.startswith("perf event sources:"):
            info["pmu"] = line.split(":", 1)[1].strip()
        elif line.startswith("Mem:"):
            info["mem"] = line.split()[1]
        elif line.startswith("== kernel") and i + 1 < len(lines):
            parts = lines[i + 1].split()
            info["kernel"] = parts[2] if len(parts) > 2 else lines[i + 1]
    return info


class Sweep:
    def __init__(self, outdir):
        self.dir = outdir
        self.rows = read_csv(os.path.join(outdir, "results.csv"))
        fpath = os.path.join(outdir, "functions.csv")
        self.funcs = read_csv(fpath) if os.path.exists(fpath) else []
        self.env = read_kv(os.path.join(outdir, "sweep.env"))
        self.status = read_kv(os.path.join(outdir, "sweep.status"))
        self.sys = read_system(outdir)
        self.impls = [i for i in IMPLS if any(r["impl"] == i for r in self.rows)]
        self.sizes = sorted({r["size"] for r in self.rows})
        self.threads = sorted({r["threads"] for r in self.rows})
        nets = []
        for r in self.rows:
            if r["net"] not in nets:
                nets.append(r["net"])
        self.nets = sorted(nets, key=lambda n: (n != "veth", n))
        self.reps = max([r["rep"] for r in self.rows] or [0])
        bk = [r["backend"] for r in self.rows if r.get("backend")]
        self.backend = max(set(bk), key=bk.count) if bk else None

    def sel(self, **kw):
        return [r for r in self.rows if all(r.get(k) == v for k, v in kw.items())]

    def values(self, col, **kw):
        return [r[col] for r in self.sel(**kw) if isinstance(r.get(col), (int, float))]

    def stat(self, col, **kw):
        return Stat(self.values(col, **kw))

    def config_line(self, net=None):
        s = self.sys
        parts = ["%s" % s.get("cpu", "CPU ?"),
                 "%s cores" % s.get("cores", "?"),
                 "kernel %s" % s.get("kernel", "?"),
                 s.get("distro", ""),
                 "topology %s" % (net or "/".join(self.nets)),
                 "stream %ss, rr %ss, traced %ss per run" % (self.env.get("stream_duration_s", "?"),
                                                            self.env.get("rr_duration_s", "?"),
                                                            self.env.get("trace_duration_s", "?")),
                 "%d rep(s)" % self.reps]
        if self.backend:
            parts.append("tracer backend %s" % self.backend)
        return " | ".join(p for p in parts if p)

    def counters_unavailable(self):
        """-> (list of hardware counter columns that are NA in every run, reason)."""
        hw = ["cycles", "instructions", "l1_misses", "llc_misses", "cache_misses"]
        na = [c for c in hw if self.rows and all(r.get(c) is None for r in self.rows)]
        reasons = [r["counters_na_reason"] for r in self.rows if r.get("counters_na_reason")]
        reason = max(set(reasons), key=reasons.count) if reasons else ""
        return na, reason


class Stat:
    def __init__(self, vals):
        self.vals = list(vals)
        self.n = len(self.vals)

    @property
    def mean(self):
        return sum(self.vals) / self.n if self.n else None

    @property
    def median(self):
        if not self.n:
            return None
        v = sorted(self.vals)
        m = self.n // 2
        return v[m] if self.n % 2 else (v[m - 1] + v[m]) / 2

    @property
    def lo(self):
        return min(self.vals) if self.n else None

    @property
    def hi(self):
        return max(self.vals) if self.n else None

    @property
    def sd(self):
        if self.n < 2:
            return None
        m = self.mean
        return math.sqrt(sum((x - m) ** 2 for x in self.vals) / (self.n - 1))

    @property
    def cv(self):
        sd, m = self.sd, self.mean
        return None if sd is None or not m else sd / m

    def err(self):
        """asymmetric error bar (mean - min, max - mean)."""
        if not self.n:
            return (0, 0)
        return (self.mean - self.lo, self.hi - self.mean)


def fmt_num(v, digits=3):
    if v is None:
        return "n/a"
    if isinstance(v, int):
        return str(v)
    a = abs(v)
    if a >= 1000:
        return "{:,.0f}".format(v)
    if a >= 100:
        return "%.0f" % v
    if a >= 10:
        return "%.1f" % v
    if a >= 1:
        return "%.2f" % v
    return "%.*g" % (digits, v)


def fmt_size(b):
    if b is None:
        return "n/a"
    b = float(b)
    if b >= 1024 and b == int(b) and int(b) % 1024 == 0:
        return "%d KiB" % (int(b) // 1024)
    if b >= 1024:
        return "%.1f KiB" % (b / 1024)
    return "%d B" % round(b)


def crossover(sweep, better, worse, col="throughput_gbps", boots=2000, seed=1, lower_better=False, **kw):
    """Smallest message size where `better` beats `worse` on `col` (higher is
    better; lower_better=True for costs such as CPU ns per byte, where the
    ratio is then worse/better), with uncertainty from the repetitions.

    The ratio better/worse is computed per size from the means; the crossover is
    the log2-interpolated size where the ratio crosses 1 going up (and stays
    above 1 at every larger size measured). The uncertainty is a bootstrap over
    repetitions: each size's repetitions are resampled with replacement and the
    crossover recomputed; the 5th-95th percentile range is reported.

    -> dict(kind, size, lo, hi, ratios{size: (mean ratio, min, max)}, boot_frac)
       kind: 'always' (better at every size), 'never', 'cross' (size set), 'mixed'
    """
    sizes = sweep.sizes
    per = {}
    for s in sizes:
        b = sweep.values(col, impl=better, size=s, **kw)
        w = sweep.values(col, impl=worse, size=s, **kw)
        if lower_better:
            b, w = [1.0 / x for x in b if x], [1.0 / x for x in w if x]
        if b and w:
            per[s] = (b, w)
    if len(per) < 1:
        return {"kind": "nodata", "ratios": {}}
    ss = sorted(per)

    def find(means):
        r = [means[s] for s in ss]
        if all(x > 1 for x in r):
            return ("always", ss[0])
        if all(x <= 1 for x in r):
            return ("never", None)
        # last index where ratio <= 1; crossover is after it, if above 1 from then on
        last = max(i for i, x in enumerate(r) if x <= 1)
        if last == len(r) - 1:
            return ("mixed", None)
        x0, x1 = math.log2(ss[last]), math.log2(ss[last + 1])
        y0, y1 = r[last], r[last + 1]
        t = (1 - y0) / (y1 - y0) if y1 != y0 else 0.5
        return ("cross", 2 ** (x0 + t * (x1 - x0)))

    def ratio_means(sample):
        return {s: (sum(sample[s][0]) / len(sample[s][0])) / max(1e-12, sum(sample[s][1]) / len(sample[s][1]))
                for s in ss}

    kind, size = find(ratio_means(per))
    rng = random.Random(seed)
    boot = []
    kinds = {}
    for _ in range(boots if min(len(per[s][0]) for s in ss) > 1 else 0):
        smp = {s: ([rng.choice(per[s][0]) for _ in per[s][0]], [rng.choice(per[s][1]) for _ in per[s][1]])
               for s in ss}
        k, v = find(ratio_means(smp))
        kinds[k] = kinds.get(k, 0) + 1
        if k == "cross":
            boot.append(v)
        elif k == "always":
            boot.append(float(ss[0]))
    lo = hi = None
    if boot:
        boot.sort()
        lo = boot[int(0.05 * (len(boot) - 1))]
        hi = boot[int(0.95 * (len(boot) - 1))]
    ratios = {}
    for s in ss:
        b, w = per[s]
        mb, mw = sum(b) / len(b), sum(w) / len(w)
        ratios[s] = (mb / mw if mw else None, min(b) / max(w) if max(w) else None,
                     max(b) / min(w) if min(w) else None)
    total = sum(kinds.values())
    return {"kind": kind, "size": size, "lo": lo, "hi": hi, "ratios": ratios,
            "boot_kinds": {k: v / total for k, v in kinds.items()} if total else {}}
