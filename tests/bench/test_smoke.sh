#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Bench smoke: `scripts/bench.sh --smoke` (one round, short runs, no sweep)
# must finish and produce the summary table with every row present. No
# timing assertions: the figures of a smoke run mean nothing.
source "$(dirname "$0")/../lib.sh"
need_root
cd "$ROOT" || exit 1

OUT=$T_TMP/bench
STATS0=$(cat /proc/sys/kernel/bpf_stats_enabled)
check "bench.sh --smoke exits 0" timeout -k 5 300 scripts/bench.sh --smoke --out "$OUT"
cp "$T_TMP/out" "$T_TMP/stdout"
check "summary.md written" test -s "$OUT/summary.md"
check "runs.jsonl written" test -s "$OUT/runs.jsonl"
check "table printed on stdout" grep -q '^| # | comparison |' "$T_TMP/stdout"

# has_row PATTERN: a table row of summary.md matches the extended regex.
has_row() { grep -E '^\| ' "$OUT/summary.md" | grep -Eq -- "$1"; }
rows=(
	'1 throughput \| a1 64 KiB, 1 thr vs `iperf3 -l 64K`'
	'1 throughput \| a2 64 KiB, 1 thr vs `iperf3 -l 64K`'
	'1 throughput \| a3 64 KiB, 1 thr vs `iperf3 -l 64K -Z`'
	'1 throughput \| a4 64 KiB, 1 thr vs `iperf3 -l 64K -Z`'
	'1 throughput \| a1 64 KiB, 4 thr vs `iperf3 -l 64K -P 4`'
	'1 throughput \| a2 64 KiB, 4 thr vs `iperf3 -l 64K -P 4`'
	'1 throughput \| a3 64 KiB, 4 thr vs `iperf3 -l 64K -Z -P 4`'
	'1 throughput \| a4 64 KiB, 4 thr vs `iperf3 -l 64K -Z -P 4`'
)
for impl in a1 a2; do
	for size in 256 4096; do
		for p in p50 p99; do rows+=("2 latency \| $impl rr $size B $p vs \`sockperf -m $size\`"); done
	done
done
for size in 256 65536; do
	rows+=("3 overhead \| a2 $size B: \`trace_run[^\`]*\` traced/untraced")
	rows+=("3 overhead \| a2 $size B: bpftrace \(same events\) traced/untraced")
	rows+=("4 cost/event \| bpftrace \(tracepoint\), a2 $size B")
	rows+=("4 cost/event \| trace_run[^|]*a2 $size B")
done
rows+=('5 sweep time \| `run_experiments.sh --quick`' '5 sweep time \| `run_experiments.sh` \(default\)')
rows+=('6 profiler \| a1 256 B: trace_run \(defaults\) traced/untraced'
	'6 profiler \| a1 256 B: empty BPF programs on the same hook points'
	'6 profiler \| a1 256 B: empty BPF programs on only the hook points that count'
	'6 profiler \| a1 64 KiB: profiler cost at its default rate'
	'6 profiler \| a1 64 KiB: plain extrapolation'
	'6 profiler \| a1 64 KiB: cost per kept sample by rate'
	'6 profiler \| a1 64 KiB: direct accounting'
	'6 profiler \| a1 64 KiB: profiler at its default rate on/off'
	'6 profiler \| a1 64 KiB: time-ledger share'
	'6 profiler \| a2 64 KiB: time-ledger share')
rows+=('7 copies \| a5 64 KiB loopback: CPU copies per payload byte')
rows+=('8 exporter \| a2 64 KiB: throughput with `trace_run --exporter --all`'
	'8 exporter \| a2 64 KiB: direct accounting'
	'8 exporter \| a2 64 KiB: empty BPF programs on sock_send_length, sock_recv_length, skb_copy_datagram_iovec, sys_enter'
	'8 exporter \| a2 64 KiB: empty BPF programs on sock_send_length, sock_recv_length, skb_copy_datagram_iovec \(')
rows+=('3 overhead \| a2 256 B: empty BPF programs on the same hook points'
	'3 overhead \| a2 256 B: `trace_run/tracepoint` traced/untraced over the floor'
	'6 profiler \| a1 256 B: trace_run \(defaults\) traced/untraced over the floor')
