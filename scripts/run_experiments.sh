#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# copytrace experiment sweep: impl x size x threads x topology x repetition.
# For every point and repetition it makes three runs:
#   1. untraced stream run wrapped in `perf stat -x,`  -> NAME.perf.txt, NAME.stream.json
#      (perf counts only the client's measuring window: ctrun --perf-ctl)
#   2. untraced rr (request/response) run for latency  -> NAME.rr.json
#   3. traced stream run (trace_run --format json)     -> NAME.trace.json
# where NAME = <impl>_s<size>_t<threads>_<net>_r<rep>, e.g. a2_s65536_t4_veth_r1.
# Then it writes results.csv (analysis/collect.py), the plots and REPORT.md
# (analysis/report). Output goes to a fresh results/<timestamp>/ folder.
#
# Usage: scripts/run_experiments.sh [options]   (run as root; see --help)
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)

usage() {
	cat <<EOF
usage: $0 [options]
  --quick               small subset (a1 a2 a3 a4 a5 x 256,65536 B x 1,4 threads x 2 reps,
                        0.3 s runs), about two minutes
  --impls LIST          implementations (default: a1 a2 a3 a4)
  --sizes LIST          message sizes in bytes (default: 256 1024 4096 65536)
  --threads LIST        client thread counts (default: 1 8)
  --nets LIST           topologies, veth and/or loopback (default: veth)
  --reps N              repetitions of every point (default: 3)
  --duration S          seconds per untraced stream run (default: 1)
  --rr-duration S       seconds per rr run (default: 0.5)
  --trace-duration S    seconds per traced run (default: same as --duration)
  --no-trace            skip the traced runs (no ledger / per-function plots)
  --no-perf             do not wrap the stream run in perf stat (which counts only
                        the client's measuring window, via ctrun --perf-ctl)
  --verify              pass --verify to every run (slower; checks every byte)
  --out DIR             output folder (default: results/<timestamp>)
  --resume DIR          reuse DIR and skip runs whose output files already exist
  --no-report           only run and collect; skip plots and REPORT.md
LISTs are space- or comma-separated, e.g. --sizes 256,4096 or --sizes "256 4096".
Environment: CTRUN, TRACE_RUN, PERF, PYTHON override the tools used.
EOF
}

CTRUN=${CTRUN:-$ROOT/build/ctrun}
TRACE_RUN=${TRACE_RUN:-$ROOT/trace_run}
PERF=${PERF:-perf}
PYTHON=${PYTHON:-/usr/bin/python3}
EVENTS=cycles,instructions,L1-dcache-load-misses,LLC-load-misses,cache-misses,context-switches,cpu-migrations,task-clock

# The implementations the sweep knows; a new data path is one word here (and
# one row of IMPL_TABLE in analysis/common.py). ctrun must accept it too.
KNOWN_IMPLS="a1 a2 a3 a4 a5"
DEFAULT_IMPLS="a1 a2 a3 a4 a5"
IMPLS=$DEFAULT_IMPLS; SIZES="256 1024 4096 65536"; THREADS="1 8"; NETS="veth"; REPS=3
DUR=1; RR_DUR=0.5; TR_DUR=""; DO_TRACE=1; DO_PERF=1; DO_REPORT=1; VERIFY=""; OUT=""; RESUME=0; QUICK=0

die() { echo "run_experiments: $*" >&2; exit 2; }
list() { tr ',' ' ' <<<"$1" | xargs; }
while [ $# -gt 0 ]; do
	case $1 in
	--quick) QUICK=1; IMPLS=$DEFAULT_IMPLS; SIZES="256 65536"; THREADS="1 4"; REPS=2
		DUR=0.3; RR_DUR=0.2; TR_DUR=0.3 ;;
	--impls) IMPLS=$(list "${2:?}"); shift ;;
	--sizes) SIZES=$(list "${2:?}"); shift ;;
	--threads) THREADS=$(list "${2:?}"); shift ;;
	--nets) NETS=$(list "${2:?}"); shift ;;
	--reps) REPS=${2:?}; shift ;;
	--duration) DUR=${2:?}; shift ;;
	--rr-duration) RR_DUR=${2:?}; shift ;;
	--trace-duration) TR_DUR=${2:?}; shift ;;
	--no-trace) DO_TRACE=0 ;;
	--no-perf) DO_PERF=0 ;;
	--no-report) DO_REPORT=0 ;;
	--verify) VERIFY=--verify ;;
	--out) OUT=${2:?}; shift ;;
	--resume) OUT=${2:?}; RESUME=1; shift ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; die "unknown option '$1'" ;;
	esac
	shift
