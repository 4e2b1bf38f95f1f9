#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Draw the sweep's plots from results.csv / functions.csv (no typed-in numbers).

usage: plots.py RESULTS_DIR      writes the PNGs into RESULTS_DIR

Every plot: labelled axes, a legend, error bars = min..max over repetitions
around the mean, and the system configuration in the footer.
"""
import os
import sys

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import (IMPL_COLOR, IMPL_LABEL, IMPL_SHORT, ZC_IMPLS, Stat, Sweep,  # noqa: E402
                    fmt_size, in_thread)

PLOTS = [
    ("throughput_vs_size", "1. Throughput vs message size"),
    ("latency_vs_threads", "2. Latency vs thread count"),
    ("cache_misses_vs_size", "3. Cache misses vs message size (and software proxy)"),
    ("cpu_per_byte_vs_size", "4. CPU cost per byte vs message size"),
    ("copy_ledger", "5. Copy ledger: bytes copied per message by kind"),
    ("kernel_time", "6. Kernel time per message by function (self time)"),
    ("tracing_overhead", "7. Tracing overhead: traced vs untraced"),
]
LEDGER = [("user_copy", "user-space gather (ct_gather, uprobe)", "#9467bd"),
          ("send_copy", "kernel send copy (user->skb in tcp_sendmsg)", "#1f77b4"),
          ("zerocopy", "zerocopy pinned, not copied at send", "#bbbbbb"),
          ("deferred_copy", "deferred copy of pinned pages (skb_copy_ubufs)", "#ff7f0e"),
          ("recv_copy", "kernel receive copy (skb->user, skb_copy_datagram_iter)", "#2ca02c")]
ERR_NOTE = "error bars: min-max over repetitions"


def footer(fig, sw, net, extra=""):
    txt = "System: " + sw.config_line(net) + " | " + ERR_NOTE + (" | " + extra if extra else "")
    fig.text(0.5, 0.005, txt, ha="center", va="bottom", fontsize=7, color="#444444", wrap=True)


def size_axis(ax, sizes):
    ax.set_xscale("log", base=2)
    ax.set_xticks(sizes)
    ax.set_xticklabels([fmt_size(s) for s in sizes], fontsize=8)
    ax.set_xlabel("message size")


def errline(ax, xs, stats, impl, label=None, ls="-", marker="o", color=None):
    pts = [(x, s) for x, s in zip(xs, stats) if s.n]
    if not pts:
        return
    x = [p[0] for p in pts]
    y = [p[1].mean for p in pts]
    e = [[p[1].err()[0] for p in pts], [p[1].err()[1] for p in pts]]
    if ls == "-" and impl in ZC_IMPLS:
        # A2 and the zero-copy sends often coincide (e.g. 2.00 copies per byte): keep them all visible
        ls = "--" if impl == ZC_IMPLS[0] else ":"
    ax.errorbar(x, y, yerr=e, label=label if label is not None else IMPL_LABEL[impl], ls=ls, marker=marker,
                ms=4, capsize=3, color=color or IMPL_COLOR[impl], lw=1.4)


def plain_log(ax):
    """log y axis with plain numbers (20, 50, 100) instead of 2x10^1."""
    from matplotlib.ticker import FuncFormatter, NullFormatter
    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: "%g" % v))
    ax.yaxis.set_minor_formatter(NullFormatter())


def legend(ax, **kw):
    if ax.get_legend_handles_labels()[0]:
        ax.legend(**kw)


def grid(n, w=4.2, h=3.4, rows=1):
    fig, axes = plt.subplots(rows, n, figsize=(max(6.5, w * n), h * rows + 0.8), squeeze=False)
    return fig, axes


def save(fig, path):
    fig.tight_layout(rect=(0, 0.04, 1, 0.95))
    fig.savefig(path, dpi=110)
    plt.close(fig)


def no_data(ax, msg):
    ax.text(0.5, 0.5, msg, ha="center", va="center", fontsize=9, wrap=True, transform=ax.transAxes)
    ax.set_xticks([])
    ax.set_yticks([])


# 1 ---------------------------------------------------------------------------
def plot_throughput(sw, net, path):
    fig, axes = grid(len(sw.threads))
    for ax, th in zip(axes[0], sw.threads):
        for impl in sw.impls:
            errline(ax, sw.sizes, [sw.stat("throughput_gbps", impl=impl, size=s, threads=th, net=net)
                                   for s in sw.sizes], impl)
        size_axis(ax, sw.sizes)
        ax.set_ylabel("throughput (Gbit/s)")
        ax.set_title("%d client thread%s" % (th, "" if th == 1 else "s"), fontsize=10)
        ax.grid(alpha=0.3)
        ax.set_ylim(bottom=0)
    legend(axes[0][0], fontsize=7, loc="upper left")
    fig.suptitle("Throughput vs message size (untraced stream runs, %s)" % net)
    footer(fig, sw, net)
    save(fig, path)


# 2 ---------------------------------------------------------------------------
def plot_latency(sw, net, path):
    fig, axes = grid(len(sw.sizes), w=3.6, rows=2)
    for j, s in enumerate(sw.sizes):
        for i, (col, name) in enumerate((("rr_lat_p50_us", "p50"), ("rr_lat_p99_us", "p99"))):
            ax = axes[i][j]
            for impl in sw.impls:
                errline(ax, sw.threads, [sw.stat(col, impl=impl, size=s, threads=t, net=net) for t in sw.threads],
                        impl)
            ax.set_xscale("log", base=2)
            ax.set_xticks(sw.threads)
            ax.set_xticklabels([str(t) for t in sw.threads])
            ax.set_xlabel("client threads (connections)")
            ax.set_ylabel("round-trip latency %s (us)" % name)
            ax.set_title("%s, %s" % (fmt_size(s), name), fontsize=10)
            plain_log(ax)
            ax.grid(alpha=0.3, which="both")
    legend(axes[0][0], fontsize=7, loc="upper left")
    fig.suptitle("Request/response latency vs thread count (untraced rr runs, %s; 2 cores)" % net)
    footer(fig, sw, net)
    save(fig, path)


# 3 ---------------------------------------------------------------------------
def plot_cache(sw, net, path):
    na, reason = sw.counters_unavailable()
    cache_cols = [("l1_misses", "L1-dcache-load-misses"), ("llc_misses", "LLC-load-misses"),
                  ("cache_misses", "cache-misses")]
    avail = [(c, n) for c, n in cache_cols if c not in na]
    th = min(sw.threads)
    ncols = max(1, len(avail)) + 2
    fig, axes = grid(ncols, w=4.0)
    axes = axes[0]
    if not avail:
        ax = axes[0]
        evs = [n for _, n in cache_cols if _ in na]
        why = "<not supported>" if "not supported" in reason else (reason or "unavailable")
        pmu = sw.sys.get("pmu", "")
        no_data(ax, "Hardware cache counters\nNOT SUPPORTED on this machine\n\nperf stat -e\n" + "\n".join(evs) +
                "\nreported: " + why + "\n\n" +
                ("(no hardware PMU: perf sees only\n%s;\n%s)\n" % (pmu, "guest under a hypervisor"
                                                                  if sw.sys.get("hypervisor") else "") if pmu else "") +
                "values are NA in results.csv, not 0")
        ax.set_title("L1 / LLC / cache-misses per KiB", fontsize=10)
        ax.set_xlabel("message size")
        ax.set_ylabel("misses per KiB delivered")
        k = 1
    else:
        for k, (c, n) in enumerate(avail):
            ax = axes[k]
            for impl in sw.impls:
                st = []
                for s in sw.sizes:
                    v = [r[c] / r["perf_window_bytes"] * 1024 for r in sw.sel(impl=impl, size=s, threads=th, net=net)
                         if r.get(c) is not None and r.get("perf_window_bytes")]
                    st.append(Stat(v))
                errline(ax, sw.sizes, st, impl)
            size_axis(ax, sw.sizes)
            ax.set_ylabel("%s per KiB delivered" % n)
            ax.set_title(n, fontsize=10)
            ax.set_yscale("log")
            ax.grid(alpha=0.3)
        k = len(avail)
    # proxy 1: bytes the CPU copies per delivered byte (ledger)
    ax = axes[k]
    for impl in sw.impls:
        st = []
        for s in sw.sizes:
            v = [r["ledger_copied_bpm"] / s for r in sw.sel(impl=impl, size=s, threads=th, net=net)
                 if r.get("ledger_copied_bpm") is not None]
            st.append(Stat(v))
        errline(ax, sw.sizes, st, impl)
    size_axis(ax, sw.sizes)
    if not any(r.get("ledger_copied_bpm") is not None for r in sw.rows):
        no_data(ax, "no traced runs in this sweep")
    ax.set_ylabel("bytes copied by the CPU / message byte")
    ax.set_title("Software proxy: copies per byte (ledger, traced)", fontsize=9)
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    legend(ax, fontsize=7)
    # proxy 2: kernel+user time per KiB in the outermost traced calls
    ax = axes[k + 1]
    for impl in sw.impls:
        st = []
        for s in sw.sizes:
            v = [r["kernel_ns_per_msg"] / s * 1024 for r in sw.sel(impl=impl, size=s, threads=th, net=net)
                 if r.get("kernel_ns_per_msg") is not None]
            st.append(Stat(v))
        errline(ax, sw.sizes, st, impl)
    size_axis(ax, sw.sizes)
    if not any(r.get("kernel_ns_per_msg") is not None for r in sw.rows):
        no_data(ax, "no timed rows in traced runs")
    ax.set_ylabel("traced time per KiB (ns, wall; sum of self times)", fontsize=8)
    ax.set_title("Software proxy: time in the outermost traced calls\n(send/recv syscalls, gather; nested rows "
                 "counted once;\nwall time in the calls, includes blocking)", fontsize=8)
    ax.set_yscale("log")
    ax.grid(alpha=0.3)
    legend(ax, fontsize=7)
    fig.suptitle("Cache misses vs message size (%d thread%s, %s)" % (th, "" if th == 1 else "s", net))
    footer(fig, sw, net)
    save(fig, path)


# 4 ---------------------------------------------------------------------------
def plot_cpu_per_byte(sw, net, path):
    na, _ = sw.counters_unavailable()
    use_cycles = "cycles" not in na
    col, ylabel = (("cycles_per_byte", "CPU cycles per byte (perf)") if use_cycles else
                   ("cpu_ns_per_byte", "CPU ns per byte (getrusage user+sys, server+client)"))
    fig, axes = grid(len(sw.threads))
    for ax, th in zip(axes[0], sw.threads):
        for impl in sw.impls:
            errline(ax, sw.sizes, [sw.stat(col, impl=impl, size=s, threads=th, net=net) for s in sw.sizes], impl)
        size_axis(ax, sw.sizes)
        plain_log(ax)
        ax.set_ylabel(ylabel, fontsize=8)
        ax.set_title("%d client thread%s" % (th, "" if th == 1 else "s"), fontsize=10)
        ax.grid(alpha=0.3, which="both")
    legend(axes[0][0], fontsize=7)
    fig.suptitle("CPU cost per byte vs message size (%s)%s" %
                 (net, "" if use_cycles else ": cycles not supported here, so CPU time from rusage"))
    footer(fig, sw, net)
    save(fig, path)


# 5 ---------------------------------------------------------------------------
def plot_ledger(sw, net, path):
    th = min(sw.threads)
    fig, axes = plt.subplots(1, len(sw.sizes), figsize=(max(10, 3.4 * len(sw.sizes)), 5.2), squeeze=False)
    any_data = False
    for ax, s in zip(axes[0], sw.sizes):
        x = list(range(len(sw.impls)))
        bottom = [0.0] * len(x)
        for kind, label, color in LEDGER:
            h = []
            for impl in sw.impls:
                st = sw.stat("ledger_%s_bpm" % kind, impl=impl, size=s, threads=th, net=net)
                h.append(st.mean / s if st.n else 0.0)
            any_data |= any(h)
            ax.bar(x, h, bottom=bottom, color=color, label=label, width=0.6,
                   hatch="//" if kind == "zerocopy" else None, edgecolor="white")
            bottom = [b + v for b, v in zip(bottom, h)]
        # error bars on the total the CPU copied (all kinds but zerocopy-pinned)
        for i, impl in enumerate(sw.impls):
            st = Stat([v / s for v in sw.values("ledger_copied_bpm", impl=impl, size=s, threads=th, net=net)])
            if st.n:
                zc = sw.stat("ledger_zerocopy_bpm", impl=impl, size=s, threads=th, net=net)
                top = st.mean + ((zc.mean or 0) / s if zc.n else 0)
                ax.errorbar([i], [top], yerr=[[st.err()[0]], [st.err()[1]]], color="black", capsize=4)
                ax.text(i, top + 0.05, "%.2f" % st.mean, ha="center", va="bottom", fontsize=7)
        ax.set_xticks(x)
        ax.set_xticklabels([IMPL_SHORT[i] for i in sw.impls], fontsize=8)
        ax.set_ylabel("bytes per message / message size")
        ax.set_title("%s messages" % fmt_size(s), fontsize=10)
        ax.grid(alpha=0.3, axis="y")
        ax.set_ylim(0, max(4.0, max(bottom) * 1.15 if bottom else 4))
    if not any_data:
        no_data(axes[0][0], "no traced runs in this sweep")
    h, lab = axes[0][0].get_legend_handles_labels()
    fig.legend(h, lab, loc="upper center", ncol=2, fontsize=8, bbox_to_anchor=(0.5, 0.89))
    fig.suptitle("Copy ledger per message, by kind and function (%d thread%s, %s)\n"
                 "number on a bar = bytes the CPU copied per message byte (pinned bytes excluded)" %
                 (th, "" if th == 1 else "s", net), fontsize=10, y=0.985)
    footer(fig, sw, net)
    fig.tight_layout(rect=(0, 0.04, 1, 0.79))
    fig.savefig(path, dpi=110)
    plt.close(fig)


# 6 ---------------------------------------------------------------------------
def plot_kernel_time(sw, net, path):
    th = min(sw.threads)
    funcs = [r for r in sw.funcs if r.get("net") == net and r.get("threads") == th
             and r.get("self_ns_per_msg") is not None]
    names = []
    for r in funcs:
        key = (r["side"], r["name"])
        if key not in names:
            names.append(key)
    names.sort(key=lambda k: (not in_thread(k[1]), k[0] != "sender", k[1]))
    cmap = plt.get_cmap("tab20")
    fig, axes = plt.subplots(1, len(sw.sizes), figsize=(max(10, 3.4 * len(sw.sizes)), 5.2), squeeze=False)
    for ax, s in zip(axes[0], sw.sizes):
        x = list(range(len(sw.impls)))
        bottom = [0.0] * len(x)
        side_bottom = [0.0] * len(x)
        for ci, (sd, nm) in enumerate(names):
            h = []
            for impl in sw.impls:
                per_rep = {}
                for r in funcs:
                    if r["impl"] == impl and r["size"] == s and r["side"] == sd and r["name"] == nm:
                        per_rep[r["rep"]] = per_rep.get(r["rep"], 0) + r["self_ns_per_msg"]
                # self time can dip below 0 when outer calls went untimed
                h.append(max(0.0, Stat(per_rep.values()).mean or 0.0))
            if in_thread(nm):  # the stack: self times, adding up to the outermost calls
                ax.bar(x, h, bottom=bottom, color=cmap(ci % 20), label="%s: %s" % (sd, nm), width=0.6)
                bottom = [b + v for b, v in zip(bottom, h)]
            else:  # softirq context: a slim bar beside the stack, not part of it
                ax.bar([i + 0.42 for i in x], h, bottom=side_bottom, color=cmap(ci % 20), width=0.2, hatch="//",
                       edgecolor="white", label="%s: %s (softirq context, slim bar, not in the stack)" % (sd, nm))
                side_bottom = [b + v for b, v in zip(side_bottom, h)]
        for i, impl in enumerate(sw.impls):
            st = sw.stat("kernel_ns_per_msg", impl=impl, size=s, threads=th, net=net)
            if st.n:
                ax.errorbar([i], [st.mean], yerr=[[st.err()[0]], [st.err()[1]]], color="black", capsize=4)
        ax.set_xticks(x)
        ax.set_xticklabels([IMPL_SHORT[i] for i in sw.impls], fontsize=8)
        ax.set_ylabel("self time per message (ns)")
        ax.set_title("%s messages" % fmt_size(s), fontsize=10)
        ax.grid(alpha=0.3, axis="y")
    if not names:
        no_data(axes[0][0], "no timed function rows\nin the traced runs")
    h, lab = axes[0][0].get_legend_handles_labels()
    if h:
        fig.legend(h, lab, loc="upper center", ncol=min(3, len(h)), fontsize=7, bbox_to_anchor=(0.5, 0.90))
    fig.suptitle("Self time per message by traced function (%d thread%s, %s, backend %s)\n"
                 "self time = the row's time minus the rows nested in it, so a stack is the time of the outermost "
                 "calls (= kernel_ns_per_msg)%s" %
                 (th, "" if th == 1 else "s", net, sw.backend or "?",
                  "\nsyscall rows = wall time from syscall entry to exit (includes sleeping on buffer space/data); "
                  "uprobe rows include the probe's own trap cost" if sw.backend == "tracepoint" else ""),
                 fontsize=10, y=0.985)
    footer(fig, sw, net, "bars: mean over repetitions")
    nrow = (len(h) + 2) // 3 if h else 0
    fig.tight_layout(rect=(0, 0.04, 1, 0.89 - 0.03 * nrow))
    fig.savefig(path, dpi=110)
    plt.close(fig)


# 7 ---------------------------------------------------------------------------
def plot_overhead(sw, net, path):
    fig, axes = grid(2, w=5.2)
    ax = axes[0][0]
    mx = 0
    for impl in sw.impls:
        pts = [(r["throughput_gbps"], r["traced_throughput_gbps"]) for r in sw.sel(impl=impl, net=net)
               if r.get("throughput_gbps") is not None and r.get("traced_throughput_gbps") is not None]
        if pts:
            ax.scatter([p[0] for p in pts], [p[1] for p in pts], s=14, color=IMPL_COLOR[impl], label=IMPL_LABEL[impl],
                       alpha=0.75)
            mx = max(mx, max(max(p) for p in pts))
    if mx:
        mn = min(min(r["throughput_gbps"], r["traced_throughput_gbps"]) for r in sw.sel(net=net)
                 if r.get("throughput_gbps") and r.get("traced_throughput_gbps"))
        ax.plot([mn * 0.8, mx * 1.2], [mn * 0.8, mx * 1.2], color="grey", ls="--", lw=1, label="traced = untraced")
        ax.set_xscale("log")
        ax.set_yscale("log")
    else:
        no_data(ax, "no traced runs")
    ax.set_xlabel("untraced throughput (Gbit/s)")
    ax.set_ylabel("traced throughput (Gbit/s)")
    ax.set_title("every run (all sizes and thread counts)", fontsize=10)
    ax.grid(alpha=0.3)
    legend(ax, fontsize=7)
    ax = axes[0][1]
    for impl in sw.impls:
        errline(ax, sw.sizes, [sw.stat("tracing_overhead_pct", impl=impl, size=s, net=net) for s in sw.sizes], impl)
    size_axis(ax, sw.sizes)
    ax.axhline(0, color="grey", lw=1)
    lo, hi = ax.get_ylim()
    if lo < -100:
        ax.set_ylim(-100, max(hi, 10))
        ax.text(0.02, 0.02, "y axis clipped at -100 %% (lowest run: %.0f %%)" % min(
            sw.values("tracing_overhead_pct", net=net)), transform=ax.transAxes, fontsize=7)
    ax.set_ylabel("throughput lost to tracing (%)")
    ax.set_title("overhead = 1 - traced/untraced (all thread counts)", fontsize=10)
    ax.grid(alpha=0.3)
    legend(ax, fontsize=7, loc="upper right")
    fig.suptitle("Tracing overhead: traced vs untraced stream runs (%s, backend %s)" % (net, sw.backend or "?"))
    footer(fig, sw, net)
    save(fig, path)


DRAW = {"throughput_vs_size": plot_throughput, "latency_vs_threads": plot_latency,
        "cache_misses_vs_size": plot_cache, "cpu_per_byte_vs_size": plot_cpu_per_byte,
        "copy_ledger": plot_ledger, "kernel_time": plot_kernel_time, "tracing_overhead": plot_overhead}


def plot_files(sw):
    """-> [(net, key, title, filename)] for every plot of the sweep."""
    out = []
    for ni, net in enumerate(sw.nets):
        suffix = "" if ni == 0 else "_" + net
        for key, title in PLOTS:
            out.append((net, key, title, "%s%s.png" % (key, suffix)))
    return out


def draw_all(outdir, sw=None):
    sw = sw or Sweep(outdir)
    files = []
    for net, key, title, fn in plot_files(sw):
        DRAW[key](sw, net, os.path.join(outdir, fn))
        files.append(fn)
    return files


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    files = draw_all(argv[1])
    print("plots.py: wrote %s" % ", ".join(files), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