for r in "${rows[@]}"; do check "row: $r" has_row "$r"; done

# Every comparison produced figures (a failed tool shows n/a in its ratio).
for r in "${rows[@]:0:8}" "2 latency \| a1 rr 256 B p50" "3 overhead \| a2 65536 B: bpftrace" \
	"8 exporter \| a2 64 KiB: empty BPF programs on [a-z_, ]*sys_enter" \
	"8 exporter \| a2 64 KiB: empty BPF programs on sock_send_length, sock_recv_length, skb_copy_datagram_iovec \("; do
	check "figures: $r" bash -c 'grep -E "^\| " "$1" | grep -E -- "$2" | grep -vq "| n/a |"' _ "$OUT/summary.md" "$r"
done
check "verdicts present" grep -Eq '\*\*(met|missed)\*\*' "$OUT/summary.md"
# The copies row is computed from a run: a figure, the mapped share, the
# target and a verdict from them.
a5_copies() { grep -E '^\| 7 copies \| a5 64 KiB loopback' "$OUT/summary.md" |
	grep -Eq '\| [0-9]+\.[0-9]{4} \| [0-9.]+ % of the bytes received mapped;.*\| ≤ 0\.05 \| \*\*(met|missed)\*\* \|$'; }
check "a5 copies per payload byte: a figure, the mapped share, a verdict" a5_copies
# The profiler-cost row is computed (two rounds in a smoke run): an estimate
# with an interval and a verdict from it, the direct accounting's figures,
# the method stated under the table; the BPF stats are as they were.
prof_est() { grep -E '^\| 6 profiler \| a1 64 KiB: profiler cost at its default rate' "$OUT/summary.md" |
	grep -Eq '\| -?[0-9.]+ % \[-?[0-9.]+ – -?[0-9.]+\] \|.*\| \*\*(met|not settled|missed)\*\* \|$'; }
prof_direct() { grep -E '^\| 6 profiler \| a1 64 KiB: direct accounting' "$OUT/summary.md" |
	grep -E '\| -?[0-9.]+ % \[-?[0-9.]+ – -?[0-9.]+\] \|' | grep -Eq 'BPF_ENABLE_STATS|sysctl'; }
check "profiler cost: estimate, interval, verdict" prof_est
check "profiler cost: direct accounting figures" prof_direct
check "profiler cost: method stated" grep -q '^Profiler cost (item 6): ' "$OUT/summary.md"
# The floor rows have a ratio and say what it means for the target, and
# hookfloor left no program behind.
floor_row() { [ "$(grep -E '^\| 6 profiler \| a1 256 B: empty BPF programs' "$OUT/summary.md" |
	grep -Ec '\| [0-9.]+ \[[0-9.]+–[0-9.]+\] \| \(info\) \| info: floor (below|at or above) 0.85')" = 2 ]; }
check "hook floor: a ratio and its reading" floor_row
# The tracer over the floor: both ratios, their ratio per round, the 0.95
# target and a verdict; a1's floor row says which uprobe path each run took.
floor_rel() { grep -E '^\| (3 overhead \| a2|6 profiler \| a1) 256 B: .* over the floor' "$OUT/summary.md" |
	grep -Ec '\| tracer [0-9.]+ \[[0-9.–]+\] \| floor [0-9.]+ \[[0-9.–]+\] \| [0-9.]+ \[[0-9.–]+\] \| ≥ 0.95 \| \*\*(met|missed)\*\* \|$'; }
check "tracer over the floor: a1 and a2, ratios and verdicts" test "$(floor_rel)" = 2
check "hook floor: the uprobe path of each a1 run" bash -c \
	'grep -E "^\| 6 profiler \| a1 256 B: empty BPF programs on the same" "$1" | grep -Eq "floor (call|int3|nop5) [0-9]"' _ "$OUT/summary.md"
check "hook floor: no empty program left loaded" bash -c '! bpftool prog show 2>/dev/null | grep -Eq "name (tp[0-7]|up0) "'
check "BPF run-time stats as before the bench" test "$(cat /proc/sys/kernel/bpf_stats_enabled)" = "$STATS0"
finish