done
TR_DUR=${TR_DUR:-$DUR}

# --- validate ---------------------------------------------------------------
for i in $IMPLS; do [[ " $KNOWN_IMPLS " == *" $i "* ]] || die "--impls: '$i' is not one of: $KNOWN_IMPLS"; done
for s in $SIZES; do [[ $s =~ ^[0-9]+$ ]] && [ "$s" -gt 0 ] || die "--sizes: '$s' is not a positive integer"; done
for t in $THREADS; do [[ $t =~ ^[0-9]+$ ]] && [ "$t" -gt 0 ] || die "--threads: '$t' is not a positive integer"; done
for n in $NETS; do [[ $n =~ ^(veth|loopback)$ ]] || die "--nets: '$n' is not veth or loopback"; done
[[ $REPS =~ ^[0-9]+$ ]] && [ "$REPS" -gt 0 ] || die "--reps: '$REPS' is not a positive integer"
for d in "$DUR" "$RR_DUR" "$TR_DUR"; do [[ $d =~ ^[0-9]*\.?[0-9]+$ ]] || die "duration '$d' is not a number of seconds"; done
[ "$(id -u)" -eq 0 ] || die "must run as root (network namespaces, perf, eBPF): sudo $0"
[ -x "$CTRUN" ] || die "$CTRUN not found: run 'make' first"
for i in $IMPLS; do  # a bad --threads makes ctrun check --impl first and exit
	if "$CTRUN" --impl "$i" --threads 0 2>&1 | grep -q -- '--impl'; then
		die "$CTRUN does not know --impl $i (not built into this tree yet?)"
	fi
done
if [ "$DO_TRACE" = 1 ] && [ ! -x "$TRACE_RUN" ]; then die "$TRACE_RUN not found: run 'make' first (or pass --no-trace)"; fi
if [ "$DO_PERF" = 1 ] && ! command -v "$PERF" >/dev/null; then die "perf not found: scripts/install-deps.sh (or pass --no-perf)"; fi
[ -x "$PYTHON" ] || die "$PYTHON not found (Debian's python3 with python3-matplotlib)"

# perf counts the client's measuring window only: started with counting
# disabled (-D -1), ctrun --perf-ctl enables and disables it through two
# FIFOs in a temp dir. A perf without --control counts the whole run.
PERF_WINDOW=none
if [ "$DO_PERF" = 1 ]; then
	CTL_DIR=$(mktemp -d "${TMPDIR:-/tmp}/ct-perfctl.XXXXXX") || die "mktemp failed"
	trap 'rm -rf "$CTL_DIR"' EXIT
	CTL=$CTL_DIR/ctl; ACK=$CTL_DIR/ack
	mkfifo "$CTL" "$ACK" || die "mkfifo in $CTL_DIR failed"
	if "$PERF" stat -x, -e task-clock -D -1 --control "fifo:$CTL,$ACK" -o /dev/null -- true >/dev/null 2>&1; then
		PERF_WINDOW=client_window
		PERF_CTL=(-D -1 --control "fifo:$CTL,$ACK")
		CTRUN_CTL=(--perf-ctl "$CTL,$ACK")
		PERF_COUNTED="client measuring window (ctrun --perf-ctl; perf stat -D -1 --control)"
	else
		echo "run_experiments: $PERF stat has no --control: counting the whole ctrun run, setup included" >&2
		PERF_WINDOW=whole_run
		PERF_CTL=(); CTRUN_CTL=()
		PERF_COUNTED="whole ctrun run (namespace setup and drain included)"
	fi
fi

STOP=0
on_signal() { STOP=1; echo >&2; echo "run_experiments: interrupted; finishing the current run, keeping finished results" >&2; }
trap on_signal INT TERM HUP

if [ -z "$OUT" ]; then
	OUT=$ROOT/results/$(date +%Y%m%d-%H%M%S)
	while [ -e "$OUT" ]; do OUT=$OUT-x; done
