#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# copytrace benchmarks against iperf3, sockperf and bpftrace.
# `make bench` runs this. Results go to bench-results/<timestamp>/ (ignored):
# runs.jsonl (every run), raw/ (each tool's own output), summary.md (the
# table, also printed on stdout). See docs/bench.md.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PYTHON=${PYTHON:-/usr/bin/python3}
[ -x "$PYTHON" ] || PYTHON=python3

usage() {
	cat <<USAGE
usage: $0 [options]
  --smoke          one round, 0.5 s stream / 1 s rr runs, no sweep (for make test)
  --pairs N        rounds of each alternated comparison (default 5)
  --prof-rounds N  rounds of the profiler-cost scan (default 8; a1 64 KiB at
                   0 (twice), the default (99), 9999, 19999 (twice) Hz + a2, ~21 s a round)
  --duration S     seconds per stream run (default 2; iperf3 gets whole seconds)
  --rr-duration S  whole seconds per rr / sockperf run (default 2)
  --no-sweep       skip the experiment sweep timing (item 5)
  --full-sweep     also time the default sweep (up to 15 min; not in make bench)
  --only LIST      subset of: tput,rr,trace,prof,sweep,copies,exporter (comma-separated)
  --out DIR        output folder (default bench-results/<timestamp>)
  --budget S       seconds for the comparisons before rounds are cut (default 700)
Default (make bench): 5 rounds of every comparison plus run_experiments.sh
--quick, under 13 minutes; the default sweep's time is read from its newest
complete log under results/ when there is one.
USAGE
}

args=()
sweep=quick
while [ $# -gt 0 ]; do
	case $1 in
	-h|--help) usage; exit 0 ;;
	--smoke) args+=(--smoke) ;;
	--pairs|--prof-rounds|--duration|--rr-duration|--only|--out|--budget)
		[ $# -ge 2 ] || { echo "bench: $1 needs a value" >&2; exit 2; }
		args+=("$1" "$2"); shift ;;
	--no-sweep) sweep=none ;;
	--full-sweep) sweep=full ;;
	*) echo "bench: unknown option $1 (see --help)" >&2; exit 2 ;;
	esac
	shift
done

[ "$(id -u)" -eq 0 ] || { echo "bench: needs root (network namespaces, BPF): run it with sudo" >&2; exit 1; }
[ -x "$ROOT/build/ctrun" ] || { echo "bench: build/ctrun missing: run make first" >&2; exit 1; }
for t in iperf3 sockperf bpftrace unshare ss; do
	command -v "$t" >/dev/null || echo "bench: warning: $t not installed (scripts/install-deps.sh); its rows will say so" >&2
done
exec "$PYTHON" "$ROOT/scripts/bench.py" --sweep "$sweep" "${args[@]}"
