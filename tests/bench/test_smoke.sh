#!/usr/bin/env bash
# Bench smoke: `scripts/bench.sh --smoke` (one round, short runs, no sweep)
# must finish and produce the summary table with every row present. No
# timing assertions: the figures of a smoke run mean nothing.
source "$(dirname "$0")/../lib.sh"
need_root
cd "$ROOT"

OUT=$T_TMP/bench
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
for r in "${rows[@]}"; do check "row: $r" has_row "$r"; done

# Every comparison produced figures (a failed tool shows n/a in its ratio).
for r in "${rows[@]:0:8}" "2 latency \| a1 rr 256 B p50" "3 overhead \| a2 65536 B: bpftrace"; do
	check "figures: $r" bash -c 'grep -E "^\| " "$1" | grep -E -- "$2" | grep -vq "| n/a |"' _ "$OUT/summary.md" "$r"
done
check "verdicts present" grep -Eq '\*\*(met|missed)\*\*' "$OUT/summary.md"
finish