fi
if [ "$RESUME" = 0 ] && [ -e "$OUT" ] && [ -n "$(ls -A "$OUT" 2>/dev/null)" ]; then
	die "$OUT exists and is not empty (use --resume $OUT to continue it)"
fi
mkdir -p "$OUT/raw" || die "cannot create $OUT"
OUT=$(cd "$OUT" && pwd)
case $OUT in "$ROOT"/results/*) ln -sfn "$(basename "$OUT")" "$ROOT/results/latest" 2>/dev/null ;; esac
LOG=$OUT/sweep.log

# --- sweep parameters and system description ---------------------------------
cat >"$OUT/sweep.env" <<EOF
impls=$IMPLS
sizes=$SIZES
threads=$THREADS
nets=$NETS
reps=$REPS
stream_duration_s=$DUR
rr_duration_s=$RR_DUR
trace_duration_s=$TR_DUR
traced=$DO_TRACE
perf=$DO_PERF
perf_window=$PERF_WINDOW
verify=${VERIFY:+1}
quick=$QUICK
perf_events=$EVENTS
EOF

{
	echo "== copytrace sweep $(date -Iseconds)"
	echo "git: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$ROOT" diff --quiet 2>/dev/null || echo ' (dirty tree)')"
	echo "== kernel"; uname -a
	echo "== distro"; grep -E '^(PRETTY_NAME|VERSION_ID)=' /etc/os-release
	echo "== cpu"; lscpu 2>/dev/null | grep -E '^(Architecture|Model name|Vendor ID|CPU\(s\)|On-line|Thread|Core|Socket|NUMA node\(s\)|L1d|L2|L3|Hypervisor|Virtualization)' || true
	echo "cores (nproc): $(nproc)"
	echo "== memory"; free -h | sed -n '1,2p'
	echo "== perf"; "$PERF" --version 2>&1 || echo "perf: not available"
	echo "perf_event_paranoid: $(cat /proc/sys/kernel/perf_event_paranoid 2>/dev/null)"
	echo "perf counts: ${PERF_COUNTED:-nothing (--no-perf)}"
	srcs=$(cd /sys/bus/event_source/devices 2>/dev/null && echo *)
	echo "perf event sources: $srcs"
	if [ -e /sys/bus/event_source/devices/cpu ] || [ -e /sys/bus/event_source/devices/cpu_core ]; then
		echo "hardware PMU: present"
	else
		echo "hardware PMU: none (no cpu event source: hardware counters cannot be counted)"
	fi
	grep -qw hypervisor /proc/cpuinfo && echo "hypervisor flag: yes (guest VM)" || echo "hypervisor flag: no"
	echo "== topology"
	echo "veth: client and server in two fresh network namespaces joined by a veth pair (198.18.0.0/15), created per run by the runner"
	echo "loopback: client and server in one fresh network namespace, on its lo"
	echo "host interfaces: $(cd /sys/class/net && echo *)"
	echo "== tools"
	echo "ctrun: $CTRUN"; echo "trace_run: $TRACE_RUN"; "$PYTHON" -c 'import matplotlib, sys; print("python", sys.version.split()[0], "matplotlib", matplotlib.__version__)' 2>&1
	echo "== sweep"; cat "$OUT/sweep.env"
} >"$OUT/system.txt" 2>&1

# Which perf events this machine can count (recorded once; every run's own
# perf.txt is what collect.py reads).
if [ "$DO_PERF" = 1 ]; then
	"$PERF" stat -x, -e "$EVENTS" -o "$OUT/perf-probe.txt" -- true >/dev/null 2>&1
	{
		echo "== perf event support (perf stat -x, -e ... -- true)"
		grep -v '^#' "$OUT/perf-probe.txt" | awk -F, 'NF>2 {print "  " $3 ": " ($1 ~ /^</ ? $1 : "supported")}'
	} >>"$OUT/system.txt"
fi

# Other work on the machine skews every number: record how busy it is.
# runnable: mean of procs_running over 5 reads 20 ms apart, minus the reader.
runnable() {
	awk 'BEGIN { for (i = 0; i < 5; i++) {
		while ((getline l < "/proc/stat") > 0) if (l ~ /^procs_running/) { split(l, a, " "); t += a[2] - 1 }
		close("/proc/stat"); system("sleep 0.02") }
		printf "%.1f", t / 5 }'
}
{
	echo "== load before the sweep"
	echo "loadavg: $(cat /proc/loadavg)"
	echo "runnable tasks besides this script (mean of 5 samples): $(runnable)"
} >>"$OUT/system.txt"

# --- the sweep ---------------------------------------------------------------

points=()
for rep in $(seq 1 "$REPS"); do          # repetitions outermost: an interrupted sweep
	for net in $NETS; do                  # still covers every point once, and slow
		for impl in $IMPLS; do            # drift spreads over all points
			for size in $SIZES; do
				for th in $THREADS; do points+=("$impl $size $th $net $rep"); done
			done
		done
	done
done
N=${#points[@]}
TH_MIN=$(tr ' ' '\n' <<<"$THREADS" | sort -n | head -1)
START=$EPOCHSECONDS
fmt_t() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }
fmt_tv() { printf -v "$1" '%dm%02ds' $(($2 / 60)) $(($2 % 60)); }
# Timeouts per run kind (plus one second per thread, added in the loop). The
# loop body avoids $(...) on purpose: bash 5.2 can lose a trapped signal that
# arrives while it parses a command substitution, and Ctrl-C must not be lost.
TMO_STREAM=$(awk -v d="$DUR" 'BEGIN{printf "%d", d*3 + 30}')
TMO_RR=$(awk -v d="$RR_DUR" 'BEGIN{printf "%d", d*3 + 30}')
TMO_TRACE=$(awk -v d="$TR_DUR" 'BEGIN{printf "%d", d*3 + 60}')
per_run_s=$(awk -v a="$DUR" -v b="$RR_DUR" -v c="$TR_DUR" -v t="$DO_TRACE" 'BEGIN{printf "%d", a+b+t*c+1.5+0.999}')
echo "run_experiments: $N points (impls: $IMPLS; sizes: $SIZES; threads: $THREADS; nets: $NETS; reps: $REPS) -> $OUT" | tee -a "$LOG" >&2
echo "run_experiments: stream ${DUR}s + rr ${RR_DUR}s$([ "$DO_TRACE" = 1 ] && echo " + traced ${TR_DUR}s") per point; first estimate $(fmt_t $((N * per_run_s)))" | tee -a "$LOG" >&2

# run_one KIND FINAL_FILE TIMEOUT CMD...: runs CMD writing FINAL_FILE.part,
# renames it on success; the command's output goes to the per-run log.
failed=0
run_one() {
	local kind=$1 final=$2 tmo=$3; shift 3
	local base=${final%.*.*}
	rm -f "$final.part"
	echo "+ $*" >>"$base.$kind.log"
	timeout -k 5 "$tmo" "$@" >>"$base.$kind.log" 2>&1
	local rc=$?
	if [ "$STOP" = 1 ]; then rm -f "$final.part"; return 1; fi
	if [ $rc -eq 0 ] && [ -s "$final.part" ]; then mv -f "$final.part" "$final"; return 0; fi
	rm -f "$final.part"
	echo "run_experiments: $kind run failed (exit $rc): $(basename "$base") - see $base.$kind.log" | tee -a "$LOG" >&2
	failed=$((failed + 1))
	return 1
}

i=0; done_runs=0
for p in "${points[@]}"; do
	[ "$STOP" = 1 ] && break
	read -r impl size th net rep <<<"$p"
	i=$((i + 1))
	name=${impl}_s${size}_t${th}_${net}_r${rep}
	base=$OUT/raw/$name
	el=$((EPOCHSECONDS - START))
	if [ "$done_runs" -gt 0 ]; then eta=$((el * (N - i + 1) / done_runs)); else eta=$(((N - i + 1) * per_run_s)); fi
	el_s='' eta_s=''
	fmt_tv el_s "$el"; fmt_tv eta_s "$eta"
	printf -v line 'point %d/%d  %-22s elapsed %s  remaining ~%s' "$i" "$N" "$name" "$el_s" "$eta_s"
	echo "$line" >&2; echo "$line" >>"$LOG"
	common=(--impl "$impl" --size "$size" --threads "$th" --net "$net")
	[ -n "$VERIFY" ] && common+=("$VERIFY")
	if [ ! -s "$base.stream.json" ]; then
		read -r la _ </proc/loadavg
		{ printf 'runnable='; runnable; printf ' loadavg=%s\n' "$la"; } >"$base.load"
	fi
	ran=0
	# 1. untraced stream run under perf stat
	tmo=$((TMO_STREAM + th))
	if [ ! -s "$base.stream.json" ] || { [ "$DO_PERF" = 1 ] && [ ! -s "$base.perf.txt" ]; }; then
		ran=1
		if [ "$DO_PERF" = 1 ]; then
			rm -f "$base.perf.txt" "$base.perf.txt.part"
			if run_one stream "$base.stream.json" "$tmo" "$PERF" stat -x, -e "$EVENTS" "${PERF_CTL[@]}" \
				-o "$base.perf.txt.part" -- "$CTRUN" "${common[@]}" "${CTRUN_CTL[@]}" --mode stream \
				--duration "$DUR" --json "$base.stream.json.part"; then
				echo "# counted: $PERF_COUNTED" >>"$base.perf.txt.part"
				mv -f "$base.perf.txt.part" "$base.perf.txt"
			else
				rm -f "$base.perf.txt.part" "$base.stream.json"
			fi
		else
			run_one stream "$base.stream.json" "$tmo" "$CTRUN" "${common[@]}" --mode stream --duration "$DUR" --json "$base.stream.json.part"
		fi
	fi
	[ "$STOP" = 1 ] && break
	# 2. untraced rr run
	tmo=$((TMO_RR + th))
	if [ ! -s "$base.rr.json" ]; then
		ran=1
		run_one rr "$base.rr.json" "$tmo" "$CTRUN" "${common[@]}" --mode rr --duration "$RR_DUR" --json "$base.rr.json.part"
	fi
	[ "$STOP" = 1 ] && break
	# 3. traced stream run; its profiler's stacks go to NAME.folded, and the
	# first repetition at 64 KiB with the fewest threads also draws the impl's
	# flame graph (flame_<impl>_<net>.svg in the results folder)
	if [ "$DO_TRACE" = 1 ] && [ ! -s "$base.trace.json" ]; then
		ran=1
		tmo=$((TMO_TRACE + th))
		prof=(--folded "$base.folded")
		if [ "$size" = 65536 ] && [ "$th" = "$TH_MIN" ] && [ "$rep" = 1 ]; then
			prof+=(--flamegraph "$OUT/flame_${impl}_${net}.svg")
		fi
		run_one trace "$base.trace.json" "$tmo" "$TRACE_RUN" "${common[@]}" --mode stream --duration "$TR_DUR" \
			--format json --output "$base.trace.json.part" "${prof[@]}"
	fi
	[ "$ran" = 1 ] && done_runs=$((done_runs + 1))
done
trap - INT TERM HUP
END=$EPOCHSECONDS
status=complete; [ "$STOP" = 1 ] && status=interrupted
echo "run_experiments: sweep $status after $(fmt_t $((END - START))) ($i of $N points visited, $failed failed runs)" | tee -a "$LOG" >&2
prev_wall=0
if [ "$RESUME" = 1 ] && [ -f "$OUT/sweep.status" ]; then
	prev_wall=$(awk -F= '/^wall_s=/ {print $2}' "$OUT/sweep.status"); prev_wall=${prev_wall:-0}
fi
{
	echo "status=$status"
	echo "points_total=$N"
	echo "points_visited=$i"
	echo "failed_runs=$failed"
	echo "wall_s=$((END - START + prev_wall))"
	[ "$prev_wall" != 0 ] && echo "wall_s_before_resume=$prev_wall"
	echo "loadavg_end=$(cat /proc/loadavg)"
} >"$OUT/sweep.status"

# --- collect, plot, report (also after Ctrl-C: what finished stays usable) ---
if ! "$PYTHON" "$ROOT/analysis/collect.py" "$OUT"; then
	echo "run_experiments: collect.py failed" >&2; exit 1
fi
nrows=$(($(wc -l <"$OUT/results.csv") - 1))
if [ "$nrows" -lt 1 ]; then
	echo "run_experiments: no run finished; nothing to plot" >&2
elif [ "$DO_REPORT" = 1 ]; then
	"$PYTHON" "$ROOT/analysis/report" "$OUT" || { echo "run_experiments: report failed" >&2; exit 1; }
	echo "run_experiments: report: $OUT/REPORT.md" >&2
fi
[ "$status" = complete ] || exit 130
exit 0
